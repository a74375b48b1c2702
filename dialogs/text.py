"""Reading what people type: cleaning, matching words and buttons, numbers, phone numbers and municipalities."""

from __future__ import annotations

import re
import unicodedata

from dialogs.model import Choice
from dialogs.ruby import without_readings

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")
_TRAILING = "。．.！!？?、,〜~ 　"
_MARKS = re.compile(r"^(?:✓\s*)?(?:\d+\.\s*)?")


def clean(text: str) -> str:
    """Normalise to NFC, drop control and direction characters, trim white space."""
    return _CONTROL.sub("", unicodedata.normalize("NFC", text)).strip()


def fold(text: str) -> str:
    """A matching key: NFKC, lower case, no trailing punctuation or spaces."""
    return unicodedata.normalize("NFKC", text).lower().strip().rstrip(_TRAILING).strip()


def normalize_municipality(name: str) -> str:
    """Municipality names compare after NFKC and trimming (足立区 == 足立区 typed full-width)."""
    return unicodedata.normalize("NFKC", name).strip()


def match_typed(choices: tuple[Choice, ...], text: str) -> str | None:
    """The choice id a typed message picks: its number in the list, or its label."""
    key = fold(text)
    if key.isdigit():
        n = int(key)
        return choices[n - 1].id if 1 <= n <= len(choices) else None
    for choice in choices:
        if fold(_MARKS.sub("", without_readings(choice.label))) == key:
            return choice.id
    return None


def numbers(text: str) -> list[int] | None:
    """The numbers of a message made only of numbers ("1 3 15", "1、3、15"), else None."""
    tokens = [t for t in re.split(r"[\s,、，・/]+", unicodedata.normalize("NFKC", text)) if t]
    if not tokens or not all(t.isdigit() and len(t) <= 3 for t in tokens):
        return None
    return [int(t) for t in tokens]


def phone_number(text: str) -> tuple[str, bool] | None:
    """A Japanese phone number as (digits with hyphens kept as typed, is_mobile), or None."""
    typed = unicodedata.normalize("NFKC", text).strip()
    typed = typed.replace("ー", "-").replace("−", "-").replace("‐", "-")
    digits = re.sub(r"[\s\-()]", "", typed)
    if digits.startswith("+81"):
        digits = "0" + digits[3:]
    if not re.fullmatch(r"0\d{9,10}", digits):
        return None
    shown = typed if re.fullmatch(r"[\d\-() +]+", typed) else digits
    return shown, digits[:3] in ("070", "080", "090", "060")
