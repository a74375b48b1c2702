"""Settings from the environment, or a `.env` file in the working directory (docs/INTERFACES.md). A channel
reads its own variables (bot/channels/<name>/settings.py) from `Settings.env`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.clock import JAPAN
from bot.security import valid_origin
from dialogs.i18n import SUPPORTED_LOCALES
from storage.db import default_url


class SettingsError(ValueError):
    """A setting has a value the service cannot use."""


def read_dotenv(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of a .env file (comments and blank lines ignored, quotes stripped)."""
    if not path.is_file():
        return {}
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        values[key.strip()] = value.strip().strip("'\"")
    return values


@dataclass(frozen=True)
class Settings:
    """Everything the service can be told from outside."""

    data_dir: Path
    database_url: str
    data_key: str | None
    host: str
    port: int
    default_locale: str
    http_timeout: float = 10.0
    forwarded_allow_ips: str = "127.0.0.1"  # proxies whose X-Forwarded-Proto is believed (Secure cookies)
    crisis_contacts: Path | None = None  # the operators' contacts file; None: the bundled defaults
    resources: Path | None = None  # the operators' directory of local resources; None: the bundled example
    gatherings: Path | None = None  # the operators' gatherings (居場所, groups); None: the bundled example
    retain_closed_days: int = 365
    retain_unfinished_days: int = 90
    public_url: str | None = None  # where staff reach the console, for links in alerts
    alert_webhook_url: str | None = None
    stats_min_cell: int = 5  # statistics show a count from 1 to this minus one as "<k" (never below 3)
    frame_ancestors: tuple[str, ...] = ()  # origins whose pages may embed the web chat; none: nobody may
    timezone: ZoneInfo = JAPAN  # everything shown to people and counselors is in this zone; storage keeps UTC
    env: Mapping[str, str] = field(default_factory=dict, repr=False)  # all of it: each channel reads its own

    @staticmethod
    def load(environ: Mapping[str, str] | None = None, dotenv: Path | None = None) -> Settings:
        """Read settings: the environment wins over the .env file."""
        env = {**read_dotenv(dotenv or Path.cwd() / ".env"), **(environ if environ is not None else os.environ)}
        data_dir = Path(env.get("TSUNAGU_DATA_DIR") or "./var").expanduser()
        port_text = env.get("TSUNAGU_PORT") or "8000"
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise SettingsError(f"TSUNAGU_PORT must be a port number, not {port_text!r}.")
        locale = env.get("TSUNAGU_DEFAULT_LOCALE") or "ja"
        if locale not in SUPPORTED_LOCALES:
            raise SettingsError(f"TSUNAGU_DEFAULT_LOCALE must be one of {', '.join(SUPPORTED_LOCALES)}.")
        timeout_text = env.get("TSUNAGU_HTTP_TIMEOUT") or "10"
        try:
            timeout = float(timeout_text)
        except ValueError:
            timeout = 0.0
        if not 0.1 <= timeout <= 300:
            raise SettingsError(f"TSUNAGU_HTTP_TIMEOUT must be seconds between 0.1 and 300, not {timeout_text!r}.")
        return Settings(
            data_dir=data_dir,
            database_url=env.get("TSUNAGU_DATABASE_URL") or default_url(data_dir),
            data_key=env.get("TSUNAGU_DATA_KEY") or None,
            host=env.get("TSUNAGU_HOST") or "127.0.0.1",
            port=int(port_text),
            default_locale=locale,
            http_timeout=timeout,
            forwarded_allow_ips=env.get("TSUNAGU_FORWARDED_ALLOW_IPS") or "127.0.0.1",
            crisis_contacts=Path(env["TSUNAGU_CRISIS_CONTACTS"]) if env.get("TSUNAGU_CRISIS_CONTACTS") else None,
            resources=Path(env["TSUNAGU_RESOURCES"]) if env.get("TSUNAGU_RESOURCES") else None,
            gatherings=Path(env["TSUNAGU_GATHERINGS"]) if env.get("TSUNAGU_GATHERINGS") else None,
            retain_closed_days=_days(env, "TSUNAGU_RETAIN_CLOSED_DAYS", 365),
            retain_unfinished_days=_days(env, "TSUNAGU_RETAIN_UNFINISHED_DAYS", 90),
            timezone=_zone(env.get("TSUNAGU_TIMEZONE") or "Asia/Tokyo"),
            stats_min_cell=_min_cell(env.get("TSUNAGU_STATS_MIN_CELL") or "5"),
            frame_ancestors=_frame_ancestors(env.get("TSUNAGU_FRAME_ANCESTORS") or ""),
            env=env,
            **_alerts(env),
        )


def _alerts(env: Mapping[str, str]) -> dict[str, str | None]:
    """The console's public address (for links in alerts) and the alert webhook; the channels read where they
    alert staff themselves (TSUNAGU_ALERT_TELEGRAM_CHAT_ID, TSUNAGU_ALERT_LINE_TO)."""
    public = (env.get("TSUNAGU_PUBLIC_URL") or "").rstrip("/") or None
    webhook = env.get("TSUNAGU_ALERT_WEBHOOK_URL") or None
    for name, url in (("TSUNAGU_PUBLIC_URL", public), ("TSUNAGU_ALERT_WEBHOOK_URL", webhook)):
        if url and not url.startswith(("http://", "https://")):
            raise SettingsError(f"{name} must start with http:// or https://.")
    return {"public_url": public, "alert_webhook_url": webhook}


def off(env: Mapping[str, str], staff_chat: str, needs: str) -> None:
    """A channel that is off: where it would alert staff must be unset too (else its settings are half there)."""
    if env.get(staff_chat):
        raise SettingsError(f"{staff_chat} needs {needs}.")


def base_url(env: Mapping[str, str], name: str, default: str) -> str:
    """The root URL of a platform's API (a self-hosted server, or the tests' stand-in)."""
    url = (env.get(name) or default).rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise SettingsError(f"{name} must start with http:// or https://.")
    return url


def _zone(name: str) -> ZoneInfo:
    """An IANA time zone such as Asia/Tokyo."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(f"TSUNAGU_TIMEZONE must be a time zone such as Asia/Tokyo, not {name!r}.") from exc


def _frame_ancestors(text: str) -> tuple[str, ...]:
    """The origins that may embed the web chat, space-separated (https://www.city.example.lg.jp)."""
    origins = tuple(origin.rstrip("/") for origin in text.split())
    for origin in origins:
        if not valid_origin(origin):
            raise SettingsError(f"TSUNAGU_FRAME_ANCESTORS must be origins such as https://www.city.example.jp "
                                f"separated by spaces, not {origin!r}.")
    return origins


def _min_cell(text: str) -> int:
    """The smallest count statistics show: a whole number, at least 3."""
    if not text.isdigit() or not 3 <= int(text) <= 1000:
        raise SettingsError(f"TSUNAGU_STATS_MIN_CELL must be a whole number from 3 to 1000, not {text!r}.")
    return int(text)


def _days(env: Mapping[str, str], name: str, default: int) -> int:
    """A whole number of days, at least one."""
    text = env.get(name) or str(default)
    if not text.isdigit() or int(text) < 1:
        raise SettingsError(f"{name} must be a whole number of days, at least 1, not {text!r}.")
    return int(text)
