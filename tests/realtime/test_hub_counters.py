"""What the hub counts for the statistics: battles started and finished, typed answers judged,
steals (points scored by typing), alternatives loaded; refused actions count nothing."""

import pytest

from kwissle.counters import Counters
from kwissle.game.events import ActionRefused
from tests.support.hub_driver import START, answer_to, connect, make_hub, paired, send


def counted(counters: Counters) -> dict[str, int]:
    return {name: counters.pending(name) for name in (
        "battles_started", "battles_finished", "battles_finished|reason=forfeit",
        "typed_answers", "steals", "alternatives") if counters.pending(name)}


async def test_the_hub_counts_each_battle_action_that_was_carried_out(store, clock):
    counters = Counters(store)
    hub = make_hub(store, clock, counters=counters)
    ana, bo = connect(hub, "ana"), connect(hub, "bo")
    await paired(hub, ana, bo)
    assert counted(counters) == {"battles_started": 1}

    clock.now = START + 1
    send(hub, bo, "answer", q=0, text="nowhere near")  # judged: wrong
    send(hub, ana, "answer", q=0, text=answer_to(ana, 0))  # judged: right, 3 points by typing
    assert counted(counters) == {"battles_started": 1, "typed_answers": 2, "steals": 1}
    with pytest.raises(ActionRefused):
        send(hub, bo, "answer", q=0, text="too late")  # the question is closed: not judged
    assert counters.pending("typed_answers") == 2

    clock.next_deadline()  # q1 opens
    send(hub, bo, "alternatives", q=1)
    with pytest.raises(ActionRefused):
        send(hub, bo, "answer", q=1, text="typing after the alternatives")  # locked out
    choices = bo.of("alternatives")[-1]["choices"]
    send(hub, bo, "choose", q=1, choice=choices.index(answer_to(bo, 1)))  # a point, not by typing
    assert bo.of("reveal")[-1]["how"] == "choice"
    assert counted(counters) == {"battles_started": 1, "typed_answers": 2, "steals": 1, "alternatives": 1}

    send(hub, ana, "leave")
    assert counted(counters) == {"battles_started": 1, "battles_finished": 1, "battles_finished|reason=forfeit": 1,
                                 "typed_answers": 2, "steals": 1, "alternatives": 1}
    await hub.shutdown()
    await counters.flush()
    assert await store.get_counter("steals") == 1 and await store.get_counter("typed_answers") == 2


async def test_a_hub_without_counters_given_counts_into_its_own(store, clock):
    hub = make_hub(store, clock)
    ana, bo = connect(hub, "ana"), connect(hub, "bo")
    await paired(hub, ana, bo)
    assert hub.counters.pending("battles_started") == 1 and hub.counters.store is store
    await hub.shutdown()
