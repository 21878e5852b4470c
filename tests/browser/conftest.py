"""Headless Chromium (Debian's, driven by Playwright) against `produl-neon serve` over a real
socket in fake mode, with the stand-in's knobs on. Missing Chromium fails the run: `./dev test`
installs it.

One server for the session; each test gets a workspace of its own (created on the server's
database), so tests share no state but the stand-in's Neon.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, expect, sync_playwright

from bootstrap.container import Container
from bootstrap.settings import load_settings
from neon_standin.seed import ADA
from tests.standin_process import Served, spawned_serve

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
AXE = Path(__file__).with_name("axe.min.js")
CALM = {"error_rate": 0.0, "rate_limit_burst": 0, "latency_ms": 0.0, "drop_rate": 0.0,
        "oauth_down": False, "error_status": 503, "retry_after": 7}  # fmt: skip
SCREENSHOTS = Path(__file__).parents[2] / "var" / "screenshots"


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    cwd = tmp_path_factory.mktemp("serve")
    env = {"PRODUL_STANDIN_KNOBS": "1", "PRODUL_METRICS_MAX_AGE": "0"}
    with spawned_serve(cwd, None, 1, **env) as server:
        yield server


# Per module, not per session: Playwright's sync API keeps an event loop running in this thread
# while it lives, and every async test collected after tests/browser/ (contract, e2e, http,
# unit) would fail with "Runner.run() cannot be called from a running event loop".
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium "
            "(`./dev test` installs it; or `sudo apt-get install -y chromium`)."
        )
    launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@dataclass
class Tenant:
    """A workspace of its own on the served app: its admin's token, and its members'."""

    served: Served
    admin_token: str
    members: list[str] = field(default_factory=list)

    def api(self, method: str, path: str, json: object = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.admin_token}"}
        url = f"{self.served.base}{path}"
        return httpx.request(method, url, headers=headers, json=json, timeout=30)

    def connect_neon(self, account: str = ADA, scope: str | None = None) -> None:
        """Connect Neon the way the API's client does (start, consent, callback), without a
        page: for tests about what a connected workspace shows."""
        with httpx.Client(base_url=self.served.base, timeout=30) as browser:
            started = browser.post(
                "/api/integrations/neon/authorizations",
                headers={"Authorization": f"Bearer {self.admin_token}"},
            )
            assert started.status_code == 201, started.text
            url = httpx.URL(started.json()["authorization_url"])
            if scope is not None:
                url = url.copy_set_param("scope", scope)
            consented = browser.get(
                url.copy_add_param("decision", "approve").copy_add_param("account", account)
            )
            assert consented.status_code == 303, consented.text
            done = browser.get(consented.headers["location"])
            assert done.headers["location"].endswith("neon=connected"), done.headers

    def standin(self, method: str, path: str, json: object = None) -> httpx.Response:
        """The stand-in's knobs (PRODUL_STANDIN_KNOBS=1), e.g. faults or revoking grants."""
        url = f"{self.served.base}/fake-neon/_standin{path}"
        return httpx.request(method, url, json=json, timeout=30)

    def add_member(self, email: str = "member@example.com", role: str = "member") -> str:
        added = self.api("POST", "/api/members", json={"email": email, "role": role})
        assert added.status_code == 201, added.text
        return str(added.json()["token"])


def create_workspace(served: Served, name: str) -> str:
    """What `produl-neon workspace create NAME` does, on the served app's database, in this
    process (a command per test would cost seconds of start-up each): the admin's token."""
    var = served.log.parent / "var"
    settings = load_settings(
        {
            "PRODUL_DATABASE_URL": f"sqlite+aiosqlite:///{var}/produl-neon.db",
            "PRODUL_SECRET_KEYS": (var / "secret-keys").read_text().strip(),
        }
    )

    async def create() -> str:
        container = Container(settings=settings)
        try:
            await container.storage().prepare()
            return (await container.create_workspace().execute(name)).token.reveal()
        finally:
            await container.storage().dispose()

    # in a thread of its own: Playwright's sync API keeps an event loop running in this one
    with ThreadPoolExecutor(max_workers=1) as aside:
        return aside.submit(lambda: asyncio.run(create())).result()


@pytest.fixture
def tenant(served: Served, request: pytest.FixtureRequest) -> Iterator[Tenant]:
    made_tenant = Tenant(served, create_workspace(served, request.node.name[:60]))
    yield made_tenant
    made_tenant.standin("PUT", "/faults", json=CALM)  # the stand-in is shared: calm it again


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh browser context (its own cookies). A page that breaks its own Content
        Security Policy (an inline script or style slipped in) or names a file that is not there
    fails the test."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    violations: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"{page.url}: {message.text} {message.location}")

    page.on("console", watch)
    page.on("pageerror", lambda error: violations.append(str(error)))
    page.on(  # a script, stylesheet or icon the page names must exist
        "response",
        lambda answer: (
            violations.append(f"{answer.status} {answer.url}")
            if answer.status == 404 and answer.request.resource_type != "document"
            else None
        ),
    )
    yield page
    context.close()
    assert not violations, violations


def sign_in(page: Page, base: str, token: str, next_page: str = "/settings/integrations") -> None:
    page.goto(f"{base}/sign-in?next={next_page}")
    page.get_by_label("Member token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(next_page) + r"(\?.*)?$"))


@pytest.fixture
def admin_page(new_page: Page, tenant: Tenant) -> Page:
    sign_in(new_page, tenant.served.base, tenant.admin_token)
    return new_page


@pytest.fixture
def member_page(new_page: Page, tenant: Tenant) -> Page:
    sign_in(new_page, tenant.served.base, tenant.add_member())
    return new_page


def assert_accessible(page: Page) -> None:
    """axe-core finds no serious or critical violation on the page as it is now. Injected through
    the DevTools protocol (the page's own policy rightly refuses an inline script)."""
    page.evaluate(AXE.read_text())
    results = page.evaluate("async () => JSON.stringify(await axe.run(document))")
    found = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in json.loads(results)["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not found, "\n".join(found)


def assert_fits_360(page: Page) -> None:
    """At 360 CSS pixels wide nothing scrolls sideways."""
    before = page.viewport_size
    page.set_viewport_size({"width": 360, "height": 780})
    try:
        wide = page.evaluate("document.documentElement.scrollWidth")
        inner = page.evaluate("window.innerWidth")
        assert wide <= inner, f"{page.url} is {wide} px wide at {inner} px"
    finally:
        if before is not None:
            page.set_viewport_size(before)


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def check_page(page: Page, name: str) -> None:
    """Every page and state: accessible, fits 360 px, and photographed."""
    expect(page.locator("main")).to_be_visible()
    assert_accessible(page)
    assert_fits_360(page)
    screenshot(page, name)
