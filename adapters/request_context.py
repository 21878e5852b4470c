"""The request being served, for every adapter that needs to name it: its id (ours, or the load
balancer's when well-formed) and, once the member is known, its workspace.

It lives beside the two adapter packages rather than in either, because both use it: the HTTP
side opens it for each request, the Neon clients send its id on and log Neon's beside it. A
command-line run has no request; the Neon clients then make an id per call.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

# What we accept from a load balancer: short, and nothing a log line or a header could be
# tricked by (no spaces, quotes, control characters or separators).
WELL_FORMED = re.compile(r"[A-Za-z0-9._-]{1,128}\Z")


@dataclass(slots=True)
class RequestContext:
    request_id: str
    workspace_id: str | None = None  # set by the /api guard once the member is known
    # What waits for the answer to be written (``after_answer``); None once it is
    later: list[Callable[[], object]] | None = field(default_factory=list)

    def answered(self) -> None:
        """The answer's last byte is with the server (or the request ended without one)."""
        later, self.later = self.later, None
        for run in later or ():
            run()


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
        context.answered()
        _CURRENT.reset(token)


def after_answer(run: Callable[[], object]) -> None:
    """``run`` once the request being served has its answer written: work its answer does not
    need (a log line about a Neon call it made) stays off the time the client waits. Outside a
    request, or after its answer, at once."""
    context = _CURRENT.get()
    if context is None or context.later is None:
        run()
    else:
        context.later.append(run)


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
