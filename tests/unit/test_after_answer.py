"""Work a request leaves for after its answer (a Neon call's log line): it waits for the answer,
never longer than the request, and outside a request it runs at once."""

from __future__ import annotations

import asyncio

from adapters.request_context import after_answer, serving


def test_outside_a_request_it_runs_at_once() -> None:
    ran: list[str] = []
    after_answer(lambda: ran.append("now"))
    assert ran == ["now"]


def test_in_a_request_it_waits_for_the_answer_in_order() -> None:
    ran: list[str] = []
    with serving("r1") as context:
        after_answer(lambda: ran.append("first"))
        after_answer(lambda: ran.append("second"))
        assert ran == []
        context.answered()
        assert ran == ["first", "second"]
        after_answer(lambda: ran.append("after the answer"))  # nothing to wait for any more
        assert ran == ["first", "second", "after the answer"]
        context.answered()  # a second time changes nothing
    assert ran == ["first", "second", "after the answer"]


def test_a_request_that_ends_without_an_answer_still_runs_it() -> None:
    ran: list[str] = []
    try:
        with serving("r2"):
            after_answer(lambda: ran.append("logged"))
            raise RuntimeError("the handler failed before answering")
    except RuntimeError:
        pass
    assert ran == ["logged"]


async def test_a_task_the_request_started_outlives_it_and_still_logs() -> None:
    """A fetch in flight is shared by the renders that join it and keeps going when the render
    that started it is gone: what it leaves for the answer then runs at once."""
    ran: list[str] = []
    release = asyncio.Event()

    async def fetch() -> None:
        await release.wait()
        after_answer(lambda: ran.append("fetched"))

    with serving("r3"):
        task = asyncio.ensure_future(fetch())  # copies the request's context
    release.set()
    await task
    assert ran == ["fetched"]
