"""Dashboards and the Neon Metrics widget as a person uses them, in Chromium: the journey from a
new dashboard to the figures of another project, the widget after Disconnect, each error state
through the stand-in's knobs, and what a member sees. Every state is checked with axe, at 360 px,
and photographed (var/screenshots/)."""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from application.render_widget import FAILURE_PAUSE
from neon_standin.seed import ADA
from tests.browser.conftest import Tenant, check_page, screenshot

SALAD, MONOREPO, BILLING = "aged-salad-46255801", "old-violet-32930710", "shiny-wind-028834"
CALM = {"error_rate": 0.0, "error_status": 503, "rate_limit_burst": 0, "retry_after": 7}
DOCS_SCREENSHOT = Path(__file__).parents[2] / "docs" / "screenshots" / "dashboard.png"


def connect_neon(tenant: Tenant, project: str | None = SALAD) -> None:
    """Connect Neon as the README's curl journey does (the Integrations page has tests of its
    own): the binding cookie, Ada approving on the stand-in's consent page, the callback."""
    base = tenant.served.base
    auth = {"Authorization": f"Bearer {tenant.admin_token}"}
    with httpx.Client(base_url=base, timeout=30) as browser:
        started = browser.post("/api/integrations/neon/authorizations", headers=auth)
        assert started.status_code == 201, started.text
        consent = browser.get(started.json()["authorization_url"] + "&decision=approve")
        assert consent.status_code in (302, 303), consent.text
        back = browser.get(consent.headers["location"])
        assert back.status_code == 303 and "neon=connected" in back.headers["location"]
    if project is not None:
        chosen = tenant.api("PUT", "/api/integrations/neon/selection", json={"project_id": project})
        assert chosen.status_code == 200, chosen.text


def board_with_widget(tenant: Tenant, name: str = "Ops", project: str | None = None) -> str:
    board = tenant.api("POST", "/api/dashboards", json={"name": name}).json()["id"]
    settings = {"project_id": project}
    added = tenant.api(
        "POST",
        f"/api/dashboards/{board}/widgets",
        json={"kind": "neon_metrics", "settings": settings},
    )
    assert added.status_code == 201, added.text
    return str(board)


@pytest.fixture
def knobs(tenant: Tenant) -> Iterator[Tenant]:
    """The stand-in's faults, put back to calm after the test (they are the server's, shared)."""
    yield tenant
    set_faults(tenant, **CALM)


def set_faults(tenant: Tenant, **faults: object) -> None:
    answer = httpx.put(f"{tenant.served.base}/fake-neon/_standin/faults", json=faults, timeout=30)
    assert answer.status_code == 200, answer.text


def widget(page: Page) -> Locator:
    return page.locator("article.widget").first


