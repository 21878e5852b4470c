"""Business-rule errors: plain exceptions that name a failure a customer or operator can act on.

Failures of the outside world (Neon unavailable or rate-limiting, the store unavailable, tokens
that cannot be read) are declared by the ports that raise them, in ``application/ports/``.

They carry no HTTP knowledge; the inbound adapter maps each one to a problem type.
Messages never contain a token or anything Neon said verbatim.
"""


class DomainError(Exception):
    default_message = "The request could not be completed."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)

    @property
    def message(self) -> str:
        return str(self.args[0])


class InvalidInput(DomainError):
    default_message = "The request is malformed."


class Unauthenticated(DomainError):
    default_message = "A valid member token is required."


class Forbidden(DomainError):
    default_message = "Only workspace admins may do this."


class NotFound(DomainError):
    default_message = "No such resource in this workspace."


class NeonNotConnected(DomainError):
    default_message = "This workspace has no Neon connection."


class NeonReauthorizationRequired(DomainError):
    default_message = "Neon no longer accepts this connection's tokens; reconnect Neon."


class ProjectNotSelected(DomainError):
    default_message = "No Neon project is selected for this widget or workspace."


class ProjectNotAccessible(DomainError):
    default_message = "The connected Neon account can no longer see this project."


class LastAdmin(DomainError):
    default_message = "A workspace keeps at least one admin."


class EmailTaken(DomainError):
    default_message = "A member of this workspace already has this email address."


class LimitReached(DomainError):
    default_message = "This workspace already holds as many of these as it may."
