"""The shown report as labelled tables, in the shape of an annual 実績 table: one per measure, each with its
title, column heads and rows, in the active locale. The CSV, the XLSX (a sheet each) and the console's tables
beside the charts are all these. Cells are the shown counts as they are (an int, or "<k")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.cases.handling import OUTCOMES as OUTCOME_LABELS
from dialogs.i18n import N_, gettext
from dialogs.steps import INTAKE
from dialogs.steps.opening import WRITER_LABELS
from dialogs.steps.people import AGE_BAND_LABELS
from dialogs.topics import topic_label

Cell = int | str | float | None
UNKNOWN = N_("不明")
CHANNELS = {"telegram": "Telegram", "line": "LINE", "webchat": N_("Webチャット")}
WEEKDAYS = (N_("月"), N_("火"), N_("水"), N_("木"), N_("金"), N_("土"), N_("日"))
WAITS = {"lt_1h": N_("1時間未満"), "1_4h": N_("1〜4時間"), "4_8h": N_("4〜8時間"), "8_24h": N_("8〜24時間"),
         "gt_24h": N_("24時間以上"), "none": N_("まだ返信なし")}
RELAY_ANSWERS = {"accepted": N_("受け入れ"), "declined": N_("見送り"), "offered": N_("回答待ち")}
MORE_OUTCOMES = {"erased": N_("消去（本人の求め）"), "open": N_("対応中")}
STEP_LABELS = {"welcome": N_("はじめのあいさつ"), "main_topic": N_("いちばん困っていること"), "review": N_("確認")}
COUNT = N_("件数")


@dataclass(frozen=True)
class Table:
    """One measure: a key (the JSON contract's), a title, column heads, and rows of a label and cells."""

    key: str
    title: str
    heads: tuple[str, ...]
    rows: tuple[tuple[str, tuple[Cell, ...]], ...]


def tables(shown: dict[str, Any]) -> list[Table]:
    """Every measure of a shown report as a table, in the order of the annual 実績."""
    return [
        _simple("cases", N_("相談件数"), shown["cases"], {
            "new": N_("新規"), "returning": N_("継続"), "total": N_("延べ件数"), "people": N_("実人数")}),
        _simple("by_writer", N_("相談者"), shown["by_writer"], {
            **WRITER_LABELS, "supporter": N_("支援者")}),
        _simple("by_channel", N_("経路"), shown["by_channel"], CHANNELS),
        _simple("by_main_topic", N_("主な相談内容"), shown["by_main_topic"], _topics(shown["by_main_topic"])),
        _simple("by_topic", N_("相談内容（複数回答）"), shown["by_topic"], _topics(shown["by_topic"])),
        _simple("by_age_band", N_("ご本人の年代"), shown["by_age_band"], AGE_BAND_LABELS),
        _simple("by_municipality", N_("区市町村"), shown["by_municipality"], {}),
        Table("by_hour_weekday", gettext(N_("受付の曜日と時刻")), (gettext(N_("曜日")), *map(str, range(24))),
              tuple((gettext(day), tuple(row)) for day, row in zip(WEEKDAYS, shown["by_hour_weekday"], strict=True))),
        Table("after_hours_share", gettext(N_("開所時間外に届いた割合")), (gettext(N_("区分")), gettext(N_("割合"))),
              ((gettext(N_("時間外")), (shown["after_hours_share"],)),)),
        _funnel(shown["funnel"]),
        Table("first_reply_buckets", gettext(N_("受付から最初の返信まで")),
              (gettext(N_("時間")), gettext(N_("全体")), gettext(N_("開所時間内に届いたもの"))),
              tuple((gettext(label), (shown["first_reply_buckets"]["overall"][key],
                                      shown["first_reply_buckets"]["office_hours"][key]))
                    for key, label in WAITS.items())),
        Table("crisis", gettext(N_("緊急（危険のサイン）")), (gettext(N_("区分")), gettext(COUNT)),
              ((gettext(N_("緊急の件数")), (shown["crisis"]["urgent"],)),
               *((gettext(N_("担当が決まるまで：")) + gettext(label), (shown["crisis"]["flag_to_claim"][key],))
                 for key, label in WAITS.items()))),
        Table("relays", gettext(N_("つなぎ先")),
              (gettext(N_("つないだ機関")), gettext(N_("つなぎ先")), *(gettext(v) for v in RELAY_ANSWERS.values())),
              tuple((row["from"], (row["to"], *(row[k] for k in RELAY_ANSWERS))) for row in shown["relays"])),
        _simple("outcomes", N_("終結時の結果"), shown["outcomes"], {**OUTCOME_LABELS, **MORE_OUTCOMES}),
        Table("by_outreach_link", gettext(N_("周知のリンクから来た最初の相談")),
              (gettext(N_("リンクの機関")), gettext(COUNT)),
              tuple((name, (n,)) for name, n in shown["by_outreach_link"].items())),
        Table("gatherings", gettext(N_("居場所・つどい")),
              (gettext(N_("つどい")), gettext(N_("「行ってみたい」")), gettext(N_("リマインダーの希望"))),
              tuple((row["gathering"], (row["interested"], row["reminders"])) for row in shown["gatherings"])),
    ]


def _simple(key: str, title: str, counts: dict[str, Cell], labels: dict[str, str]) -> Table:
    """A category and its count, 不明 last."""
    rows = tuple((gettext(UNKNOWN) if name == "unknown" else gettext(labels[name]) if name in labels else name,
                  (value,)) for name, value in counts.items())
    return Table(key, gettext(title), (gettext(N_("区分")), gettext(COUNT)), rows)


def _topics(counts: dict[str, Cell]) -> dict[str, str]:
    return {name: topic_label(name) for name in counts if name != "unknown"}


def _funnel(funnel: dict[str, Any]) -> Table:
    """Opened, consent answered, sent; then where the others stand or stopped, step by step."""
    labels = {step.name: step.label or STEP_LABELS.get(step.name, step.name) for step in INTAKE.steps}
    rows = [(gettext(N_("はじめた")), (funnel["opened"],)),
            (gettext(N_("同意に答えた")), (funnel["consent_answered"],)),
            (gettext(N_("相談員に届けた")), (funnel["handoff_sent"],))]
    rows += [(gettext(N_("止まった段階：")) + gettext(labels[step]), (n,)) for step, n in funnel["stopped"].items()]
    return Table("funnel", gettext(N_("受付の流れ")), (gettext(N_("段階")), gettext(N_("人数"))), tuple(rows))
