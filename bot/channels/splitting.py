"""Long texts cut into pieces a messaging platform accepts, counted as the platforms count
(UTF-16 code units), preferring to cut after a paragraph, a line or a sentence."""

from __future__ import annotations


def units(text: str) -> int:
    """Length as the platforms count it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` UTF-16 units, cut after a line break or a sentence end when possible."""
    pieces: list[str] = []
    rest = text
    while units(rest) > limit:
        cut = _fit(rest, limit)
        window = rest[:cut]
        for mark in ("\n\n", "\n", "。", ". ", "、", " "):
            at = window.rfind(mark)
            if at >= cut // 2:
                cut = at + len(mark)
                break
        pieces.append(rest[:cut])
        rest = rest[cut:]
    pieces.append(rest)
    return pieces


def _fit(text: str, limit: int) -> int:
    """How many characters of `text` fit in `limit` UTF-16 units (never halving a character)."""
    used = 0
    for i, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            return i
    return len(text)
