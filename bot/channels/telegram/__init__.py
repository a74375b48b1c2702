"""Telegram through python-telegram-bot: updates in (webhook or polling), replies out (the outbox)."""

import os

# Opt in to python-telegram-bot's coming behaviour (durations as timedelta), as its deprecation
# notice for RetryAfter.retry_after asks; the sender reads either form.
os.environ.setdefault("PTB_TIMEDELTA", "true")
