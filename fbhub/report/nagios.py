"""doctor's results as a Nagios / Icinga plugin's output (the Monitoring Plugins Development Guidelines).

One status line — ``FBHUB CRITICAL - 2 failed, 1 warning, 30 passed | 'failed'=2;;0;0 …`` — then one line per
problem (the plugin's long output), and the plugin exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
Input: doctor's JSON report documents (one per profile), as for the Prometheus renderer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fbhub.checks.model import exit_code
from fbhub.errors import EXIT_FAILED, EXIT_INCONCLUSIVE, EXIT_OK

OK, WARNING, CRITICAL, UNKNOWN = 0, 1, 2, 3
# doctor's exit code (``fbhub.checks.model.exit_code``, the one mapping) as a plugin state; a warning that does
# not fail the run is the plugin's WARNING.
_STATE_OF_EXIT = {EXIT_OK: OK, EXIT_FAILED: CRITICAL, EXIT_INCONCLUSIVE: UNKNOWN}
STATE_NAMES = {OK: "OK", WARNING: "WARNING", CRITICAL: "CRITICAL", UNKNOWN: "UNKNOWN"}
_PROBLEM_ORDER = {"fail": 0, "error": 1, "warn": 2}
_LONG_OUTPUT_MAX = 50  # problem lines after the status line


def state_of(doc: Mapping[str, Any]) -> int:
    """A report's plugin state: CRITICAL when a check failed (or warned, with strict), UNKNOWN when one could
    not be checked or the profile could not be checked at all, WARNING on a warning, else OK."""
    if not isinstance(doc.get("results"), list):
        return UNKNOWN
    s = doc.get("summary") or {}
    code = exit_code(failed=bool(s.get("fail") or (doc.get("strict") and s.get("warn"))),
                     inconclusive=bool(s.get("error")))
    if code == EXIT_OK and s.get("warn"):
        return WARNING
    return _STATE_OF_EXIT[code]


def worst(states: Sequence[int]) -> int:
    """CRITICAL > UNKNOWN > WARNING > OK: a check that could not conclude outranks a warning, as doctor's
    exit codes do (3 over 0)."""
    rank = {OK: 0, WARNING: 1, UNKNOWN: 2, CRITICAL: 3}
    return max(states, key=lambda s: rank[s]) if states else UNKNOWN


def _summary(doc: Mapping[str, Any]) -> str:
    if not isinstance(doc.get("results"), list):
        return f"could not check: {doc.get('error') or 'no report'}"
    s = doc.get("summary") or {}
    parts = [f"{s[k]} {label}" for k, label in (("fail", "failed"), ("error", "could not be checked"),
                                                 ("warn", "warning" if s.get("warn") == 1 else "warnings"),
                                                 ("pass", "passed")) if s.get(k)]
    return ", ".join(parts) or "no checks ran"


def _label(text: str) -> str:
    """A perfdata label: quoted, without the characters the format reserves."""
    return "'" + text.replace("'", "").replace("=", "").replace("|", "") + "'"


def _perfdata(doc: Mapping[str, Any], prefix: str) -> list[str]:
    s = doc.get("summary") or {}
    if not isinstance(doc.get("results"), list):
        return []
    out = [
        f"{_label(prefix + 'failed')}={s.get('fail', 0)};;0;0",
        f"{_label(prefix + 'warnings')}={s.get('warn', 0)};0;;0",
        f"{_label(prefix + 'unknown')}={s.get('error', 0)};;;0",
        f"{_label(prefix + 'passed')}={s.get('pass', 0)};;;0",
        f"{_label(prefix + 'checks')}={s.get('total', 0)};;;0",
        f"{_label(prefix + 'duration')}={float(doc.get('duration_s') or 0):.3f}s;;;0",
    ]
    if doc.get("requests") is not None:
        out.append(f"{_label(prefix + 'requests')}={int(doc['requests'])};;;0")
    return out


def _clean(text: Any) -> str:
    from fbhub.redact import redact

    return " ".join(redact(str(text)).replace("|", "/").split())


def to_nagios(docs: Sequence[Mapping[str, Any]]) -> tuple[str, int]:
    """(plugin output, plugin exit code) for doctor's reports, one per profile."""
    states = [state_of(d) for d in docs]
    state = worst(states)
    many = len(docs) > 1
    if many:
        head = "; ".join(f"{d.get('profile')} {STATE_NAMES[st]} ({_summary(d)})"
                         for d, st in zip(docs, states, strict=True))
        head = f"{len(docs)} profiles: {head}"
    else:
        head = _summary(docs[0]) if docs else "no profile checked"
    perf: list[str] = []
    problems: list[tuple[int, str]] = []
    for d in docs:
        perf += _perfdata(d, f"{d.get('profile')} " if many else "")
        prefix = f"[{d.get('profile')}] " if many else ""
        if not isinstance(d.get("results"), list):
            problems.append((1, f"{prefix}UNKNOWN: {d.get('error') or 'could not be checked'}"))
            continue
        for r in d["results"]:
            st = str(r.get("status"))
            if st not in _PROBLEM_ORDER:
                continue
            target = f" [{r.get('target')}]" if r.get("target") and r.get("target") != "app" else ""
            found = f": {r.get('found')}" if r.get("found") else ""
            label = {"fail": "CRITICAL", "error": "UNKNOWN", "warn": "WARNING"}[st]
            problems.append((_PROBLEM_ORDER[st], f"{prefix}{label}: {r.get('id')} {r.get('title')}{target}{found}"))
    problems.sort(key=lambda p: p[0])
    lines = [_clean(f"FBHUB {STATE_NAMES[state]} - {head}") + (" | " + " ".join(perf) if perf else "")]
    lines += [_clean(text) for _, text in problems[:_LONG_OUTPUT_MAX]]
    if len(problems) > _LONG_OUTPUT_MAX:
        lines.append(f"… and {len(problems) - _LONG_OUTPUT_MAX} more (run 'fbhub doctor' for the full report)")
    return "\n".join(lines) + "\n", state


def unknown(message: str) -> tuple[str, int]:
    """The plugin output when doctor could not run at all (bad option, missing setting)."""
    return _clean(f"FBHUB UNKNOWN - {message}") + "\n", UNKNOWN
