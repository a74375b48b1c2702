"""The catalogs: there is one for every language on offer (the source aside) and a language on offer for every
catalog; each has every message in the code, translated, none fuzzy. And what follows from the language table
(dialogs/i18n.py LANGUAGES) holds for every language in it: its words switch to it, the language question offers
it, the help in the other languages names it."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from dialogs.i18n import LANGUAGES, SOURCE_LOCALE, SUPPORTED_LOCALES, Language, use_locale
from dialogs.i18n import gettext as _
from tests.unit.transcript import Chat

ROOT = Path(__file__).resolve().parents[2]
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "say": (2,)}
CATALOGS = sorted((ROOT / "locales").glob("*/LC_MESSAGES/messages.po"))


def source_messages() -> set[str]:
    found: set[str] = set()
    for folder in ("bot", "dialogs"):
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            ROOT / folder, METHODS, keywords=KEYWORDS,
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_language_on_offer_has_a_catalog_and_every_catalog_a_language() -> None:
    catalogs = {path.parts[-3] for path in CATALOGS}
    assert catalogs, "no catalog under locales/"
    assert catalogs == set(SUPPORTED_LOCALES) - {SOURCE_LOCALE}


@pytest.mark.parametrize("path", CATALOGS, ids=lambda path: path.parts[-3])
def test_every_catalog_is_complete_and_not_fuzzy(path: Path) -> None:
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=path.parts[-3])
    entries = {m.id: m for m in catalog if m.id}
    missing = sorted(source_messages() - set(entries))
    assert not missing, f"not in the {path.parts[-3]} catalog (run `make i18n-update`): {missing[:5]}"
    untranslated = [m.id for m in entries.values() if not m.string]
    fuzzy = [m.id for m in entries.values() if m.fuzzy]
    assert not untranslated, untranslated[:5]
    assert not fuzzy, fuzzy[:5]
    assert len(entries) > 150


@pytest.mark.parametrize("language", LANGUAGES, ids=lambda language: language.code)
def test_a_language_in_the_table_is_on_offer_everywhere(language: Language) -> None:
    code = language.code
    for word in language.words:
        chat = Chat()
        chat.walk_to("who")
        chat.say(word)
        assert chat.conv.locale == code, word
        assert chat.conv.state == "who", "the question again, in the new language"
    chat = Chat()
    chat.walk_to("who")
    chat.say("言語")
    assert f"language:{language.action}" in chat.offered()
    chat.press(f"language:{language.action}")
    assert chat.conv.locale == code
    for other in SUPPORTED_LOCALES:
        if other != code:
            chat.press(f"*:{next(lang.action for lang in LANGUAGES if lang.code == other)}")
            chat.say("ヘルプ" if other == "ja" else "help")
            with use_locale(other):
                line = _(language.help)
            assert line in chat.replies[-2].text, (other, line)
