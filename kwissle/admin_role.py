"""`python -m kwissle make-admin EMAIL [--revoke]`: grant (or take back) the admin role.

The address is normalised as at sign-in (kwissle/accounts.py), so the account it names is
the one its owner signs in to. An address with no account yet gets one (a signed-in
account with a generated display name, as a first sign-in would make), so an operator can
make themselves admin before they ever sign in. Prints one line saying what changed.
"""

from __future__ import annotations

import random

from kwissle import accounts
from kwissle.game.names import guest_name
from kwissle.storage.open import open_store


async def make_admin(database_url: str, raw_email: str, revoke: bool = False) -> str:
    """Set the role and return the line to print; BadEmail for an address that is not one."""
    email = accounts.normalise_email(raw_email)
    store = await open_store(database_url)
    try:
        player = await store.get_player_by_email(email)
        created = player is None
        if player is None:
            if revoke:
                return f"{email} has no account: nothing to revoke"
            player = await store.create_player(guest_name(random.Random()), guest=False, email=email)
        if player.is_admin != (not revoke):
            await store.set_admin(player.id, not revoke)
        elif revoke:
            return f"{email} ({player.name}) was not an admin: nothing changed"
        else:
            return f"{email} ({player.name}) is already an admin: nothing changed"
    finally:
        await store.close()
    if revoke:
        return f"{email} ({player.name}) is no longer an admin"
    return (f"created the account {email} ({player.name}) and made it an admin" if created
            else f"{email} ({player.name}) is now an admin")
