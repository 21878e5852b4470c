"""Driving the pages over HTTP as a browser would: the CSRF token from a page, forms posted
with it, the session cookie kept by the client."""

from __future__ import annotations

import re

import httpx

from tests.support import ADMIN_TOKEN

_CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


def csrf_token(page: httpx.Response) -> str:
    found = _CSRF_FIELD.search(page.text)
    assert found, "the page carries no CSRF token"
    return found.group(1)


async def post_form(
    client: httpx.AsyncClient, page_path: str, action: str, fields: dict[str, str]
) -> httpx.Response:
    """Open ``page_path`` and submit a form of it to ``action`` with ``fields``."""
    page = await client.get(page_path)
    return await client.post(action, data={"_csrf_token": csrf_token(page), **fields})


async def sign_in(
    client: httpx.AsyncClient, token: str = ADMIN_TOKEN, next_page: str = ""
) -> httpx.Response:
    return await post_form(client, "/sign-in", "/sign-in", {"token": token, "next": next_page})
