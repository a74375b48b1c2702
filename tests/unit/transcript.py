"""A transcript helper: a dialog test reads like the conversation (after zulip_bots' StubBotHandler)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from dialogs.engine import handle
from dialogs.model import Conversation, Event, Inbound, Reply
from dialogs.steps import INTAKE
from dialogs.steps.intake import Intake


@dataclass
class Chat:
    """One person talking to the dialog engine; keeps every reply and event."""

    conv: Conversation = field(default_factory=lambda: Conversation("webchat", "tester"))
    now: datetime = field(default_factory=lambda: datetime(2026, 11, 28, 20, 0, tzinfo=UTC))
    replies: list[Reply] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    intake: Intake = INTAKE  # the registered steps (a test may register one more)
    _n: int = 0

    def _send(self, **kwargs: object) -> list[Reply]:
        self._n += 1
        self.now += timedelta(seconds=5)
        inbound = Inbound("webchat", "tester", f"e{self._n}", self.now, **kwargs)  # type: ignore[arg-type]
        outcome = handle(self.conv, inbound, intake=self.intake)
        assert outcome.replies, "every inbound message gets an answer"
        self.replies.extend(outcome.replies)
        self.events.extend(outcome.events)
        return outcome.replies

    def open(self, locale: str | None = None) -> list[Reply]:
        """The person opens the chat."""
        return self._send(kind="open", locale_hint=locale)

    def say(self, text: str) -> list[Reply]:
        """The person types."""
        return self._send(text=text)

    def press(self, choice_id: str) -> list[Reply]:
        """The person presses a button."""
        return self._send(choice_id=choice_id)

    def send_kind(self, kind: str) -> list[Reply]:
        """A sticker, a photo…"""
        return self._send(kind=kind)

    def wait(self, **delta: float) -> None:
        """Time passes."""
        self.now += timedelta(**delta)

    @property
    def last(self) -> Reply:
        """The last reply."""
        return self.replies[-1]

    def offered(self) -> list[str]:
        """The choice ids on the last reply."""
        return [c.id for c in self.last.choices]

    def walk_to(self, state: str) -> None:
        """Walk the usual family intake up to a step."""
        script: list[tuple[str, str, str]] = [
            ("welcome", "press", "welcome:start"),
            ("who", "press", "who:family"),
            ("consent", "press", "consent:yes"),
            ("topics", "say", "15 2"),
            ("topics", "press", "topics:done"),
            ("main_topic", "press", "main_topic:hikikomori"),
            ("details", "say", "息子が10年、部屋から出てきません。"),
            ("details", "press", "details:done"),
            ("wishes", "say", "まず話を聞いてほしいです"),
            ("contact", "press", "contact:chat"),
            ("contact", "say", "平日の夜"),
            ("profile", "say", "たろう"),
            ("profile", "say", "たろう"),
            ("profile", "press", "profile:gender_male"),
            ("profile", "say", "平成元年5月3日"),
            ("profile", "say", "足立区"),
            ("profile", "say", "090-1234-5678"),
            ("registrant", "say", "山田花子"),
            ("registrant", "press", "registrant:rel_parent"),
            ("registrant", "say", "03-1234-5678"),
        ]
        if not self.conv.started:
            self.open()
        resumed = [n for n, (step, _, _) in enumerate(script) if step == self.conv.state]
        for step, how, value in script[resumed[0] if resumed else 0:]:  # from where the chat is
            if self.conv.state == state:
                return
            assert self.conv.state == step, (self.conv.state, step)
            getattr(self, how)(value)
        assert self.conv.state == state
