"""The つなぐシート as a printable HTML page: 和暦 dates, ○ on chosen topics, ◎ on the main one."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.web import render_page
from dialogs.i18n import N_, use_locale
from dialogs.i18n import gettext as _
from dialogs.prompts import (
    AGE_BAND_LABELS,
    CONTACT_LABELS,
    GENDER_LABELS,
    WRITER_LABELS,
    label,
)
from dialogs.topics import TOPIC_IDS, topic_label
from dialogs.wareki import PartialDate, age_on, format_partial_wareki, format_wareki


def topic_marks(sheet: dict[str, Any]) -> list[dict[str, str]]:
    """The 19 topics in the form's order, each with ◎, ○ or nothing."""
    chosen = set(sheet.get("topics") or [])
    main = sheet.get("main_topic")
    return [
        {"id": t, "label": topic_label(t), "mark": "◎" if t == main else ("○" if t in chosen else "")}
        for t in TOPIC_IDS
    ]


def _birth(person: dict[str, Any], today: date) -> str:
    if person.get("birth_date"):
        birth = PartialDate.from_iso(person["birth_date"])
        age = age_on(birth, today)
        text = format_partial_wareki(birth)
        return text + (_("（{age}歳）").format(age=age) if age is not None else "")
    if person.get("age_band"):
        return label(AGE_BAND_LABELS, person["age_band"])
    return ""


def view(sheet: dict[str, Any], today: date) -> dict[str, Any]:
    """The values the template prints, already formatted."""
    person = sheet.get("person") or {}
    contact = sheet.get("contact") or {}
    received = datetime.fromisoformat(sheet["received_at"]) if sheet.get("received_at") else None
    return {
        "id": sheet.get("id", ""),
        "received": format_wareki(received.date()) if received else "",
        "received_by": sheet.get("received_by") or _("つなぐ（自動受付）"),
        "agency": sheet.get("agency", ""),
        "urgent": sheet.get("priority") == "urgent",
        "consent": (sheet.get("consent") or {}).get("share_with_agencies"),
        "consent_version": (sheet.get("consent") or {}).get("text_version") or "",
        "writer": label(WRITER_LABELS, sheet["writer"]) if sheet.get("writer") else "",
        "person": person,
        "gender": label(GENDER_LABELS, person["gender"]) if person.get("gender") else "",
        "birth": _birth(person, today),
        "registrant": sheet.get("registrant") or {},
        "topics": topic_marks(sheet),
        "details": sheet.get("details") or "",
        "wishes": sheet.get("wishes") or "",
        "contact": label(CONTACT_LABELS, contact["method"]) if contact.get("method") else "",
        "contact_times": contact.get("times") or "",
        "channel": sheet.get("channel", ""),
        "erased": bool(sheet.get("erased")),
        "withdrawn": _withdrawn(sheet),
        "signals": "・".join(signal_labels(sheet)),
        "danger_basis": sheet.get("basis") == "danger_to_life",
        "relays": [_relay(r) for r in sheet.get("relays") or []],
    }


SIGNAL_LABELS = {"suicide": N_("自殺・自傷"), "violence": N_("暴力・虐待"), "medical": N_("急病・けが")}


def signal_labels(sheet: dict[str, Any]) -> list[str]:
    """The danger signals the sheet carries, as words."""
    signals = (sheet.get("risk") or {}).get("signals") or []
    return [_(SIGNAL_LABELS[s]) for s in signals if s in SIGNAL_LABELS]


RELAY_STATUS = {"offered": N_("返事待ち"), "accepted": N_("受け入れ"), "declined": N_("見送り")}


def _withdrawn(sheet: dict[str, Any]) -> str:
    """The 和暦 date consent was last withdrawn, or empty."""
    stamps = [r["withdrawn_at"] for r in sheet.get("consent_records") or [] if r.get("withdrawn_at")]
    return format_wareki(datetime.fromisoformat(max(stamps)).date()) if stamps else ""


def _relay(relay: dict[str, Any]) -> dict[str, Any]:
    """One line of the relay chain, as the paper form's relay boxes: date, agencies, counselor, note."""
    return {**relay, "date": format_wareki(datetime.fromisoformat(relay["at"]).date()),
            "status": _(RELAY_STATUS.get(relay["status"], relay["status"]))}


def render_sheet(sheet: dict[str, Any], today: date, locale: str = "ja") -> str:
    """The printable page."""
    with use_locale(locale):
        return render_page("sheet.html", locale, s=view(sheet, today))
