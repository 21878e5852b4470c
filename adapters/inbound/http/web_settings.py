"""What the HTTP layer needs to know about where it is served."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class WebSettings:
    public_url: str

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")
