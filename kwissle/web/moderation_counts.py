"""What moderators do, counted for /admin/stats: the names of the counters the admin handlers hit.

One counter per kind of action (kwissle/counters.py keeps an hourly bucket of each, which the
stats page draws), hit once per action carried out, never for a refused or already-handled one,
and partitioned by moderator (`<name>|moderator=<id>`). They are counted in the admin process,
whose counters flush on their timer and at a clean shutdown like every role's (kwissle/app.py).
"""

from __future__ import annotations

from kwissle.model import Moderation

# moderate_question's actions (the queue page, a report's "retire", triage's and appeals' variants)
MODERATED = {
    Moderation.PUBLISH: "moderation_published",
    Moderation.EDIT: "moderation_edited",
    Moderation.REJECT: "moderation_rejected",
    Moderation.RETIRE: "moderation_retired",
    Moderation.ADD_VARIANT: "moderation_variants",
}
REPORTS_CLOSED = "moderation_reports_closed"  # a question's open reports resolved together: one action
APPEALS_ACCEPTED = "moderation_appeals_accepted"
APPEALS_DECLINED = "moderation_appeals_declined"
BANS = "moderation_bans"
UNBANS = "moderation_unbans"
IMPORTS = "moderation_imports"  # an import started (its questions go to the queue or straight into play)
