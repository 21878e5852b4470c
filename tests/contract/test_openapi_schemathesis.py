"""Generated attacks: schemathesis holds the service to its own OpenAPI document (decision 0021).

Every operation of ``/schema/openapi.json`` gets schema-valid and schema-invalid requests (the
examples, coverage and fuzzing phases, at least 100 examples each) with every check schemathesis
has, as an admin and as a member; then the stateful phase follows the document's links (create a
dashboard → read it → add a widget → its data → configure it → remove it; add a member → revoke
them). The app runs in process over ASGI: SQLite, and the stand-in for Neon behind the real httpx
and authlib adapters. Each role gets a workspace of its own, connected to Neon (Ada), with a
selected project, a dashboard and a widget, so reads have something to find. Deterministic: a
fixed seed, derandomized, no example database.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, cast

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from litestar import Litestar
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.python import asgi

from bootstrap.app import create_app
from tests.http.client import bearer, relative
from tests.support import ADMIN_TOKEN, make_container

EXAMPLES = 100
SEED = 11
CHECKS = "all"
STATEFUL_SCENARIOS = 100
STATEFUL_STEPS = 10


@dataclass(frozen=True)
class Tenant:
    app: Litestar
    headers: dict[str, str]
    dashboard_id: str
    widget_id: str
    people: frozenset[str]  # the admin's and the member's ids: the run never revokes them
    calls: Counter[str] = field(default_factory=Counter)  # requests per operation, all phases


def _seeded(role: str) -> Tenant:
    """A connected workspace with a selection, a dashboard and a widget; the role's token. The
    Neon account's budget is set out of the way: hundreds of generated renders and listings a
    minute would spend it, and the answers would be the documented 503 `neon-rate-limited`,
    which the engine's `not_a_server_error` check counts as a failure."""
    app = create_app(make_container(PRODUL_NEON_BUDGET_PER_MINUTE="100000"))
    admin = bearer(ADMIN_TOKEN)
    with asgi.get_client(cast(Any, app)) as client:
        started = client.post("/api/integrations/neon/authorizations", headers=admin)
        assert started.status_code == 201, started.text
        consent = client.get(
            relative(started.json()["authorization_url"]) + "&decision=approve",
            allow_redirects=False,
        )
        callback = client.get(relative(consent.headers["location"]), allow_redirects=False)
        assert "neon=connected" in callback.headers["location"], callback.headers
        selected = client.put(
            "/api/integrations/neon/selection",
            json={"project_id": "aged-salad-46255801"},
            headers=admin,
        )
        assert selected.status_code == 200, selected.text
        board = client.post("/api/dashboards", json={"name": "Ops"}, headers=admin).json()
        widget = client.post(
            f"/api/dashboards/{board['id']}/widgets", json={"kind": "neon_metrics"}, headers=admin
        ).json()
        headers = admin
        if role == "member":
            added = client.post(
                "/api/members",
                json={"email": "viewer@example.com", "role": "member"},
                headers=admin,
            )
            assert added.status_code == 201, added.text
            headers = bearer(added.json()["token"])
        members = client.get("/api/members", headers=admin).json()["members"]
    return Tenant(app, headers, board["id"], widget["id"], frozenset(m["id"] for m in members))


def config(tenant: Tenant, phases: list[str] | None = None, seed: int = SEED) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "seed": seed,
            "headers": tenant.headers,
            "checks": {"enabled": True},
            "generation": {
                "max-examples": EXAMPLES,
                "deterministic": True,
                "database": "none",
            },
            "phases": {
                **{
                    phase: {"enabled": phases is None or phase in phases}
                    for phase in ("examples", "coverage", "fuzzing")
                },
                "stateful": {
                    "enabled": phases is None or "stateful" in phases,
                    "max-steps": STATEFUL_STEPS,
                    "generation": {"max-examples": STATEFUL_SCENARIOS},
                },
            },
        }
    )


@pytest.fixture(scope="module", params=["admin", "member"])
def tenant(request: pytest.FixtureRequest) -> Iterator[Tenant]:
    yield _seeded(request.param)


@pytest.fixture(scope="module")
def api_schema(tenant: Tenant) -> Any:
    loaded = schemathesis.openapi.from_asgi(
        "/schema/openapi.json", tenant.app, config=config(tenant)
    )
    hooked(loaded, tenant)

    def count(_: Any, case: Any, response: Any) -> None:
        tenant.calls[case.operation.label] += 1

    loaded.hook("after_call")(count)
    return loaded


