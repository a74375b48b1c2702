"""The catalogs: every message in the code is in `en`, translated, and none is fuzzy."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "say": (2,)}


def source_messages() -> set[str]:
    found: set[str] = set()
    for folder in ("bot", "dialogs"):
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            ROOT / folder, METHODS, keywords=KEYWORDS,
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_english_is_complete_and_not_fuzzy() -> None:
    with (ROOT / "locales" / "en" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale="en")
    entries = {m.id: m for m in catalog if m.id}
    missing = sorted(source_messages() - set(entries))
    assert not missing, f"not in the en catalog (run `make i18n-update`): {missing[:5]}"
    untranslated = [m.id for m in entries.values() if not m.string]
    fuzzy = [m.id for m in entries.values() if m.fuzzy]
    assert not untranslated, untranslated[:5]
    assert not fuzzy, fuzzy[:5]
    assert len(entries) > 150
