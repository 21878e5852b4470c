"""The OAuth scopes the service may ask Neon for: read-only ones, and nothing else."""

from __future__ import annotations

OPENID = "openid"
OFFLINE = "offline"
OFFLINE_ACCESS = "offline_access"
PROJECTS_READ = "urn:neoncloud:projects:read"
ORGS_READ = "urn:neoncloud:orgs:read"

# The allow-list, in the order the service asks for them by default.
READ_ONLY_SCOPES: tuple[str, ...] = (OPENID, OFFLINE, OFFLINE_ACCESS, PROJECTS_READ, ORGS_READ)
