"""What every report format shares: the run's header (``ReportMeta``), badges, the summary line, grouping and
the redaction helpers. Every text that leaves ``fbhub.report`` passes through ``fbhub.redact.redact``; the
fields of each result are redacted *before* any escaping (XML, GitHub, JSON) so that escaping cannot hide a
secret from the redactor, and the finished text is redacted once more."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from fbhub import __version__
from fbhub.checks.model import CheckResult, Status, summarize
from fbhub.redact import redact

if TYPE_CHECKING:
    from fbhub.checks.model import Report
    from fbhub.settings import Resolved

FORMATS: tuple[str, ...] = ("text", "json", "junit", "github", "prometheus", "nagios")
COMMANDS: tuple[str, ...] = ("doctor", "verify-app", "probe-webhook")

BADGES: dict[Status, str] = {
    Status.PASS: "PASS",
    Status.WARN: "WARN",
    Status.FAIL: "FAIL",
    Status.ERROR: "ERROR",
    Status.SKIP: "SKIP",
    Status.MANUAL: "CONFIRM",
}
STYLES: dict[Status, str] = {
    Status.PASS: "bold green",
    Status.WARN: "bold yellow",
    Status.FAIL: "bold red",
    Status.ERROR: "bold magenta",
    Status.SKIP: "dim",
    Status.MANUAL: "bold cyan",
}


def utc_now_iso() -> str:
    """Now, as ISO 8601 UTC with a ``Z`` (``2025-01-31T12:00:00Z``)."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class ReportMeta:
    """What a report says about the run besides the results."""

    command: str  # "doctor" | "verify-app" | "probe-webhook"
    profile: str = "default"
    graph_version_requested: str = ""
    graph_versions_served: list[str] = field(default_factory=list)
    tool_version: str = __version__
    generated_at: str = field(default_factory=utc_now_iso)
    duration_s: float = 0.0
    requests: int | None = None
    strict: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def meta_for_run(command: str, settings: Resolved, run: Report, *, strict: bool = False) -> ReportMeta:
    """The report header of a checks run under resolved settings."""
    return ReportMeta(command=command, profile=settings.profile, graph_version_requested=settings["graph_version"],
                      graph_versions_served=sorted(run.facts.versions_served), duration_s=run.duration_s,
                      requests=run.facts.requests, strict=strict,
                      extra={"graph_usage": {k: dict(v) for k, v in run.facts.usage.items()}})




def _clean(text: Any) -> str:
    """Redacted, without terminal escape sequences, control or bidi characters (text from a server included)."""
    from fbhub.safetext import clean

    return clean(redact("" if text is None else str(text)), lines=True)


def _redact_obj(obj: Any) -> Any:
    """Redact every string (keys too) in a JSON-like structure."""
    if isinstance(obj, str):
        return redact(obj)
    if isinstance(obj, Mapping):
        return {(redact(k) if isinstance(k, str) else k): _redact_obj(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [_redact_obj(v) for v in obj]
    if obj is None or isinstance(obj, (bool, int, float)):
        return obj
    return redact(str(obj))


def _dumps(doc: Any) -> str:
    # JSON escaping leaves token characters alone, so one pass over the whole text finds every secret.
    return redact(json.dumps(doc, indent=2, ensure_ascii=False, default=str))


def _label(r: CheckResult) -> str:
    """``FB501 Title [target]``: how one result is named in JUnit and annotations."""
    name = f"{r.id} {r.title}".strip()
    return f"{name} [{r.target}]" if r.target else name


def _counts(results: Sequence[CheckResult]) -> dict[str, int]:
    counts = summarize(results)
    counts["total"] = len(results)
    return counts


def _fmt_duration(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 100 else f"{seconds:.0f} s"


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def summary_line(results: Sequence[CheckResult], meta: ReportMeta) -> str:
    """``3 failed, 1 warning, 12 passed, 2 to confirm in the dashboard · 1.2 s · 14 requests``."""
    c = summarize(results)
    parts = []
    if c["fail"]:
        parts.append(f"{c['fail']} failed")
    if c["error"]:
        parts.append(f"{c['error']} could not be checked")
    if c["warn"]:
        warn = _plural(c["warn"], "warning", "warnings")
        parts.append(warn + (" (failing: --strict)" if meta.strict else ""))
    if c["pass"]:
        parts.append(f"{c['pass']} passed")
    if c["skip"]:
        parts.append(f"{c['skip']} skipped")
    if c["confirm"]:
        parts.append(f"{c['confirm']} to confirm in the dashboard")
    tail = [", ".join(parts) if parts else "no checks ran", _fmt_duration(meta.duration_s)]
    if meta.requests is not None:
        tail.append(_plural(meta.requests, "request", "requests"))
    return " · ".join(tail)


def _header(meta: ReportMeta) -> str:
    bits = [f"fbhub {meta.command}", f"profile {meta.profile}"]
    if meta.graph_version_requested:
        graph = f"Graph API {meta.graph_version_requested}"
        served = [v for v in meta.graph_versions_served if v != meta.graph_version_requested]
        if served:
            graph += f" (served {', '.join(meta.graph_versions_served)})"
        bits.append(graph)
    return _clean(" · ".join(bits))


def _groups(results: Sequence[CheckResult]) -> list[tuple[str, list[CheckResult]]]:
    """Results by group, groups in the order they first appear."""
    from fbhub.checks.registry import by_name

    titles = {name: g.title for name, g in by_name().items()}
    out: dict[str, list[CheckResult]] = {}
    for r in results:
        out.setdefault(titles.get(r.group, r.group or "general"), []).append(r)
    return list(out.items())
