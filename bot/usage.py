"""A mistake at the command line: the command says it in one sentence and exits 2."""

from __future__ import annotations


class Usage(Exception):
    """A command-line mistake."""
