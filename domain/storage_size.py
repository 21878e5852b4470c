"""How storage is shown on the widget.

Unit convention (decision 0003): binary multiples labelled the way Neon's console labels them,
1 MB = 1024**2 bytes and 1 GB = 1024**3 bytes. MB values show one decimal at most, GB values two;
trailing zeros are dropped. A value that would round to 1024 MB is shown in GB instead, so the
display never reads "1024 MB". A non-zero size under 0.05 MB shows as "< 0.1 MB", never "0 MB".
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

MB = 1024**2
GB = 1024**3


def _rounded(value: Decimal, places: int) -> str:
    quantum = Decimal(1).scaleb(-places)
    text = format(value.quantize(quantum, rounding=ROUND_HALF_UP), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def display_storage(size_bytes: int | None) -> str | None:
    if size_bytes is None:
        return None
    if size_bytes < 0:
        raise ValueError("storage size cannot be negative")
    megabytes = Decimal(size_bytes) / MB
    shown_mb = _rounded(megabytes, 1)
    if Decimal(shown_mb) < 1024:
        if size_bytes > 0 and shown_mb == "0":
            return "< 0.1 MB"
        return f"{shown_mb} MB"
    return f"{_rounded(Decimal(size_bytes) / GB, 2)} GB"
