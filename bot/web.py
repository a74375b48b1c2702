"""Jinja2 templates with gettext (every page string goes through the catalogs) and moments in the people's time
zone."""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup, escape

from bot.clock import JAPAN, shown
from dialogs.i18n import gettext, ngettext, use_locale
from dialogs.ruby import RUBY, without_readings

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
    env.filters["when"] = _when
    env.filters["ruby"] = _ruby
    env.filters["plain"] = without_readings
    return env


def _ruby(text: str) -> Markup:
    """`{{ text|ruby }}`: readings written 相談《そうだん》 as HTML ruby (the text escaped first)."""
    def ruby(match: re.Match[str]) -> str:
        base, reading = match.group(1) or match.group(2), match.group(3)
        return f"<ruby>{base}<rp>（</rp><rt>{reading}</rt><rp>）</rp></ruby>"

    return Markup(RUBY.sub(ruby, str(escape(text))))


@pass_context
def _when(context: Context, at: datetime, seconds: bool = False) -> str:
    """`{{ moment|when }}`: a moment in the page's time zone (the `zone` it was rendered with)."""
    return shown(at, context.get("zone") or JAPAN, seconds)


def render_page(name: str, locale: str, **context: Any) -> str:
    """Render a template in a locale (moments shown in `zone`, when given)."""
    with use_locale(locale):
        return environment().get_template(name).render(locale=locale, **context)
