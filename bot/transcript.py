"""A conversation's thread for counselors: each message as text or JSON, saying plainly when the
person sent something (a sticker, a photo) that cannot be shown."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from bot.clock import iso, shown
from dialogs.i18n import N_
from dialogs.i18n import gettext as _
from dialogs.ruby import parenthesized
from storage.records import TranscriptEntry

AUTHORS = {"person": N_("本人・家族"), "bot": N_("つなぐ"), "counselor": N_("相談員")}
KINDS = {"sticker": N_("スタンプ"), "image": N_("画像"), "video": N_("動画"), "audio": N_("音声"),
         "file": N_("ファイル"), "location": N_("位置情報"), "contact": N_("連絡先")}


def describe(body: dict[str, Any], labels: dict[str, str] | None = None) -> str:
    """One message as a line of text; a pressed button shows its label when `labels` knows it."""
    if body.get("text") is not None:
        return str(body["text"])
    if body.get("choice"):
        choice = str(body["choice"])
        return _("［ボタン：{choice}］").format(choice=(labels or {}).get(choice, choice))
    kind = body.get("kind") or "other"
    if kind == "open":
        return _("［会話を開きました］")
    label = _(KINDS[kind]) if kind in KINDS else _("メッセージ")
    return _("［{kind}が送られました。ここでは表示できません］").format(kind=label)


def describe_thread(entries: list[TranscriptEntry]) -> list[str]:
    """Every message as text, each pressed button by the label the person saw on it."""
    labels: dict[str, str] = {}
    described = []
    for entry in entries:
        for choice in entry.body.get("choices") or []:
            labels[str(choice.get("id"))] = parenthesized(str(choice.get("label")))
        text = describe(entry.body, labels)
        described.append(parenthesized(text) if entry.author == "bot" else text)
    return described


def to_json(entry: TranscriptEntry, zone: tzinfo) -> dict[str, Any]:
    """One message for `tsunagu thread --json` (its moment in the people's time zone)."""
    text = describe(entry.body)
    return {"id": entry.id, "at": iso(entry.created_at, zone), "direction": entry.direction,
            "from": entry.author, "text": parenthesized(text) if entry.author == "bot" else text,
            "kind": entry.body.get("kind"), "delivered": entry.delivered}


def render_text(entries: list[TranscriptEntry], zone: tzinfo) -> str:
    """The thread, one message per block, oldest first, times in the people's time zone."""
    lines = []
    for entry, text in zip(entries, describe_thread(entries), strict=True):
        author = _(AUTHORS[entry.author]) if entry.author in AUTHORS else entry.author
        state = "" if entry.delivered else _("（未配信）")
        lines.append(f"[{shown(entry.created_at, zone)}] {author}{state}: {text}")
    return "\n".join(lines)
