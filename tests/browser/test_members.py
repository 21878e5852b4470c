"""Members and the audit log, for admins: add (the token shown once, copyable, never cached),
revoke after a confirmation, and the log of what happened, paged."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import Tenant, check_page, sign_in


def test_add_a_member_see_the_token_once_and_sign_in_with_it(
    admin_page: Page, tenant: Tenant
) -> None:
    page = admin_page
    page.get_by_role("link", name="Members").click()
    expect(page.get_by_role("heading", name="Members", exact=True)).to_be_visible()
    check_page(page, "members")
    page.get_by_label("Email").fill("new.person@example.com")
    page.get_by_label("Role").select_option("member")
    with page.expect_response(re.compile(r"/settings/members$")) as answer:
        page.get_by_role("button", name="Add member").click()
    assert answer.value.status == 201
    assert answer.value.headers["cache-control"] == "no-store"
    expect(page.get_by_role("heading", name="new.person@example.com was added")).to_be_visible()
    token = page.locator("#new-token").inner_text().strip()
    assert token.startswith("pnm_")
    assert page.locator("body").get_attribute("hx-history") == "false"
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy token").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == token
    check_page(page, "member-added")

    page.get_by_role("link", name="Done").click()
    expect(page.get_by_role("cell", name="new.person@example.com", exact=True)).to_be_visible()
    assert token not in page.content()  # shown once: never again

    other = page.context.browser.new_context()  # type: ignore[union-attr]
    try:
        their_page = other.new_page()
        sign_in(their_page, tenant.served.base, token)
        expect(their_page.get_by_text("new.person@example.com")).to_be_visible()
    finally:
        other.close()


def test_a_taken_address_is_refused_in_plain_words(admin_page: Page, tenant: Tenant) -> None:
    tenant.add_member("taken@example.com")
    admin_page.goto(f"{tenant.served.base}/settings/members")
    admin_page.get_by_label("Email").fill("TAKEN@example.com")
    admin_page.get_by_role("button", name="Add member").click()
    expect(admin_page.get_by_role("alert")).to_be_visible()
    expect(admin_page.get_by_label("Email")).to_have_value("TAKEN@example.com")
    check_page(admin_page, "members-refused")


def test_revoke_after_confirming_and_the_audit_log_records_it(
    admin_page: Page, tenant: Tenant
) -> None:
    tenant.add_member("going@example.com")
    page = admin_page
    page.goto(f"{tenant.served.base}/settings/members")
    page.get_by_role("link", name="Revoke going@example.com").click()
    expect(page.get_by_role("heading", name="Revoke going@example.com?")).to_be_visible()
    check_page(page, "member-revoke-confirm")
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("status")).to_contain_text("The member was revoked")
    expect(page.get_by_role("cell", name="going@example.com", exact=True)).to_have_count(0)

    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    rows = page.get_by_role("row")
    expect(rows.filter(has_text="Revoked a member")).to_have_count(1)
    expect(rows.filter(has_text="Added a member")).to_have_count(1)
    check_page(page, "audit-log")


def test_the_audit_log_pages_back_in_time(admin_page: Page, tenant: Tenant) -> None:
    for number in range(51):  # one more than a page
        tenant.add_member(f"p{number}@example.com")
    admin_page.goto(f"{tenant.served.base}/settings/audit-log")
    expect(admin_page.get_by_role("row").filter(has_text="p50@example.com")).to_have_count(1)
    admin_page.get_by_role("link", name="Older events").click()
    expect(admin_page.get_by_role("row").filter(has_text="p0@example.com")).to_have_count(1)
    expect(admin_page.get_by_role("row").filter(has_text="p50@example.com")).to_have_count(0)
    expect(admin_page.get_by_role("link", name="Newest events")).to_be_visible()


def test_members_get_no_admin_pages(member_page: Page, tenant: Tenant) -> None:
    for path in ("/settings/members", "/settings/audit-log"):
        member_page.goto(f"{tenant.served.base}{path}")
        expect(member_page.get_by_role("heading", name="Forbidden")).to_be_visible()
    check_page(member_page, "forbidden-member")
