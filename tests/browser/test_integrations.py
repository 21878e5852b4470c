"""The Integrations page as a person uses it: Connect Neon, consent, back with the outcome, the
project picker, Disconnect, Reconnect when Neon ended the grant, and a member's view."""

from __future__ import annotations

import re

from playwright.sync_api import Page, Route, expect

from neon_standin.seed import ADA
from tests.browser.conftest import Tenant, check_page

PAGE = "/settings/integrations"


def picker_row(page: Page, name: str):  # type: ignore[no-untyped-def]
    return page.locator(".picker .project").filter(
        has=page.locator(".name", has_text=re.compile(f"^{name}$"))
    )


def test_connect_consent_pick_and_disconnect(admin_page: Page, tenant: Tenant) -> None:
    page = admin_page
    expect(page.get_by_text("Not connected")).to_be_visible()
    check_page(page, "integrations-not-connected")

    page.get_by_role("button", name="Connect Neon").click()
    expect(
        page.get_by_role("heading", name="Produl wants to read your Neon account")
    ).to_be_visible()
    expect(
        page.get_by_text("Read your projects, their branches, storage and compute usage")
    ).to_be_visible()
    check_page(page, "consent")
    page.get_by_role("button", name="Approve").click()

    expect(page).to_have_url(re.compile(re.escape(PAGE) + r"\?neon=connected$"))
    expect(page.get_by_role("status")).to_contain_text("Neon is connected")
    expect(page.get_by_text("ada@example.com")).to_be_visible()
    expect(
        page.get_by_text("Read your projects, their branches, storage and compute usage")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Organization: Acme Analytics")).to_be_visible()
    expect(picker_row(page, "analytics")).to_be_visible()
    check_page(page, "integrations-connected")

    page.get_by_role("searchbox", name="Search projects").fill("monorepo")
    expect(picker_row(page, "analytics")).to_have_count(0)
    page.get_by_role("button", name="Choose big-monorepo").click()
    expect(page.get_by_role("status")).to_contain_text("Widgets now show big-monorepo")
    chosen = picker_row(page, "big-monorepo")
    expect(chosen).to_have_attribute("aria-current", "true")
    expect(chosen.get_by_text("Selected")).to_be_visible()
    check_page(page, "integrations-project-chosen")

    page.get_by_role("searchbox", name="Search projects").fill("zzz-nothing-like-this")
    expect(page.get_by_text("No project matches your search.")).to_be_visible()
    check_page(page, "picker-no-match")

    page.get_by_role("link", name="Disconnect").click()
    expect(page.get_by_role("heading", name="Disconnect Neon?")).to_be_visible()
    check_page(page, "disconnect-confirm")
    page.get_by_role("button", name="Disconnect").click()
    expect(page.get_by_role("status")).to_contain_text("Neon is disconnected")
    expect(page.get_by_role("button", name="Connect Neon")).to_be_visible()
    expect(page.get_by_text("Last chosen project: big-monorepo")).to_be_visible()


def test_more_projects_pages_on_with_the_cursor(admin_page: Page, tenant: Tenant) -> None:
    """The stand-in's Neon has fewer projects than a page holds, so the picker's requests ask
    for pages of three here (the route's ``limit``); the click flow is the person's."""

    def three_a_page(route: Route) -> None:
        url = route.request.url
        route.continue_(url=url if "limit=" in url else f"{url}{'&' if '?' in url else '?'}limit=3")

    admin_page.route(re.compile(r"/settings/integrations/neon/projects"), three_a_page)
    tenant.connect_neon()
    admin_page.reload()
    rows = admin_page.locator(".picker .project")
    expect(rows).to_have_count(3)
    admin_page.get_by_role("button", name="More projects").click()
    expect(rows).to_have_count(6)
    check_page(admin_page, "picker-more-projects")
    admin_page.get_by_role("button", name="More projects").click()
    expect(rows).to_have_count(7)
    expect(admin_page.get_by_role("button", name="More projects")).to_have_count(0)
    names = [n.strip() for n in admin_page.locator(".picker .project .name").all_inner_texts()]
    assert len(set(names)) == 7  # every project once: none repeated or skipped across pages


def test_keyboard_alone_signs_in_and_connects(new_page: Page, tenant: Tenant) -> None:
    page = new_page
    page.goto(f"{tenant.served.base}/sign-in?next={PAGE}")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")
    expect(page.get_by_label("Member token")).to_be_focused()
    page.keyboard.type(tenant.admin_token)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(PAGE) + "$"))
    connect = page.get_by_role("button", name="Connect Neon")
    for _ in range(15):
        page.keyboard.press("Tab")
        if connect.evaluate("element => element === document.activeElement"):
            break
    expect(connect).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Approve")).to_be_visible()


def test_declining_on_neon_says_so_in_plain_words(admin_page: Page, tenant: Tenant) -> None:
    admin_page.get_by_role("button", name="Connect Neon").click()
    admin_page.get_by_role("button", name="Deny").click()
    expect(admin_page.get_by_role("alert")).to_contain_text(
        "You declined the request on Neon's page"
    )
    check_page(admin_page, "integrations-declined")


def test_reconnect_when_neon_ended_the_grant(admin_page: Page, tenant: Tenant) -> None:
    tenant.connect_neon()
    assert tenant.standin("POST", f"/accounts/{ADA}/revoke-grants").json()["revoked"] >= 1
    admin_page.reload()  # the picker asks Neon, which refuses: the grant is gone
    expect(admin_page.get_by_role("alert")).to_contain_text("Neon API error")
    admin_page.reload()
    expect(admin_page.get_by_text("Needs reconnecting")).to_be_visible()
    expect(
        admin_page.get_by_text(re.compile("Neon API error: .* Reconnect to grant access again"))
    ).to_be_visible()
    check_page(admin_page, "integrations-needs-reconnect")
    admin_page.get_by_role("button", name="Reconnect").click()
    admin_page.get_by_role("button", name="Approve").click()
    expect(admin_page.get_by_role("status")).to_contain_text("Neon is connected")
    expect(admin_page.get_by_text("Connected", exact=True)).to_be_visible()


def test_neon_failing_shows_the_error_and_a_way_to_try_again(
    admin_page: Page, tenant: Tenant
) -> None:
    tenant.connect_neon()
    tenant.standin("PUT", "/faults", json={"error_rate": 1.0, "error_status": 503})
    admin_page.reload()
    problem = admin_page.get_by_role("alert")
    expect(problem).to_contain_text("Neon API error")
    expect(problem).to_contain_text("Try again in")
    check_page(admin_page, "picker-neon-unavailable")
    tenant.standin("PUT", "/faults", json={"error_rate": 0.0})
    admin_page.get_by_role("button", name="Try again").click()
    expect(picker_row(admin_page, "analytics")).to_be_visible()


def test_a_member_sees_the_card_without_admin_controls(member_page: Page, tenant: Tenant) -> None:
    tenant.connect_neon()
    member_page.reload()
    expect(member_page.get_by_text("ada@example.com")).to_be_visible()
    expect(picker_row(member_page, "analytics")).to_be_visible()
    for name in ("Connect Neon", "Reconnect", "Sign in"):
        expect(member_page.get_by_role("button", name=name)).to_have_count(0)
    expect(member_page.get_by_role("button", name=re.compile("^Choose"))).to_have_count(0)
    expect(member_page.get_by_role("link", name="Disconnect")).to_have_count(0)
    expect(member_page.get_by_role("link", name="Members")).to_have_count(0)
    expect(member_page.get_by_role("link", name="Audit log")).to_have_count(0)
    check_page(member_page, "integrations-member")
