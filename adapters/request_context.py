"""The request being served, for every adapter that needs to name it: its id (ours, or the load
balancer's when well-formed) and, once the member is known, its workspace.

It lives beside the two adapter packages rather than in either, because both use it: the HTTP
side opens it for each request, the Neon clients send its id on and log Neon's beside it. A
command-line run has no request; the Neon clients then make an id per call.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

# What we accept from a load balancer: short, and nothing a log line or a header could be
# tricked by (no spaces, quotes, control characters or separators).
WELL_FORMED = re.compile(r"[A-Za-z0-9._-]{1,128}\Z")


@dataclass(slots=True)
class RequestContext:
    request_id: str
    workspace_id: str | None = None  # set by the /api guard once the member is known


_CURRENT: ContextVar[RequestContext | None] = ContextVar("produl_request", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def accepted_request_id(incoming: str | None) -> str:
    """The caller's X-Request-ID when it is well-formed, else a new one."""
    if incoming is not None and WELL_FORMED.match(incoming):
        return incoming
    return new_request_id()


@contextmanager
def serving(request_id: str) -> Iterator[RequestContext]:
    context = RequestContext(request_id)
    token = _CURRENT.set(context)
    try:
        yield context
    finally:
        _CURRENT.reset(token)


def current() -> RequestContext | None:
    return _CURRENT.get()


def current_request_id() -> str | None:
    context = _CURRENT.get()
    return context.request_id if context else None


def note_workspace(workspace_id: str) -> None:
    """The guard found the member: every later log line of this request names the workspace."""
    context = _CURRENT.get()
    if context is not None:
        context.workspace_id = workspace_id
