"""Signing in and out as a person does it: by token, by the one-click link, and what ends a
session."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

from tests.browser.conftest import Tenant, check_page, sign_in


def test_sign_in_by_token_lands_where_asked_and_sign_out_ends_it(
    new_page: Page, tenant: Tenant
) -> None:
    base = tenant.served.base
    new_page.goto(f"{base}/settings/integrations")
    expect(new_page).to_have_url(re.compile(r"/sign-in\?next=%2Fsettings%2Fintegrations$"))
    expect(new_page.get_by_role("heading", name="Sign in to Produl")).to_be_visible()
    check_page(new_page, "sign-in")
    new_page.get_by_label("Member token").fill(tenant.admin_token)
    new_page.get_by_role("button", name="Sign in").click()
    expect(new_page).to_have_url(f"{base}/settings/integrations")
    expect(new_page.get_by_role("heading", name="Integrations")).to_be_visible()
    new_page.get_by_role("button", name="Sign out").click()
    expect(new_page).to_have_url(f"{base}/sign-in")
    new_page.goto(f"{base}/settings/integrations")
    expect(new_page).to_have_url(re.compile(r"/sign-in\?next="))


def test_a_wrong_token_says_so(new_page: Page, tenant: Tenant) -> None:
    new_page.goto(f"{tenant.served.base}/sign-in")
    new_page.get_by_label("Member token").fill("pnm_wrong")
    new_page.get_by_role("button", name="Sign in").click()
    expect(new_page.get_by_role("alert")).to_contain_text("did not sign you in")
    check_page(new_page, "sign-in-refused")


def test_the_printed_one_click_link_signs_in_once(new_page: Page, tenant: Tenant) -> None:
    found = re.search(r"Sign in \(one click[^:]*:\s+(\S+)", tenant.served.printed())
    assert found, tenant.served.printed()
    new_page.goto(found[1])
    expect(new_page).to_have_url(f"{tenant.served.base}/settings/integrations")
    expect(new_page.get_by_role("button", name="Sign out")).to_be_visible()
    new_page.context.clear_cookies()
    new_page.goto(found[1])
    expect(new_page.get_by_role("alert")).to_contain_text("used already or has expired")
    secret = found[1].rsplit("/", 1)[1]
    assert tenant.served.printed().count(secret) == 1  # printed once; no log line repeats it


def test_next_refuses_another_site(new_page: Page, tenant: Tenant) -> None:
    base = tenant.served.base
    new_page.goto(f"{base}/sign-in?next=//evil.example/steal")
    new_page.get_by_label("Member token").fill(tenant.admin_token)
    new_page.get_by_role("button", name="Sign in").click()
    new_page.wait_for_load_state()
    assert new_page.url.startswith(base), new_page.url


def test_a_revoked_members_session_ends_on_their_next_request(
    new_page: Page, tenant: Tenant
) -> None:
    base = tenant.served.base
    token = tenant.add_member("leaving@example.com")
    sign_in(new_page, base, token)
    expect(new_page.get_by_text("leaving@example.com")).to_be_visible()
    members = tenant.api("GET", "/api/members").json()["members"]
    leaving = next(m for m in members if m["email"] == "leaving@example.com")
    assert tenant.api("DELETE", f"/api/members/{leaving['id']}").status_code == 204
    new_page.reload()
    expect(new_page).to_have_url(re.compile(r"/sign-in\?next="))


def test_api_refuses_the_session_cookie(admin_page: Page, tenant: Tenant) -> None:
    cookies = {c["name"]: c["value"] for c in admin_page.context.cookies()}
    assert "produl_session" in cookies
    answer = httpx.get(f"{tenant.served.base}/api/integrations", cookies=cookies)
    assert answer.status_code == 401
    # and from the page itself, with the browser's own cookies
    status = admin_page.evaluate("fetch('/api/integrations').then(r => r.status)")
    assert status == 401


def test_a_form_without_the_csrf_token_is_refused(admin_page: Page, tenant: Tenant) -> None:
    status = admin_page.evaluate(
        "fetch('/sign-out', {method: 'POST', body: new URLSearchParams({})}).then(r => r.status)"
    )
    assert status == 403
    admin_page.reload()
    expect(admin_page.get_by_role("button", name="Sign out")).to_be_visible()  # still signed in
