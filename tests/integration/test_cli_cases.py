"""The command line and the console are two doors to the same use cases: every sheet the console shows, the
CLI exports too (JSON and HTML), withdrawn and erased ones included; and both show moments in Japan time."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from bot.bootstrap import Container
from bot.cli import main as tsunagu
from dialogs.model import Inbound
from tests.clock import TOKYO, TestClock
from tests.integration.console_kit import container, handoff, post, signed_in

__all__ = ["container"]
Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(container: Container, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> Run:
    """`tsunagu …` in this process, on the container's database and keys; returns (exit code, stdout)."""
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    monkeypatch.setenv("TSUNAGU_DATA_DIR", str(container.settings.data_dir))
    monkeypatch.setenv("TSUNAGU_DATABASE_URL", container.settings.database_url)

    def run(*args: str) -> tuple[int, str, str]:
        code = tsunagu(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def say(container: Container, user: str, **message: str) -> None:
    """The person writes (or presses) once more."""
    event = f"{user}-{sorted(message.items())}-{container.clock().timestamp()}"
    container.service.handle(Inbound("webchat", user, event, container.clock(), **message))


def test_the_cli_exports_every_sheet_the_console_shows(container: Container, cli: Run) -> None:
    run = cli
    ordinary = handoff(container, "ordinary")
    withdrawn = handoff(container, "withdrawn")
    say(container, "withdrawn", text="共有をやめる")
    erased = handoff(container, "erased")
    say(container, "erased", text="削除")
    say(container, "erased", choice_id="erase:confirm")
    console = signed_in(container, "a1@adachi.example")
    for case in (ordinary, withdrawn, erased):
        assert console.get(f"/console/handoffs/{case}/sheet").status_code == 200
        assert console.get(f"/console/handoffs/{case}/export.json").status_code == 200
        code, out, err = run("sheet", case, "--format", "json")
        assert code == 0, err
        exported = json.loads(out)
        assert exported == console.get(f"/console/handoffs/{case}/export.json").json()
        code, page, err = run("sheet", case, "--format", "html")
        assert code == 0 and "「つなぐ」シート" in page, err
    assert json.loads(run("sheet", withdrawn, "--format", "json")[1])["consent_records"][0]["withdrawn_at"]
    assert "同意の取り消しあり" in run("sheet", withdrawn, "--format", "html")[1]
    assert json.loads(run("sheet", erased, "--format", "json")[1])["erased"] is True
    assert "内容は削除されました" in run("sheet", erased, "--format", "html")[1]
    assert run("sheet", "no-such-case", "--format", "json")[0] == 2


def test_moments_show_in_japan_time_in_the_console_the_cli_and_the_sheet(container: Container, cli: Run,
                                                                          clock: TestClock) -> None:
    run = cli
    clock.set(datetime(2026, 12, 10, 8, 15, tzinfo=TOKYO))  # 23:15 the day before, in UTC
    case = handoff(container, "early")
    a1 = signed_in(container, "a1@adachi.example")
    post(a1, f"/console/handoffs/{case}/claim")
    post(a1, f"/console/handoffs/{case}/reply", text="おはようございます")
    page = a1.get(f"/console/handoffs/{case}").text
    assert "2026-12-10 08:1" in page and "2026-12-09 23:1" not in page
    thread = run("thread", case)[1]
    assert "[2026-12-10 08:1" in thread and "2026-12-09" not in thread
    assert json.loads(run("thread", case, "--json")[1])[0]["at"].startswith("2026-12-10T08:1")
    assert json.loads(run("queue", "--json")[1])[0]["created_at"].endswith("+09:00")
    sheet = run("sheet", case, "--format", "html")[1]
    assert "令和8年12月10日" in sheet and "令和8年12月9日" not in sheet
