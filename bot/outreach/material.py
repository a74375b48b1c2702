"""A poster or a card as HTML, in one language: what the service is, that no name is needed, who may write,
when counselors read (the agency's hours), the 24-hour crisis lines, and a QR code with a short link for each
channel that is set up. QR codes are SVG from segno, inline."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

import segno

from bot.outreach.links import ChannelLink
from bot.safety.care import agency_hours
from bot.safety.contacts import Contact, always_open, schedule_text
from bot.web import render_page
from dialogs.i18n import N_, use_locale
from dialogs.i18n import gettext as _
from storage.records import Agency

CHANNEL_NAMES = {"line": N_("LINE"), "telegram": N_("Telegram"), "webchat": N_("Webチャット")}


@dataclass(frozen=True)
class Size:
    """A printed size: its page in millimetres, and the pixel scale of its PNG (CSS pixels are 1/96 inch)."""

    name: str
    width_mm: float
    height_mm: float
    scale: int

    @property
    def viewport(self) -> tuple[int, int]:
        """The page in CSS pixels."""
        return round(self.width_mm * 96 / 25.4), round(self.height_mm * 96 / 25.4)


SIZES = {"poster": Size("poster", 210, 297, 2), "card": Size("card", 91, 55, 4)}  # A4; a Japanese 名刺


@dataclass(frozen=True)
class Shown:
    """One channel as printed: its name in the language, its short link and its QR code (SVG)."""

    name: str
    short: str
    url: str
    qr: str


def qr_svg(url: str) -> str:
    """The URL as an inline SVG QR code (error correction M, a quiet zone of four modules)."""
    return str(segno.make(url, error="m", micro=False).svg_inline(scale=1, omitsize=True, border=4))


def hours_text(agency: Agency, zone: ZoneInfo) -> str:
    """When the agency's counselors read, in the active language (holidays and the year-end break said)."""
    hours = agency_hours(agency, zone)
    text = schedule_text(hours)
    if hours.always or hours.open_on_holidays:
        return text
    return _("{schedule}（祝日・年末年始はお休み）").format(schedule=text)


def render_material(agency: Agency, links: list[ChannelLink], contacts: tuple[Contact, ...], size: Size,
                    locale: str, zone: ZoneInfo) -> str:
    """The poster or card of an agency in a language, as a page Chromium prints."""
    with use_locale(locale):
        shown = [Shown(_(CHANNEL_NAMES[link.channel]), link.short, link.url, qr_svg(link.url)) for link in links]
        lines = [(c.label(locale), c.number) for c in always_open(contacts)]
        hours = hours_text(agency, zone)
    return render_page(f"outreach/{size.name}.html", locale, agency=agency.name, links=shown, crisis=lines,
                       hours=hours, size=size)
