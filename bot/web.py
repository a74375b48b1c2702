"""Jinja2 templates with gettext: every page string goes through the catalogs."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from dialogs.i18n import gettext, ngettext, use_locale

TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def environment() -> Environment:
    """The template environment (autoescaped, with the i18n extension bound to our gettext)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    return env


def render_page(name: str, locale: str, **context: Any) -> str:
    """Render a template in a locale."""
    with use_locale(locale):
        return environment().get_template(name).render(locale=locale, **context)
