"""Posters and cards printed by the real Chromium: every QR code in the PNG decodes (zxing-cpp) to a configured
URL, and the PDF is one page of the right size whose text holds the agency's hours and the crisis lines."""

from __future__ import annotations

import io
import shutil
import unicodedata
from zoneinfo import ZoneInfo

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from bot.outreach.links import ChannelLink, channel_links
from bot.outreach.material import SIZES, hours_text, render_material
from bot.outreach.printing import Overflow, print_material
from bot.safety.contacts import always_open, load_contacts
from bot.settings import Settings
from dialogs.i18n import use_locale
from storage.records import Agency

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
TOKYO = ZoneInfo("Asia/Tokyo")
AGENCY = Agency(7, "ひだまり相談室", False, ("足立区",), "mon-fri 10:00-18:00, sat 10:00-12:00", "k7m2qp")
ALL = Settings.load({"TSUNAGU_PUBLIC_URL": "https://tsunagu.example.jp", "LINE_CHANNEL_SECRET": "s",
                     "LINE_CHANNEL_ACCESS_TOKEN": "t", "LINE_FRIEND_URL": "https://lin.ee/AbCd123",
                     "TELEGRAM_BOT_TOKEN": "1:x", "TELEGRAM_MODE": "polling", "TELEGRAM_BOT_USERNAME": "tsunagu_bot"})
MM = 72 / 25.4  # PDF points per millimetre


def printed(links: list[ChannelLink], size: str, locale: str, fmt: str) -> bytes:
    html = render_material(AGENCY, links, load_contacts(), SIZES[size], locale, TOKYO)
    assert CHROMIUM is not None
    return print_material(html, SIZES[size], fmt, CHROMIUM)


def plain(text: str) -> str:
    """Letters and digits only, NFKC: a PDF's text maps some glyphs to look-alikes (⼿ for 手, ‒ for –)."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if unicodedata.category(ch)[0] in "LN")


def decoded(png: bytes) -> set[str]:
    return {code.text for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))}


@pytest.mark.parametrize("size", ["poster", "card"])
def test_every_qr_code_in_the_png_opens_a_configured_channel(size: str) -> None:
    links = channel_links(ALL, AGENCY.code)
    png = printed(links, size, "ja", "png")
    assert decoded(png) == {"https://lin.ee/AbCd123", "https://t.me/tsunagu_bot",
                            "https://tsunagu.example.jp/chat?a=k7m2qp"}
    width, height = Image.open(io.BytesIO(png)).size
    assert (width, height) == tuple(n * SIZES[size].scale for n in SIZES[size].viewport)


def test_a_channel_that_is_not_set_up_has_no_qr_code() -> None:
    links = channel_links(Settings.load({"TSUNAGU_PUBLIC_URL": "https://tsunagu.example.jp"}), AGENCY.code)
    assert decoded(printed(links, "card", "en", "png")) == {"https://tsunagu.example.jp/chat?a=k7m2qp"}


@pytest.mark.parametrize(("size", "locale"), [("poster", "ja"), ("card", "en")])
def test_the_pdf_is_one_page_of_its_size_with_the_hours_and_the_crisis_lines(size: str, locale: str) -> None:
    reader = PdfReader(io.BytesIO(printed(channel_links(ALL, AGENCY.code), size, locale, "pdf")))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(SIZES[size].width_mm * MM, abs=1.5)
    assert float(box.height) == pytest.approx(SIZES[size].height_mm * MM, abs=1.5)
    text = plain(reader.pages[0].extract_text())
    with use_locale(locale):
        hours = hours_text(AGENCY, TOKYO)
    for expected in [hours, AGENCY.name, *(c.number for c in always_open(load_contacts()))]:
        assert plain(expected) in text, expected


def test_what_does_not_fit_its_page_is_refused_rather_than_cut_off() -> None:
    long_name = Agency(8, "ひきこもり地域支援センター" * 14, False, (), None, "k7m2qp")
    html = render_material(long_name, channel_links(ALL, "k7m2qp"), load_contacts(), SIZES["card"], "ja", TOKYO)
    assert CHROMIUM is not None
    with pytest.raises(Overflow, match="card cannot hold"):
        print_material(html, SIZES["card"], "png", CHROMIUM)


@pytest.mark.parametrize("size", ["poster", "card"])
def test_easy_japanese_material_fits_one_page_with_readings_as_ruby(size: str) -> None:
    html = render_material(AGENCY, channel_links(ALL, AGENCY.code), load_contacts(), SIZES[size], "ja@easy", TOKYO)
    assert "<ruby>" in html and "《" not in html, "readings are ruby, never the marks"
    reader = PdfReader(io.BytesIO(printed(channel_links(ALL, AGENCY.code), size, "ja@easy", "pdf")))
    assert len(reader.pages) == 1
    text = plain(reader.pages[0].extract_text())
    for number in [c.number for c in always_open(load_contacts())]:
        assert plain(number) in text, number
