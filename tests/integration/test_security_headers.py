"""The security headers of every page, read through the real app: the web chat and its API, every console page
(signed in as an admin, who sees them all), /healthz and /metrics. Nobody may frame a page, but the web chat by the
origins of TSUNAGU_FRAME_ANCESTORS, and the poster preview by the console itself."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import httpx
import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from bot.app import create_app
from bot.bootstrap import Container, build
from bot.settings import Settings, SettingsError
from tests.clock import TestClock
from tests.integration.console_kit import ADACHI, container, handoff, signed_in

__all__ = ["container"]
EMBEDDERS = "https://www.city.example.jp https://*.example.lg.jp"


def directives(response: httpx.Response) -> dict[str, str]:
    """The response's Content-Security-Policy as {directive: sources}."""
    policy = response.headers["content-security-policy"]
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in (p.strip() for p in policy.split(";")) if part}


def assert_locked(response: httpx.Response, framed_by: str = "'none'") -> None:
    """The headers every page sends; `framed_by` the frame-ancestors it allows."""
    csp = directives(response)
    assert csp["default-src"] == "'self'" and csp["script-src"] == "'self'", csp
    assert csp["object-src"] == "'none'" and csp["base-uri"] == "'none'", csp
    assert "'unsafe-inline'" not in str(csp) and "'unsafe-eval'" not in str(csp), csp
    assert csp["frame-ancestors"] == framed_by, csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["cache-control"] == "no-store"
    frame_option = {"'none'": "DENY", "'self'": "SAMEORIGIN"}.get(framed_by)
    assert response.headers.get("x-frame-options") == frame_option


def get_paths(app_routes: list[object], values: dict[str, str]) -> list[str]:
    """Every GET route of the app, its path parameters filled in."""
    paths = []
    for route in app_routes:
        if isinstance(route, Route) and "GET" in (route.methods or ()):
            paths.append(re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], route.path))
    return paths


def test_every_page_sends_the_security_headers(container: Container) -> None:
    handoff_id = handoff(container)
    with container.uow() as uow:
        agency = uow.agencies.by_name(ADACHI)
    assert agency is not None
    admin = signed_in(container, "admin@tsunagu.example")
    values = {"handoff_id": handoff_id, "agency_id": str(agency.id), "token": "no-such-secret", "fmt": "csv"}
    paths = get_paths(list(admin.app.routes), values)  # type: ignore[attr-defined]
    assert {"/chat", "/chat/api/messages", "/healthz", "/console", "/console/admin"} <= set(paths), paths
    assert len([p for p in paths if p.startswith("/console")]) >= 15, paths
    for path in paths:
        response = admin.get(path + ("?format=nosuch" if path.endswith("/download") else ""), follow_redirects=False)
        assert response.status_code in (200, 400, 404), (path, response.status_code)
        framed_by = "'self'" if path.endswith("/preview") else "'none'"
        assert_locked(response, framed_by)
    sent = admin.post("/chat/api/messages", json={"kind": "open"})
    assert sent.status_code == 200
    assert_locked(sent)
    assert_locked(admin.get("/console/nosuch"))
    signed_out = TestClient(create_app(container, run_deliverer=False))
    assert_locked(signed_out.get("/console/login"))
    assert_locked(signed_out.get("/console", follow_redirects=False))


def test_inline_styles_are_allowed_by_their_hash_only(container: Container) -> None:
    handoff_id = handoff(container)
    admin = signed_in(container, "admin@tsunagu.example")
    sheet = admin.get(f"/console/handoffs/{handoff_id}/sheet")
    block = re.search(r"<style>(.*?)</style>", sheet.text, re.DOTALL)
    assert block
    digest = base64.b64encode(hashlib.sha256(block.group(1).encode()).digest()).decode()
    assert directives(sheet)["style-src"] == f"'self' 'sha256-{digest}'"
    assert_locked(sheet)


def test_static_files_are_locked_but_may_be_cached(container: Container) -> None:
    script = TestClient(create_app(container, run_deliverer=False)).get("/static/chat.js")
    assert script.status_code == 200 and script.headers["x-content-type-options"] == "nosniff"
    assert "no-store" not in script.headers.get("cache-control", "")
    assert directives(script)["frame-ancestors"] == "'none'"


def test_operators_let_their_own_site_embed_the_chat_and_nothing_else(db_url: str, tmp_path: Path,
                                                                       clock: TestClock) -> None:
    settings = Settings.load({"TSUNAGU_DATA_DIR": str(tmp_path / "var"), "TSUNAGU_DATABASE_URL": db_url,
                              "TSUNAGU_FRAME_ANCESTORS": EMBEDDERS + "/"}, dotenv=tmp_path / "none")
    made = build(settings, clock)
    try:
        made.migrate()
        http = TestClient(create_app(made, run_deliverer=False), base_url="https://testserver")
        first = http.post("/chat/api/messages", json={"kind": "open"})
        for response in (first, http.get("/chat"), http.get("/chat/api/messages")):
            assert response.status_code == 200
            assert_locked(response, framed_by=EMBEDDERS)
        cookie = first.headers["set-cookie"]
        assert "samesite=none" in cookie.lower() and "secure" in cookie.lower() and "httponly" in cookie.lower()
        for path in ("/console/login", "/healthz", "/metrics"):
            assert_locked(http.get(path))
    finally:
        made.close()


@pytest.mark.parametrize("value", ["*", "'self'", "www.city.example.jp", "https://a.example/chat", "javascript:1"])
def test_a_setting_that_is_not_origins_is_refused_with_one_sentence(tmp_path: Path, value: str) -> None:
    with pytest.raises(SettingsError, match="TSUNAGU_FRAME_ANCESTORS must be origins"):
        Settings.load({"TSUNAGU_DATA_DIR": str(tmp_path), "TSUNAGU_FRAME_ANCESTORS": value}, dotenv=tmp_path / "x")
