"""Where real Neon differs from its published OpenAPI document, in one place, with sources.

These are the only deviations allowed when the stand-in's responses are validated against the
document (tests/contract/test_standin_matches_neon_spec.py).
Sources: ../shared/design/neon-facts.md.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Quirk:
    name: str
    behaviour: str
    source: str


QUIRKS = (
    Quirk(
        "empty_project_list_without_pagination",
        "GET /projects with no rows omits `pagination`; the cursor of a non-empty page is the id "
        "of its last project, and the end of the list is a page shorter than `limit`.",
        "neon-facts §2.4; neon-api-python cassettes; neonctl src/commands/projects.ts",
    ),
    Quirk(
        "branch_sort_order_uppercase",
        'Branch pagination returns `sort_order` as "DESC" (the document\'s enum is lowercase).',
        "neon-facts §2.7, §3 caveat 2; cassette test_branches.yaml",
    ),
    Quirk(
        "go_zero_time_billing_period",
        "Free accounts get consumption_period_start/end = 0001-01-01T00:00:00Z.",
        "neon-facts §2.5, §3 caveat 3; cassette test_project.yaml",
    ),
    Quirk(
        "synthetic_storage_size_absent_on_new_projects",
        "A brand-new project has no `synthetic_storage_size`.",
        "neon-facts §2.5",
    ),
    Quirk(
        "primary_beside_default",
        "Branches carry the deprecated `primary` beside `default`, with the same value.",
        "neon-facts §2.7; neonctl #230",
    ),
    Quirk(
        "branch_without_protected_and_cpu_used_sec",
        "Some real branch objects omit `protected` and `cpu_used_sec`, which the document marks "
        "required; an initialising branch also has no `logical_size`.",
        "neon-facts §3 caveat 4",
    ),
    Quirk(
        "org_id_required",
        "GET /projects without org_id from an organization-scoped account answers 400 "
        '"org_id is required, you can find it on your organization settings page".',
        "neon-facts §2.6; website #5671, neonctl #382",
    ),
    Quirk(
        "refresh_reuse_revokes_grant",
        "Presenting a rotated refresh token revokes the whole grant: 401 token_inactive "
        "(Hydra v1.11), or 400 invalid_grant with hydra_v2 strictness.",
        "neon-facts §1.5, §1.6",
    ),
)

ORG_ID_REQUIRED = "org_id is required, you can find it on your organization settings page"
GO_ZERO_TIME = "0001-01-01T00:00:00Z"
BRANCH_SORT_ORDER = "DESC"
# Fields real branches may lack although the document marks them required (quirk above).
BRANCH_FIELDS_SOMETIMES_ABSENT = frozenset({"protected", "cpu_used_sec"})
