"""The one place where failures become RFC 9457 ``application/problem+json`` responses."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any, Literal

import msgspec
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.openapi import ResponseSpec

from adapters.request_context import current_request_id, new_request_id
from application.permissions import Audience, declaration
from application.ports.failure import PortFailure
from application.ports.neon import NeonRateLimited, NeonUnavailable
from application.ports.stores import StoreUnavailable, TokensUnreadable, VersionConflict
from domain import errors

log = logging.getLogger("produl_neon.http")
PROBLEM_JSON = "application/problem+json"
_QUOTED = re.compile(r"'[^']*'")


@dataclass(frozen=True, slots=True)
class ProblemType:
    slug: str
    status: int
    title: str
    action: str | None = None


UNAUTHENTICATED = ProblemType("unauthenticated", 401, "Authentication required")
FORBIDDEN = ProblemType("forbidden", 403, "Forbidden")
NOT_FOUND = ProblemType("not-found", 404, "Not found")
INVALID_REQUEST = ProblemType("invalid-request", 422, "Invalid request")
UNSUPPORTED_MEDIA_TYPE = ProblemType("unsupported-media-type", 415, "Unsupported media type")
NEON_UNAVAILABLE = ProblemType("neon-unavailable", 503, "Neon API error", "retry_later")

REAUTHORIZE = ProblemType("neon-reauthorization-required", 409, "Neon API error", "reconnect")

PROBLEMS: dict[type[Exception], ProblemType] = {
    errors.Unauthenticated: UNAUTHENTICATED,
    errors.Forbidden: FORBIDDEN,
    errors.NotFound: NOT_FOUND,
    errors.InvalidInput: INVALID_REQUEST,
    errors.NeonNotConnected: ProblemType("neon-not-connected", 409, "Neon is not connected"),
    errors.NeonReauthorizationRequired: REAUTHORIZE,
    TokensUnreadable: REAUTHORIZE,
    errors.ProjectNotSelected: ProblemType(
        "project-not-selected", 409, "No Neon project selected", "select_project"
    ),
    errors.ProjectNotAccessible: ProblemType(
        "project-not-accessible", 409, "Neon API error", "select_project"
    ),
    NeonRateLimited: ProblemType("neon-rate-limited", 503, "Neon API error", "retry_later"),
    NeonUnavailable: NEON_UNAVAILABLE,
    StoreUnavailable: ProblemType(
        "store-unavailable", 503, "Service temporarily unavailable", "retry_later"
    ),
    errors.LastAdmin: ProblemType("conflict", 409, "Conflict"),
    errors.EmailTaken: ProblemType("conflict", 409, "Conflict"),
    errors.LimitReached: ProblemType("limit-reached", 409, "Limit reached"),
    VersionConflict: ProblemType("conflict", 409, "Conflict", "retry_later"),
}


def problem(
    kind: ProblemType,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: object,
) -> Response[dict[str, object]]:
    body: dict[str, object] = {
        "type": f"/problems/{kind.slug}",
        "title": kind.title,
        "status": kind.status,
        "detail": detail,
        "action": kind.action,
        **extra,
    }
    return Response(body, status_code=kind.status, media_type=PROBLEM_JSON, headers=headers)


def domain_error(_: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, object]]:
    assert isinstance(exc, errors.DomainError | PortFailure)
    kind = next(p for cls, p in PROBLEMS.items() if isinstance(exc, cls))
    headers = None
    if isinstance(exc, NeonRateLimited | NeonUnavailable):
        headers = {"Retry-After": str(exc.retry_after_seconds)}
    elif isinstance(exc, StoreUnavailable):
        headers = {"Retry-After": "5"}
    return problem(kind, exc.message, headers)


def validation_error(_: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, object]]:
    assert isinstance(exc, ValidationException)
    # Each entry names the field and the rule broken; quoted submitted values are blanked.
    errors = [
        {
            k: _QUOTED.sub("'…'", str(v))
            for k, v in item.items()
            if k in {"key", "message", "source"}
        }
        for item in (exc.extra if isinstance(exc.extra, list) else [])
        if isinstance(item, dict)
    ]
    return problem(INVALID_REQUEST, "The request is malformed; see errors.", errors=errors)


# Litestar answers 400 for a body it cannot parse: for clients that is a malformed request (422).
_HTTP_PROBLEMS = {400: INVALID_REQUEST, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND}


def http_error(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, object]]:
    assert isinstance(exc, HTTPException)
    if exc.status_code >= 500:  # Litestar's own 5xx: a bug on our side, logged like one
        return unexpected_error(request, exc)
    kind = _HTTP_PROBLEMS.get(exc.status_code) or ProblemType(
        "http-error", exc.status_code, "HTTP error"
    )
    return problem(kind, str(exc.detail), headers=exc.headers)


def unexpected_error(
    request: Request[Any, Any, Any], exc: Exception
) -> Response[dict[str, object]]:
    request_id = current_request_id() or new_request_id()  # the X-Request-ID answered with
    log.error(
        "unhandled %s on %s %s [request_id=%s]",
        type(exc).__name__,
        request.method,
        request.scope.get("path_template") or "?",  # the template: a path may hold anything
        request_id,
        exc_info=exc,
    )
    bug = ProblemType("internal-error", 500, "Internal server error")
    return problem(bug, "An unexpected error occurred; it has been logged.", request_id=request_id)


EXCEPTION_HANDLERS = {
    errors.DomainError: domain_error,
    PortFailure: domain_error,
    ValidationException: validation_error,
    NotAuthorizedException: http_error,
    PermissionDeniedException: http_error,
    NotFoundException: http_error,
    HTTPException: http_error,
    Exception: unexpected_error,
}


class ProblemBody(msgspec.Struct):
    """RFC 9457 problem details, as documented in the OpenAPI document."""

    type: str
    title: str
    status: int
    detail: str
    action: Literal["reconnect", "select_project", "retry_later"] | None = None


def uses(use_case: type) -> dict[str, Any]:
    """A route's use case: the guard refuses by its declared audience before the body is parsed,
    and the OpenAPI document lists exactly the problems it declares it can raise (plus 401 for
    every /api route, 403 for admins' routes and 503 when the database is unreachable)."""
    declared = declaration(use_case)
    if declared is None:
        raise TypeError(f"{use_case.__name__} is not a declared use case")
    kinds = [UNAUTHENTICATED, PROBLEMS[StoreUnavailable]]
    if declared.audience is Audience.ADMINS:
        kinds.append(FORBIDDEN)
    kinds += [_kind(raised) for raised in declared.raises]
    return {"opt": {"use_case": use_case}, "responses": documented(kinds)}


def _kind(raised: type[Exception]) -> ProblemType:
    return next(kind for cls, kind in PROBLEMS.items() if issubclass(raised, cls))


def documented(kinds: list[ProblemType]) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the problems a route can answer with, by status."""
    by_status: dict[int, set[str]] = {}
    for kind in kinds:
        by_status.setdefault(kind.status, set()).add(kind.slug)
    return {
        status: ResponseSpec(
            data_container=ProblemBody,
            generate_examples=False,
            media_type=PROBLEM_JSON,
            description=", ".join(sorted(slugs)),
        )
        for status, slugs in sorted(by_status.items())
    }
