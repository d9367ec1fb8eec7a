"""A whole store in dump rows: every kind, non-ASCII text, a played battle, sent and waiting mail,
moderation history, appeals, bans and challenge links; and the same as versions 1 and 2 wrote it."""


def full_dump():
    """One row of every kind (two of some), non-ASCII text, a played battle, a sent mail: as
    `export_rows` must give them back, by kind and then by key."""
    a, b = "p-ana", "p-zoë"
    return [
        ("player", {"id": a, "name": "Ana", "guest": False, "email": "ana@example.org", "is_admin": True,
                    "rating": 1612.5, "deviation": 61.25, "volatility": 0.0875, "created_at": 1700000000.25}),
        ("player", {"id": b, "name": "Zoë 🦊", "guest": True, "email": None, "is_admin": False,
                    "rating": 1387.0, "deviation": 500.0, "volatility": 0.09, "created_at": 1700000001.5}),
        ("question", {"id": "q-1", "text": "Welke stad is de hoofdstad van Ĳsland?", "answer": "Reykjavík",
                      "variants": ["Reykjavik"], "wrong": ["Oslo", "Bergen", "Nuuk"], "category": "Géographie",
                      "source": "player", "author_id": a, "status": "published",
                      "explanation": "Ĳsland schrijft het met een accent.", "link": "https://is.wikipedia.org/",
                      "reject_reason": "",
                      "stats": {"asked": 7, "typed_right": 3, "choice_right": 2, "nobody": 2},
                      "created_at": 1700000002.0, "version": 2}),
        ("question", {"id": "q-2", "text": "何 is the answer?", "answer": "Forty-two", "variants": [],
                      "wrong": ["One", "Two", "Three"], "category": "Misc", "source": "starter",
                      "author_id": None, "status": "pending", "explanation": "", "link": "",
                      "reject_reason": "",
                      "stats": {"asked": 0, "typed_right": 0, "choice_right": 0, "nobody": 0},
                      "created_at": 1700000003.0, "version": 1}),
        ("battle", {"id": "b-1", "player_ids": [a, b], "scores": {a: 4, b: 1}, "winner": a, "reason": "complete",
                    "started_at": 1700000010.0, "ended_at": 1700000070.5, "outcomes": [
                        {"question_id": "q-1", "by": a, "how": "typed", "points": 3,
                         "typed": {a: ["Reykjavík"], b: ["Rejkjavik", "Oslo"]}, "chose": {a: None, b: None},
                         "typed_at": {a: [4.25], b: [3.5, 6.0]}, "chose_at": {},
                         "choices": ["Oslo", "Reykjavík", "Helsinki", "Bergen"], "alternatives_at": {}},
                        {"question_id": "q-2", "by": b, "how": "choice", "points": 1,
                         "typed": {a: [], b: []}, "chose": {a: 2, b: 0}, "typed_at": {a: [], b: []},
                         "chose_at": {a: 7.5, b: 5.25},
                         "choices": ["Two", "Forty-two", "One", "Three"], "alternatives_at": {a: 6.0, b: 2.5}},
                    ], "ratings": [
                        {"player_id": a, "before": {"rating": 1600.0, "deviation": 62.0, "volatility": 0.0875},
                         "after": {"rating": 1612.5, "deviation": 61.25, "volatility": 0.0875}},
                        {"player_id": b, "before": {"rating": 1400.0, "deviation": 80.0, "volatility": 0.09},
                         "after": {"rating": 1387.0, "deviation": 79.0, "volatility": 0.09}}]}),
        ("battle", {"id": "b-2", "player_ids": [b, a], "scores": {b: 0, a: 0}, "winner": None, "reason": "forfeit",
                    "started_at": 1700000080.0, "ended_at": 1700000081.0, "outcomes": [], "ratings": [],
                    "recording_of": "b-1"}),  # b left a battle against a recording of a
        ("review", {"question_id": "q-2", "player_id": a, "up": True, "reason": "", "created_at": 1700000090.0}),
        ("review", {"question_id": "q-2", "player_id": b, "up": False, "reason": "trop facile",
                    "created_at": 1700000091.0}),
        ("report", {"id": "r-1", "question_id": "q-1", "player_id": b, "battle_id": "b-1",
                    "reason": "the answer is spelt wrong", "created_at": 1700000100.0, "resolved": False,
                    "outcome": "", "resolved_at": None, "resolved_by": None}),
        ("report", {"id": "r-2", "question_id": "q-2", "player_id": a, "battle_id": None,
                    "reason": "drie keer hetzelfde", "created_at": 1700000101.0, "resolved": True,
                    "outcome": "edited", "resolved_at": 1700000150.5, "resolved_by": a}),
        ("counter", {"name": "battles_complete", "value": 41}),
        ("counter", {"name": "battles_forfeit", "value": 3}),
        ("mail", {"id": "m-1", "to": "ana@example.org", "subject": "Sign in to Kwissle",
                  "body": "Ciao, ecco il link: https://kwissle.example/sign-in/x", "created_at": 1700000200.0,
                  "sent_at": 1700000201.0, "attempts": 1, "next_attempt_at": 0.0, "last_error": "",
                  "failed_at": None}),
        ("mail", {"id": "m-2", "to": "zoë@example.org", "subject": "Again", "body": "…",
                  "created_at": 1700000202.0, "sent_at": None, "attempts": 3, "next_attempt_at": 1700000500.0,
                  "last_error": "550 mailbox unavailable", "failed_at": 1700000600.0}),
        # two actions on q-1 at the same moment: their order is kept by `seq`
        ("moderation", {"question_id": "q-1", "seq": 1, "moderator_id": a, "action": "publish", "reason": "",
                        "changes": {"status": ["queued", "published"]}, "at": 1700000300.0}),
        ("moderation", {"question_id": "q-1", "seq": 2, "moderator_id": a, "action": "edit",
                        "reason": "accent", "changes": {"variants": [[], ["Reykjavik"]],
                                                        "explanation": ["", "Ĳsland schrijft het met een accent."]},
                        "at": 1700000300.0}),
        ("moderation", {"question_id": "q-2", "seq": 1, "moderator_id": a, "action": "reject",
                        "reason": "trop facile", "changes": {"status": ["queued", "pending"]}, "at": 1700000310.0}),
        ("appeal", {"id": "ap-1", "question_id": "q-1", "player_id": b, "battle_id": "b-1", "text": "Rejkjavik",
                    "folded": "rejkjavik", "created_at": 1700000071.0, "status": "declined",
                    "note": "spelt wrong", "resolved_at": 1700000320.0, "resolved_by": a}),
        ("appeal", {"id": "ap-2", "question_id": "q-1", "player_id": b, "battle_id": "b-1", "text": "Oslo",
                    "folded": "oslo", "created_at": 1700000071.5, "status": "open", "note": "",
                    "resolved_at": None, "resolved_by": None}),
        ("ban", {"id": "ban-1", "player_id": b, "reason": "spam", "until": 1700090000.0, "by": a,
                 "at": 1700000400.0, "lifted_at": 1700000500.0, "lifted_by": a, "lift_reason": "apologised"}),
        ("ban", {"id": "ban-2", "player_id": b, "reason": "spam again", "until": None, "by": a,
                 "at": 1700000600.0, "lifted_at": None, "lifted_by": None, "lift_reason": ""}),
        ("challenge", {"code": "Open-Link_42", "creator_id": a, "creator_name": "Ana", "category": "Géographie",
                       "created_at": 1700000700.0, "expires_at": 4100000000.0, "battle_id": None, "used_at": None}),
        ("challenge", {"code": "used-link-01", "creator_id": b, "creator_name": "Zoë 🦊", "category": None,
                       "created_at": 1700000005.0, "expires_at": 4100000005.0, "battle_id": "b-1",
                       "used_at": 1700000010.0}),
    ]


