"""GitHub Actions workflow commands (``::error``/``::warning``/``::notice`` annotations)."""

from __future__ import annotations

from collections.abc import Iterable

from fbhub.checks.model import CheckResult, Status
from fbhub.redact import redact
from fbhub.report.common import ReportMeta, _clean, _label, summary_line


def gh_escape_data(text: str) -> str:
    """Escape a workflow command's message (GitHub's rules: %, CR, LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def gh_escape_property(text: str) -> str:
    """Escape a workflow command property value (also ``:`` and ``,``)."""
    return gh_escape_data(text).replace(":", "%3A").replace(",", "%2C")


def to_github(results: Iterable[CheckResult], meta: ReportMeta) -> str:
    """GitHub Actions annotations: fail/error → ``::error``, warn → ``::warning`` (``::error`` with strict),
    confirm → ``::notice``; passes and skips are only counted in the summary line."""
    results = list(results)
    lines = []
    for r in results:
        if r.status in (Status.FAIL, Status.ERROR) or (r.status is Status.WARN and meta.strict):
            level = "error"
        elif r.status is Status.WARN:
            level = "warning"
        elif r.status is Status.MANUAL:
            level = "notice"
        else:
            continue
        title = _clean(_label(r)) + (" (could not check)" if r.status is Status.ERROR else "")
        found = _clean(r.found) or _clean(r.title)
        msg = found + (f" — {_clean(r.fix)}" if r.fix else "")
        if r.topic:
            msg += f" (explain: fbhub explain {_clean(r.topic)})"
        lines.append(f"::{level} title={gh_escape_property(title)}::{gh_escape_data(msg)}")
    lines.append(f"fbhub {meta.command}: {summary_line(results, meta)}")
    return redact("\n".join(lines) + "\n")
