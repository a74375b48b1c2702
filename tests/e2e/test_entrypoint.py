"""The container's entrypoint, deploy/entrypoint.sh, run as the image runs it but without a container: it waits for
the database, serves (with TSUNAGU_WORKERS processes), answers the HEALTHCHECK, passes other commands to `tsunagu`,
stops on SIGTERM, and gives up at once on a wrong setting. The Dockerfile is checked to run this very script."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet

from tests.conftest import POSTGRES_URL, database_url
from tests.e2e.server import free_port

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "deploy" / "entrypoint.sh"


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    """What the image sets (a data directory, a port), with this venv's `tsunagu` and `python3` on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TSUNAGU_", "TELEGRAM_", "LINE_"))}
    env.update(PATH=f"{Path(sys.executable).parent}:{env.get('PATH', '/usr/bin:/bin')}",
               TSUNAGU_DATA_DIR=str(tmp_path / "data"), TSUNAGU_HOST="127.0.0.1", TSUNAGU_PORT=str(free_port()),
               TSUNAGU_DATA_KEY=Fernet.generate_key().decode())
    env.update(extra)
    return env


def run(env: dict[str, str], *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(ENTRYPOINT), *args], env=env, capture_output=True, text=True, timeout=timeout,
                          check=False, cwd=env["TSUNAGU_DATA_DIR"].rsplit("/", 1)[0])


def serve(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        process = subprocess.Popen([str(ENTRYPOINT)], env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while run(env, "healthcheck").returncode != 0:
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.3)
    return process


def test_the_entrypoint_serves_answers_the_healthcheck_and_stops_on_sigterm(tmp_path: Path) -> None:
    env = environment(tmp_path)
    assert run(env, "healthcheck").returncode == 1, "nothing serves yet"
    process = serve(env, tmp_path / "serve.log")
    try:
        health = httpx.get(f"http://127.0.0.1:{env['TSUNAGU_PORT']}/healthz", timeout=5)
        assert health.json() == {"status": "ok"}
        queue = run(env, "queue", "--json")
        assert queue.returncode == 0 and queue.stdout.strip() == "[]", "other commands go to tsunagu"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) in (0, -signal.SIGTERM)  # uvicorn raises the signal again once done
        assert "Application shutdown complete" in (tmp_path / "serve.log").read_text(), "serve itself got it (exec)"
    finally:
        if process.poll() is None:
            process.kill()
    assert run(env, "healthcheck").returncode == 1


def test_a_wrong_setting_stops_at_once_and_an_absent_database_is_waited_for(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    began = time.monotonic()
    wrong = run(environment(tmp_path, TSUNAGU_PORT="eighty"))
    assert wrong.returncode == 2 and "TSUNAGU_PORT" in wrong.stderr and time.monotonic() - began < 20
    absent = environment(tmp_path, TSUNAGU_DB_WAIT="8",
                         TSUNAGU_DATABASE_URL=f"postgresql://postgres@127.0.0.1:{free_port()}/none")
    began = time.monotonic()
    gone = run(absent)
    waited = time.monotonic() - began
    assert gone.returncode == 1 and gone.stderr.count("cannot be reached") >= 2, "tried again while it waited"
    assert waited >= 2  # TSUNAGU_DB_WAIT counts whole seconds of `date +%s`


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason="TSUNAGU_TEST_POSTGRES_URL is not set")
def test_the_entrypoint_serves_with_two_workers_on_postgres(tmp_path: Path) -> None:
    env = environment(tmp_path, TSUNAGU_DATABASE_URL=database_url("postgres", tmp_path), TSUNAGU_WORKERS="2")
    (tmp_path / "data").mkdir()
    log = tmp_path / "serve.log"
    process = serve(env, log)
    try:
        started = re.findall(r"Started server process \[(\d+)\]", log.read_text())
        deadline = time.monotonic() + 30
        while len(started) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
            started = re.findall(r"Started server process \[(\d+)\]", log.read_text())
        assert len(set(started)) == 2, "two worker processes"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def test_the_image_runs_this_entrypoint_as_a_user_with_the_data_volume_and_a_healthcheck() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim", dockerfile, re.M)
    assert 'ENTRYPOINT ["/app/deploy/entrypoint.sh"]' in dockerfile
    assert "COPY deploy/entrypoint.sh deploy/entrypoint.sh" in dockerfile and "WORKDIR /app" in dockerfile
    assert 'CMD ["/app/deploy/entrypoint.sh", "healthcheck"]' in dockerfile
    user = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert user and user[-1] not in ("root", "0")
    assert 'VOLUME ["/data"]' in dockerfile and "TSUNAGU_DATA_DIR=/data" in dockerfile
    assert os.access(ENTRYPOINT, os.X_OK)
    compose = (ROOT / "compose.yaml").read_text()
    assert "image: postgres:" in compose and 'TSUNAGU_WORKERS: "2"' in compose
