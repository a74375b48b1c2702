"""The use cases of counselors and operators, in one layer: each takes an actor (an operator at the command
line, or a counselor with a role and an agency) and does the check, the change and the audit in one unit of
work. The console and the command line both call these, and neither touches repositories."""

from __future__ import annotations

from bot.cases.gatherings import GatheringList
from bot.cases.handling import Handling
from bot.cases.managing import Managing
from bot.cases.reading import Reading
from bot.cases.relaying import Relaying
from bot.cases.statistics import Statistics


class Cases(Reading, Handling, Relaying, Managing, Statistics, GatheringList):
    """Everything done with cases: reading, handling, relaying, the supervisors' canned replies, audit log and
    provision log, the statistics and the agency's gatherings (bot.cases.admin has agencies and accounts,
    bot.cases.accounts the sign-in)."""
