"""`tsunagu serve --workers N`: above 1 only on PostgreSQL; SQLite's refusal is one sentence, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.cli import main


@pytest.mark.parametrize(("workers", "says"), [("2", "needs PostgreSQL"), ("0", "1 or more")])
def test_sqlite_refuses_more_than_one_worker_in_one_sentence(workers: str, says: str, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("TSUNAGU_DATABASE_URL", raising=False)
    monkeypatch.setenv("TSUNAGU_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("TSUNAGU_DATA_KEY", Fernet.generate_key().decode())
    monkeypatch.chdir(tmp_path)
    assert main(["serve", "--workers", workers]) == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1 and "Traceback" not in err
