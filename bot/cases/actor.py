"""Who acts in a use case: an operator at the command line (every agency), or a counselor signed in to the
console (their agency only, as their role allows). Scope, roles and the audit trail are decided here, once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.cases.errors import Forbidden, NotFound
from storage.records import CaseSummary, ConsoleSession
from storage.uow import UnitOfWork

COUNSELOR, SUPERVISOR, ADMIN = "counselor", "supervisor", "admin"
ROLES = (COUNSELOR, SUPERVISOR, ADMIN)
SUPERVISING = (SUPERVISOR, ADMIN)


@dataclass(frozen=True)
class Actor:
    """The name the audit log keeps, the role, and the agency (None: every agency, as an operator)."""

    name: str
    role: str
    agency_id: int | None = None
    counselor_id: int | None = None

    @property
    def operator(self) -> bool:
        """An operator at the command line: every agency, every role's rights."""
        return self.agency_id is None and self.counselor_id is None


OPERATOR = Actor("operator", "operator")


def counselor(session: ConsoleSession) -> Actor:
    """The counselor of a console session."""
    account = session.counselor
    return Actor(account.email, account.role, account.agency_id, account.id)


def require(actor: Actor, roles: tuple[str, ...], message: str = "") -> None:
    """Forbidden unless the actor has one of these roles (an operator has them all)."""
    if not actor.operator and actor.role not in roles:
        raise Forbidden(f"The role {actor.role} does not allow this.", message)


def scoped(uow: UnitOfWork, actor: Actor, handoff_id: str) -> CaseSummary:
    """A case the actor may see (its agency's, or any for an operator); NotFound otherwise, whether it exists or
    not. Nothing personal is read."""
    case = uow.handoffs.summary(handoff_id)
    if case is None or (actor.agency_id is not None and case.agency_id != actor.agency_id):
        raise NotFound(f"No handoff has the id {handoff_id}.")
    return case


def holds(actor: Actor, case: CaseSummary) -> bool:
    """Whether the actor holds this claimed case."""
    return case.status == "claimed" and actor.counselor_id is not None and case.holder == actor.name


def record(uow: UnitOfWork, actor: Actor, action: str, at: datetime, target: str | None = None,
           detail: str | None = None, agency_id: int | None = None) -> None:
    """Audit what the actor did: under the case's agency when given, else the actor's own (never content)."""
    uow.audit.record(actor.name, action, target, at, detail, agency_id if agency_id is not None else actor.agency_id)
