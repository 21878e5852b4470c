"""Who may run a use case. Each use case declares its audience and the failures it can raise;
members and admins are checked inside the use case itself, so calling it directly (as tests and
the web pages do) cannot skip the check, and the HTTP guard reads the same declaration to refuse
before a request body is parsed."""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from domain.errors import Forbidden
from domain.workspaces import Member, Role


class Audience(enum.Enum):
    MEMBERS = "member"  # any member of the workspace: reads
    ADMINS = "admin"  # admins: they change things
    OPERATORS = "operator"  # the command line; no member involved
    PUBLIC = "public"  # no member yet: signing in, and the OAuth callback (state and cookie)


@dataclass(frozen=True, slots=True)
class Declaration:
    audience: Audience
    raises: tuple[type[Exception], ...]


UseCase = TypeVar("UseCase", bound=type)
Execute = Callable[..., Coroutine[Any, Any, Any]]


def use_case(
    audience: Audience, *, raises: tuple[type[Exception], ...] = ()
) -> Callable[[UseCase], UseCase]:
    """Class decorator: declares the audience and, for members and admins, checks the actor
    (``execute``'s first argument) before the use case runs."""

    def declare(cls: UseCase) -> UseCase:
        cls.__use_case__ = Declaration(audience, raises)  # type: ignore[attr-defined]
        if audience in (Audience.MEMBERS, Audience.ADMINS):
            cls.execute = _checked(cls.execute, audience)  # type: ignore[attr-defined]
        return cls

    return declare


def declaration(cls: type) -> Declaration | None:
    found = getattr(cls, "__use_case__", None)
    return found if isinstance(found, Declaration) else None


def permit(actor: Member, audience: Audience) -> None:
    if audience is Audience.ADMINS and actor.role is not Role.ADMIN:
        raise Forbidden()


def _checked(execute: Execute, audience: Audience) -> Execute:
    @functools.wraps(execute)
    async def checked(self: object, actor: Member, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(actor, Member):
            raise TypeError(f"{type(self).__name__}.execute takes the acting member first")
        permit(actor, audience)
        return await execute(self, actor, *args, **kwargs)

    return checked
