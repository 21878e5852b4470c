"""Secret values that cannot leak through repr, str, f-strings or logging."""

from __future__ import annotations

import hashlib
import hmac


class Secret:
    """Holds a credential. Only ``reveal()`` gives the value back, so leaks are greppable."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str) or not value:
            raise ValueError("a secret must be a non-empty string")
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and hmac.compare_digest(
            self._value.encode(), other._value.encode()
        )

    def __hash__(self) -> int:
        return hash(self.fingerprint())

    def fingerprint(self) -> str:
        """A one-way digest, safe to store or compare (member tokens are kept only like this)."""
        return hashlib.sha256(self._value.encode()).hexdigest()

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("secrets are not picklable")
