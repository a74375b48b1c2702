"""Outreach materials for supervisors and admins in the console, and operators at the command line: an agency's
poster or card in a language, previewed as HTML or downloaded as PDF or PNG. A supervisor prints only their own
agency's; every preview and download is audited (what was printed, never anything personal)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.cases.actor import ADMIN, SUPERVISING, Actor, record, require
from bot.cases.errors import Invalid, NotFound, Refused
from bot.clock import Clock, utcnow
from bot.outreach.links import channel_links
from bot.outreach.material import SIZES, render_material
from bot.outreach.printing import FORMATS, NoBrowser, Overflow, chromium_path, print_material
from bot.safety.contacts import Contact
from bot.settings import Settings
from dialogs.i18n import N_, SUPPORTED_LOCALES
from storage.records import Agency
from storage.uow import UnitOfWork

CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "html": "text/html; charset=utf-8"}


@dataclass(frozen=True)
class Order:
    """What to print: the agency (by id), the size, the language, and the format (html for a preview)."""

    agency_id: int
    size: str
    language: str
    format: str = "html"

    def check(self) -> None:
        """Invalid unless every part is one on offer (the language one with a catalog)."""
        if self.size not in SIZES:
            raise Invalid(f"The size must be one of {', '.join(SIZES)}.", N_("大きさを選んでください。"))
        if self.language not in SUPPORTED_LOCALES:
            raise Invalid(f"The language must be one of {', '.join(SUPPORTED_LOCALES)}.",
                          N_("言語を選んでください。"))
        if self.format not in (*FORMATS, "html"):
            raise Invalid(f"The format must be one of {', '.join(FORMATS)}.", N_("形式を選んでください。"))

    def filename(self, agency: Agency) -> str:
        """The downloaded file's name (ASCII: the agency by its code)."""
        return f"tsunagu-{self.size}-{agency.code or agency.id}-{self.language}.{self.format}"


class Outreach:
    """Posters and cards, from the running configuration."""

    def __init__(self, uow: Callable[[], UnitOfWork], settings: Settings, contacts: tuple[Contact, ...],
                 clock: Clock = utcnow) -> None:
        self._uow = uow
        self._settings = settings
        self._contacts = contacts
        self._clock = clock

    def agencies(self, actor: Actor) -> list[Agency]:
        """The agencies the actor may print for: a supervisor's own, every one for an admin or operator."""
        require(actor, SUPERVISING)
        with self._uow() as uow:
            if actor.operator or actor.role == ADMIN:
                return uow.agencies.all()
            agency = uow.agencies.get(actor.agency_id) if actor.agency_id is not None else None
            return [agency] if agency else []

    def agency_named(self, actor: Actor, name: str) -> Agency:
        """One of the actor's agencies by name (NotFound for any other)."""
        found = next((a for a in self.agencies(actor) if a.name == name.strip()), None)
        if found is None:
            raise NotFound(f"No agency is named {name!r}.", N_("機関を選んでください。"))
        return found

    def first_contacts(self, actor: Actor) -> dict[int, int]:
        """How many conversations began by each of the actor's agencies' links (counts only)."""
        allowed = {a.id for a in self.agencies(actor)}
        with self._uow() as uow:
            counts = uow.agencies.first_contacts()
        return {agency_id: n for agency_id, n in counts.items() if agency_id in allowed}

    def preview(self, actor: Actor, order: Order) -> str:
        """The material as HTML (audited as a preview)."""
        agency = self._scoped(actor, order)
        html = self._html(agency, order)
        self._record(actor, "outreach_preview", agency, order)
        return html

    def download(self, actor: Actor, order: Order) -> tuple[bytes, str]:
        """The material printed as PDF or PNG, and its file name (audited as a download). A blocking call."""
        agency = self._scoped(actor, order)
        if order.format == "html":
            raise Invalid(f"The format must be one of {', '.join(FORMATS)}.", N_("形式を選んでください。"))
        try:
            data = print_material(self._html(agency, order), SIZES[order.size], order.format,
                                  chromium_path(self._settings.env))
        except NoBrowser as exc:
            raise Refused(str(exc), N_("印刷にはChromiumが必要です。管理者に連絡してください。")) from exc
        except Overflow as exc:
            raise Invalid(f"{exc} Print the poster, or shorten the agency's name.",
                          N_("入りきりません。ポスターを選ぶか、機関名を短くしてください。")) from exc
        self._record(actor, "outreach_download", agency, order)
        return data, order.filename(agency)

    def _scoped(self, actor: Actor, order: Order) -> Agency:
        """The order's agency when the actor may print for it (Forbidden, NotFound), once the order is valid."""
        agency = next((a for a in self.agencies(actor) if a.id == order.agency_id), None)
        if agency is None:
            raise NotFound(f"No agency has the id {order.agency_id}.", N_("機関を選んでください。"))
        order.check()
        return agency

    def _html(self, agency: Agency, order: Order) -> str:
        return render_material(agency, channel_links(self._settings, agency.code), self._contacts,
                               SIZES[order.size], order.language, self._settings.timezone)

    def _record(self, actor: Actor, action: str, agency: Agency, order: Order) -> None:
        with self._uow() as uow:
            record(uow, actor, action, self._clock(), str(agency.id),
                   f"size={order.size} language={order.language} format={order.format}", agency.id)
            uow.commit()
