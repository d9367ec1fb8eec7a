"""Roles: which parts of Kwissle a process builds, and so what it serves.

    serve   everything below in one process (zero set-up; what `scripts/play` runs)
    web     pages, /api/ticket, and /api/status asked of the game process; stateless,
            run several. It holds no hub and no SockJS router.
    game    the SockJS channel, the matchmaker and the battles (/sockjs), and /api/status
            from its hub; exactly one. It verifies tickets the web processes issue: both
            sign and check them with the shared KWISSLE_COOKIE_SECRET.
    admin   /admin, for admins only; on its own process so slow admin work never
            stalls a page or a battle.

The `worker` role runs periodic jobs and serves no HTTP (kwissle/worker.py).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    name: str
    pages: bool = False  # the pages and /api/ticket
    game: bool = False  # the hub, the SockJS channel and /api/status from the hub
    status_from_game: bool = False  # /api/status asked of the game process over HTTP
    admin: bool = False  # /admin


SERVE = Role("serve", pages=True, game=True, admin=True)
WEB = Role("web", pages=True, status_from_game=True)
GAME = Role("game", game=True)
ADMIN = Role("admin", admin=True)

HTTP_ROLES = {role.name: role for role in (SERVE, WEB, GAME, ADMIN)}
