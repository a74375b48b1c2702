"""The つなぐシート as a printable HTML page: the answers as the intake's steps print them (和暦, ○ and ◎), the
consent box, the relay record; dates in the people's time zone."""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Any

from bot.clock import JAPAN, local
from bot.web import render_page
from dialogs.i18n import N_, use_locale
from dialogs.i18n import gettext as _
from dialogs.model import Sheet
from dialogs.steps import INTAKE
from dialogs.wareki import format_wareki

SIGNAL_LABELS = {"suicide": N_("自殺・自傷"), "violence": N_("暴力・虐待"), "medical": N_("急病・けが")}
RELAY_STATUS = {"offered": N_("返事待ち"), "accepted": N_("受け入れ"), "declined": N_("見送り")}


def view(sheet: dict[str, Any], today: date, zone: tzinfo = JAPAN) -> dict[str, Any]:
    """The values the template prints, already formatted: each step's answers, then the case's own."""
    withdrawn = [r["withdrawn_at"] for r in sheet.get("consent_records") or [] if r.get("withdrawn_at")]
    return {
        **INTAKE.printed(Sheet.from_dict(sheet), today),
        "id": sheet.get("id", ""),
        "received": _wareki(sheet.get("received_at"), zone),
        "received_by": sheet.get("received_by") or _("つなぐ（自動受付）"),
        "agency": sheet.get("agency", ""),
        "urgent": sheet.get("priority") == "urgent",
        "channel": sheet.get("channel", ""),
        "erased": bool(sheet.get("erased")),
        "withdrawn": _wareki(max(withdrawn), zone) if withdrawn else "",
        "signals": "・".join(signal_labels(sheet)),
        "danger_basis": sheet.get("basis") == "danger_to_life",
        "relays": [{**r, "date": _wareki(r["at"], zone), "status": _(RELAY_STATUS.get(r["status"], r["status"]))}
                   for r in sheet.get("relays") or []],
    }


def _wareki(stamp: str | None, zone: tzinfo) -> str:
    """An exported moment (ISO 8601) as the people's date in 和暦, or empty."""
    return format_wareki(local(datetime.fromisoformat(stamp), zone).date()) if stamp else ""


def signal_labels(sheet: dict[str, Any]) -> list[str]:
    """The danger signals the sheet carries, as words."""
    signals = (sheet.get("risk") or {}).get("signals") or []
    return [_(SIGNAL_LABELS[s]) for s in signals if s in SIGNAL_LABELS]


def render_sheet(sheet: dict[str, Any], today: date, locale: str = "ja", zone: tzinfo = JAPAN) -> str:
    """The printable page."""
    with use_locale(locale):
        return render_page("sheet.html", locale, s=view(sheet, today, zone))