def test_new_dashboard_to_the_figures_of_another_project(admin_page: Page, tenant: Tenant) -> None:
    page, base = admin_page, tenant.served.base
    connect_neon(tenant)
    page.goto(f"{base}/dashboards")
    expect(page.get_by_role("heading", name="Dashboards", exact=True)).to_be_visible()
    check_page(page, "dashboards-empty")
    page.get_by_label("New dashboard").fill("Ops")
    page.get_by_role("button", name="Create dashboard").click()
    expect(page.get_by_role("heading", name="Ops", level=1)).to_be_visible()
    check_page(page, "dashboard-new")

    page.get_by_role("link", name="Edit").click()
    expect(page).to_have_url(re.compile(r"\?edit=1$"))
    check_page(page, "dashboard-edit")
    page.get_by_role("button", name="Add Widget").click()
    library = page.get_by_role("region", name="Widget library")
    expect(library.get_by_role("heading", name="Neon Metrics")).to_be_visible()
    expect(library).to_contain_text("Storage, compute hours")
    check_page(page, "widget-library")
    library.get_by_role("button", name="Add Neon Metrics").click()

    shown = widget(page)
    expect(shown.get_by_role("heading", name=re.compile("analytics"))).to_be_visible()
    expect(shown).to_contain_text("50 MB")
    expect(shown).to_contain_text("primary")
    expect(shown).to_contain_text("+2 more")
    expect(shown.locator("time")).to_have_attribute("title", re.compile(r"UTC$"))
    expect(shown.locator("svg[role=img] circle title").first).to_contain_text("someone viewed")
    check_page(page, "widget")

    shown.get_by_role("button", name="Widget settings").click()
    settings = shown.get_by_role("region", name="Widget settings")
    expect(settings.get_by_label("Search projects")).to_be_visible()
    settings.get_by_label("Search projects").fill("monorepo")
    expect(settings.get_by_text(SALAD)).to_have_count(0)  # the search answered
    expect(settings.get_by_text(MONOREPO)).to_be_visible()
    check_page(page, "widget-settings")
    settings.get_by_role("button", name="Choose big-monorepo").click()
    shown = widget(page)
    expect(shown.get_by_role("heading", name=re.compile("big-monorepo"))).to_be_visible()
    expect(shown).to_contain_text("1.5 GB")
    expect(shown).to_contain_text("+125 more")
    page.get_by_role("link", name="Done").click()
    expect(widget(page)).to_contain_text("1.5 GB")
    shot = screenshot(page, "dashboard")
    if os.environ.get("PRODUL_UPDATE_SCREENSHOTS") == "1":  # the README's picture, on request
        shutil.copyfile(shot, DOCS_SCREENSHOT)

    assert tenant.api("DELETE", "/api/integrations/neon").status_code == 200
    page.reload()
    expect(widget(page)).to_contain_text("Neon is not connected")
    connect = widget(page).get_by_role("link", name="Connect Neon")
    expect(connect).to_have_attribute("href", "/settings/integrations")
    check_page(page, "widget-not-connected")
    page.get_by_role("link", name="Edit").click()
    page.get_by_role("button", name="Add Widget").click()
    expect(page.get_by_role("button", name="Add Neon Metrics")).to_be_disabled()
    expect(page.get_by_role("region", name="Widget library")).to_contain_text("Connect Neon first")


def test_rename_and_delete_a_dashboard(admin_page: Page, tenant: Tenant) -> None:
    page, base = admin_page, tenant.served.base
    board_with_widget(tenant, "Ops")
    board_with_widget(tenant, "Scratch")
    page.goto(f"{base}/dashboards")
    page.get_by_text("Rename Ops").click()
    page.get_by_label("New name for Ops").fill("Operations")
    page.get_by_role("button", name="Save name").first.click()
    expect(page.get_by_role("link", name="Operations")).to_be_visible()
    page.get_by_role("button", name="Delete Scratch").click()
    dialog = page.get_by_role("dialog", name=re.compile("Scratch"))
    expect(dialog).to_be_visible()
    check_page(page, "dashboard-delete-confirm")
    dialog.get_by_role("button", name="Delete dashboard").click()
    expect(page.get_by_role("link", name="Scratch")).to_have_count(0)
    expect(page.get_by_role("link", name="Operations")).to_be_visible()


def wait_out_the_failure_pause(page: Page) -> None:
    """After Neon failed, the service does not ask it again for FAILURE_PAUSE (decision 0023)."""
    page.wait_for_timeout(FAILURE_PAUSE.total_seconds() * 1000 + 300)


