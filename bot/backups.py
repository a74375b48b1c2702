"""`tsunagu backup FILE` and `tsunagu restore FILE`: the database without its key, and where the key must come from.

Neither builds the service: a restore must not generate a new key into an empty data directory."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bot.settings import Settings
from storage.backup import BackupError, backup, restore
from storage.crypto import KEY_FILE, FieldCipher, load_keys


def key_source(settings: Settings) -> str:
    """Where this process takes the data key from, in words."""
    if settings.data_key:
        return "TSUNAGU_DATA_KEY"
    return str((settings.data_dir / KEY_FILE).resolve())


def run_backup(settings: Settings, file: str) -> int:
    """Write the backup and say that the key is elsewhere."""
    done = backup(settings.database_url, Path(file))
    print(json.dumps(done.to_dict()))
    print(f"tsunagu: the data key is not in the backup; keep the key from {key_source(settings)} apart from it, "
          "as a restore cannot read the backup without it.", file=sys.stderr)
    return 0


def run_restore(settings: Settings, file: str) -> int:
    """Restore into the empty target with the key that must already be configured."""
    if not settings.data_key and not (settings.data_dir / KEY_FILE).is_file():
        raise BackupError(f"The data key is not in the backup: set TSUNAGU_DATA_KEY, or put the key file at "
                          f"{(settings.data_dir / KEY_FILE).resolve()}, to the key(s) in use when it was made.")
    cipher = FieldCipher(load_keys(settings.data_key, settings.data_dir))
    done = restore(Path(file), settings.database_url, cipher)
    print(json.dumps({**done.to_dict(), "restored": True}))
    print(f"tsunagu: restored; the key from {key_source(settings)} reads it. Run `tsunagu serve` with the same key.",
          file=sys.stderr)
    return 0