def hooked(loaded: Any, tenant: Tenant) -> None:
    loaded.hook("filter_failure")(keep_unless_a_made_up_cursor)


@contextmanager
def sparing_the_people_of(tenant: Tenant) -> Iterator[None]:
    """A ``before_call`` hook (schemathesis has it only globally: registered for one run).
    Linked sequences may add an admin and revoke the one whose token the run uses (the API
    allows it), and every later request would be a 401: such a request names a member that
    never existed instead."""

    def before_call(_: Any, case: Any, __: dict[str, Any]) -> None:
        if (case.path_parameters or {}).get("member_id") in tenant.people:
            case.path_parameters["member_id"] = str(uuid.uuid4())

    schemathesis.hook(before_call)
    try:
        yield
    finally:
        schemathesis.hooks.unregister(before_call)


UNISSUED_CURSOR = "The cursor is not one this service issued."


def keep_unless_a_made_up_cursor(_: Any, failure: Any, case: Any, response: Any) -> bool:
    """A ``filter_failure`` hook. A cursor is opaque: only one this service issued (a list's
    ``next_cursor``) is accepted, and no schema can say which strings those are, so a generated
    one is refused with the documented 422. That refusal, and nothing else, is not a failure."""
    made_up = (
        isinstance(failure, RejectedPositiveData)
        and response.status_code == 422
        and "cursor" in (case.query or {})
        and response.json().get("detail") == UNISSUED_CURSOR
    )
    return not made_up


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    """schemathesis 4.32's lazy schema renames the test by ``node._nodeid``, an attribute pytest 9
    no longer has (docs/traps.md)."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(case: Any, tenant: Tenant) -> None:
    case.call_and_validate(headers=tenant.headers)


def test_every_operation_with_inputs_got_at_least_the_examples_asked_for(
    api_schema: Any, tenant: Tenant
) -> None:
    """Runs after the test above (same module, same tenant). An operation without parameters or
    body has one request to make, and Hypothesis stops once it has made it (a few per phase)."""
    with_inputs = [
        result.ok().label
        for result in api_schema.get_all_operations()
        if result.ok().path_parameters or result.ok().query or result.ok().body
    ]
    assert len(with_inputs) >= 15
    assert {
        label: tenant.calls[label] for label in with_inputs if tenant.calls[label] < EXAMPLES
    } == {}


@pytest.mark.parametrize("role", ["admin", "member"])
def test_the_stateful_phase_follows_the_documents_links(role: str) -> None:
    """The engine's stateful phase (as ``schemathesis run`` drives it): every check on every
    step, and steps that were reached through a link the document declares, not only through
    links schemathesis inferred by itself. A workspace of its own: the pytest integration ends
    the other app's lifespan when its tests are done.

    Which links a seeded run happens to reach shifts with code that has nothing to do with them
    (Python's object addresses order some of the engine's choices): up to three seeds are run,
    each one checked in full, until the declared links were followed at least twice."""
    tenant = _seeded(role)
    failures: list[str] = []
    declared: Counter[str] = Counter()
    inferred = 0
    for seed in range(SEED, SEED + 3):
        found, followed, guessed = _stateful_run(tenant, seed)
        failures += found
        declared += followed
        inferred += guessed
        if sum(declared.values()) >= 2:
            break
    print(f"linked steps: {sum(declared.values())} declared, {inferred} inferred", declared)
    assert failures == []
    assert sum(declared.values()) >= 2, declared


def _stateful_run(tenant: Tenant, seed: int) -> tuple[list[str], Counter[str], int]:
    """The failures, the declared links followed and the inferred ones of one seeded run."""
    loaded = schemathesis.openapi.from_asgi(
        "/schema/openapi.json", tenant.app, config=config(tenant, ["stateful"], seed)
    )
    hooked(loaded, tenant)
    failures: list[str] = []
    declared: Counter[str] = Counter()
    inferred = 0
    with sparing_the_people_of(tenant):
        run = list(schemathesis.engine.from_schema(loaded).execute())
    for event in run:
        if isinstance(event, events.NonFatalError | events.FatalError):
            failures.append(repr(event))
        if not isinstance(event, events.ScenarioFinished):
            continue
        for checks in event.recorder.checks.values():
            failures += [
                f"{c.name}: {c.failure_info}" for c in checks if c.status == Status.FAILURE
            ]
        for node in event.recorder.cases.values():
            if node.transition is None or not node.is_transition_applied:
                continue
            if node.transition.is_inferred:
                inferred += 1
            else:
                declared[node.transition.id] += 1
    return failures, declared, inferred
