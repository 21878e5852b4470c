"""What the pages say, in the customer's words: connect outcomes, why a connection needs
re-authorizing, what each granted scope lets Produl do, and why a picker is empty."""

from __future__ import annotations

from application.complete_connection import Outcome
from domain.connection import ReauthorizationReason
from domain.scopes import OFFLINE, OFFLINE_ACCESS, OPENID, ORGS_READ, PROJECTS_READ

OUTCOMES = {
    Outcome.CONNECTED.value: "Neon is connected. Pick a project below to continue.",
    Outcome.ACCESS_DENIED.value: "You declined the request on Neon's page. Nothing was connected.",
    Outcome.AUTHORIZATION_FAILED.value: "Neon could not authorize the connection. Try again.",
    Outcome.STATE_INVALID.value: "This sign-in link was not started from this browser or was "
    "already used. Start Connect Neon again.",
    Outcome.STATE_EXPIRED.value: "The sign-in took too long and expired. Start Connect Neon again.",
    Outcome.ISSUER_MISMATCH.value: "The answer did not come from Neon. Nothing was connected.",
    Outcome.EXCHANGE_FAILED.value: "Neon did not accept the sign-in. Start Connect Neon again.",
    Outcome.NEON_UNAVAILABLE.value: "Neon could not be reached. Try again in a minute.",
    Outcome.CONFLICT.value: "Another change to the Neon connection happened at the same moment. "
    "Reload this page to see which one holds.",
    Outcome.SCOPE_NOT_ALLOWED.value: "Neon granted more than read access, which Produl never "
    "asks for; the grant was revoked and nothing was connected. Start Connect Neon again.",
    Outcome.NOT_AN_ADMIN.value: "Only an admin of this workspace can connect Neon, and whoever "
    "started this is no longer one. Nothing was connected.",
}
UNKNOWN_OUTCOME = "Connecting Neon failed. Start Connect Neon again."
SELECTION_DROPPED = " The previously selected project is not visible to this account; pick another."

REAUTHORIZATION = {
    ReauthorizationReason.REFRESH_REJECTED: "Neon no longer accepts Produl's access for this "
    "account: it expired or was revoked.",
    ReauthorizationReason.GRANT_REVOKED: "The access you granted Produl was revoked on Neon.",
    ReauthorizationReason.NO_REFRESH_TOKEN: "Neon granted no lasting access (the offline "
    "permission was not allowed), so Produl could not renew it.",
    ReauthorizationReason.ACCESS_REJECTED: "Neon's API has refused Produl's renewed access for "
    "a day.",
}
DEGRADED = (
    "Neon's API has lately refused Produl's renewed access. Widgets may fail; if this lasts, "
    "reconnect."
)

SCOPES = {
    OPENID: "Know which Neon account you are (its email address)",
    OFFLINE: "Stay connected without asking you every hour",
    OFFLINE_ACCESS: "Stay connected without asking you every hour",
    PROJECTS_READ: "Read your projects, their branches, storage and compute usage",
    ORGS_READ: "See your organizations and their projects",
}


def scopes_in_words(scopes: frozenset[str]) -> list[str]:
    """One line per distinct permission, in a stable order; unknown scopes as Neon named them."""
    lines: list[str] = []
    for scope in sorted(scopes):
        line = SCOPES.get(scope, scope)
        if line not in lines:
            lines.append(line)
    return lines


EMPTY_PICKER = {
    "missing_scope": (
        "Neon did not give Produl permission to read projects, so none can be listed.",
        "Reconnect Neon and allow reading projects.",
    ),
    "no_match": (
        "No project matches your search.",
        "Check the spelling, or clear the search to see every project.",
    ),
    "no_projects": (
        "The connected Neon account has no projects yet.",
        "Create a project in the Neon Console, then come back and reload this list.",
    ),
}
