"""The commands that write reports and printed material: `tsunagu stats` and `tsunagu outreach`."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from bot.bootstrap import Container
from bot.cases.actor import OPERATOR
from bot.usage import Usage
from dialogs.i18n import use_locale


def _day(text: str | None, option: str) -> date | None:
    try:
        return date.fromisoformat(text) if text is not None else None
    except ValueError as exc:
        raise Usage(f"{option} takes a date like 2026-04-01.") from exc


def stats(c: Container, args: argparse.Namespace) -> int:
    """`tsunagu stats`: a period's statistics as JSON, CSV or XLSX, small numbers hidden (audited)."""
    from bot.cases.statistics import StatsRequest
    from bot.stats.export import export

    asked = StatsRequest(_day(args.first, "--from"), _day(args.last, "--to"), args.agency, export=args.format)
    c.migrate()
    with use_locale(c.settings.default_locale):
        result = c.cases.statistics(OPERATOR, asked)
        shown = result.report
        heading = f"{shown['from']} – {shown['to']} {result.agency or '*'} (<{shown['min_cell']})"
        data = export(shown, args.format, heading)
    if args.output:
        try:
            with open(args.output, "wb") as out:
                out.write(data)
        except OSError as exc:
            raise Usage(f"Cannot write {args.output}: {exc.strerror}.") from exc
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


def outreach(c: Container, args: argparse.Namespace) -> int:
    """`tsunagu outreach`: an agency's poster or card printed to a file (audited)."""
    from bot.cases.outreach import Order

    if not args.agency or not args.output:
        raise Usage("Name the agency with --agency and the file to write with --output.")
    output = Path(args.output)
    if not output.parent.is_dir():
        raise Usage(f"The folder {str(output.parent)!r} does not exist.")
    c.migrate()
    agency = c.outreach.agency_named(OPERATOR, args.agency)
    order = Order(agency.id, args.size, args.language, args.format)
    data, _name = c.outreach.download(OPERATOR, order)
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise Usage(f"Cannot write {args.output}: {exc.strerror}.") from exc
    print(json.dumps({"agency": agency.name, "size": order.size, "language": order.language,
                      "format": order.format, "output": str(output), "bytes": len(data)}, ensure_ascii=False))
    return 0
