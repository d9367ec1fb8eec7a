"""Generated names for guests: friendly, short, unlikely to collide."""

from __future__ import annotations

import random

ADJECTIVES = (
    "Brave", "Clever", "Curious", "Swift", "Quiet", "Lucky", "Bold", "Witty", "Sunny", "Keen",
    "Nimble", "Jolly", "Gentle", "Mighty", "Sly", "Calm", "Daring", "Eager", "Merry", "Wise",
)
ANIMALS = (
    "Otter", "Fox", "Heron", "Lynx", "Panda", "Falcon", "Badger", "Koala", "Gecko", "Puffin",
    "Walrus", "Marten", "Ibis", "Tapir", "Wombat", "Orca", "Bison", "Crane", "Hare", "Newt",
)


def guest_name(rng: random.Random) -> str:
    return f"{rng.choice(ADJECTIVES)} {rng.choice(ANIMALS)} {rng.randint(10, 99)}"
