"""Start time: what a process without LINE does not load (line-bot-sdk alone takes about half a second)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROBE = """
import sys
from pathlib import Path
from bot.app import create_app
from bot.bootstrap import build
from bot.settings import Settings
environ = {"TSUNAGU_DATA_DIR": sys.argv[1], **dict(a.split("=", 1) for a in sys.argv[2:])}
container = build(Settings.load(environ, dotenv=Path("/nonexistent")))
create_app(container)
print("linebot" in sys.modules)
"""


def loads_linebot(tmp_path: Path, *settings: str) -> bool:
    done = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path / "var"), *settings], capture_output=True,
                          text=True, timeout=60, check=True, cwd=Path(__file__).resolve().parents[2])
    return done.stdout.strip() == "True"


def test_line_bot_sdk_loads_only_where_line_is_set_up(tmp_path: Path) -> None:
    assert not loads_linebot(tmp_path, "TELEGRAM_BOT_TOKEN=1:x", "TELEGRAM_WEBHOOK_SECRET=s")
    assert loads_linebot(tmp_path, "LINE_CHANNEL_SECRET=s", "LINE_CHANNEL_ACCESS_TOKEN=t")
