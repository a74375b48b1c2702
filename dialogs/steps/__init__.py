"""The registry of the intake's steps, in the order they are asked: adding a step is adding it here (with its
module, its strings and its line on the printed sheet). Everything else follows from this list: the machine and
its drawing (`make diagram`), back and edit targets, the review and the printed sheet (dialogs/intake.py)."""

from __future__ import annotations

from dialogs.steps.contact import Contact
from dialogs.steps.intake import Intake
from dialogs.steps.opening import ConsentStep, Welcome, Who
from dialogs.steps.people import Profile, Registrant
from dialogs.steps.topics import MainTopic, Topics
from dialogs.steps.words import Details, Wishes

INTAKE = Intake([Welcome(), Who(), ConsentStep(), Topics(), MainTopic(), Details(), Wishes(), Contact(), Profile(),
                 Registrant()])
STATES: tuple[str, ...] = INTAKE.states


def mermaid() -> str:
    """The intake's machine drawn in Mermaid (docs/dialog.mmd)."""
    return INTAKE.mermaid()