def test_each_error_state_says_what_to_do(admin_page: Page, knobs: Tenant) -> None:
    page, tenant = admin_page, knobs
    connect_neon(tenant)
    board = board_with_widget(tenant, "Ops", SALAD)

    set_faults(tenant, error_rate=1.0, error_status=503)  # Neon down, nothing seen before
    page.goto(f"{tenant.served.base}/dashboards/{board}")
    expect(widget(page)).to_contain_text("Neon API error")
    expect(widget(page)).to_contain_text("did not answer")
    try_again = widget(page).get_by_role("button", name=re.compile(r"^Try again in \d+ s$"))
    expect(try_again).to_be_visible()
    check_page(page, "widget-neon-unavailable")

    set_faults(tenant, **CALM)
    wait_out_the_failure_pause(page)  # as the button says: before then, the same answer
    try_again.click()
    expect(widget(page)).to_contain_text("50 MB")

    set_faults(tenant, error_rate=1.0, error_status=503)  # Neon down, the last good data shows
    widget(page).get_by_role("button", name="Refresh Neon Metrics").click()
    expect(widget(page)).to_contain_text("Stale")
    expect(widget(page)).to_contain_text("Neon did not answer just now")
    expect(widget(page)).to_contain_text("50 MB")
    check_page(page, "widget-stale")

    set_faults(tenant, error_rate=1.0, error_status=404)  # the project is gone
    wait_out_the_failure_pause(page)
    widget(page).get_by_role("button", name="Refresh Neon Metrics").click()
    expect(widget(page)).to_contain_text("can no longer see this project")
    choose = widget(page).get_by_role("button", name="Choose a project")
    expect(choose).to_be_visible()
    check_page(page, "widget-project-gone")
    choose.click()
    expect(widget(page).get_by_role("region", name="Widget settings")).to_be_visible()

    set_faults(tenant, **CALM)
    revoked = httpx.post(
        f"{tenant.served.base}/fake-neon/_standin/accounts/{ADA}/revoke-grants", timeout=30
    )
    assert revoked.status_code == 201 and revoked.json()["revoked"] >= 1
    page.reload()
    expect(widget(page)).to_contain_text("Neon API error")
    reconnect = widget(page).get_by_role("link", name="Reconnect")
    expect(reconnect).to_have_attribute("href", "/settings/integrations")
    check_page(page, "widget-reconnect")

    connect_neon(tenant)  # a new grant: the figures again, then Neon rate-limits
    page.reload()
    expect(widget(page)).to_contain_text("50 MB")
    set_faults(tenant, rate_limit_burst=50, retry_after=2)
    widget(page).get_by_role("button", name="Refresh Neon Metrics").click()
    expect(widget(page)).to_contain_text("Stale")
    expect(widget(page)).to_contain_text("Neon asked Produl to slow down")
    check_page(page, "widget-stale-rate-limited")
    time.sleep(2)  # Neon's wait is the account's, and the next test's Neon account is the same


def test_rate_limited_without_data_says_how_long_to_wait(admin_page: Page, knobs: Tenant) -> None:
    page, tenant = admin_page, knobs
    connect_neon(tenant)
    board = board_with_widget(tenant, "Ops", BILLING)
    set_faults(tenant, rate_limit_burst=50, retry_after=2)
    page.goto(f"{tenant.served.base}/dashboards/{board}")
    expect(widget(page)).to_contain_text("Neon API error")
    expect(widget(page)).to_contain_text("limiting how often")
    expect(widget(page).get_by_role("button", name="Try again in 2 s")).to_be_visible()
    check_page(page, "widget-rate-limited")
    time.sleep(2)


def test_a_member_sees_the_figures_and_no_control_that_would_be_refused(
    member_page: Page, tenant: Tenant
) -> None:
    page, base = member_page, tenant.served.base
    connect_neon(tenant)
    board = board_with_widget(tenant, "Ops")
    page.goto(f"{base}/dashboards")
    expect(page.get_by_role("link", name="Ops")).to_be_visible()
    for control in ("Create dashboard", "Save name", "Delete dashboard"):
        expect(page.get_by_role("button", name=control)).to_have_count(0)
    expect(page.get_by_label("New dashboard")).to_have_count(0)
    page.goto(f"{base}/dashboards/{board}?edit=1")
    expect(widget(page)).to_contain_text("50 MB")
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    for control in ("Add Widget", "Widget settings", "Remove"):
        expect(page.get_by_role("button", name=control)).to_have_count(0)
    expect(widget(page).get_by_role("button", name="Refresh Neon Metrics")).to_be_visible()
    check_page(page, "dashboard-member")
    set_faults(tenant, error_rate=1.0, error_status=404)
    try:
        widget(page).get_by_role("button", name="Refresh Neon Metrics").click()
        expect(widget(page)).to_contain_text("Ask an admin")
        expect(widget(page).get_by_role("button", name="Choose a project")).to_have_count(0)
        check_page(page, "widget-member-project-gone")
    finally:
        set_faults(tenant, **CALM)
