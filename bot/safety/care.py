"""What the bot adds for safety in the turn itself: the crisis contacts (open ones first) when a message
signals danger, and an honest word when counselors are away, said once per closed period."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from bot.safety.contacts import Contact, always_open, contact_lines, for_danger
from bot.safety.hours import DEFAULT_HOURS, TOKYO, Hours, parse_hours
from bot.safety.resources import Resource, fitting, offer_text
from dialogs.i18n import LANGUAGES, SOURCE_LOCALE, use_locale
from dialogs.i18n import gettext as _
from dialogs.model import Choice, Reply, Sheet
from storage.records import Agency

WHEN = {language.code: language.moment for language in LANGUAGES}


def agency_hours(agency: Agency | None, zone: ZoneInfo = TOKYO) -> Hours:
    """The agency's opening hours in the people's time zone (the default ones when it has none, or unreadable
    ones)."""
    try:
        if agency is not None and agency.hours:
            return parse_hours(agency.hours, zone=zone)
    except ValueError:
        pass
    return replace(DEFAULT_HOURS, zone=zone)


def when(at: datetime, hours: Hours, locale: str) -> str:
    """A moment as people read it, in the agency's time zone."""
    return format_datetime(at.astimezone(hours.zone), WHEN.get(locale, WHEN[SOURCE_LOCALE]), locale=locale)


@dataclass(frozen=True)
class Away:
    """Counselors are away until `until` (None: not within three weeks)."""

    until: datetime | None


def away(hours: Hours, at: datetime) -> Away | None:
    """None while counselors are in; else until when they are away."""
    return None if hours.is_open(at) else Away(hours.next_open(at))


class Care:
    """Crisis and after-hours replies from the operators' contacts; local resources from their directory."""

    def __init__(self, contacts: tuple[Contact, ...], resources: tuple[Resource, ...] = ()) -> None:
        self.contacts = contacts
        self.resources = resources

    def fitting(self, sheet: Sheet) -> list[Resource]:
        """The resources that fit the sheet's topics and municipality."""
        return fitting(self.resources, sheet.topics, sheet.main_topic, sheet.person.municipality)

    def resource_offer(self, sheet: Sheet, locale: str) -> Reply | None:
        """After the handoff: a button to see fitting resources, when there are any."""
        if not self.fitting(sheet):
            return None
        with use_locale(locale):
            return Reply(_("お住まいの地域や選んだことに合う相談先もあります。よければ見てください。"),
                         (Choice("handed_off:resources", _("相談先を見る")),))

    def resource_list(self, sheet: Sheet, locale: str) -> Reply:
        """The fitting resources, or a word that none is listed."""
        found = self.fitting(sheet)
        with use_locale(locale):
            if not found:
                return Reply(_("いまは、合う相談先の情報がありません。相談員がいっしょに探します。"))
            return Reply(offer_text(found))

    def crisis_reply(self, categories: frozenset[str], hours: Hours, at: datetime, locale: str) -> Reply:
        """Where to turn now, the lines open now first; whether counselors are in or when they will read."""
        with use_locale(locale):
            gone = away(hours, at)
            if gone is None:
                first = _("相談員にも、すぐに知らせました。")
            elif gone.until is None:
                first = _("いまは相談員の受付時間外です。")
            else:
                first = _("いまは相談員の受付時間外です。相談員が読むのは{when}ごろです。").format(
                    when=when(gone.until, hours, locale))
            lines = contact_lines(for_danger(self.contacts, categories, at), at, locale)
            heading = _("いま話せる窓口：")
            return Reply(f"{first}\n{heading}\n{lines}")

    def contacts_reply(self, at: datetime, locale: str) -> Reply:
        """Where to turn now, asked for (no danger was read): the lines open now first."""
        with use_locale(locale):
            every = frozenset().union(*(c.categories for c in self.contacts))
            lines = contact_lines(for_danger(self.contacts, every, at), at, locale)
            heading, after = _("いま話せる窓口："), _("ここに書いても大丈夫です。相談員が読みます。")
            return Reply(f"{heading}\n{lines}\n{after}")

    def after_hours_reply(self, hours: Hours, at: datetime, locale: str) -> Reply | None:
        """When counselors will read, and the 24-hour lines; None while counselors are in."""
        gone = away(hours, at)
        if gone is None:
            return None
        with use_locale(locale):
            if gone.until is None:
                first = _("いまは相談員の受付時間外です。")
            else:
                first = _("いまは相談員の受付時間外です。相談員が読むのは{when}ごろです。").format(
                    when=when(gone.until, hours, locale))
            lines = contact_lines(always_open(self.contacts), at, locale)
            heading = _("急ぐときは、24時間話せる窓口があります：")
            return Reply(f"{first}\n{heading}\n{lines}")
