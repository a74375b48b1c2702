"""docs/dialog.mmd is the machine, drawn; regenerate with `make diagram` when the machine changes."""

from __future__ import annotations

from pathlib import Path

from dialogs.steps import mermaid

DIAGRAM = Path(__file__).resolve().parents[2] / "docs" / "dialog.mmd"


def test_the_diagram_in_the_repo_is_the_machine() -> None:
    assert DIAGRAM.read_text(encoding="utf-8") == mermaid(), "run `make diagram`"


def test_every_step_of_the_intake_sheet_is_a_state() -> None:
    source = mermaid()
    for step in ("welcome", "who", "consent", "topics", "main_topic", "details", "wishes", "contact",
                 "profile", "registrant", "review", "handed_off"):
        assert f'state "{step}" as {step}' in source
