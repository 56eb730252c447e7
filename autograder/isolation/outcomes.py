"""What happened to a cell or a case: an enum plus a reason, so no one matches sentences.

The grader decides with the enum (``CellOutcome.problem``, ``CaseOutcome.passed``); the reason is
only ever shown to a person.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class CellOutcome(enum.Enum):
    """One code cell of the notebook, as the grader ran it (or did not)."""

    NOT_RUN = "not run"  # not reached (or a cell magic that is not Python)
    OK = "ok"
    ERROR = "error"  # raised an exception; the notebook went on
    TAGGED_SKIP = "skipped (tagged skip-grading)"  # a demonstration cell, never run
    TIMEOUT = "timeout"  # ran past its limit: skipped in the re-run
    CRASH = "crash"  # the child died while it ran: skipped in the re-run
    OUT_OF_MEMORY = "out of memory"  # raised MemoryError: skipped in the re-run
    PROTOCOL = "protocol"  # wrote into the grader's pipe: skipped in the re-run
    BUDGET = "budget"  # the submission's total time ran out while it ran

    @property
    def problem(self) -> bool:
        """True if the student should hear about it."""
        return self not in (CellOutcome.NOT_RUN, CellOutcome.OK, CellOutcome.TAGGED_SKIP)

    @property
    def skipped_on_rerun(self) -> bool:
        return self in (CellOutcome.TIMEOUT, CellOutcome.CRASH, CellOutcome.OUT_OF_MEMORY,
                        CellOutcome.PROTOCOL)


class CaseOutcome(enum.Enum):
    """One check case of a graded function."""

    PASSED = "passed"
    FAILED = "failed"  # the check found a wrong value
    RAISED = "raised"  # the student's function raised
    UNDEFINED = "undefined"  # the notebook does not define the function
    TIMEOUT = "timeout"
    CRASH = "crash"
    INTERNAL_ERROR = "internal error"  # the grader's fault, not the student's

    @property
    def passed(self) -> bool:
        return self is CaseOutcome.PASSED


@dataclass(frozen=True)
class CaseResult:
    """A case's outcome and the sentence for the student. Unpacks as ``passed, reason``."""

    outcome: CaseOutcome
    reason: str = ""

    @property
    def passed(self) -> bool:
        return self.outcome.passed

    def __iter__(self):
        return iter((self.passed, self.reason))
