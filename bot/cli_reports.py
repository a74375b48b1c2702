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


EVERY_AGENCY = "all"  # `tsunagu outreach --agency all`: one file per agency into the --output folder


def outreach(c: Container, args: argparse.Namespace) -> int:
    """`tsunagu outreach`: an agency's poster or card printed to a file, or every agency's into a folder
    (`--agency all`, each file named by the agency's code); each agency's download audited."""
    from bot.cases.outreach import Order

    if not args.agency or not args.output:
        raise Usage("Name the agency with --agency and the file to write with --output.")
    output = Path(args.output)
    every = args.agency.strip() == EVERY_AGENCY
    if every and not output.is_dir():
        raise Usage(f"With --agency all, --output names a folder, and {args.output!r} is not one.")
    if not output.parent.is_dir():
        raise Usage(f"The folder {str(output.parent)!r} does not exist.")
    c.migrate()
    agencies = c.outreach.agencies(OPERATOR) if every else [c.outreach.agency_named(OPERATOR, args.agency)]
    printed = []
    for agency in agencies:  # every one printed before any is written: a refusal leaves no half set behind
        order = Order(agency.id, args.size, args.language, args.format)
        data, name = c.outreach.download(OPERATOR, order)
        printed.append((agency, order, output / name if every else output, data))
    for agency, order, target, data in printed:
        try:
            target.write_bytes(data)
        except OSError as exc:
            raise Usage(f"Cannot write {target}: {exc.strerror}.") from exc
        print(json.dumps({"agency": agency.name, "size": order.size, "language": order.language,
                          "format": order.format, "output": str(target), "bytes": len(data)}, ensure_ascii=False))
    return 0
