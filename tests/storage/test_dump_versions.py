"""Dumps written by older Kwissles: literal version 1 and version 2 files, as they were written,
are still read and imported on every adapter, what a later version added taking its default;
exported again they are version 3."""

from __future__ import annotations

import json

import pytest

from kwissle.storage import dump
from kwissle.storage.dump import DumpError

VERSION_1 = """\
{"counts":{"battle":1,"counter":1,"mail":1,"player":2,"question":1,"report":1,"review":1},"created_at":"2025-01-02T03:04:05Z","format":"kwissle-dump","source":"sqlite","version":1}
{"kind":"player","row":{"created_at":1700000000.0,"email":"ana@example.org","guest":false,"id":"p-ana","is_admin":true,"name":"Ana","rating":1520.0}}
{"kind":"player","row":{"created_at":1700000001.0,"email":null,"guest":true,"id":"p-bo","is_admin":false,"name":"Bo","rating":1480.0}}
{"kind":"question","row":{"answer":"Lusaka","author_id":"p-ana","category":"Geography","created_at":1700000002.0,"id":"q-1","source":"player","stats":{"asked":1,"choice_right":0,"nobody":0,"typed_right":1},"status":"published","text":"Capital of Zambia?","variants":[],"wrong":["Harare","Nairobi","Kampala"]}}
{"kind":"battle","row":{"ended_at":1700000070.0,"id":"b-1","outcomes":[{"by":"p-ana","chose":{"p-ana":null,"p-bo":null},"how":"typed","points":3,"question_id":"q-1","typed":{"p-ana":["Lusaka"],"p-bo":["Lusakka"]}}],"player_ids":["p-ana","p-bo"],"reason":"complete","scores":{"p-ana":3,"p-bo":0},"started_at":1700000010.0,"winner":"p-ana"}}
{"kind":"review","row":{"created_at":1700000080.0,"player_id":"p-bo","question_id":"q-1","reason":"","up":true}}
{"kind":"report","row":{"battle_id":"b-1","created_at":1700000090.0,"id":"r-1","player_id":"p-bo","question_id":"q-1","reason":"typo","resolved":false}}
{"kind":"counter","row":{"name":"visits","value":7}}
{"kind":"mail","row":{"attempts":1,"body":"Hi","created_at":1700000100.0,"id":"m-1","sent_at":1700000101.0,"subject":"Sign in","to":"ana@example.org"}}
"""

VERSION_2 = """\
{"counts":{"battle":0,"counter":0,"mail":0,"player":2,"question":1,"report":1,"review":0},"created_at":"2026-03-04T05:06:07Z","format":"kwissle-dump","source":"mongodb","version":2}
{"kind":"player","row":{"created_at":1700000000.0,"deviation":80.0,"email":"ana@example.org","guest":false,"id":"p-ana","is_admin":true,"name":"Ana","rating":1520.0,"volatility":0.06}}
{"kind":"player","row":{"created_at":1700000001.0,"deviation":350.0,"email":null,"guest":true,"id":"p-bo","is_admin":false,"name":"Bo","rating":1480.0,"volatility":0.09}}
{"kind":"question","row":{"answer":"Lusaka","author_id":"p-ana","category":"Geography","created_at":1700000002.0,"explanation":"Since 1935.","id":"q-1","link":"","reject_reason":"","source":"player","stats":{"asked":0,"choice_right":0,"nobody":0,"typed_right":0},"status":"published","text":"Capital of Zambia?","variants":["Lusaka City"],"version":3,"wrong":["Harare","Nairobi","Kampala"]}}
{"kind":"report","row":{"battle_id":null,"created_at":1700000090.0,"id":"r-1","player_id":"p-bo","question_id":"q-1","reason":"typo","resolved":true}}
"""


def written(tmp_path, text, name="old.jsonl"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


async def test_a_version_1_dump_imports_with_every_later_field_at_its_default(store, tmp_path):
    path = written(tmp_path, VERSION_1)
    assert dump.check_dump(path).version == 1
    inserted, skipped = await dump.import_dump(store, path, force=False)
    assert (sum(inserted.values()), skipped) == (8, 0)
    bo = await store.get_player("p-bo")
    assert (bo.rating, bo.deviation, bo.volatility) == (1480.0, 500.0, 0.09)
    battle = await store.get_battle("b-1")
    assert battle.ratings == () and battle.outcomes[0].typed["p-bo"] == ["Lusakka"]
    assert [r.id for r in await store.list_reports()] == ["r-1"]  # still open
    rows = {kind: row for kind, row in [r async for r in store.export_rows()] if kind in ("report", "mail")}
    assert {k: rows["report"][k] for k in ("resolved", "outcome", "resolved_at", "resolved_by")} == {
        "resolved": False, "outcome": "", "resolved_at": None, "resolved_by": None}
    assert (rows["mail"]["next_attempt_at"], rows["mail"]["failed_at"]) == (0.0, None)


async def test_a_version_2_dump_imports_and_comes_back_out_as_version_3(store, tmp_path):
    path = written(tmp_path, VERSION_2)
    await dump.import_dump(store, path, force=False)
    question = await store.get_question("q-1")
    assert (question.version, question.explanation, question.variants) == (3, "Since 1935.", ("Lusaka City",))
    assert [r.id for r in await store.list_reports(resolved=True)] == ["r-1"]
    assert await store.question_history("q-1") == [] and await store.active_ban("p-bo", 1e10) is None
    again = tmp_path / "again.jsonl"
    await dump.export_store(store, "sqlite:///x.db", again)
    header, *lines = again.read_text(encoding="utf-8").splitlines()
    assert json.loads(header)["version"] == 3
    report = json.loads(lines[-1])
    assert report == {"kind": "report", "row": {**json.loads(VERSION_2.splitlines()[-1])["row"],
                                                "outcome": "", "resolved_at": None, "resolved_by": None}}


@pytest.mark.parametrize("version", [1, 2])
def test_an_older_dump_may_not_hold_a_kind_version_3_added(tmp_path, version):
    header = {"counts": {"ban": 1}, "created_at": "x", "format": "kwissle-dump", "source": "sqlite",
              "version": version}
    ban = {"id": "ban-1", "player_id": "p", "reason": "r", "until": None, "by": "m", "at": 1.0, "lifted_at": None,
           "lifted_by": None, "lift_reason": ""}
    path = written(tmp_path, dump.encode(header) + "\n" + dump.encode({"kind": "ban", "row": ban}) + "\n")
    with pytest.raises(DumpError, match=f"line 2: a version {version} dump holds no ban rows"):
        dump.check_dump(path)
