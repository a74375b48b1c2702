"""The `tsunagu` command line (docs/INTERFACES.md): an operator's use cases (bot/cases), each a few lines. A
user's mistake gets one sentence on stderr, exit 2."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import datetime

from bot import logs
from bot.bootstrap import Container, build
from bot.cases.actor import OPERATOR, ROLES
from bot.cases.errors import CaseError
from bot.cases.exports import queue_entry
from bot.cases.reading import QueueFilter
from bot.cli_reports import outreach, stats
from bot.clock import today
from bot.settings import Settings, SettingsError
from bot.usage import Usage
from storage.crypto import KeyError_, load_keys
from storage.rotation import Progress, new_key, rotate

log = logging.getLogger("tsunagu")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tsunagu", description="Tsunagu (つなぐ) reception bot.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="apply migrations, then serve HTTP and deliver replies")
    serve.add_argument("--workers", type=int, default=1,
                       help="processes sharing the port (PostgreSQL only above 1; a dead one is started again)")
    db = sub.add_parser("db", help="database tasks").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="apply migrations")
    agency = sub.add_parser("agency", help="agencies").add_subparsers(dest="agency_command", required=True)
    add_agency = agency.add_parser("add", help="add an agency")
    add_agency.add_argument("name")
    add_agency.add_argument("--municipality", action="append", default=[],
                            help="a municipality (区市町村) whose handoffs it receives; repeatable")
    hours = agency.add_parser("hours", help="set when an agency's counselors read (Japan time, holidays closed)")
    hours.add_argument("name")
    hours.add_argument("hours", help='e.g. "mon-fri 09:00-17:00, sat 10:00-12:00", or "24h"')
    counselor = sub.add_parser("counselor", help="console accounts").add_subparsers(
        dest="counselor_command", required=True)
    add_counselor = counselor.add_parser("add", help="add a console account (password from stdin)")
    add_counselor.add_argument("email")
    add_counselor.add_argument("--agency", required=True)
    add_counselor.add_argument("--role", choices=ROLES, default="counselor")
    queue = sub.add_parser("queue", help="open handoffs, most urgent first")
    queue.add_argument("--agency")
    queue.add_argument("--json", action="store_true", required=True)
    sheet = sub.add_parser("sheet", help="one intake sheet (audited as an export)")
    sheet.add_argument("handoff_id")
    sheet.add_argument("--format", choices=("json", "html"), default="json")
    reply = sub.add_parser("reply", help="a counselor's reply, delivered on the person's channel")
    reply.add_argument("handoff_id")
    reply.add_argument("text")
    thread = sub.add_parser("thread", help="the whole conversation behind a handoff (audited as a view)")
    thread.add_argument("handoff_id")
    thread.add_argument("--json", action="store_true", help="as a JSON array")
    telegram = sub.add_parser("telegram", help="the Telegram channel").add_subparsers(
        dest="telegram_command", required=True)
    set_webhook = telegram.add_parser("set-webhook", help="register the webhook URL, its secret and the commands")
    set_webhook.add_argument("url", help="the public https URL of /webhooks/telegram")
    retention = sub.add_parser("retention", help="erase what is past its retention period").add_subparsers(
        dest="retention_command", required=True)
    run = retention.add_parser("run", help="erase closed cases after TSUNAGU_RETAIN_CLOSED_DAYS and silent "
                                          "unfinished intakes after TSUNAGU_RETAIN_UNFINISHED_DAYS")
    run.add_argument("--dry-run", action="store_true", help="only count what would go")
    keys = sub.add_parser("keys", help="data encryption keys").add_subparsers(dest="keys_command", required=True)
    keys.add_parser("new", help="print a new key to put first in TSUNAGU_DATA_KEY")
    keys.add_parser("rotate", help="re-encrypt every field under the first key of TSUNAGU_DATA_KEY (resumable)")
    provisions = sub.add_parser("provisions", help="the provision log: every relay to another agency (Art. 29)")
    provisions.add_argument("--since", help="YYYY-MM-DD")
    provisions.add_argument("--json", action="store_true", required=True)
    stats = sub.add_parser("stats", help="statistics of a period, small numbers hidden (audited as an export)")
    stats.add_argument("--from", dest="first", help="YYYY-MM-DD, in TSUNAGU_TIMEZONE (default: 1 April)")
    stats.add_argument("--to", dest="last", help="YYYY-MM-DD, included (default: today)")
    stats.add_argument("--agency", help="one agency (default: every agency together)")
    stats.add_argument("--format", choices=("json", "csv", "xlsx"), required=True)
    stats.add_argument("--output", help="write to this file instead of standard output")
    outreach = sub.add_parser("outreach", help="print an agency's poster or card (audited as a download)")
    outreach.add_argument("--agency", help="the agency's name, or all (one file per agency into --output)")
    outreach.add_argument("--format", default="pdf", help="pdf (default) or png")
    outreach.add_argument("--size", default="poster", help="poster (A4, default) or card (91 x 55 mm)")
    outreach.add_argument("--language", default="ja", help="a language code of the chat, such as ja or en")
    outreach.add_argument("--output", help="the file to write (with --agency all: the folder)")
    line = sub.add_parser("line", help="the LINE channel").add_subparsers(dest="line_command", required=True)
    line.add_parser("check", help="check the access token and LINE_API_BASE_URL (bot info)")
    line.add_parser("richmenu", help="draw and install the rich menu in each language (replaces an earlier one)")
    sub.add_parser("backup", help="write a backup of the database while serving (the key is not in it)").add_argument(
        "file", help="a new file")
    sub.add_parser("restore", help="restore a backup into an empty database (the key must be configured)").add_argument(
        "file", help="a file written by `tsunagu backup`")
    return parser


def _serve(c: Container, args: argparse.Namespace) -> int:
    import uvicorn
    from uvicorn.config import STARTUP_FAILURE

    from bot.app import create_app
    from bot.supervisor import SpreadWorkers, listening_sockets
    from storage.db import is_sqlite

    if args.workers < 1:
        raise Usage("--workers takes a number of processes, 1 or more.")
    if args.workers > 1 and is_sqlite(c.settings.database_url):
        raise Usage("--workers above 1 needs PostgreSQL (SQLite has one writer); set TSUNAGU_DATABASE_URL.")
    c.migrate()
    log.info("serving on http://%s:%s with %d worker(s)", c.settings.host, c.settings.port, args.workers)
    one = args.workers == 1
    if not one:
        c.engine.dispose()  # each worker builds its own service from the same settings
    config = uvicorn.Config(create_app(c) if one else "bot.app:worker_app", factory=not one, workers=args.workers,
                            host=c.settings.host, port=c.settings.port, log_config=None, access_log=False,
                            proxy_headers=True, forwarded_allow_ips=c.settings.forwarded_allow_ips)
    if one:
        server = uvicorn.Server(config)
        server.run()
        return 0 if server.started else STARTUP_FAILURE
    SpreadWorkers(config, listening_sockets(config.host, config.port, args.workers, config.backlog)).run()
    return 0


def _upgrade(c: Container, args: argparse.Namespace) -> int:
    c.migrate()
    print("database is up to date")
    return 0


def _agency_add(c: Container, args: argparse.Namespace) -> int:
    c.migrate()
    agency = c.admin.add_agency(OPERATOR, args.name, args.municipality)
    print(json.dumps({"id": agency.id, "name": agency.name, "municipalities": list(agency.municipalities),
                      "code": agency.code}, ensure_ascii=False))
    return 0


def _agency_hours(c: Container, args: argparse.Namespace) -> int:
    c.migrate()
    agency = c.admin.agency_named(OPERATOR, args.name)
    saved = c.admin.set_hours(OPERATOR, agency.id, args.hours)
    print(json.dumps({"id": agency.id, "name": agency.name, "hours": saved}, ensure_ascii=False))
    return 0


def _retention_run(c: Container, args: argparse.Namespace) -> int:
    c.migrate()
    print(json.dumps(c.retention().run(dry_run=args.dry_run).to_dict()))
    return 0


def _keys_new(c: Container, args: argparse.Namespace) -> int:
    print(new_key())
    return 0


def _keys_rotate(c: Container, args: argparse.Namespace) -> int:
    c.migrate()
    first = load_keys(c.settings.data_key, c.settings.data_dir)[0]
    tty = sys.stderr.isatty()

    def show(p: Progress) -> None:
        done = p.seen / p.total if p.total else 1.0
        bar = "#" * int(done * 30)
        line = f"[{bar:<30}] {p.seen}/{p.total} rows, {p.rotated} re-encrypted ({p.table})"
        print(f"\r{line}" if tty else line, end="" if tty else "\n", file=sys.stderr, flush=True)

    rotated = rotate(c.engine, c.cipher, first, show)
    if tty:
        print(file=sys.stderr)
    print(json.dumps({"re_encrypted": rotated}))
    return 0


def _provisions(c: Container, args: argparse.Namespace) -> int:
    since = None
    if args.since:
        try:
            since = datetime.strptime(args.since, "%Y-%m-%d").replace(tzinfo=c.settings.timezone)
        except ValueError as exc:
            raise Usage("--since takes a date like 2026-11-01.") from exc
    print(json.dumps(c.cases.provisions(OPERATOR, since), ensure_ascii=False, indent=2))
    return 0


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            raise Usage("The two passwords differ.")
        return first
    return sys.stdin.readline().rstrip("\n")


def _counselor_add(c: Container, args: argparse.Namespace) -> int:
    c.migrate()
    counselor_id = c.admin.add_counselor(OPERATOR, args.email, args.agency, args.role, _read_password())
    print(json.dumps({"id": counselor_id, "email": args.email.strip().lower(), "agency": args.agency,
                      "role": args.role}, ensure_ascii=False))
    return 0


def _queue(c: Container, args: argparse.Namespace) -> int:
    c.migrate()
    cases = c.cases.queue(OPERATOR, QueueFilter(agency=args.agency), limit=500)
    rows = [queue_entry(case, c.settings.timezone) for case in cases]
    print(json.dumps(rows, ensure_ascii=False, indent=2))
    return 0


def _sheet(c: Container, args: argparse.Namespace) -> int:
    from bot.sheet import render_sheet

    c.migrate()
    sheet = c.cases.sheet(OPERATOR, args.handoff_id, export=args.format)
    if args.format == "json":
        print(json.dumps(sheet, ensure_ascii=False, indent=2))
    else:
        zone = c.settings.timezone
        print(render_sheet(sheet, today(c.clock, zone), zone=zone))
    return 0


def _reply(c: Container, args: argparse.Namespace) -> int:
    c.migrate()
    message_id = c.cases.reply(OPERATOR, args.handoff_id, args.text)
    print(json.dumps({"queued": True, "message_id": message_id}))
    return 0


def _thread(c: Container, args: argparse.Namespace) -> int:
    from bot.transcript import render_text, to_json

    c.migrate()
    entries = c.cases.thread(OPERATOR, args.handoff_id)
    zone = c.settings.timezone
    if args.json:
        print(json.dumps([to_json(e, zone) for e in entries], ensure_ascii=False, indent=2))
    else:
        print(render_text(entries, zone))
    return 0


def _telegram_set_webhook(c: Container, args: argparse.Namespace) -> int:
    import asyncio
    from urllib.parse import urlsplit

    from telegram.error import TelegramError

    from bot.channels.telegram.client import make_bot, set_webhook
    from bot.channels.telegram.settings import load

    telegram = load(c.settings.env)
    if telegram is None:
        raise Usage("Telegram is off: set TELEGRAM_BOT_TOKEN first.")
    if telegram.webhook_secret is None:
        raise Usage("Set TELEGRAM_WEBHOOK_SECRET first; the webhook is registered with it.")
    url = urlsplit(args.url)
    if url.scheme != "https" and url.hostname not in ("127.0.0.1", "localhost"):
        raise Usage("Telegram calls webhooks over https only; give an https:// URL.")
    bot = make_bot(telegram, c.settings.http_timeout)
    try:
        asyncio.run(set_webhook(bot, args.url, telegram.webhook_secret))
    except TelegramError as exc:
        raise Usage(f"Telegram refused the webhook: {exc.message}") from exc
    print(f"webhook set to {args.url}")
    return 0


def _line_check(c: Container, args: argparse.Namespace) -> int:
    import asyncio

    from bot.channels.line.client import LineApi
    from bot.channels.line.settings import load

    settings = load(c.settings.env)
    if settings is None:
        raise Usage("LINE is off: set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN first.")
    line = LineApi(settings, c.settings.http_timeout)

    async def check() -> str:
        try:
            name, basic_id = await line.bot_info()
            return f"LINE works: {name} ({basic_id}) at {settings.api_base_url}"
        finally:
            await line.close()

    try:
        print(asyncio.run(check()))
    except Exception as exc:  # any failure is the answer to "does it work?"; said in one line
        status = getattr(exc, "status", None)
        reason = f"LINE answered {status}" if status else f"{type(exc).__name__}"
        print(f"tsunagu: LINE does not work at {settings.api_base_url}: {reason} "
              "(check LINE_CHANNEL_ACCESS_TOKEN and LINE_API_BASE_URL).", file=sys.stderr)
        return 1
    return 0


def _line_richmenu(c: Container, args: argparse.Namespace) -> int:
    from bot.channels.line.menu_image import NoFont
    from bot.channels.line.richmenu import install
    from bot.channels.line.settings import load

    settings = load(c.settings.env)
    if settings is None:
        raise Usage("LINE is off: set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN first.")
    try:
        made = install(settings, c.settings.default_locale, c.settings.http_timeout)
    except NoFont as exc:
        raise Usage(str(exc)) from exc
    except Exception as exc:  # LINE's refusal or the network, said in one line
        raise Usage(f"LINE refused the rich menu: {getattr(exc, 'status', None) or type(exc).__name__}.") from exc
    print("\n".join(f"rich menu {code}: {menu_id}" for code, menu_id in made.items()))
    return 0


COMMANDS: dict[tuple[str, ...], Callable[[Container, argparse.Namespace], int]] = {
    ("serve",): _serve,
    ("db", "upgrade"): _upgrade,
    ("agency", "add"): _agency_add,
    ("agency", "hours"): _agency_hours,
    ("counselor", "add"): _counselor_add,
    ("queue",): _queue,
    ("sheet",): _sheet,
    ("reply",): _reply,
    ("thread",): _thread,
    ("telegram", "set-webhook"): _telegram_set_webhook,
    ("line", "check"): _line_check,
    ("line", "richmenu"): _line_richmenu,
    ("retention", "run"): _retention_run,
    ("keys", "new"): _keys_new,
    ("keys", "rotate"): _keys_rotate,
    ("provisions",): _provisions,
    ("stats",): stats,
    ("outreach",): outreach,
}


def _key(args: argparse.Namespace) -> tuple[str, ...]:
    sub = {"db": "db_command", "agency": "agency_command", "counselor": "counselor_command",
           "telegram": "telegram_command", "line": "line_command", "retention": "retention_command",
           "keys": "keys_command"}
    return (args.command, getattr(args, sub[args.command])) if args.command in sub else (args.command,)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code."""
    args = _parser().parse_args(argv)
    logs.configure(logging.INFO if args.command == "serve" else logging.WARNING)
    if args.command in ("backup", "restore"):
        return _backups(args)
    try:
        container = build(Settings.load())
    except (SettingsError, KeyError_) as exc:
        print(f"tsunagu: {exc}", file=sys.stderr)
        return 2
    try:
        return COMMANDS[_key(args)](container, args)
    except (Usage, CaseError, KeyError_) as exc:
        print(f"tsunagu: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # an operational failure (database down…): one sentence, no traceback
        from sqlalchemy.exc import OperationalError

        if isinstance(exc, OperationalError):
            print("tsunagu: the database cannot be reached; check TSUNAGU_DATABASE_URL.", file=sys.stderr)
            return 1
        raise
    finally:
        container.close()


def _backups(args: argparse.Namespace) -> int:
    """Backup and restore build no service (a restore must not generate a key)."""
    from sqlalchemy.exc import OperationalError

    from bot.backups import run_backup, run_restore
    from storage.backup import BackupError

    try:
        settings = Settings.load()
        return (run_backup if args.command == "backup" else run_restore)(settings, args.file)
    except (SettingsError, KeyError_, BackupError) as exc:
        print(f"tsunagu: {exc}", file=sys.stderr)
        return 2
    except OperationalError:
        print("tsunagu: the database cannot be reached; check TSUNAGU_DATABASE_URL.", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
