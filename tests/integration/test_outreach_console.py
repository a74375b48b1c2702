"""Where staff get posters and cards: the console page for supervisors and admins (a supervisor only for their own
agency; another agency's is 404, a counselor's 403) and `tsunagu outreach` (mistakes: exit 2, one sentence).
Every preview and download is audited; SQLite and PostgreSQL."""

from __future__ import annotations

import html
import io
import re
import shutil
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from bot.bootstrap import Container
from storage.records import Agency
from tests.integration.console_kit import ADACHI, MACHIDA, audit_actions, container, signed_in
from tests.integration.test_cli_cases import Run, cli
from tests.integration.test_console_routes import console_routes

__all__ = ["cli", "container"]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")


def agency(container: Container, name: str) -> Agency:
    with container.uow() as uow:
        found = uow.agencies.by_name(name)
    assert found is not None
    return found


def agency_id(container: Container, name: str) -> int:
    return agency(container, name).id


def test_a_supervisor_previews_their_agency_and_it_is_audited(container: Container) -> None:
    supervisor = signed_in(container, "sv@adachi.example")
    own = agency_id(container, ADACHI)
    listing = supervisor.get("/console/outreach")
    assert listing.status_code == 200 and ADACHI in listing.text and MACHIDA not in listing.text
    assert f"/console/outreach/{own}/download?size=poster&language=ja&format=png" in html.unescape(listing.text)
    preview = supervisor.get(f"/console/outreach/{own}/preview?size=card&language=en")
    assert preview.status_code == 200 and ADACHI in preview.text and "No name needed" in preview.text
    assert preview.headers["x-frame-options"] == "SAMEORIGIN"
    assert ("sv@adachi.example", "outreach_preview", str(own)) in audit_actions(container)


def test_another_agency_is_404_and_bad_choices_are_400(container: Container) -> None:
    other = signed_in(container, "sv@machida.example")
    adachi = agency_id(container, ADACHI)
    routes = [path for method, path in console_routes(container, "/console/outreach/") if method == "GET"]
    assert len(routes) == 2, routes
    for path in routes:
        assert other.get(path.replace("{agency_id}", str(adachi))).status_code == 404, path
        assert other.get(path.replace("{agency_id}", "nosuch")).status_code == 404, path
    own = agency_id(container, MACHIDA)
    for query in ("size=huge", "language=xx", "format=gif"):
        refused = other.get(f"/console/outreach/{own}/download?{query}")
        assert refused.status_code == 400 and re.search("選んでください", refused.text), query
    assert not [a for a in audit_actions(container) if a[0] == "sv@machida.example" and "outreach" in a[1]]


@needs_chromium
def test_an_admin_downloads_any_agency_as_png_and_pdf_and_both_are_audited(container: Container) -> None:
    admin = signed_in(container, "admin@tsunagu.example")
    machida = agency_id(container, MACHIDA)
    png = admin.get(f"/console/outreach/{machida}/download?size=card&language=ja&format=png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert 'filename="tsunagu-card-' in png.headers["content-disposition"]
    codes = {c.text for c in zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))}
    assert codes == {f"http://127.0.0.1:8000/chat?a={agency(container, MACHIDA).code}"}
    pdf = admin.get(f"/console/outreach/{machida}/download?size=poster&language=en&format=pdf")
    assert pdf.headers["content-type"] == "application/pdf" and len(PdfReader(io.BytesIO(pdf.content)).pages) == 1
    assert f"/chat?a={agency(container, MACHIDA).code}" in admin.get("/console/admin").text  # where admins find it
    downloads = [a for a in audit_actions(container) if a[1] == "outreach_download"]
    assert downloads == [("admin@tsunagu.example", "outreach_download", str(machida))] * 2


@needs_chromium
def test_the_cli_prints_a_card_and_audits_it(container: Container, cli: Run, tmp_path: Path) -> None:
    out = tmp_path / "card.png"
    code, stdout, stderr = cli("outreach", "--agency", MACHIDA, "--format", "png", "--size", "card",
                               "--language", "en", "--output", str(out))
    assert code == 0, stderr
    assert '"bytes"' in stdout and out.read_bytes().startswith(b"\x89PNG")
    assert zxingcpp.read_barcodes(Image.open(out))
    assert ("operator", "outreach_download", str(agency_id(container, MACHIDA))) in audit_actions(container)


@needs_chromium
def test_the_cli_prints_every_agency_into_a_folder_each_audited(container: Container, cli: Run,
                                                                tmp_path: Path) -> None:
    folder = tmp_path / "cards"
    folder.mkdir()
    code, stdout, stderr = cli("outreach", "--agency", "all", "--format", "png", "--size", "card",
                               "--output", str(folder))
    assert code == 0, stderr
    with container.uow() as uow:
        every = uow.agencies.all()
    assert len(every) >= 2 and stdout.count("\n") == len(every)
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"tsunagu-card-{a.code}-ja.png" for a in every)
    for one in every:
        codes = {c.text for c in zxingcpp.read_barcodes(Image.open(folder / f"tsunagu-card-{one.code}-ja.png"))}
        assert codes == {f"http://127.0.0.1:8000/chat?a={one.code}"}
    downloads = sorted(a for a in audit_actions(container) if a[1] == "outreach_download")
    assert downloads == sorted(("operator", "outreach_download", str(a.id)) for a in every)


@pytest.mark.parametrize(("args", "says"), [
    (["--agency", "どこにもない窓口"], "No agency is named"),
    (["--agency", "all"], "With --agency all, --output names a folder"),
    (["--size", "huge"], "The size must be one of poster, card."),
    (["--language", "xx"], "The language must be one of"),
    (["--format", "gif"], "The format must be one of pdf, png."),
    (["--output", ""], "Name the agency with --agency and the file to write with --output."),
    (["--output", "/no/such/folder/poster.pdf"], "does not exist."),
])
def test_a_cli_mistake_is_exit_2_and_one_sentence(container: Container, cli: Run, tmp_path: Path,
                                                  args: list[str], says: str) -> None:
    given = {"--agency": MACHIDA, "--output": str(tmp_path / "poster.pdf")}
    rest = [*args]
    for flag in list(given):
        if flag in rest:
            given.pop(flag)
    argv = ["outreach", *(x for kv in given.items() for x in kv), *rest]
    code, stdout, stderr = cli(*argv)
    assert code == 2 and stdout == ""
    assert stderr.count("\n") == 1 and says in stderr, stderr
    assert not (tmp_path / "poster.pdf").exists()
    assert not [a for a in audit_actions(container) if a[1] == "outreach_download"]
