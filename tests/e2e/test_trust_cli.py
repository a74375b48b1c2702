"""The trust commands against the real processes: `tsunagu retention run --dry-run`, `tsunagu keys new`
and `tsunagu keys rotate` (the operator's procedure: put the new key first, restart, rotate, drop the old
key, restart), and `tsunagu provisions --json`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.intake import SECRET_DETAIL, walk_family_intake
from tests.e2e.server import start
from tests.e2e.webchat_person import Person

pytestmark = pytest.mark.e2e


def test_retention_keys_and_provisions_from_the_command_line(tmp_path: Path) -> None:
    data = tmp_path / "var"
    server = start(data)
    try:
        walk_family_intake(Person(server.url))
        dry = server.cli("retention", "run", "--dry-run")
        assert dry.returncode == 0, dry.stderr
        assert json.loads(dry.stdout) == {"closed_conversations_erased": 0, "unfinished_intakes_deleted": 0,
                                          "dry_run": True}
        provisions = server.cli("provisions", "--json")
        assert provisions.returncode == 0 and json.loads(provisions.stdout) == []
        assert server.cli("provisions", "--since", "yesterday", "--json").returncode == 2
        [case] = json.loads(server.cli("queue", "--json").stdout)
        new = server.cli("keys", "new").stdout.strip()
        assert len(new) == 44
    finally:
        server.stop()
    old = (data / "data.key").read_text().strip()
    (data / "data.key").write_text(f"{new},{old}\n")
    server = start(data)
    try:
        rotated = server.cli("keys", "rotate")
        assert rotated.returncode == 0, rotated.stderr
        assert json.loads(rotated.stdout)["re_encrypted"] > 10
        assert "rows" in rotated.stderr, "a progress report"
        assert json.loads(server.cli("keys", "rotate").stdout) == {"re_encrypted": 0}, "resumable: nothing left"
    finally:
        server.stop()
    (data / "data.key").write_text(f"{new}\n")
    server = start(data)
    try:
        thread = server.cli("thread", case["id"])
        assert thread.returncode == 0 and SECRET_DETAIL in thread.stdout, "readable with the new key alone"
    finally:
        server.stop()
