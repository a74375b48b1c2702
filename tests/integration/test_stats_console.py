"""/console/stats in-process on a real database: a counselor sees their agency's numbers (no other agency, no
counselor named), an admin every agency's or one chosen; charts and their tables in Japanese or English, a bad
date answered on the page, exports downloaded and audited."""

from __future__ import annotations

import pytest

from bot.bootstrap import Container
from tests.clock import TestClock
from tests.integration.console_kit import ACCOUNTS, ADACHI, MACHIDA, audit_actions, container, signed_in
from tests.integration.stats_kit import FIRST, LAST, world

__all__ = ["container"]
PERIOD = f"from={FIRST}&to={LAST}"


@pytest.fixture
def seeded(container: Container, clock: TestClock) -> Container:
    """The hand-counted world of tests/integration/stats_kit.py."""
    world(container, clock)
    return container


def test_a_counselor_sees_their_agency_without_anyone_named(seeded: Container) -> None:
    m1 = signed_in(seeded, "m1@machida.example")
    shown = m1.get(f"/console/stats?{PERIOD}")
    assert shown.status_code == 200
    assert f"{FIRST} 〜 {LAST}・{MACHIDA}" in shown.text and 'name="agency"' not in shown.text
    assert shown.text.count("<svg") == 15 and shown.text.count('class="stat-table"') == 16
    assert "<td>&lt;5</td>" in shown.text
    others = [email for email, _, _ in ACCOUNTS if email != "m1@machida.example"]
    assert not any(email in shown.text for email in others)
    assert m1.get(f"/console/stats?{PERIOD}&agency={ADACHI}").status_code == 404
    assert ("m1@machida.example", "view_stats", None) in audit_actions(seeded)


def test_an_admin_chooses_the_agency_and_reads_english(seeded: Container) -> None:
    admin = signed_in(seeded, "admin@tsunagu.example")
    every = admin.get(f"/console/stats?{PERIOD}", headers={"accept-language": "en"})
    assert every.status_code == 200 and "All agencies" in every.text and "Cases (total)" in every.text
    assert f'<option value="{MACHIDA}">' in every.text and f'<option value="{ADACHI}">' in every.text
    one = admin.get(f"/console/stats?{PERIOD}&agency={MACHIDA}")
    assert f'<option value="{MACHIDA}" selected>' in one.text


def test_a_bad_date_is_answered_on_the_page(seeded: Container) -> None:
    sv = signed_in(seeded, "sv@adachi.example")
    answer = sv.get("/console/stats?from=2026-02-30")
    assert answer.status_code == 400 and "日付は 2026-04-01 のように書いてください。" in answer.text
    backwards = sv.get(f"/console/stats?from={LAST}&to={FIRST}")
    assert backwards.status_code == 400 and "終わりの日は、はじめの日より後にしてください。" in backwards.text


def test_exports_download_and_are_audited(seeded: Container) -> None:
    sv = signed_in(seeded, "sv@adachi.example")
    csv = sv.get(f"/console/stats/export.csv?{PERIOD}")
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf")
    assert csv.headers["content-disposition"] == f'attachment; filename="tsunagu-stats-{FIRST}-{LAST}.csv"'
    assert sv.get(f"/console/stats/export.json?{PERIOD}").json()["cases"]["total"] == "<5"
    assert sv.get(f"/console/stats/export.xlsx?{PERIOD}").content.startswith(b"PK")
    assert sv.get(f"/console/stats/export.pdf?{PERIOD}").status_code == 404
    exports = [a for a in audit_actions(seeded) if a[:2] == ("sv@adachi.example", "export_stats")]
    assert len(exports) == 3


def test_outreach_links_and_gatherings_are_counted_without_names(seeded: Container) -> None:
    m1 = signed_in(seeded, "m1@machida.example")
    page = m1.get(f"/console/stats?{PERIOD}").text
    outreach = page[page.index('id="by_outreach_link"'):page.index('id="gatherings"')]
    assert f'<tr><th scope="row">{MACHIDA}</th><td>&lt;5</td></tr>' in outreach and ADACHI not in outreach
    gatherings = page[page.index('id="gatherings"'):]
    assert '<tr><th scope="row">machida-manbou</th><td>&lt;5</td><td>&lt;5</td></tr>' in gatherings
    assert "adachi-demae" not in gatherings and "<svg" in gatherings
    csv = m1.get(f"/console/stats/export.csv?{PERIOD}").content.decode("utf-8-sig").splitlines()
    at = csv.index("居場所・つどい")
    assert csv[at:] == ["居場所・つどい", "つどい,「行ってみたい」,リマインダーの希望", "machida-manbou,<5,<5",
                        "machida-family,<5,<5"]
    assert csv[csv.index("周知のリンクから来た最初の相談") + 2] == f"{MACHIDA},<5"
    shown = m1.get(f"/console/stats/export.json?{PERIOD}").json()
    assert shown["by_outreach_link"] == {MACHIDA: "<5"}
    assert shown["gatherings"] == [{"gathering": "machida-manbou", "interested": "<5", "reminders": "<5"},
                                   {"gathering": "machida-family", "interested": "<5", "reminders": "<5"}]
