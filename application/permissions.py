"""Who may run a use case. Each use case declares its audience and the failures it can raise.
Calling ``execute`` checks the acting member's role first, so a caller that invokes a use case
directly (tests, the web pages) gets the same answer as the HTTP guard, which reads the same
declaration to refuse before a request body is parsed. Writing use cases also confirm, inside
their transaction, that the actor is still a member (``still_member``)."""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from application.ports.stores import Stores
from domain.errors import Forbidden, Unauthenticated
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
    found = vars(cls).get("__use_case__")  # not inherited: a subclass declares itself
    return found if isinstance(found, Declaration) else None


async def still_member(stores: Stores, actor: Member) -> None:
    """Inside ``uow.begin()``: the actor was not revoked since the request was authenticated.
    The member stays held until the transaction ends, so a revocation either waits for this
    write or has already won, and then the write is refused."""
    if await stores.members.get(actor.workspace_id, actor.id) is None:
        raise Unauthenticated("This member token was revoked.")


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
