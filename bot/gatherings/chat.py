"""Gatherings in the chat: the quiet offer after the handoff, the list that fits the person, and the answers to
「行ってみたい」 (the case holder is told), 「思い出させて」 (one reminder the day before) and 「やめる」."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from bot.clock import JAPAN
from bot.gatherings.catalog import Gathering, Upcoming, fitting
from dialogs.i18n import gettext as _
from dialogs.i18n import use_locale
from dialogs.model import Choice, Conversation, GatheringPressed, Reply
from storage.uow import UnitOfWork

REMIND_AT = time(18, 0)  # the evening before, in Japan time: after work and school, well before night
STAMP = "%Y%m%d%H%M"


def button(action: str, gathering: Gathering, start: datetime) -> str:
    """A button's value: the action, the gathering and its meeting in Japan time (short enough for Telegram)."""
    return f"gathering:{action}:{gathering.id}@{start.astimezone(JAPAN).strftime(STAMP)}"


def remind_at(start: datetime) -> datetime:
    """When a reminder of the meeting at `start` goes out: the evening before, in Japan time."""
    day_before = start.astimezone(JAPAN).date() - timedelta(days=1)
    return datetime.combine(day_before, REMIND_AT, JAPAN)


@dataclass(frozen=True)
class Meeting:
    """The meeting a button names, found in the current file."""

    gathering: Gathering
    start: datetime


class Invitations:
    """The gatherings the operators keep, as the chat offers them."""

    def __init__(self, gatherings: tuple[Gathering, ...]) -> None:
        self.gatherings = gatherings
        self._by_id = {g.id: g for g in gatherings}

    def get(self, gathering_id: str) -> Gathering | None:
        """A gathering by its id."""
        return self._by_id.get(gathering_id)

    def fitting(self, conv: Conversation, now: datetime) -> list[Upcoming]:
        """Up to three gatherings for this person, soonest first."""
        return fitting(self.gatherings, conv.sheet, now)

    def offer(self, conv: Conversation, now: datetime) -> Reply | None:
        """After the handoff, when any fit: a quiet word and a button."""
        if not self.fitting(conv, now):
            return None
        with use_locale(conv.locale):
            return Reply(_("話さなくても、ただそこにいられる集まりもあります。気が向いたら、のぞいてみてください。"),
                         (Choice("handed_off:gatherings", _("集まりを見る")),))

    def listing(self, conv: Conversation, now: datetime) -> list[Reply]:
        """The fitting gatherings, one message each with its two buttons (the first says what they are: a turn
        stays within LINE's five messages a reply), or a word that none is listed."""
        found = self.fitting(conv, now)
        with use_locale(conv.locale):
            if not found:
                return [Reply(_("いまは、ご案内できる集まりの予定がありません。相談員にたずねることもできます。"))]
            head = _("近いうちの集まりです。行くかどうかは、あとで決めて大丈夫です。")
            return [Reply(f"{head}\n\n{u.gathering.text(u.start, conv.locale)}" if n == 0
                          else u.gathering.text(u.start, conv.locale), (
                Choice(button("want", u.gathering, u.start), _("行ってみたい")),
                Choice(button("remind", u.gathering, u.start), _("思い出させて")))) for n, u in enumerate(found)]

    def meeting(self, ref: str, now: datetime) -> Meeting | None:
        """The gathering and meeting a button names, if the meeting still stands and is still to come."""
        gathering_id, _at, stamp = ref.rpartition("@")
        gathering = self.get(gathering_id)
        try:
            start = datetime.strptime(stamp, STAMP).replace(tzinfo=JAPAN)
        except ValueError:
            return None
        if gathering is None or start <= now or not self.stands(gathering, start):
            return None
        return Meeting(gathering, start)

    @staticmethod
    def stands(gathering: Gathering, start: datetime) -> bool:
        """Whether the gathering still meets at `start` (not moved, nor cancelled)."""
        return start in gathering.schedule.between(start, start + timedelta(minutes=1))

    def answer(self, uow: UnitOfWork, conv: Conversation, pressed: GatheringPressed, now: datetime) -> Reply:
        """What a button on a gathering's message does, and the word that says so."""
        assert conv.id is not None
        with use_locale(conv.locale):
            if pressed.action == "stop":
                stopped = pressed.ref.isdigit() and uow.reminders.cancel(int(pressed.ref), conv.id, now)
                return Reply(_("お知らせをやめました。") if stopped else _("お知らせの予定は、もうありません。"))
            meeting = self.meeting(pressed.ref, now)
            if meeting is None or pressed.action not in ("want", "remind"):
                return Reply(_("この日の予定は変わったようです。「集まり」と書くと、いまの予定を見られます。"))
            if pressed.action == "want":
                uow.interest.add(conv.id, meeting.gathering.id, meeting.start, now)
                return Reply(_("相談員に伝えておきますね。行けなくても、途中で帰っても大丈夫です。"))
            return self._remind(uow, conv, meeting, now)

    def _remind(self, uow: UnitOfWork, conv: Conversation, meeting: Meeting, now: datetime) -> Reply:
        assert conv.id is not None
        due = remind_at(meeting.start)
        when = meeting.gathering.when(meeting.start, conv.locale)
        if due <= now:
            return Reply(_("{when}です。もうすぐなので、お知らせは送りません。").format(when=when))
        fingerprint = meeting.gathering.fingerprint(meeting.start)
        reminder = uow.reminders.add(conv.id, meeting.gathering.id, meeting.start, fingerprint, due, now)
        if reminder is None:
            reminder = uow.reminders.find(conv.id, meeting.gathering.id, meeting.start)
            assert reminder is not None
            if reminder.status != "pending":
                uow.reminders.renew(reminder.id, fingerprint, due)
        return Reply(_("{when}の前の日の夕方に、このチャットでお知らせします。").format(when=when),
                     (Choice(f"gathering:stop:{reminder.id}", _("やめる")),))

    def reminder_text(self, gathering: Gathering, start: datetime, locale: str) -> Reply:
        """The reminder itself: the meeting, and that not going is all right."""
        with use_locale(locale):
            return Reply("\n".join([_("明日は、この集まりの日です。"), gathering.text(start, locale),
                                    _("行けなくても大丈夫です。")]))
