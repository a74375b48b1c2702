"""Start the real `tsunagu serve` process for a test, and run `tsunagu` commands against its data."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests import timeshift

# The real command line; under a shifted clock (tests/timeshift.py) the same one, started by that module.
TSUNAGU = [sys.executable, "-m", "tests.timeshift" if os.environ.get(timeshift.ENV) else "bot.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running server and the environment its commands share."""

    url: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log: Path

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run a `tsunagu` command against the same database and keys."""
        return subprocess.run([*TSUNAGU, *args], env=self.env, capture_output=True, text=True,
                              input=stdin, timeout=60, check=False)

    def kill(self) -> None:
        """kill -9: no shutdown of any kind."""
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start(data_dir: Path, database_url: str | None = None, extra_env: dict[str, str] | None = None,
          port: int | None = None, args: tuple[str, ...] = ()) -> Server:
    """Start `tsunagu serve [args]` and wait until /healthz answers."""
    port = port or free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TSUNAGU_", "TELEGRAM_", "LINE_")) or k == timeshift.ENV}
    env.update(TSUNAGU_DATA_DIR=str(data_dir), TSUNAGU_PORT=str(port), TSUNAGU_HOST="127.0.0.1")
    if database_url:
        env["TSUNAGU_DATABASE_URL"] = database_url
    env.update(extra_env or {})
    log = data_dir.parent / f"serve-{port}.log"
    with log.open("ab") as out:
        command = [sys.executable, "-m", "tests.timeshift"] if env.get(timeshift.ENV) else TSUNAGU  # a clock sent on
        process = subprocess.Popen([*command, "serve", *args], env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("tsunagu serve exited:\n" + log.read_text())
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return Server(url, env, process, log)
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("tsunagu serve did not answer /healthz:\n" + log.read_text())
