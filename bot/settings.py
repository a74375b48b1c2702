"""Settings from the environment, or a `.env` file in the working directory (INTERFACES.md)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

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
        return Settings(
            data_dir=data_dir,
            database_url=env.get("TSUNAGU_DATABASE_URL") or default_url(data_dir),
            data_key=env.get("TSUNAGU_DATA_KEY") or None,
            host=env.get("TSUNAGU_HOST") or "127.0.0.1",
            port=int(port_text),
            default_locale=locale,
        )
