"""The one vocabulary of what a change at Meta came to, and the exit code it means."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar

from fbhub.errors import InconclusiveError

CHANGED = "changed"  # written to Meta
UNCHANGED = "unchanged"  # already as wanted: nothing written
PLANNED = "planned"  # --dry-run: would be written
FAILED = "failed"  # a definite failure (permission, bad token …)
INCONCLUSIVE = "inconclusive"  # network, rate limit, server fault: could not finish
DONE = (CHANGED, UNCHANGED, PLANNED)

T = TypeVar("T")

#: An action's confirm callback: called with what is about to be written (only when something will be written
#: and not in a dry run); it returns to go on, or raises (or aborts) to stop before anything is written. Each
#: caller passes its own: a prompt, a refusal when nobody can answer, or ``proceed``.
Confirm = Callable[[T], None]


def proceed(_changes: object) -> None:
    """The confirm callback of a caller that has nothing to ask: go on."""


class HasStatus(Protocol):
    @property
    def status(self) -> str: ...


def is_inconclusive(exc: BaseException) -> bool:
    return isinstance(exc, InconclusiveError) or bool(getattr(exc, "is_transient", False))


def exit_code_for_outcomes(outcomes: Iterable[HasStatus]) -> int:
    """1 when any change failed, 3 when only inconclusive failures happened, else 0 (the checks' own mapping)."""
    from fbhub.checks.model import exit_code

    statuses = {o.status for o in outcomes}
    return exit_code(failed=FAILED in statuses, inconclusive=INCONCLUSIVE in statuses)
