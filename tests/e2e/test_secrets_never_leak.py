"""Secrets never leak, proven with canaries.

Every secret the service handles is made recognisable: the bootstrap admin token, the member
and admin tokens it mints (read from the one answer that hands each out), Neon's authorization
codes and access and refresh tokens (the stand-in puts a marker in every one it issues), the PKCE
verifiers (read on their way to the OAuth adapter), the browser bindings, the client secret, both
encryption keys, and tokens and codes a stranger makes up. Every use case runs, through its
failure paths too (Neon 5xx, 429, its OAuth server down, a revoked grant, bad input), with every
logger at DEBUG under the command line's own logging set-up (DEBUG holds every other level's
lines). Then the captured log lines (rendered as JSON and as key=value, and the raw records),
every response's status line, headers and body, ``/metrics``, the OpenAPI document and every
row of the database are searched: no secret may appear, except where it is handed out by design
(the member's token in the answer that creates it, the binding in its own Set-Cookie).
"""

from __future__ import annotations

import base64
import io
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field, replace
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import httpx
import structlog
from dependency_injector import providers

from application.ports.neon import GrantedTokens, NeonOAuth
from application.render_widget import FAILURE_PAUSE
from bootstrap.app import create_app
from bootstrap.container import Container, use_cases
from bootstrap.logs import configure_logging, formatter
from bootstrap.settings import load_settings
from domain.secrets import Secret
from tests.http.client import relative, serving
from tests.support import FakeClock, stored, temporary_sqlite

MARKER = "CANARYneon"  # inside every code and token the stand-in issues
ADMIN_TOKEN = "CANARYbootstrapADMINtoken-0123456789"
CLIENT_SECRET = "CANARYclientSECRET-0123456789"
OLD_KEY = base64.urlsafe_b64encode(b"CANARYoldKEY-0123456789abcdefghi").decode()
NEW_KEY = base64.urlsafe_b64encode(b"CANARYnewKEY-0123456789abcdefghi").decode()
STRANGER_TOKEN = "CANARYstrangerTOKEN-0123456789"
STRANGER_CODE = "CANARYstrangerCODE-0123456789"
PROJECT = "aged-salad-46255801"
AUTHORIZATIONS = "/api/integrations/neon/authorizations"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}

# Every registered use case must be driven below; a new one is added here and to the scenario.
DRIVEN = {
    "authenticate_member", "ensure_bootstrap_admin", "create_workspace", "create_admin",
    "list_integrations", "get_integration_status", "start_connection", "complete_connection",
    "disconnect", "list_projects", "select_project", "list_widget_library", "list_dashboards",
    "read_dashboard", "create_dashboard", "rename_dashboard", "delete_dashboard", "add_widget",
    "configure_widget", "remove_widget", "render_widget", "add_member", "list_members",
    "revoke_member", "read_audit_log", "rotate_keys", "refresh_idle_connections",
    "read_widget_history", "authenticate_session", "sign_in", "sign_out", "issue_sign_in_link",
    "redeem_sign_in_link",
}  # fmt: skip
SIGN_IN_PATHS = ("/sign-in", "/sign-in/link/")  # answers that hand out a session by design


class RecordingOAuth:
    """The real OAuth adapter, with the PKCE verifiers it is given written down on the way."""

    def __init__(self, inner: NeonOAuth, verifiers: list[str]) -> None:
        self._inner = inner
        self._verifiers = verifiers

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def authorization_url(
        self, *, state: str, code_verifier: Secret, redirect_uri: str
    ) -> str:
        self._verifiers.append(code_verifier.reveal())
        return await self._inner.authorization_url(
            state=state, code_verifier=code_verifier, redirect_uri=redirect_uri
        )

    async def exchange_code(
        self, *, code: str, code_verifier: Secret, redirect_uri: str
    ) -> GrantedTokens:
        return await self._inner.exchange_code(
            code=code, code_verifier=code_verifier, redirect_uri=redirect_uri
        )


