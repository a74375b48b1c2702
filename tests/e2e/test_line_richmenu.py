"""LINE's rich menu against the stand-in, through the real `tsunagu` command and server: `tsunagu line richmenu`
makes a menu a language (its image drawn here), aliases them and makes Japanese the default; installing again
replaces them. A person is linked to their language's menu at follow and when they change language, and each
area's postback does what its label says."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from tests.e2e.line_person import LinePerson
from tests.e2e.server import Server, start
from tests.e2e.test_line import line_env
from tests.standins.line_api import LineStandIn

pytestmark = pytest.mark.e2e
USER = "U11111111111111111111111111111111"
DATA = ["menu:consult", "menu:places", "menu:contacts", "menu:language"]


@pytest.fixture
def standin() -> Iterator[LineStandIn]:
    server = LineStandIn().start()
    yield server
    server.stop()


@pytest.fixture
def server(tmp_path: Path, standin: LineStandIn) -> Iterator[Server]:
    srv = start(tmp_path / "var", None, {**line_env(standin), "LINE_API_DATA_BASE_URL": standin.root})
    yield srv
    srv.stop()


def installed(server: Server, standin: LineStandIn) -> dict[str, str]:
    """Run `tsunagu line richmenu`; the aliases it left."""
    done = server.cli("line", "richmenu")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("rich menu ") == 3
    with standin.lock:
        return dict(standin.state.aliases)


def test_the_menu_is_drawn_and_installed_in_each_language(server: Server, standin: LineStandIn) -> None:
    aliases = installed(server, standin)
    assert set(aliases) == {"tsunagu-ja", "tsunagu-en", "tsunagu-ja_easy"}
    state = standin.state
    assert state.default_menu == aliases["tsunagu-ja"]
    images = [state.images[aliases[name]] for name in sorted(aliases)]
    assert len(set(images)) == 3, "each language has its own image"
    for image in images:
        with Image.open(io.BytesIO(image)) as drawn:
            assert drawn.size == (2500, 843) and len(drawn.getcolors(1 << 16) or []) > 10
    for name, menu_id in aliases.items():
        menu = state.menus[menu_id]
        assert [a["action"]["data"] for a in menu["areas"]] == DATA, name
    labels = [a["action"]["displayText"] for a in state.menus[aliases["tsunagu-en"]]["areas"]]
    assert labels[0] == "Talk to us" and labels[2] == "In a crisis", labels
    ja = [a["action"]["displayText"] for a in state.menus[aliases["tsunagu-ja"]]["areas"]]
    assert ja[:3] == ["相談する", "集まり・相談先", "緊急のとき"], ja
    again = installed(server, standin)
    assert set(again) == set(aliases) and set(again.values()).isdisjoint(aliases.values())
    assert set(state.menus) == set(again.values()), "the earlier menus are deleted"


def test_each_area_does_what_it_says_and_the_menu_follows_the_language(server: Server,
                                                                       standin: LineStandIn) -> None:
    aliases = installed(server, standin)
    person = LinePerson(standin, server.url, USER)
    person.open()
    standin.wait(lambda: standin.state.linked.get(USER) == aliases["tsunagu-ja"], what="the Japanese menu")
    person.post(standin.postback(USER, "menu:contacts"))
    person.wait_for_text("いま話せる窓口")
    person.post(standin.postback(USER, "menu:places"))
    person.wait_for_text("相談先")
    before = len(standin.shown(USER))
    person.post(standin.postback(USER, "menu:consult"))
    standin.wait(lambda: len(standin.shown(USER)) > before, what="the question again")
    assert "welcome:start" in standin.shown(USER)[-1].data()
    person.post(standin.postback(USER, "menu:language"))
    person.press("language:lang_en")
    standin.wait(lambda: standin.state.linked.get(USER) == aliases["tsunagu-en"], what="the English menu")
    person.post(standin.postback(USER, "menu:contacts"))
    person.wait_for_text("Lines you can talk to now")


def test_without_line_the_command_says_so(tmp_path: Path) -> None:
    srv = start(tmp_path / "var")
    try:
        done = srv.cli("line", "richmenu")
    finally:
        srv.stop()
    assert done.returncode == 2 and "LINE is off" in done.stderr
