"""Why a use case does not go ahead. Each error says it twice: in English for the command line (str(error)),
and as a message id for the console, translated where it is shown (with `values` filled in)."""

from __future__ import annotations


class CaseError(Exception):
    """A use case that cannot go ahead."""

    def __init__(self, english: str, message: str = "", **values: object) -> None:
        super().__init__(english)
        self.message = message
        self.values = values


class NotFound(CaseError, LookupError):
    """No such case, agency or account, or not one the actor may see (the same answer either way)."""


class Forbidden(CaseError):
    """The actor's role, or their part in the case, does not allow this."""


class Invalid(CaseError, ValueError):
    """Input that cannot be accepted (an empty reply, a name too long, hours that cannot be read)."""


class Refused(CaseError):
    """The case's state does not allow this now (someone else holds it, no consent to relay, answered already)."""
