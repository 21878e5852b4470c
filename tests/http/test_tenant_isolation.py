"""Tenant isolation as a property: random sequences of API calls over three workspaces.

Workspace 0 is connected to Neon as Ada (who sees her personal projects, both organizations' and
one shared with her), workspace 1 as Grace (Acme Analytics only), workspace 2 not at all. Each has
an admin, a member and a revoked member. The rules add and revoke members, create, rename and
delete dashboards, add, configure (with projects only Ada can see, too) and remove widgets,
render them, change the selection and read the lists, as any of the nine people, against their
own workspace's things, another workspace's things, or ids that never existed. After every step:

- no response carries another workspace's ids, dashboard names or member addresses, and nothing
  answered to workspaces 1 and 2 names a project only Ada can see;
- another workspace's id answers exactly like a missing one (status and body, the id aside);
- a revoked member gets 401 for everything, a member 403 for every change;
- every workspace's dashboards (as its member reads them) and added members (as its admin reads
  them) are exactly the model's: every successful write is visible, and nothing else changed.

Deterministic (derandomized, no example database); about 45 s on one core.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from bootstrap.app import create_app
from neon_standin.seed import GRACE
from tests.http.client import bearer, relative, serving
from tests.support import ADMIN_TOKEN, FakeClock, make_container

WORKSPACES = range(3)
ROLES = ("admin", "admin", "admin", "member", "revoked")  # weighted: admins can do most
ADA_PERSONAL = "aged-salad-46255801"
ACME_PROJECT = "shiny-wind-028834"
PROJECTS = (
    None,
    ADA_PERSONAL,
    "old-violet-32930710",
    ACME_PROJECT,
    "calm-moss-77123045",
    "tiny-frog-11002233",
    "wild-pine-66301122",
)
ACME_PROJECTS = {ACME_PROJECT, "calm-moss-77123045"}
# Names of projects Grace's account cannot see: never in an answer to workspaces 1 and 2.
ONLY_ADA_SEES = ("analytics", "big-monorepo", "fresh-start", "experiments", "partner-reports")
SELECTION = {0: ADA_PERSONAL, 1: ACME_PROJECT}


@dataclass
class Tenant:
    tokens: dict[str, str]
    board_names: dict[str, str] = field(default_factory=dict)  # dashboard id → name
    # board → widget → its project (None: the selection)
    widgets: dict[str, dict[str, str | None]] = field(default_factory=dict)
    ever: set[str] = field(default_factory=set)  # every id, name and address it ever had
    extras: dict[str, str] = field(default_factory=dict)  # members added by the rules: id → email
    selection: str | None = None


class TenantIsolation(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.tenants: dict[int, Tenant] = {}
        self.serving: Any = None
        self.client: httpx.AsyncClient | None = None
        self.names = 0

    def run(self, awaitable: Any) -> Any:
        return self.loop.run_until_complete(awaitable)

    def teardown(self) -> None:
        if self.serving is not None:
            self.run(self.serving.__aexit__(None, None, None))
        self.loop.close()

    # --- arrangement --------------------------------------------------------------------------

    @initialize()
    def three_workspaces(self) -> None:
        container = make_container(FakeClock(), PRODUL_METRICS_MAX_AGE="15")
        self.serving = serving(create_app(container))
        self.client = self.run(self.serving.__aenter__())
        for w in WORKSPACES:
            if w == 0:
                admin = ADMIN_TOKEN
            else:
                created = self.run(container.create_workspace().execute(f"Workspace {w}"))
                admin = created.token.reveal()
            tenant = Tenant({"admin": admin})
            self.tenants[w] = tenant
            for role, email in (
                ("member", f"member@w{w}.example"),
                ("revoked", f"gone@w{w}.example"),
            ):
                added = self.call(
                    w, "admin", "POST", "/api/members", json={"email": email, "role": "member"}
                )
                assert added.status_code == 201, added.text
                tenant.tokens[role] = added.json()["token"]
                tenant.ever |= {added.json()["id"], email}
            gone = self.call(w, "admin", "DELETE", f"/api/members/{added.json()['id']}")
            assert gone.status_code == 204
            if w in SELECTION:
                self.connect(w, account=GRACE if w == 1 else None)
                selected = self.call(
                    w,
                    "admin",
                    "PUT",
                    "/api/integrations/neon/selection",
                    json={"project_id": SELECTION[w]},
                )
                assert selected.status_code == 200, selected.text
                tenant.selection = SELECTION[w]
            self.create_dashboard(w, "admin")  # something of its own to aim at from the start
            board = next(iter(tenant.board_names))
            added = self.call(
                w,
                "admin",
                "POST",
                f"/api/dashboards/{board}/widgets",
                json={"kind": "neon_metrics"},
            )
            tenant.widgets[board][added.json()["id"]] = None
            tenant.ever.add(added.json()["id"])

    def connect(self, w: int, account: str | None) -> None:
        assert self.client is not None
        started = self.call(w, "admin", "POST", "/api/integrations/neon/authorizations")
        url = relative(started.json()["authorization_url"]) + "&decision=approve"
        consent = self.run(self.client.get(url + (f"&account={account}" if account else "")))
        callback = self.run(self.client.get(relative(consent.headers["location"])))
        assert "neon=connected" in callback.headers["location"]

    # --- the calls and what every answer must hold ----------------------------------------------

    def call(self, w: int, role: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        assert self.client is not None
        headers = bearer(self.tenants[w].tokens[role])
        response: httpx.Response = self.run(
            self.client.request(method, path, headers=headers, **kwargs)
        )
        assert response.status_code < 500, response.text
        return response

    def checked(
        self, w: int, role: str, method: str, path: str, target: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        """The call, checked for other workspaces' data; with a target id that is another
        workspace's, the same call with an id that never existed must answer the same."""
        response = self.call(w, role, method, path, **kwargs)
        text = response.text
        for other, tenant in self.tenants.items():
            if other != w:
                leaked = {item for item in tenant.ever - {target} if item in text}
                assert not leaked, f"workspace {w} was answered {leaked} of workspace {other}"
        if w != 0:
            assert not any(name in text for name in ONLY_ADA_SEES), text
        if role == "revoked":
            assert response.status_code == 401, text
        owner = self.owner_of(target)
        if target is not None and owner is not None and owner != w:
            missing = str(uuid.uuid4())
            again = self.call(w, role, method, path.replace(target, missing), **kwargs)
            assert response.status_code == again.status_code
            assert text.replace(target, "ID") == again.text.replace(missing, "ID")
        return response

    def owner_of(self, item_id: str | None) -> int | None:
        for w, tenant in self.tenants.items():
            if (
                item_id in tenant.board_names
                or item_id in tenant.extras
                or any(item_id in widgets for widgets in tenant.widgets.values())
            ):
                return w
        return None

    def expect(
        self, w: int, role: str, response: httpx.Response, owner: int | None, success: int
    ) -> bool:
        """The status the model expects of a write; True when it should have happened."""
        if role == "revoked":
            expected = 401
        elif role == "member":
            expected = 403
        elif owner != w:
            expected = 404
        else:
            expected = success
        assert response.status_code == expected, (role, owner, w, response.text)
        return expected == success

    # --- targets ----------------------------------------------------------------------------------

    def board(self, data: st.DataObject, w: int) -> str:
        """Mostly the workspace's own dashboards, else another's, else one that never existed."""
        own = list(self.tenants[w].board_names)
        others = [b for o, t in self.tenants.items() if o != w for b in t.board_names]
        choices = own * 3 + others + [str(uuid.uuid4())]
        return data.draw(st.sampled_from(choices))

    def widget(self, data: st.DataObject, w: int) -> tuple[str, str]:
        own = [(b, x) for b, ws in self.tenants[w].widgets.items() for x in ws]
        others = [
            (b, x)
            for o, t in self.tenants.items()
            if o != w
            for b, ws in t.widgets.items()
            for x in ws
        ]
        choices = own * 3 + others + [(self.board(data, w), str(uuid.uuid4()))]
        return data.draw(st.sampled_from(choices))

    # --- rules ------------------------------------------------------------------------------------

    @rule(w=st.sampled_from(WORKSPACES), role=st.sampled_from(ROLES))
    def create_dashboard(self, w: int, role: str) -> None:
        self.names += 1
        name = f"w{w} board {self.names}"
        response = self.checked(w, role, "POST", "/api/dashboards", json={"name": name})
        if self.expect(w, role, response, w, 201):
            board = response.json()["id"]
            tenant = self.tenants[w]
            tenant.board_names[board] = name
            tenant.widgets[board] = {}
            tenant.ever |= {board, name}

    @rule(w=st.sampled_from(WORKSPACES), role=st.sampled_from(ROLES), data=st.data())
    def rename_dashboard(self, w: int, role: str, data: st.DataObject) -> None:
        board = self.board(data, w)
        self.names += 1
        name = f"w{w} board {self.names}"
        response = self.checked(
            w, role, "PATCH", f"/api/dashboards/{board}", board, json={"name": name}
        )
        if self.expect(w, role, response, self.owner_of(board), 200):
            self.tenants[w].board_names[board] = name
            self.tenants[w].ever.add(name)

    @rule(w=st.sampled_from(WORKSPACES), role=st.sampled_from(ROLES), data=st.data())
    def delete_dashboard(self, w: int, role: str, data: st.DataObject) -> None:
        board = self.board(data, w)
        response = self.checked(w, role, "DELETE", f"/api/dashboards/{board}", board)
        if self.expect(w, role, response, self.owner_of(board), 204):
            del self.tenants[w].board_names[board]
            del self.tenants[w].widgets[board]

    @rule(
        w=st.sampled_from(WORKSPACES),
        role=st.sampled_from(ROLES),
        data=st.data(),
        project=st.sampled_from(PROJECTS),
    )
    def add_widget(self, w: int, role: str, data: st.DataObject, project: str | None) -> None:
        board = self.board(data, w)
        body = {"kind": "neon_metrics", "settings": {"project_id": project}}
        response = self.checked(
            w, role, "POST", f"/api/dashboards/{board}/widgets", board, json=body
        )
        if self.expect(w, role, response, self.owner_of(board), 201):
            widget = response.json()["id"]
            self.tenants[w].widgets[board][widget] = project
            self.tenants[w].ever.add(widget)

    @rule(
        w=st.sampled_from(WORKSPACES),
        role=st.sampled_from(ROLES),
        data=st.data(),
        project=st.sampled_from(PROJECTS),
    )
    def configure_widget(self, w: int, role: str, data: st.DataObject, project: str | None) -> None:
        board, widget = self.widget(data, w)
        response = self.checked(
            w,
            role,
            "PATCH",
            f"/api/dashboards/{board}/widgets/{widget}",
            widget,
            json={"settings": {"project_id": project}},
        )
        if self.expect(w, role, response, self.owner_of(widget), 200):
            self.tenants[w].widgets[board][widget] = project

    @rule(w=st.sampled_from(WORKSPACES), role=st.sampled_from(ROLES), data=st.data())
    def remove_widget(self, w: int, role: str, data: st.DataObject) -> None:
        board, widget = self.widget(data, w)
        response = self.checked(
            w, role, "DELETE", f"/api/dashboards/{board}/widgets/{widget}", widget
        )
        if self.expect(w, role, response, self.owner_of(widget), 204):
            del self.tenants[w].widgets[board][widget]

    @rule(w=st.sampled_from(WORKSPACES), role=st.sampled_from(ROLES), data=st.data())
    def read_dashboard(self, w: int, role: str, data: st.DataObject) -> None:
        board = self.board(data, w)
        response = self.checked(w, role, "GET", f"/api/dashboards/{board}", board)
        if role != "revoked":
            owned = self.owner_of(board) == w
            assert response.status_code == (200 if owned else 404), response.text

    @rule(w=st.sampled_from(WORKSPACES), role=st.sampled_from(ROLES), data=st.data())
    def render_widget(self, w: int, role: str, data: st.DataObject) -> None:
        board, widget = self.widget(data, w)
        response = self.checked(
            w, role, "GET", f"/api/dashboards/{board}/widgets/{widget}/data", widget
        )
        if role == "revoked":
            return
        if self.owner_of(widget) != w:
            assert response.status_code == 404, response.text
            return
        project = self.tenants[w].widgets[board][widget] or self.tenants[w].selection
        if w == 2:
            assert response.json()["type"] == "/problems/neon-not-connected"
        elif w == 1 and project not in ACME_PROJECTS:
            assert response.json()["type"] == "/problems/project-not-accessible"
        else:
            assert response.status_code == 200, response.text
            assert response.json()["project"]["id"] == project

    @rule(
        w=st.sampled_from(WORKSPACES),
        role=st.sampled_from(ROLES),
        project=st.sampled_from(PROJECTS[1:]),
    )
    def select_project(self, w: int, role: str, project: str) -> None:
        response = self.checked(
            w, role, "PUT", "/api/integrations/neon/selection", json={"project_id": project}
        )
        if role != "admin":
            assert response.status_code == (401 if role == "revoked" else 403)
        elif w == 2:
            assert response.json()["type"] == "/problems/neon-not-connected"
        elif w == 1 and project not in ACME_PROJECTS:
            assert response.json()["type"] == "/problems/project-not-accessible"
        else:
            assert response.status_code == 200, response.text
            self.tenants[w].selection = project

    @rule(w=st.sampled_from(WORKSPACES), role=st.sampled_from(ROLES))
    def add_member(self, w: int, role: str) -> None:
        self.names += 1
        email = f"extra{self.names}@w{w}.example"
        body = {"email": email, "role": "member"}
        response = self.checked(w, role, "POST", "/api/members", json=body)
        if self.expect(w, role, response, w, 201):
            self.tenants[w].extras[response.json()["id"]] = email
            self.tenants[w].ever |= {response.json()["id"], email}

    @rule(w=st.sampled_from(WORKSPACES), role=st.sampled_from(ROLES), data=st.data())
    def revoke_member(self, w: int, role: str, data: st.DataObject) -> None:
        """Members the rules added, here or elsewhere, or one that never existed (never the
        people whose tokens the rules use)."""
        own = list(self.tenants[w].extras)
        others = [m for o, t in self.tenants.items() if o != w for m in t.extras]
        member = data.draw(st.sampled_from(own * 2 + others + [str(uuid.uuid4())]))
        owner = next((o for o, t in self.tenants.items() if member in t.extras), None)
        response = self.checked(w, role, "DELETE", f"/api/members/{member}", member)
        if self.expect(w, role, response, owner, 204):
            del self.tenants[w].extras[member]

    @rule(
        w=st.sampled_from(WORKSPACES),
        role=st.sampled_from(ROLES),
        path=st.sampled_from(
            [
                "/api/members",
                "/api/audit-log",
                "/api/integrations/neon",
                "/api/integrations/neon/projects?limit=100",
                "/api/dashboards",
            ]
        ),
    )
    def read_a_list(self, w: int, role: str, path: str) -> None:
        response = self.checked(w, role, "GET", path)
        admin_only = path in ("/api/members", "/api/audit-log")
        if role == "member" and admin_only:
            assert response.status_code == 403

    # --- after every step -------------------------------------------------------------------------

    @invariant()
    def each_workspace_reads_exactly_its_own_dashboards(self) -> None:
        if not self.tenants:
            return
        for w, tenant in self.tenants.items():
            listed = self.checked(w, "member", "GET", "/api/dashboards?limit=100").json()
            seen = {
                d["id"]: (d["name"], {x["id"]: x["settings"]["project_id"] for x in d["widgets"]})
                for d in listed["dashboards"]
            }
            expected = {b: (name, tenant.widgets[b]) for b, name in tenant.board_names.items()}
            assert seen == expected
            members = self.checked(w, "admin", "GET", "/api/members?limit=100").json()["members"]
            assert {m["id"]: m["email"] for m in members if m["email"].startswith("extra")} == (
                tenant.extras
            )


TenantIsolation.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=30,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_tenant_isolation = TenantIsolation.TestCase
