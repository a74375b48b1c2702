"""Safety end to end through the real `tsunagu serve` process (SQLite and PostgreSQL): a crisis phrase
typed at any step gets the contacts in the same answer and an urgent case at the top of
`tsunagu queue --json`, and staff are alerted through the webhook with a link; an idiom gets neither."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import BACKENDS, database_url
from tests.e2e.intake import walk_family_intake
from tests.e2e.server import Server, start
from tests.e2e.webchat_person import Person
from tests.standins.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.e2e


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    hook = WebhookReceiver().start()
    yield hook
    hook.stop()


@pytest.fixture(params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path: Path, receiver: WebhookReceiver) -> Iterator[Server]:
    url = database_url(request.param, tmp_path)
    srv = start(tmp_path / "var", None if request.param == "sqlite" else url,
                extra_env={"TSUNAGU_ALERT_WEBHOOK_URL": receiver.url, "TSUNAGU_PUBLIC_URL": "https://tsunagu.example.jp"})
    yield srv
    srv.stop()


def bot_texts(answer: dict[str, object]) -> str:
    return "\n".join(str(m["text"]) for m in answer["messages"] if m["from"] == "bot")  # type: ignore[attr-defined]


def queue(server: Server) -> list[dict[str, object]]:
    done = server.cli("queue", "--json")
    assert done.returncode == 0, done.stderr
    rows: list[dict[str, object]] = json.loads(done.stdout)
    return rows


@pytest.mark.parametrize("steps", [[], ["welcome:start"], ["welcome:start", "who:family", "consent:yes"], ["all"]],
                         ids=["first message", "who", "topics", "after the handoff"])
def test_a_crisis_phrase_at_any_step(server: Server, receiver: WebhookReceiver, steps: list[str]) -> None:
    calm = Person(server.url)
    calm.open()
    assert "いま話せる窓口" not in bot_texts(calm.say("死ぬほど眠い"))
    person = Person(server.url)
    if steps == ["all"]:
        walk_family_intake(person)
        assert queue(server)[0]["priority"] == "normal"
    else:
        person.open()
        for choice in steps:
            person.press(choice)
    answer = bot_texts(person.say("し に た い"))
    assert "ひとりで抱えなくて大丈夫です" in answer and "いま話せる窓口" in answer
    assert "東京いのちの電話 03-3264-4343" in answer
    [top, *_] = queue(server)
    assert top["priority"] == "urgent" and len(queue(server)) == 1, "the idiom made no case"
    deadline = time.monotonic() + 15
    while not receiver.bodies and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [b["url"] for b in receiver.bodies] == [f"https://tsunagu.example.jp/console/handoffs/{top['id']}"]
    assert "しにたい" not in str(receiver.bodies) and "死" not in str(receiver.bodies)
