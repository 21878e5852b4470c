"""Failures on the pages, in plain words: not signed in → the sign-in page (and back after);
anything else a use case can refuse → a page that says what happened and what to do. The
status codes are the API's (``PROBLEMS``), so both doors answer alike."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.response import Redirect, Template
from litestar_htmx import ClientRedirect

from adapters.inbound.http.problems import PROBLEMS, unexpected_error
from adapters.inbound.web.session_cookie import local_path
from application.ports.failure import PortFailure
from domain import errors


def sign_in_first(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    # an htmx request came from a page: after signing in, go back to that page
    page = request.headers.get("hx-current-url")
    target = local_path((page and page.removeprefix(str(request.base_url).rstrip("/"))) or here)
    query = urlencode({"next": target}) if target != "/dashboards" else ""
    location = f"/sign-in?{query}" if query else "/sign-in"
    if request.headers.get("hx-request"):
        return ClientRedirect(location)
    return Redirect(location, status_code=303)


def _refusal(request: Request[Any, Any, Any], title: str, detail: str, status: int) -> Template:
    """A whole page; or, for htmx, a notice put in the layout's ``#page-problems`` region (not
    in place of the part that asked, which stays as it was)."""
    member = getattr(request.state, "member", None)  # signed in, though refused this
    context = {"title": title, "detail": detail, "status": status, "member": member}
    if request.headers.get("hx-request"):
        retarget = {"HX-Retarget": "#page-problems", "HX-Reswap": "innerHTML"}
        return Template(
            "partials/_refusal.html", context=context, status_code=status, headers=retarget
        )
    return Template("problem.html", context=context, status_code=status)


def refused(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    assert isinstance(exc, errors.DomainError | PortFailure)
    kind = next(p for cls, p in PROBLEMS.items() if isinstance(exc, cls))
    return _refusal(request, kind.title, exc.message, kind.status)


def http_refused(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    assert isinstance(exc, HTTPException)
    if exc.status_code >= 500:
        return unexpected_error(request, exc)
    titles = {403: "Forbidden", 404: "Not found", 405: "Not allowed"}
    detail = "This form has expired. Go back, reload the page and try again." if (
        exc.status_code == 403
    ) else "There is nothing here."  # fmt: skip
    return _refusal(request, titles.get(exc.status_code, "Refused"), detail, exc.status_code)


PAGE_EXCEPTION_HANDLERS = {
    errors.Unauthenticated: sign_in_first,
    errors.DomainError: refused,
    PortFailure: refused,
    HTTPException: http_refused,
}
