"""The one result shape shared by verify-app, doctor and probe-webhook, and how results add up."""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from fbhub.errors import EXIT_FAILED, EXIT_INCONCLUSIVE, EXIT_OK


class Status(str, enum.Enum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"  # not run because an earlier check failed (found says why)
    ERROR = "error"  # could not check (network, rate limit, server fault)
    MANUAL = "confirm"  # the API cannot tell: confirm in the dashboard (never a pass)

    def __str__(self) -> str:
        return self.value


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

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "status": self.status.value, "found": self.found,
                "fix": self.fix, "target": self.target, "group": self.group, "topic": self.topic,
                "details": dict(self.details)}


def summarize(results: Iterable[CheckResult]) -> dict[str, int]:
    """Counts per status, every status present (0 when none)."""
    c = Counter(r.status for r in results)
    return {s.value: c.get(s, 0) for s in Status}


def exit_code_for(results: Iterable[CheckResult], *, strict: bool = False) -> int:
    """0 when nothing failed, 1 when a check failed (or warned, with strict), 3 when one could not check."""
    statuses = {r.status for r in results}
    if Status.FAIL in statuses or (strict and Status.WARN in statuses):
        return EXIT_FAILED
    if Status.ERROR in statuses:
        return EXIT_INCONCLUSIVE
    return EXIT_OK
