"""engine.handle(conversation, inbound) -> Outcome: one turn of the dialog, with no I/O."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta

from dialogs import crisis, prompts
from dialogs.i18n import normalize_locale, use_locale
from dialogs.model import (
    AGE_BANDS,
    GENDERS,
    Consent,
    ConsentGiven,
    ConsentWithdrawn,
    Conversation,
    CrisisSignaled,
    EraseRequested,
    HandoffRequested,
    Inbound,
    MessageForCounselor,
    Outcome,
    Reply,
    ResourcesRequested,
    Sheet,
)
from dialogs.prompts import PROFILE_QUESTIONS, REGISTRANT_QUESTIONS, RELATIONSHIP_LABELS
from dialogs.steps import EDITABLE, MULTI_QUESTION, driving
from dialogs.text import clean, keyword, match_typed, numbers, phone_number
from dialogs.topics import TOPIC_IDS
from dialogs.wareki import age_on, parse_birth_date

MAX_TEXT = 10_000
RESUME_AFTER = timedelta(hours=12)
GLOBAL_ACTIONS = frozenset({"pause", "help", "restart", "erase", "back", "language", "lang_ja", "lang_en",
                            "unshare"})
FIELD_LIMIT = 500


def handle(conv: Conversation, inbound: Inbound) -> Outcome:
    """Handle one inbound message: move the conversation on and say what to send back."""
    if not conv.started:
        conv.locale = normalize_locale(inbound.locale_hint, conv.locale)
    outcome = Outcome()
    with use_locale(conv.locale), driving(conv) as fire:
        _Turn(conv, inbound, outcome, fire).run()
    conv.last_active_at = inbound.received_at
    return outcome


def current_prompt(conv: Conversation) -> list[Reply]:
    """The question the conversation stands at, as it would be asked again."""
    sheet = conv.sheet
    state = conv.state
    if state == "welcome":
        return prompts.welcome()
    simple: dict[str, Callable[[], Reply]] = {
        "who": prompts.who,
        "consent": prompts.consent,
        "topics": lambda: prompts.topics(sheet),
        "main_topic": lambda: prompts.main_topic(sheet),
        "details": prompts.details,
        "wishes": prompts.wishes,
        "review": lambda: prompts.review(sheet),
        "handed_off": prompts.handed_off,
    }
    if state in simple:
        return [simple[state]()]
    if state == "contact":
        return [prompts.contact_method() if conv.sub_step == 0 else prompts.contact_times()]
    if state == "profile":
        return [prompts.profile_question(PROFILE_QUESTIONS[conv.sub_step])]
    return [prompts.registrant_question(REGISTRANT_QUESTIONS[conv.sub_step])]


def expects_button(conv: Conversation) -> bool:
    """Whether the current question is answered with a button (typed text is then matched)."""
    if conv.state in ("welcome", "who", "consent", "topics", "main_topic", "review"):
        return True
    if conv.state == "contact":
        return conv.sub_step == 0
    if conv.state == "profile":
        return PROFILE_QUESTIONS[conv.sub_step] == "gender"
    return False


class _Turn:
    """One inbound message being handled; the methods are the step handlers."""

    def __init__(self, conv: Conversation, inbound: Inbound, out: Outcome,
                 fire: Callable[[str], bool]) -> None:
        self.conv = conv
        self.inbound = inbound
        self.out = out
        self.fire = fire
        self.text = clean(inbound.text) if inbound.text is not None else None

    # --- saying things ---------------------------------------------------------------------

    def say(self, *messages: str | Reply) -> None:
        """Queue replies."""
        self.out.replies.extend(m if isinstance(m, Reply) else Reply(m) for m in messages)

    def ask_again(self, *before: str) -> None:
        """Say something, then the current question again."""
        self.say(*before, *current_prompt(self.conv))

    # --- dispatch --------------------------------------------------------------------------

    def run(self) -> None:
        """Route the message: danger first, then first contact, size limits, global words, pauses, the step."""
        conv = self.conv
        if self._crisis():
            return
        if not conv.started:
            conv.started = True
            self.say(*prompts.welcome())
            return
        if self.text is not None and len(self.text) > MAX_TEXT:
            self.say(prompts.too_long(MAX_TEXT))
            return
        choice_id = self._choice_id()
        action = self._global_action(choice_id)
        if conv.awaiting_erase:
            self._answer_erase(choice_id)
            return
        if action:
            self._global(action)
            return
        if choice_id and choice_id.startswith("resume:"):
            self._resume(choice_id)
            return
        if conv.paused or self._stale():
            conv.paused = True
            self.say(prompts.welcome_back())
            return
        if choice_id is None and self.text is None:
            self._not_text()
            return
        if choice_id is None and not self.text:
            self.ask_again(prompts.empty_message())
            return
        self._step(choice_id)

    def _crisis(self) -> bool:
        """A message that signals danger: care at once (the service adds the contacts and makes the case
        urgent), what was written kept on the sheet, then the conversation goes on where it was."""
        if self.inbound.choice_id or not self.text:
            return False
        signals = crisis.detect(self.text)
        if not signals:
            return False
        conv = self.conv
        conv.sheet.risk.urgent = True
        conv.sheet.risk.signals = sorted(set(conv.sheet.risk.signals) | signals)
        self.out.events.append(CrisisSignaled(tuple(sorted(signals))))
        self.say(prompts.crisis_care(signals))
        conv.paused = conv.awaiting_erase = False
        if len(self.text) > MAX_TEXT:
            self.say(prompts.too_long(MAX_TEXT))
        elif not conv.started:
            conv.started = True
            conv.sheet.details.append(self.text)
            self.say(*prompts.welcome())
        elif conv.state in ("details", "handed_off"):
            self._step(None)
        else:
            conv.sheet.details.append(self.text)
            self.ask_again(prompts.carry_on())
        return True

    def _choice_id(self) -> str | None:
        """The pressed button, or the button a typed message names at a button question."""
        if self.inbound.choice_id:
            return self.inbound.choice_id
        if not self.text:
            return None
        if self.conv.awaiting_erase:
            return match_typed(prompts.erase_confirm().choices, self.text)
        if self.conv.paused or self._stale():
            return match_typed(prompts.welcome_back().choices, self.text)
        typed_topic_numbers = self.conv.state == "topics" and numbers(self.text) is not None
        if expects_button(self.conv) and not typed_topic_numbers:
            choices = tuple(c for r in current_prompt(self.conv) for c in r.choices)
            return match_typed(choices, self.text)
        return None

    def _global_action(self, choice_id: str | None) -> str | None:
        if choice_id:
            value = choice_id.partition(":")[2]
            return value if value in GLOBAL_ACTIONS else None
        return keyword(self.text) if self.text else None

    def _stale(self) -> bool:
        last = self.conv.last_active_at
        return (
            last is not None
            and self.inbound.received_at - last > RESUME_AFTER
            and self.conv.state not in ("welcome", "handed_off")
        )

    def _not_text(self) -> None:
        kind = self.inbound.kind
        if kind == "open":
            self.ask_again()
        elif self.conv.state == "handed_off":
            self.say(prompts.not_text(kind))
        else:
            self.ask_again(prompts.not_text(kind))

    def _step(self, choice_id: str | None) -> None:
        state = self.conv.state
        value: str | None = None
        if choice_id is not None:
            step, _, value = choice_id.partition(":")
            if step != state:
                self.ask_again(prompts.stale_button())
                return
        handler: Callable[[str | None], None] = getattr(self, f"on_{state}")
        handler(value)

    # --- at any step -----------------------------------------------------------------------

    def _global(self, action: str) -> None:
        conv = self.conv
        conv.paused = False
        if action == "pause":
            conv.paused = conv.state != "handed_off"
            self.say(prompts.paused())
        elif action == "help":
            self.ask_again(prompts.help_text())
        elif action == "restart":
            self._restart()
        elif action == "erase":
            conv.awaiting_erase = True
            self.say(prompts.erase_confirm())
        elif action == "back":
            self._back()
        elif action == "language":
            self.say(prompts.language_choice())
        elif action == "unshare":
            self._unshare()
        else:
            conv.locale = action.removeprefix("lang_")
            with use_locale(conv.locale):
                self.ask_again(prompts.language_changed())

    def _unshare(self) -> None:
        """Stop sharing with other agencies from now on; the consultation itself goes on."""
        consent = self.conv.sheet.consent
        if consent is None or not consent.share_with_agencies:
            self.ask_again(prompts.not_shared())
            return
        self.conv.sheet.consent = Consent(share_with_agencies=False, at=self.inbound.received_at.isoformat(),
                                          text_version=consent.text_version)
        self.out.events.append(ConsentWithdrawn())
        self.ask_again(prompts.unshared())

    def _restart(self) -> None:
        if self.conv.state == "handed_off":
            self.say(prompts.already_sent())
            return
        self.conv.sheet = Sheet()
        self.fire("restart")
        self.say(*prompts.welcome())

    def _back(self) -> None:
        conv = self.conv
        if conv.state in MULTI_QUESTION and conv.sub_step > 0:
            conv.sub_step -= 1
            if conv.state == "profile" and PROFILE_QUESTIONS[conv.sub_step] == "furigana" \
                    and not conv.sheet.person.name:
                conv.sub_step -= 1
            self.ask_again()
            return
        self.fire("back")
        self.ask_again()

    def _answer_erase(self, choice_id: str | None) -> None:
        self.conv.awaiting_erase = False
        if choice_id == "erase:confirm":
            self.out.events.append(EraseRequested())
            self.conv.sheet = Sheet()
            self.conv.paused = False
            self.fire("erase")
            self.say(prompts.erased())
        else:
            self.ask_again(prompts.not_erased())

    def _resume(self, choice_id: str) -> None:
        self.conv.paused = False
        if choice_id == "resume:restart":
            self._restart()
        else:
            self.ask_again()

    def _advance(self, trigger: str = "next") -> None:
        """Move to the next step and ask its first question (with its introduction)."""
        self.fire(trigger)
        intro = {"profile": prompts.profile_intro, "registrant": prompts.registrant_intro}
        if self.conv.state in intro:
            self.say(intro[self.conv.state]())
            self._skip_pointless_questions()
        self.ask_again()

    def _nudge(self) -> None:
        self.ask_again(prompts.nudge())

    # --- the steps -------------------------------------------------------------------------

    def on_welcome(self, value: str | None) -> None:
        """Starts the intake, explains it, or leaves it for later."""
        if value == "start":
            self._advance()
        elif value == "about":
            self.say(prompts.about(), prompts.welcome()[1])
        elif value == "later":
            self.say(prompts.later())
        else:
            self._nudge()

    def on_who(self, value: str | None) -> None:
        """Stores who is writing and asks for consent."""
        writers = {"self": "self", "family": "family", "supporter": "supporter", "skip": "no_answer"}
        if value not in writers:
            self._nudge()
            return
        self.conv.sheet.writer = writers[value]
        self._advance()

    def on_consent(self, value: str | None) -> None:
        """Stores the consent answer (with its wording version), or shows the full text."""
        if value == "more":
            self.ask_again(prompts.consent_full())
            return
        if value not in ("yes", "no"):
            self._nudge()
            return
        agreed = value == "yes"
        self.conv.sheet.consent = Consent(
            share_with_agencies=agreed,
            at=self.inbound.received_at.isoformat(),
            text_version=prompts.CONSENT_VERSION,
        )
        self.out.events.append(ConsentGiven(agreed, prompts.CONSENT_VERSION))
        self._advance()

    def on_topics(self, value: str | None) -> None:
        """Toggles topics (by button or typed numbers) until the person is done."""
        sheet = self.conv.sheet
        if value == "done":
            if len(sheet.topics) == 1:
                sheet.main_topic = sheet.topics[0]
            elif not sheet.topics:
                sheet.main_topic = None
            self._advance()
            return
        picked = self._typed_topics() if value is None else ([value] if value in TOPIC_IDS else None)
        if not picked:
            self._nudge()
            return
        for topic in picked:
            if topic in sheet.topics:
                sheet.topics.remove(topic)
            else:
                sheet.topics.append(topic)
        sheet.topics.sort(key=TOPIC_IDS.index)
        if sheet.main_topic not in sheet.topics:
            sheet.main_topic = None
        if value is None:
            self.ask_again()
        else:
            self.say(replace(prompts.topics(sheet), update=True))

    def _typed_topics(self) -> list[str] | None:
        typed = numbers(self.text or "")
        if typed and all(1 <= n <= len(TOPIC_IDS) for n in typed):
            return [TOPIC_IDS[n - 1] for n in dict.fromkeys(typed)]
        return None

    def on_main_topic(self, value: str | None) -> None:
        """Stores the hardest topic (◎)."""
        if value == "skip":
            self.conv.sheet.main_topic = None
        elif value in self.conv.sheet.topics:
            self.conv.sheet.main_topic = value
        else:
            self._nudge()
            return
        self._advance()

    def on_details(self, value: str | None) -> None:
        """Collects the person's own words, acknowledging each message."""
        if value in ("done", "skip"):
            self._advance()
        elif value is None and self.text:
            self.conv.sheet.details.append(self.text)
            self.say(prompts.details_ack())
        else:
            self.ask_again(prompts.stale_button())

    def on_wishes(self, value: str | None) -> None:
        """Stores the wished-for support."""
        if value == "skip":
            self._advance()
        elif value is None and self.text:
            self.conv.sheet.wishes = self.text
            self._advance()
        else:
            self.ask_again(prompts.stale_button())

    def on_contact(self, value: str | None) -> None:
        """Stores how, then when, a counselor may reach the person."""
        contact = self.conv.sheet.contact
        if value == "skip":
            self._advance()
        elif self.conv.sub_step == 0 and value in prompts.CONTACT_LABELS:
            contact.method = value
            self.conv.sub_step = 1
            self.ask_again()
        elif self.conv.sub_step == 1 and value is None and self.text:
            contact.times = self.text[:FIELD_LIMIT]
            self._advance()
        elif value is None:
            self._nudge()
        else:
            self.ask_again(prompts.stale_button())

    def on_profile(self, value: str | None) -> None:
        """Stores one optional detail about the person, then asks the next."""
        question = PROFILE_QUESTIONS[self.conv.sub_step]
        if value == "skip_all":
            self._advance()
            return
        if value == "skip":
            self._next_question(PROFILE_QUESTIONS)
            return
        answer = self._profile_answer(question, value)
        if answer is None:
            return
        self._next_question(PROFILE_QUESTIONS)

    def _profile_answer(self, question: str, value: str | None) -> bool | None:
        """Stores the answer; None when the question was asked again instead."""
        person = self.conv.sheet.person
        text = (self.text or "")[:FIELD_LIMIT]
        if question == "gender" and value and value.removeprefix("gender_") in GENDERS:
            person.gender = value.removeprefix("gender_")
            return True
        if question == "birth" and value and value.removeprefix("age_") in AGE_BANDS:
            person.age_band = value.removeprefix("age_")
            person.birth_date = None
            person.age = None
            return True
        if value is not None:
            self.ask_again(prompts.stale_button() if value else prompts.nudge())
            return None
        if question == "gender":
            self._nudge()
            return None
        if question == "birth":
            return self._birth(text)
        if question == "phone":
            return self._phone(text)
        if question == "municipality":
            person.municipality = unicodedata.normalize("NFKC", text).strip()
        elif question == "furigana":
            person.furigana = text
        else:
            person.name = text
        return True

    def _birth(self, text: str) -> bool | None:
        person = self.conv.sheet.person
        today: date = self.inbound.received_at.date()
        birth = parse_birth_date(text, today)
        if birth is None:
            self.ask_again(prompts.bad_birth_date())
            return None
        person.birth_date = birth.iso()
        person.age = age_on(birth, today)
        person.age_band = _band(person.age)
        return True

    def _phone(self, text: str) -> bool | None:
        parsed = phone_number(text)
        if parsed is None:
            self.ask_again(prompts.bad_phone())
            return None
        shown, mobile = parsed
        if mobile:
            self.conv.sheet.person.phone_mobile = shown
        else:
            self.conv.sheet.person.phone_home = shown
        return True

    def on_registrant(self, value: str | None) -> None:
        """Stores one optional detail about the family member or supporter who writes."""
        registrant = self.conv.sheet.registrant
        question = REGISTRANT_QUESTIONS[self.conv.sub_step]
        text = (self.text or "")[:FIELD_LIMIT]
        if value == "skip_all":
            self._advance()
            return
        if value == "skip":
            pass
        elif question == "relationship" and value and value.removeprefix("rel_") in RELATIONSHIP_LABELS:
            registrant.relationship = RELATIONSHIP_LABELS[value.removeprefix("rel_")]
        elif value is not None:
            self.ask_again(prompts.stale_button())
            return
        elif question == "phone":
            parsed = phone_number(text)
            if parsed is None:
                self.ask_again(prompts.bad_phone())
                return
            registrant.phone = parsed[0]
        elif question == "relationship":
            registrant.relationship = text
        else:
            registrant.name = text
        self._next_question(REGISTRANT_QUESTIONS)

    def _next_question(self, questions: tuple[str, ...]) -> None:
        self.conv.sub_step += 1
        self._skip_pointless_questions()
        if self.conv.sub_step >= len(questions):
            self._advance()
        else:
            self.ask_again()

    def _skip_pointless_questions(self) -> None:
        """Furigana is not asked when no name was given."""
        conv = self.conv
        if conv.state == "profile" and conv.sub_step < len(PROFILE_QUESTIONS) \
                and PROFILE_QUESTIONS[conv.sub_step] == "furigana" and not conv.sheet.person.name:
            conv.sub_step += 1

    def on_review(self, value: str | None) -> None:
        """Sends the sheet, or opens one section for changes."""
        if value == "send":
            self.fire("send")
            self.out.events.append(HandoffRequested(urgent=self.conv.sheet.risk.urgent))
            self.ask_again()
        elif value == "edit":
            self.say(prompts.edit_menu(self.conv))
        elif value and value.startswith("edit_") and value.removeprefix("edit_") in EDITABLE:
            section = value.removeprefix("edit_")
            if section == "details":
                self.conv.sheet.details = []
            self._advance(value)
        elif value == "back_to_review":
            self.ask_again()
        else:
            self._nudge()

    def on_handed_off(self, value: str | None) -> None:
        """After the handoff, what the person writes goes to the counselor."""
        if value is None and self.text:
            self.out.events.append(MessageForCounselor(self.text))
            self.say(prompts.forwarded())
        elif value == "resources":
            self.out.events.append(ResourcesRequested())  # the service lists them (they are operators' data)
        else:
            self.say(prompts.write_to_counselor())


def _band(age: int | None) -> str | None:
    if age is None:
        return None
    if age >= 60:
        return "60s_plus"
    decade = max(10, age // 10 * 10)
    return f"{decade}s"
