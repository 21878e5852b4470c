"""The base of every failure a port declares: the outside world, not a business rule, said no."""

from __future__ import annotations


class PortFailure(Exception):
    """Raised by an adapter behind a port; the port that raises it declares it. Messages never
    hold a token or anything the outside world said verbatim."""

    default_message = "A service this one depends on failed."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)

    @property
    def message(self) -> str:
        return str(self.args[0])