# What dump version 3 added: kinds, and fields of a report.
VERSION_3_KINDS = ("moderation", "appeal", "ban", "challenge")
VERSION_3_FIELDS = {"report": ("outcome", "resolved_at", "resolved_by")}


# The fields dump version 2 added, by kind (and within battle outcomes): a version 1 row lacks them.
VERSION_2_FIELDS = {
    "player": ("deviation", "volatility"),
    "question": ("explanation", "link", "reject_reason", "version"),
    "battle": ("ratings", "recording_of"),
    "mail": ("next_attempt_at", "last_error", "failed_at"),
}


def version_2_dump():
    """`full_dump` as a Kwissle before moderation history, appeals, bans and challenges wrote it."""
    return [(kind, {k: v for k, v in row.items() if k not in VERSION_3_FIELDS.get(kind, ())})
            for kind, row in full_dump() if kind not in VERSION_3_KINDS]


def version_1_dump():
    """`full_dump` as a Kwissle before ratings and explanations wrote it."""
    rows = []
    for kind, row in version_2_dump():
        row = {k: v for k, v in row.items() if k not in VERSION_2_FIELDS.get(kind, ())}
        if kind == "battle":
            row["outcomes"] = [{k: v for k, v in o.items() if k not in ("typed_at", "chose_at", "choices", "alternatives_at")}
                               for o in row["outcomes"]]
        rows.append((kind, row))
    return rows
