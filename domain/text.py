"""What text a person may give us to show to others (names, email addresses), written as regular
expressions in the subset JSON Schema shares with Python, so that the OpenAPI document declares
the very rule the domain checks (``re.search``, as a JSON Schema validator applies a pattern)."""

from __future__ import annotations

# Characters no name or address may contain: control characters (C0, DEL, C1: a NUL cannot be
# stored in PostgreSQL, and a terminal or log viewer acts on ESC), the invisible ones that hide or
# reorder text (soft hyphen, Arabic letter mark, Mongolian vowel separator, zero-width characters,
# bidirectional overrides and isolates, word joiners, the byte-order mark, interlinear
# annotations), and the line and paragraph separators. Inside a character class.
UNSHOWABLE = (
    r"\x00-\x1f\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff"
    r"\ufff9-\ufffb"
)

# Something showable besides whitespace, and nothing unshowable; the domain then trims the ends.
SHOWN_TEXT_PATTERN = rf"^[^{UNSHOWABLE}]*[^{UNSHOWABLE}\s][^{UNSHOWABLE}]*$"
