"""`tsunagu stats`: the JSON contract's keys, CSV with a BOM, XLSX with a sheet per table, every export audited;
a bad date or an unknown agency gets exit 2 and one sentence."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.bootstrap import Container
from tests.clock import TestClock
from tests.integration.console_kit import MACHIDA, container
from tests.integration.stats_kit import FIRST, LAST, gatherings_file, world
from tests.integration.test_cli_cases import Run, cli
from tests.stats_checks import assert_protected, leaves

__all__ = ["cli", "container"]
KEYS = {"from", "to", "min_cell", "cases", "by_writer", "by_channel", "by_topic", "by_main_topic", "by_age_band",
        "by_municipality", "by_hour_weekday", "after_hours_share", "funnel", "first_reply_buckets", "relays",
        "outcomes", "crisis", "by_outreach_link", "gatherings"}


@pytest.fixture
def seeded(container: Container, clock: TestClock) -> Container:
    """The hand-counted world of tests/integration/stats_kit.py."""
    world(container, clock)
    return container


def test_json_keeps_the_contract(seeded: Container, cli: Run) -> None:
    code, out, err = cli("stats", "--from", FIRST, "--to", LAST, "--format", "json")
    assert (code, err) == (0, "")
    shown = json.loads(out)
    assert set(shown) == KEYS
    assert (shown["from"], shown["to"], shown["min_cell"]) == (FIRST, LAST, 5)
    assert set(shown["cases"]) == {"new", "returning", "people", "total"}
    assert set(shown["by_writer"]) == {"self", "family", "supporter", "unknown"}
    assert set(shown["by_channel"]) == {"telegram", "line", "webchat"}
    assert len(shown["by_topic"]) == len(shown["by_main_topic"]) == 20
    assert [len(row) for row in shown["by_hour_weekday"]] == [24] * 7
    assert shown["cases"] == {"new": "<5", "returning": "<5", "people": 5, "total": 6}
    counts = {k: v for k, v in shown.items() if k not in ("from", "to", "after_hours_share", "relays", "gatherings")}
    assert all(isinstance(v, int) or v == "<5" for v in leaves(counts))
    assert all(isinstance(row[k], int) or row[k] == "<5" for row in shown["relays"] for k in row
               if k not in ("from", "to"))
    assert all(isinstance(row[k], int) or row[k] == "<5" for row in shown["gatherings"] for k in row
               if k != "gathering")
    assert_protected(shown, {**shown, "after_hours": {"outside": 0, "inside": 0, "unknown": 0}})
    with seeded.uow() as uow:
        entries = uow.audit.search(None, "operator", "export_stats", None, None, None, None, 5)
    assert [e.detail for e in entries] == [f"from={FIRST} to={LAST} agency=* format=json"]


def test_csv_has_a_bom_and_every_table(seeded: Container, cli: Run, tmp_path: Path) -> None:
    target = tmp_path / "jisseki.csv"
    code, _, err = cli("stats", "--from", FIRST, "--to", LAST, "--format", "csv", "--output", str(target))
    assert (code, err) == (0, "")
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    for title in ("相談件数", "相談者", "経路", "主な相談内容", "相談内容（複数回答）", "ご本人の年代", "区市町村",
                  "受付の曜日と時刻", "受付の流れ", "受付から最初の返信まで", "つなぎ先", "終結時の結果"):
        assert f"\r\n{title}\r\n" in text
    assert "新規,<5\r\n" in text and "実人数,5\r\n" in text and "延べ件数,6\r\n" in text


def test_xlsx_has_a_sheet_per_table(seeded: Container, cli: Run, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TSUNAGU_GATHERINGS", str(gatherings_file(tmp_path / "gatherings.toml")))
    target = tmp_path / "jisseki.xlsx"
    code, _, err = cli("stats", "--from", FIRST, "--to", LAST, "--agency", MACHIDA, "--format", "xlsx",
                       "--output", str(target))
    assert (code, err) == (0, "")
    book = load_workbook(io.BytesIO(target.read_bytes()))
    assert len(book.sheetnames) == 16
    outreach, gatherings = (book[name] for name in book.sheetnames[-2:])
    assert [[c.value for c in row] for row in outreach.iter_rows(min_row=2)] == [
        ["周知のリンクから来た最初の相談", None], ["リンクの機関", "件数"], [MACHIDA, "<5"]]
    assert [[c.value for c in row] for row in gatherings.iter_rows(min_row=2)] == [
        ["居場所・つどい", None, None], ["つどい", "「行ってみたい」", "リマインダーの希望"],
        ["machida-manbou", "<5", "<5"], ["machida-family", "<5", "<5"]]
    cases = book[book.sheetnames[0]]
    assert [[c.value for c in row] for row in cases.iter_rows(min_row=2)] == [
        ["相談件数", None], ["区分", "件数"], ["新規", "<5"], ["継続", "<5"], ["実人数", "<5"], ["延べ件数", "<5"]]
    assert MACHIDA in str(cases["A1"].value)


@pytest.mark.parametrize(("args", "said"), [
    (("--from", "2026-13-01"), "--from takes a date like 2026-04-01.\n"),
    (("--to", "yesterday"), "--to takes a date like 2026-04-01.\n"),
    (("--from", "2026-12-31", "--to", "2026-12-01"), "The period ends (2026-12-01) before it begins (2026-12-31).\n"),
    (("--agency", "どこにもない窓口"), "No agency is called 'どこにもない窓口'.\n"),
])
def test_mistakes_get_exit_2_and_one_sentence(container: Container, cli: Run, args: tuple[str, ...],
                                               said: str) -> None:
    code, out, err = cli("stats", *args, "--format", "json")
    assert (code, out, err) == (2, "", f"tsunagu: {said}")