@dataclass
class Evidence:
    """Everything the service let out, and the secrets it must not have let out."""

    secrets: set[str] = field(default_factory=lambda: {
        MARKER, ADMIN_TOKEN, CLIENT_SECRET, OLD_KEY, NEW_KEY, STRANGER_TOKEN, STRANGER_CODE,
    })  # fmt: skip
    texts: dict[str, str] = field(default_factory=dict)  # where → what was seen there

    def see(self, where: str, text: str) -> None:
        self.texts[where] = self.texts.get(where, "") + "\n" + text

    def leaks(self) -> list[str]:
        return sorted(
            f"{secret[:24]}… in {where}"
            for where, text in self.texts.items()
            for secret in self.secrets
            if secret and secret in text
        )


class Records(logging.Handler):
    """The raw records too: message, arguments, extras and traceback, before any formatting."""

    def __init__(self, evidence: Evidence) -> None:
        super().__init__(logging.DEBUG)
        self._evidence = evidence

    def emit(self, record: logging.LogRecord) -> None:
        seen = f"{record.getMessage()} {record.args!r} {record.__dict__!r} {record.exc_text}"
        self._evidence.see("log records", seen)


@contextmanager
def every_line_at_debug(evidence: Evidence) -> Iterator[None]:
    """The command line's logging at DEBUG, captured three ways; put back as it was after."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    levels = {name: logging.getLogger(name).level for name in logging.root.manager.loggerDict}
    configure_logging("json", logging.DEBUG)
    as_json, as_console = io.StringIO(), io.StringIO()
    for stream, log_format in ((as_json, "json"), (as_console, "console")):
        handler = logging.StreamHandler(stream)
        handler.setFormatter(formatter(log_format))
        root.addHandler(handler)
    root.addHandler(Records(evidence))
    try:
        yield
    finally:
        evidence.see("JSON log lines", as_json.getvalue())
        evidence.see("key=value log lines", as_console.getvalue())
        root.handlers[:], root.level = saved
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
        structlog.reset_defaults()


def canary_container(clock: FakeClock, verifiers: list[str]) -> Container:
    env = {
        "PRODUL_BOOTSTRAP_ADMIN_TOKEN": ADMIN_TOKEN,
        "PRODUL_SECRET_KEYS": f"k1:{OLD_KEY}",
        "PRODUL_DATABASE_URL": temporary_sqlite(),
        "PRODUL_METRICS_MAX_AGE": "0",
    }
    settings = replace(load_settings(env), client_secret=CLIENT_SECRET)
    container = Container(settings=settings)
    container.clock.override(clock)
    container.standin().oauth.token_marker = MARKER
    real = container.neon()
    container.neon.override(
        providers.Object(replace(real, oauth=RecordingOAuth(real.oauth, verifiers)))
    )
    return container


def handed_out(response: httpx.Response, evidence: Evidence) -> tuple[str, str]:
    """The headers and body to search, less what this answer hands out by design (and those
    secrets join the searched ones: they may appear nowhere else)."""
    headers = [(k, v) for k, v in response.headers.multi_items()]
    body = response.text
    path, method = response.request.url.path, response.request.method
    if (method, path, response.status_code) == ("POST", "/api/members", 201):
        token = response.json().pop("token")
        evidence.secrets.add(token)
        body = body.replace(token, "")
    # The binding cookie, and the session cookie of a sign-in (not the CSRF token's cookie: the
    # pages carry that token by design, and it guards nothing but forms)
    handed = "produl_session" if path.startswith(SIGN_IN_PATHS) else None
    if (method, path, response.status_code) == ("POST", AUTHORIZATIONS, 201) or (
        handed and response.status_code == 303
    ):
        for name, value in headers:
            if name.lower() == "set-cookie":
                evidence.secrets |= {
                    m.value
                    for m in SimpleCookie(value).values()
                    if m.value and (handed is None or m.key == handed)
                }
        headers = [(k, v) for k, v in headers
                   if k.lower() != "set-cookie" or "produl_csrf=" in v]  # fmt: skip
    return "\n".join(f"{k}: {v}" for k, v in headers), body


@asynccontextmanager
async def watched(container: Container, evidence: Evidence) -> AsyncIterator[httpx.AsyncClient]:
    async def record(response: httpx.Response) -> None:
        await response.aread()
        request = response.request
        if request.url.path.startswith("/fake-neon/"):
            return  # Neon's own answers (its consent redirect carries the code, as it must)
        headers, body = handed_out(response, evidence)
        status = f"{response.status_code} {response.reason_phrase}"
        evidence.see(f"response to {request.method} {request.url.path}",
                     f"{status}\n{headers}\n{body}")  # fmt: skip

    async with serving(create_app(container)) as client:
        client.event_hooks["response"].append(record)
        yield client


async def connect(client: httpx.AsyncClient) -> httpx.Response:
    started = await client.post(AUTHORIZATIONS, headers=ADMIN)
    assert started.status_code == 201, started.text
    consent = await client.get(relative(started.json()["authorization_url"]) + "&decision=approve")
    return await client.get(relative(consent.headers["location"]))


async def scenario(container: Container, client: httpx.AsyncClient, evidence: Evidence,
                   clock: FakeClock) -> None:  # fmt: skip
    standin = container.standin()
    # Strangers: a made-up member token, a made-up code on the callback
    assert (await client.get("/api/dashboards", headers={
        "Authorization": f"Bearer {STRANGER_TOKEN}"})).status_code == 401  # fmt: skip
    stray = await client.get(f"/integrations/neon/callback?code={STRANGER_CODE}&state=x")
    assert stray.status_code == 303
    # Members: added (the token handed out once), listed, used, revoked
    added = await client.post("/api/members", json={"email": "m@example.com", "role": "member"},
                              headers=ADMIN)  # fmt: skip
    member_token = added.json()["token"]
    member = {"Authorization": f"Bearer {member_token}"}
    assert (await client.get("/api/members", headers=ADMIN)).status_code == 200
    assert (await client.get("/api/integrations", headers=member)).status_code == 200
    assert (await client.get("/api/widget-library", headers=member)).status_code == 200
    assert (await client.post("/api/members", json={"email": "m@example.com", "role": "member"},
                              headers=ADMIN)).status_code == 409  # fmt: skip
    assert (await client.post("/api/members", content=b"{not json", headers={
        **ADMIN, "Content-Type": "application/json"})).status_code == 422  # fmt: skip
    # Neon: a connect that Neon's OAuth server fails, then one that works
    standin.faults.oauth_down = True
    failed = await connect(client)
    assert "neon=error" in failed.headers["location"], failed.headers
    standin.faults.oauth_down = False
    done = await connect(client)
    assert done.headers["location"].endswith("neon=connected"), done.headers
    replayed = await client.get(relative(str(done.request.url)))  # the same callback again
    assert "reason=" in replayed.headers["location"]
    assert (await client.get("/api/integrations/neon", headers=member)).status_code == 200
    assert (await client.get("/api/integrations/neon/projects?limit=2", headers=member)
            ).status_code == 200  # fmt: skip
    selected = await client.put("/api/integrations/neon/selection", json={"project_id": PROJECT},
                                headers=ADMIN)  # fmt: skip
    assert selected.status_code == 200
    # Dashboards and widgets, every edit, and renders: fresh, Neon 5xx, 429 (stale), bad ids
    board = (await client.post("/api/dashboards", json={"name": "Ops"}, headers=ADMIN)).json()
    base = f"/api/dashboards/{board['id']}"
    widget = (await client.post(f"{base}/widgets", json={"kind": "neon_metrics"},
                                headers=ADMIN)).json()  # fmt: skip
    data = f"{base}/widgets/{widget['id']}/data"
    assert (await client.patch(base, json={"name": "Ops 2"}, headers=ADMIN)).status_code == 200
    configured = await client.patch(f"{base}/widgets/{widget['id']}", headers=ADMIN,
                                    json={"settings": {"project_id": PROJECT}})  # fmt: skip
    assert configured.status_code == 200
    assert (await client.get("/api/dashboards", headers=member)).status_code == 200
    assert (await client.get(base, headers=member)).status_code == 200
    assert (await client.get(data, headers=member)).status_code == 200
    standin.faults.error_rate, standin.faults.error_status = 1.0, 500
    assert (await client.get(data, headers=member)).json()["stale"] is True
    assert (await client.get("/api/integrations/neon/projects", headers=member)).status_code == 503
    standin.faults.error_rate, standin.faults.rate_limit_burst = 0.0, 20
    clock.advance(seconds=FAILURE_PAUSE.total_seconds())  # Neon is asked again after the pause
    assert (await client.get(data, headers=member)).json()["stale_reason"] == "neon_rate_limited"
    standin.faults.rate_limit_burst = 0
    assert (await client.get(f"{base}/widgets/not-an-id/data", headers=member)).status_code == 422
    # Tokens: a refresh, Neon's token endpoint down while one is due, then a revoked grant
    clock.advance(hours=2)
    assert (await client.get(data, headers=member)).status_code == 200  # refreshed
    clock.advance(hours=2)
    standin.faults.oauth_down = True
    await client.get(data, headers=member)  # the refresh fails; stale or a 503
    standin.faults.oauth_down = False
    clock.advance(minutes=5)  # past the pause after an unknown outcome
    upkeep = await container.refresh_idle_connections().execute(idle_after=timedelta(0))
    assert upkeep.refreshed + upkeep.postponed + upkeep.need_reconnecting >= 1
    workspace_id = (await container.authenticate_member().execute(ADMIN_TOKEN)).workspace_id
    connection = await stored(container).connections.get(workspace_id)
    assert connection is not None and connection.tokens.refresh_token is not None
    assert MARKER in connection.tokens.refresh_token.reveal()  # the canaries are real
    standin.oauth.refresh(connection.tokens.refresh_token.reveal())  # someone else rotates it
    clock.advance(hours=2)
    revoked = await client.get(data, headers=member)
    assert revoked.json()["type"].endswith("/neon-reauthorization-required")
    # The operator's commands; removals; the audit log; disconnect, and connect again
    created = await container.create_workspace().execute("Second")
    admin = await container.create_admin().execute(str(created.member.workspace_id))
    evidence.secrets |= {created.token.reveal(), admin.token.reveal()}
    assert (await client.delete(f"{base}/widgets/{widget['id']}", headers=ADMIN)).status_code == 204
    assert (await client.delete(base, headers=ADMIN)).status_code == 204
    revoke = await client.delete(f"/api/members/{added.json()['id']}", headers=ADMIN)
    assert revoke.status_code == 204
    assert (await client.get("/api/dashboards", headers=member)).status_code == 401
    assert (await client.get("/api/audit-log", headers=ADMIN)).status_code == 200
    assert (await client.delete("/api/integrations/neon", headers=ADMIN)).status_code == 200
    assert (await connect(client)).headers["location"].endswith("neon=connected")
    await pages(container, client, evidence, board_id=await new_board(client))
    evidence.see("/metrics", (await client.get("/metrics")).text)
    evidence.see("the OpenAPI document", (await client.get("/schema/openapi.json")).text)


async def new_board(client: httpx.AsyncClient) -> str:
    board = (await client.post("/api/dashboards", json={"name": "Pages"}, headers=ADMIN)).json()
    base = f"/api/dashboards/{board['id']}"
    widget = (await client.post(f"{base}/widgets", json={"kind": "neon_metrics"},
                                headers=ADMIN)).json()  # fmt: skip
    history = await client.get(f"{base}/widgets/{widget['id']}/history?days=30", headers=ADMIN)
    assert history.status_code == 200, history.text
    assert (await client.get(f"{base}/widgets/not-an-id/history", headers=ADMIN)).status_code == 422
    return str(board["id"])


async def pages(container: Container, client: httpx.AsyncClient, evidence: Evidence,
                board_id: str) -> None:  # fmt: skip
    """The web pages' doors: a one-click link (its secret in the URL, by design the terminal's
    only), a refused and an accepted token on the sign-in form, pages read with the session,
    sign-out, and the ended session refused."""
    link = (await container.issue_sign_in_link().execute(Secret(ADMIN_TOKEN))).reveal()
    evidence.secrets.add(link)
    followed = await client.get(f"/sign-in/link/{link}")
    assert followed.status_code == 303, followed.text
    assert (await client.get(f"/sign-in/link/{link}")).status_code == 401  # once only
    assert (await client.get(f"/dashboards/{board_id}")).status_code == 200
    assert (await client.get("/settings/integrations")).status_code == 200
    csrf = client.cookies.get("produl_csrf")
    assert csrf
    form = {"_csrf_token": csrf, "next": "/dashboards"}
    refused = await client.post("/sign-in", data={**form, "token": STRANGER_TOKEN})
    assert refused.status_code == 401
    signed_in = await client.post("/sign-in", data={**form, "token": ADMIN_TOKEN})
    assert signed_in.status_code == 303, signed_in.text
    signed_out = await client.post("/sign-out", data={"_csrf_token": csrf})
    assert signed_out.status_code == 303
    assert (await client.get("/dashboards")).headers["location"].startswith("/sign-in")


async def rotate_then_disconnect(container: Container) -> None:
    """A restart with a new key first, `keys rotate`, and a disconnect under the new key."""
    keys = f"k2:{NEW_KEY},k1:{OLD_KEY}"
    restarted = Container(settings=replace(container.settings(), secret_keys=keys))
    restarted.clock.override(container.clock())
    try:
        rotation = await restarted.rotate_keys().execute()
        assert rotation.resealed >= 1 and rotation.unreadable == 0
        actor = await restarted.authenticate_member().execute(ADMIN_TOKEN)
        await restarted.disconnect().execute(actor)
    finally:
        await restarted.neon().close()
        await restarted.storage().dispose()


def database_rows(url: str) -> str:
    """Every value of every row of every table, as text (bytes read as Latin-1)."""
    path = Path(url.removeprefix("sqlite+aiosqlite:///"))
    seen: list[str] = []
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for row in db.execute(f'SELECT * FROM "{table}"'):
                seen += [v.decode("latin-1") if isinstance(v, bytes) else str(v) for v in row]
    assert tables and seen
    return "\n".join(seen)


async def test_no_secret_appears_in_logs_answers_metrics_the_document_or_the_database() -> None:
    clock, verifiers, evidence = FakeClock(), list[str](), Evidence()
    container = canary_container(clock, verifiers)
    assert set(use_cases(container)) == DRIVEN, "drive the new use case in this test too"
    with every_line_at_debug(evidence):
        async with watched(container, evidence) as client:
            await scenario(container, client, evidence, clock)
        await rotate_then_disconnect(container)
    rows = database_rows(container.settings().database_url)
    evidence.see("the database's rows", rows)
    evidence.secrets |= set(verifiers)
    assert len(verifiers) == 3 and all(len(v) >= 43 for v in verifiers)  # three connects
    # every channel was really captured
    assert '"produl_neon.neon_oauth"' in evidence.texts["JSON log lines"]
    assert "produl_neon_widget_renders_total" in evidence.texts["/metrics"]
    assert sum(where.startswith("response to") for where in evidence.texts) >= 15
    lines = evidence.texts["JSON log lines"].count("\n")
    routes = sum(where.startswith("response to") for where in evidence.texts)
    print(f"canaries: {len(evidence.secrets)} secrets; searched {lines} JSON log lines (and as "
          f"key=value and raw records), the answers of {routes} routes, /metrics, the OpenAPI "
          f"document, {len(rows)} characters of database rows: "
          f"{len(evidence.leaks())} found")  # fmt: skip
    assert evidence.leaks() == []
