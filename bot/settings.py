"""Settings from the environment, or a `.env` file in the working directory (docs/INTERFACES.md)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.clock import JAPAN
from dialogs.i18n import SUPPORTED_LOCALES
from storage.db import default_url

TELEGRAM_MODES = ("webhook", "polling")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


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
class TelegramSettings:
    """The Telegram channel: on when a bot token is set."""

    token: str
    webhook_secret: str | None
    mode: str
    api_base_url: str


@dataclass(frozen=True)
class LineSettings:
    """The LINE channel: on when the channel secret and access token are set."""

    channel_secret: str
    access_token: str
    api_base_url: str


@dataclass(frozen=True)
class Settings:
    """Everything the service can be told from outside."""

    data_dir: Path
    database_url: str
    data_key: str | None
    host: str
    port: int
    default_locale: str
    telegram: TelegramSettings | None = None
    line: LineSettings | None = None
    http_timeout: float = 10.0
    forwarded_allow_ips: str = "127.0.0.1"  # proxies whose X-Forwarded-Proto is believed (Secure cookies)
    crisis_contacts: Path | None = None  # the operators' contacts file; None: the bundled defaults
    resources: Path | None = None  # the operators' directory of local resources; None: the bundled example
    retain_closed_days: int = 365
    retain_unfinished_days: int = 90
    public_url: str | None = None  # where staff reach the console, for links in alerts
    alert_webhook_url: str | None = None
    alert_telegram_chat_id: str | None = None
    alert_line_to: str | None = None
    timezone: ZoneInfo = JAPAN  # everything shown to people and counselors is in this zone; storage keeps UTC

    def alert_targets(self) -> tuple[str, ...]:
        """Where urgent cases are announced besides the console."""
        configured = (("webhook", self.alert_webhook_url), ("telegram", self.alert_telegram_chat_id),
                      ("line", self.alert_line_to))
        return tuple(name for name, on in configured if on)

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
            telegram=_telegram(env),
            line=_line(env),
            http_timeout=timeout,
            forwarded_allow_ips=env.get("TSUNAGU_FORWARDED_ALLOW_IPS") or "127.0.0.1",
            crisis_contacts=Path(env["TSUNAGU_CRISIS_CONTACTS"]) if env.get("TSUNAGU_CRISIS_CONTACTS") else None,
            resources=Path(env["TSUNAGU_RESOURCES"]) if env.get("TSUNAGU_RESOURCES") else None,
            retain_closed_days=_days(env, "TSUNAGU_RETAIN_CLOSED_DAYS", 365),
            retain_unfinished_days=_days(env, "TSUNAGU_RETAIN_UNFINISHED_DAYS", 90),
            timezone=_zone(env.get("TSUNAGU_TIMEZONE") or "Asia/Tokyo"),
            **_alerts(env),
        )


def _telegram(env: Mapping[str, str]) -> TelegramSettings | None:
    """The TELEGRAM_* settings, checked together (webhook mode needs its secret); None when off."""
    token = env.get("TELEGRAM_BOT_TOKEN") or None
    if token is None:
        return None
    secret = env.get("TELEGRAM_WEBHOOK_SECRET") or None
    mode = env.get("TELEGRAM_MODE") or "webhook"
    base = (env.get("TELEGRAM_API_BASE_URL") or "https://api.telegram.org").rstrip("/")
    if mode not in TELEGRAM_MODES:
        raise SettingsError(f"TELEGRAM_MODE must be webhook or polling, not {mode!r}.")
    if secret is not None and not _SECRET.match(secret):
        raise SettingsError("TELEGRAM_WEBHOOK_SECRET must be 1-256 letters, digits, _ or -.")
    if mode == "webhook" and secret is None:
        raise SettingsError("TELEGRAM_WEBHOOK_SECRET is required when TELEGRAM_MODE is webhook.")
    if not base.startswith(("http://", "https://")):
        raise SettingsError("TELEGRAM_API_BASE_URL must start with http:// or https://.")
    return TelegramSettings(token=token, webhook_secret=secret, mode=mode, api_base_url=base)


def _line(env: Mapping[str, str]) -> LineSettings | None:
    """The LINE_* settings: both credentials or neither; None when off."""
    secret = env.get("LINE_CHANNEL_SECRET") or None
    token = env.get("LINE_CHANNEL_ACCESS_TOKEN") or None
    if secret is None and token is None:
        return None
    if secret is None or token is None:
        raise SettingsError("Set both LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN, or neither.")
    base = (env.get("LINE_API_BASE_URL") or "https://api.line.me").rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise SettingsError("LINE_API_BASE_URL must start with http:// or https://.")
    return LineSettings(channel_secret=secret, access_token=token, api_base_url=base)


def _alerts(env: Mapping[str, str]) -> dict[str, str | None]:
    """Where staff are alerted to urgent cases (each optional), and the console's public address for links."""
    public = (env.get("TSUNAGU_PUBLIC_URL") or "").rstrip("/") or None
    webhook = env.get("TSUNAGU_ALERT_WEBHOOK_URL") or None
    for name, url in (("TSUNAGU_PUBLIC_URL", public), ("TSUNAGU_ALERT_WEBHOOK_URL", webhook)):
        if url and not url.startswith(("http://", "https://")):
            raise SettingsError(f"{name} must start with http:// or https://.")
    telegram_chat = env.get("TSUNAGU_ALERT_TELEGRAM_CHAT_ID") or None
    if telegram_chat and not env.get("TELEGRAM_BOT_TOKEN"):
        raise SettingsError("TSUNAGU_ALERT_TELEGRAM_CHAT_ID needs TELEGRAM_BOT_TOKEN.")
    line_to = env.get("TSUNAGU_ALERT_LINE_TO") or None
    if line_to and not env.get("LINE_CHANNEL_ACCESS_TOKEN"):
        raise SettingsError("TSUNAGU_ALERT_LINE_TO needs the LINE_* settings.")
    return {"public_url": public, "alert_webhook_url": webhook, "alert_telegram_chat_id": telegram_chat,
            "alert_line_to": line_to}


def _zone(name: str) -> ZoneInfo:
    """An IANA time zone such as Asia/Tokyo."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(f"TSUNAGU_TIMEZONE must be a time zone such as Asia/Tokyo, not {name!r}.") from exc


def _days(env: Mapping[str, str], name: str, default: int) -> int:
    """A whole number of days, at least one."""
    text = env.get(name) or str(default)
    if not text.isdigit() or int(text) < 1:
        raise SettingsError(f"{name} must be a whole number of days, at least 1, not {text!r}.")
    return int(text)
