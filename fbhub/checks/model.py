"""What a check is and what it finds: the one vocabulary of verify-app, doctor, probe-webhook and their reports.

``CheckSpec`` names a check (stable id like a linter's rule code, group, title, explain topic); ``Group`` holds a
group's specs and its evaluator; ``CheckResult`` is one finding; ``Report`` is a run's findings with the one
mapping from findings to an exit code.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fbhub.errors import EXIT_FAILED, EXIT_INCONCLUSIVE, EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from fbhub.checks.facts import Answer, Facts, Inputs
    from fbhub.session import Session

# Thresholds shared by groups: tokens, data access and certificates warn this many days before they end.
EXPIRY_WARN_DAYS = 14


class Status(str, enum.Enum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"  # not run because an earlier check failed (found says why)
    ERROR = "error"  # could not check (network, rate limit, server fault)
    MANUAL = "confirm"  # the API cannot tell: confirm in the dashboard (never a pass)

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class CheckSpec:
    id: str
    group: str
    title: str
    topic: str  # the explain topic
    per: str = "app"  # "app", "token" (one result per page token) or "page" (one per page)


@dataclass
class CheckResult:
    """One finding: what was checked, on what, what was found and how to fix it."""

    id: str
    title: str
    status: Status
    found: str = ""
    fix: str = ""
    target: str = "app"
    group: str = ""
    topic: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        """A definite failure, or a check that could not conclude: what stops a step that needs it."""
        return self.status in (Status.FAIL, Status.ERROR)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "status": self.status.value, "found": self.found,
                "fix": self.fix, "target": self.target, "group": self.group, "topic": self.topic,
                "details": dict(self.details)}


Evaluator = Callable[["Inputs", "Facts"], list[CheckResult]]
Gatherer = Callable[["Session", "Inputs"], object]


@dataclass
class Group:
    """A group of checks: their specs and the one function that turns facts into their results (set with
    ``@GROUP.evaluator`` under the specs, in the group's own file).

    ``graph``: the group reads the Graph facts (gathered once, in one batched round trip, for every group).
    ``opt_in``: run only when asked for (doctor --probe, or --only naming it). ``gather``: the group's own I/O
    (the webhook endpoint probe); what it returns is handed to ``evaluate`` as ``facts.extra[name]``.
    """

    name: str
    title: str
    checks: tuple[CheckSpec, ...]
    graph: bool = False
    opt_in: bool = False
    gather: Gatherer | None = None
    evaluate: Evaluator | None = None

    def evaluator(self, fn: Evaluator) -> Evaluator:
        """Decorator: ``fn(inputs, facts)`` is this group's evaluator."""
        self.evaluate = fn
        return fn

    def gatherer(self, fn: Gatherer) -> Gatherer:
        """Decorator: ``fn(session, inputs)`` is this group's own I/O, run before its evaluator."""
        self.gather = fn
        return fn

    def spec(self, check_id: str) -> CheckSpec:
        for c in self.checks:
            if c.id == check_id:
                return c
        raise KeyError(f"{check_id} is not a check of group {self.name}")

    def result(self, check_id: str, status: Status, found: str = "", fix: str = "", *, target: str = "app",
               details: dict[str, Any] | None = None) -> CheckResult:
        """A result of one of this group's checks."""
        spec = self.spec(check_id)
        return CheckResult(id=check_id, title=spec.title, status=status, found=found, fix=fix, target=target,
                           group=self.name, topic=spec.topic, details=details or {})

    def skip(self, ids: Iterable[str], why: str, *, target: str = "app") -> list[CheckResult]:
        return [self.result(i, Status.SKIP, why, target=target) for i in ids]

    def crashed(self, exc: BaseException) -> list[CheckResult]:
        """ERROR results for every check of the group when its evaluator (or gatherer) raised: a bug, said so."""
        what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return [self.result(c.id, Status.ERROR, f"crashed: this is a bug in fbhub ({what})",
                            "report it with 'fbhub doctor --bundle FILE'; the other checks are unaffected")
                for c in self.checks]


def failure_of(answer: Answer) -> Status:
    """The status of a check a Graph error stopped: ERROR when it could not conclude, FAIL otherwise."""
    return Status.ERROR if answer.inconclusive else Status.FAIL


def summarize(results: Iterable[CheckResult]) -> dict[str, int]:
    """Counts per status, every status present (0 when none)."""
    c = Counter(r.status for r in results)
    return {s.value: c.get(s, 0) for s in Status}


def exit_code_for(results: Iterable[CheckResult], *, strict: bool = False) -> int:
    """0 when nothing failed, 1 when a check failed (or warned, with strict), 3 when one could not check."""
    statuses = {r.status for r in results}
    return exit_code(failed=Status.FAIL in statuses or (strict and Status.WARN in statuses),
                     inconclusive=Status.ERROR in statuses)


def exit_code(*, failed: bool, inconclusive: bool) -> int:
    """The one mapping to an exit code: 1 for a definite failure, else 3 when something could not conclude."""
    if failed:
        return EXIT_FAILED
    if inconclusive:
        return EXIT_INCONCLUSIVE
    return EXIT_OK


# The exit codes from the least to the most severe: success, a run that could not conclude, a run that could not
# start (usage or configuration), a failed check. Ranks several runs (profiles) as ``exit_code`` ranks findings.
EXIT_SEVERITY: tuple[int, ...] = (EXIT_OK, EXIT_INCONCLUSIVE, EXIT_USAGE, EXIT_FAILED)


def worst_exit_code(codes: Iterable[int]) -> int:
    """The worst of several runs' exit codes (a code fbhub does not know outranks them all); 0 for none."""

    def severity(code: int) -> int:
        return EXIT_SEVERITY.index(code) if code in EXIT_SEVERITY else len(EXIT_SEVERITY)

    return max(codes, key=severity, default=EXIT_OK)


@dataclass
class Report:
    """A run's results (in catalogue order), the facts they came from and what it cost."""

    results: list[CheckResult]
    facts: Facts
    inputs: Inputs
    duration_s: float = 0.0

    def problems(self, ids: Iterable[str] | None = None) -> list[CheckResult]:
        """What needs fixing: failures and warnings (of ``ids`` only, when given)."""
        wanted = None if ids is None else set(ids)
        return [r for r in self.results if r.status in (Status.FAIL, Status.WARN)
                and (wanted is None or r.id in wanted)]

    def inconclusive(self) -> list[CheckResult]:
        """The checks that could not conclude (network, rate limit, server fault)."""
        return [r for r in self.results if r.status is Status.ERROR]

    def exit_code(self, strict: bool = False) -> int:
        return exit_code_for(self.results, strict=strict)
