"""Gettext for the dialog: the active locale lives in a ContextVar, set at the start of every update."""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po


def N_(message: str) -> str:
    """Mark a message for extraction; translated later, where it is shown."""
    return message


@dataclass(frozen=True)
class Language:
    """A language people can chat in: its code (a catalog in locales/<code>, except the source), its name in
    itself (its button), the words that switch to it, its line in the help text, and how a moment is written
    in it (a Babel pattern: when counselors will read)."""

    code: str
    name: str
    words: tuple[str, ...]
    help: str
    moment: str

    @property
    def action(self) -> str:
        """The command that switches to it, as a button value (`lang_ja_easy`: no @ in a choice id)."""
        return "lang_" + self.code.replace("@", "_")


# やさしい日本語 (easy Japanese, after the 在留支援のためのやさしい日本語ガイドライン): a POSIX modifier on ja, as
# sr@latin is on sr. Babel parses it (Locale('ja', modifier='easy'): dates as in ja), pybabel keeps its catalog in
# locales/ja@easy, and it fits the conversation's String(8) locale column. A private territory (ja_EZ) is refused
# by Babel, and a script subtag (ja_Hira) would claim the text is written in kana only, which it is not.
EASY = "ja@easy"

# The languages on offer, the source first. Adding one here (and its catalog) is all a language needs: the
# language buttons (chat and web chat page), the words that switch to it, the help line, TSUNAGU_DEFAULT_LOCALE,
# the Telegram menu and the way moments are written follow from this table.
LANGUAGES: tuple[Language, ...] = (
    Language("ja", "日本語", ("日本語", "にほんご", "japanese"), N_("「日本語」日本語に切りかえる"), "M月d日（E）H:mm"),
    Language("en", "English", ("english", "英語", "えいご"), N_("「English」英語に切りかえる"), "EEE d MMM, H:mm"),
    Language(EASY, "やさしい にほんご", ("やさしい日本語", "やさしいにほんご", "やさしい にほんご", "easy japanese"),
             N_("「やさしい日本語」やさしい日本語に切りかえる"), "M月d日（E）H:mm"),
)
SOURCE_LOCALE = LANGUAGES[0].code
SUPPORTED_LOCALES: tuple[str, ...] = tuple(language.code for language in LANGUAGES)
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"

_current: ContextVar[str] = ContextVar("tsunagu_locale", default=SOURCE_LOCALE)


def normalize_locale(hint: str | None, default: str = SOURCE_LOCALE) -> str:
    """Map a platform hint such as 'en-US' or 'ja_JP' to a supported locale."""
    if not hint:
        return default
    base = hint.replace("_", "-").split("-")[0].lower()
    return base if base in SUPPORTED_LOCALES else default


@cache
def translations(locale: str) -> _gettext.NullTranslations:
    """The catalog of one locale: the compiled .mo when present, else the .po compiled in memory."""
    if locale == SOURCE_LOCALE:
        return _gettext.NullTranslations()
    folder = LOCALES_DIR / locale / "LC_MESSAGES"
    mo_path = folder / f"{DOMAIN}.mo"
    po_path = folder / f"{DOMAIN}.po"
    if mo_path.exists() and (not po_path.exists() or mo_path.stat().st_mtime >= po_path.stat().st_mtime):
        with mo_path.open("rb") as fh:
            return _gettext.GNUTranslations(fh)
    if po_path.exists():
        import io

        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        buf = io.BytesIO()
        write_mo(buf, catalog)
        buf.seek(0)
        return _gettext.GNUTranslations(buf)
    return _gettext.NullTranslations()


def current_locale() -> str:
    """The locale of the update being handled."""
    return _current.get()


@contextmanager
def use_locale(locale: str) -> Iterator[None]:
    """Run a block with a locale active."""
    token = _current.set(normalize_locale(locale))
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    """Translate a message into the active locale."""
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a message with a count."""
    return translations(_current.get()).ngettext(singular, plural, n)


_ = gettext
