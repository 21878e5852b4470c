"""Headless Chromium (Debian's, driven by Playwright) against `produl-neon serve` over a real
socket in fake mode, with the stand-in's knobs on. Missing Chromium fails the run: `./dev test`
installs it.

One server for the session; each test gets a workspace of its own (`produl-neon workspace create`
on the server's database), so tests share no state but the stand-in's Neon.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, expect, sync_playwright

from tests.standin_process import CLI, Served, spawned_serve

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
AXE = Path(__file__).with_name("axe.min.js")
SCREENSHOTS = Path(__file__).parents[2] / "var" / "screenshots"


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    cwd = tmp_path_factory.mktemp("serve")
    env = {"PRODUL_STANDIN_KNOBS": "1", "PRODUL_METRICS_MAX_AGE": "0"}
    with spawned_serve(cwd, None, **env) as server:
        yield server


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
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

    def add_member(self, email: str = "member@example.com", role: str = "member") -> str:
        added = self.api("POST", "/api/members", json={"email": email, "role": role})
        assert added.status_code == 201, added.text
        return str(added.json()["token"])


@pytest.fixture
def tenant(served: Served, request: pytest.FixtureRequest) -> Tenant:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PRODUL_")}
    made = subprocess.run(
        [str(CLI), "workspace", "create", request.node.name[:60]],
        cwd=served.log.parent, env=clean, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return Tenant(served, made.stdout.strip().splitlines()[-1])


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
            violations.append(message.text)

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
