"""Outreach materials as HTML: only the channels that are set up, a web chat link that carries the agency's code
and nothing else, the agency's hours and the 24-hour crisis lines, in each language."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from bot.outreach.links import channel_links
from bot.outreach.material import SIZES, render_material
from bot.safety.contacts import always_open, load_contacts
from bot.settings import Settings, SettingsError
from storage.records import Agency

TOKYO = ZoneInfo("Asia/Tokyo")
AGENCY = Agency(7, "ひだまり相談室", False, ("足立区",), "mon-fri 10:00-18:00", "k7m2qp")
LINE = {"LINE_CHANNEL_SECRET": "s", "LINE_CHANNEL_ACCESS_TOKEN": "t", "LINE_FRIEND_URL": "https://lin.ee/AbCd123"}
TELEGRAM = {"TELEGRAM_BOT_TOKEN": "1:x", "TELEGRAM_MODE": "polling", "TELEGRAM_BOT_USERNAME": "@tsunagu_bot"}
PUBLIC = {"TSUNAGU_PUBLIC_URL": "https://tsunagu.example.jp/"}


def settings(**env: str) -> Settings:
    return Settings.load(env)


def test_every_channel_that_is_set_up_has_its_link() -> None:
    links = channel_links(settings(**LINE, **TELEGRAM, **PUBLIC), AGENCY.code)
    assert [(link.channel, link.url) for link in links] == [
        ("line", "https://lin.ee/AbCd123"), ("telegram", "https://t.me/tsunagu_bot"),
        ("webchat", "https://tsunagu.example.jp/chat?a=k7m2qp")]
    assert [link.short for link in links] == ["lin.ee/AbCd123", "t.me/tsunagu_bot", "tsunagu.example.jp/chat?a=k7m2qp"]


def test_a_channel_that_is_not_set_up_does_not_appear() -> None:
    assert [link.channel for link in channel_links(settings(**PUBLIC), "k7m2qp")] == ["webchat"]
    no_friend_url = {k: v for k, v in LINE.items() if k != "LINE_FRIEND_URL"}
    assert [link.channel for link in channel_links(settings(**no_friend_url, **PUBLIC), "k7m2qp")] == ["webchat"]


def test_the_web_chat_link_carries_the_agency_code_and_nothing_else() -> None:
    (link,) = channel_links(settings(), AGENCY.code)
    url = urlsplit(link.url)
    assert (url.scheme, url.netloc, url.path) == ("http", "127.0.0.1:8000", "/chat")
    assert parse_qs(url.query) == {"a": ["k7m2qp"]}


@pytest.mark.parametrize(("env", "needs"), [
    ({"LINE_FRIEND_URL": "https://lin.ee/x"}, "LINE_FRIEND_URL needs"),
    ({**LINE, "LINE_FRIEND_URL": "lin.ee/x"}, "https://"),
    ({"TELEGRAM_BOT_USERNAME": "tsunagu_bot"}, "TELEGRAM_BOT_USERNAME needs"),
    ({**TELEGRAM, "TELEGRAM_BOT_USERNAME": "no spaces"}, "username"),
])
def test_a_link_setting_that_cannot_be_used_is_said(env: dict[str, str], needs: str) -> None:
    with pytest.raises(SettingsError, match=needs):
        channel_links(settings(**env), "k7m2qp")


@pytest.mark.parametrize("size", ["poster", "card"])
@pytest.mark.parametrize(("locale", "words"), [
    ("ja", ["名前", "ご家族", "月〜金 10:00〜18:00", "祝日"]),
    ("en", ["name", "family", "Mon–Fri 10:00–18:00", "holidays"]),
])
def test_the_material_says_who_may_write_when_counselors_read_and_the_crisis_lines(
        size: str, locale: str, words: list[str]) -> None:
    contacts = load_contacts()
    html = render_material(AGENCY, channel_links(settings(**TELEGRAM), AGENCY.code), contacts, SIZES[size],
                           locale, TOKYO)
    for word in [*words, AGENCY.name, "t.me/tsunagu_bot", "127.0.0.1:8000/chat?a=k7m2qp"]:
        assert word in html, word
    lines = always_open(contacts)
    assert lines and all(c.number in html and c.label(locale) in html for c in lines)
    assert html.count("<svg") == 2 and "LINE" not in html.replace("LINE_", "")
