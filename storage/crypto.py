"""Field encryption at rest: Fernet keys from TSUNAGU_DATA_KEY (the first encrypts, all decrypt)."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

log = logging.getLogger(__name__)
KEY_FILE = "data.key"


class KeyError_(ValueError):
    """The configured keys cannot be used."""


class FieldCipher:
    """Encrypts and decrypts personal fields and message text."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise KeyError_("TSUNAGU_DATA_KEY holds no key.")
        try:
            self._fernet = MultiFernet([Fernet(k.strip().encode()) for k in keys])
        except (ValueError, TypeError) as exc:
            raise KeyError_(
                "TSUNAGU_DATA_KEY must be comma-separated Fernet keys (32 url-safe base64 bytes each)."
            ) from exc

    def encrypt(self, text: str) -> str:
        """Ciphertext of a string, under the first key."""
        return self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        """Plaintext of a token made under any configured key."""
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken as exc:
            raise KeyError_("A stored field cannot be decrypted with the configured keys.") from exc

    def encrypt_json(self, data: Any) -> str:
        """Ciphertext of JSON-serialisable data."""
        return self.encrypt(json.dumps(data, ensure_ascii=False, separators=(",", ":")))

    def decrypt_json(self, token: str) -> Any:
        """Data back from encrypt_json()."""
        return json.loads(self.decrypt(token))

    def rotate(self, token: str) -> str:
        """The same plaintext re-encrypted under the first key."""
        return self._fernet.rotate(token.encode("ascii")).decode("ascii")


def load_keys(configured: str | None, data_dir: Path) -> list[str]:
    """Keys from the setting, else from the data directory (generated there, with a warning, on first run)."""
    if configured:
        return [k for k in configured.split(",") if k.strip()]
    path = data_dir / KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(Fernet.generate_key().decode("ascii") + "\n")
        log.warning("generated a data key in %s; set TSUNAGU_DATA_KEY and keep a copy safe", path)
    return [k for k in path.read_text().strip().split(",") if k.strip()]
