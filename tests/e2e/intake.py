"""The family intake every channel's end-to-end test walks, and the personal strings it types."""

from __future__ import annotations

from typing import Protocol

SECRET_DETAIL = "息子が十年間部屋から出てこない秘密の相談"
SECRET_NAME = "山田太郎テスト"
SECRET_PHONE = "090-8765-4321"
TOPIC_NUMBERS = "15 2"  # ひきこもり・不登校 and 収入・生活費のこと


class Talker(Protocol):
    """A person on some channel."""

    def open(self) -> object: ...

    def say(self, text: str) -> object: ...

    def press(self, choice: str) -> object: ...


def walk_family_intake(person: Talker, tick_topics: bool = False) -> None:
    """A parent's whole intake, up to the handoff; topics by typed numbers or by ticking buttons."""
    person.open()
    person.press("welcome:start")
    person.press("who:family")
    person.press("consent:yes")
    if tick_topics:
        person.press("topics:hikikomori")
        person.press("topics:income")
    else:
        person.say(TOPIC_NUMBERS)
    person.press("topics:done")
    person.press("main_topic:hikikomori")
    person.say(SECRET_DETAIL)
    person.say("昼夜逆転しています")
    person.press("details:done")
    person.say("まず話を聞いてほしい")
    person.press("contact:chat")
    person.say("平日の夜")
    person.say(SECRET_NAME)
    person.say("やまだたろう")
    person.press("profile:gender_male")
    person.say("平成元年5月3日")
    person.say("足立区")
    person.say(SECRET_PHONE)
    person.say("山田花子")
    person.press("registrant:rel_parent")
    person.press("registrant:skip")
    person.press("review:send")
