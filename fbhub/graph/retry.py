"""Retry policy, backoff with full jitter, and the rate-limit headers (Retry-After and usage headers)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: at most ``max_attempts`` requests per call, exponential backoff with full jitter
    (``base_delay * 2**n`` capped at ``max_delay``), and never longer than ``total_timeout`` seconds in all."""

    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    total_timeout: float = 30.0

    def backoff(self, retry_number: int, rand: Callable[[], float]) -> float:
        """Delay before retry ``retry_number`` (1 = first retry): uniform in [0, min(max, base*2**(n-1))]."""
        cap = min(self.max_delay, self.base_delay * (2.0 ** max(0, retry_number - 1)))
        return max(0.0, cap * rand())


NO_RETRY = RetryPolicy(max_attempts=1)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date); None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _json_header(value: str | None) -> Any:
    if not value:
        return None
    from fbhub.graph.limits import loads

    try:
        return loads(value)
    except (ValueError, TypeError):  # UnreadableJSON (nested too deep) is a ValueError
        return None


def _pct(d: Mapping[str, Any]) -> int:
    best = 0
    for k in ("call_count", "total_time", "total_cputime"):
        v = d.get(k)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            best = max(best, int(v))
    return best


def parse_usage(headers: Mapping[str, str]) -> dict[str, Any]:
    """The usage headers as a dict: ``app`` (X-App-Usage), ``page`` (X-Page-Usage), ``business``
    (X-Business-Use-Case-Usage, keyed by object id), plus ``max_percent`` and ``regain_seconds``
    (estimated_time_to_regain_access is in minutes). Empty dict when no usage header was sent."""
    out: dict[str, Any] = {}
    app = _json_header(headers.get("x-app-usage"))
    page = _json_header(headers.get("x-page-usage"))
    buc = _json_header(headers.get("x-business-use-case-usage"))
    pct = 0
    regain_min = 0.0
    if isinstance(app, dict):
        out["app"] = app
        pct = max(pct, _pct(app))
    if isinstance(page, dict):
        out["page"] = page
        pct = max(pct, _pct(page))
        t = page.get("estimated_time_to_regain_access")
        if isinstance(t, (int, float)) and not isinstance(t, bool):
            regain_min = max(regain_min, float(t))
    if isinstance(buc, dict):
        out["business"] = buc
        for rows in buc.values():
            for row in rows if isinstance(rows, list) else [rows]:
                if not isinstance(row, dict):
                    continue
                pct = max(pct, _pct(row))
                t = row.get("estimated_time_to_regain_access")
                if isinstance(t, (int, float)) and not isinstance(t, bool):
                    regain_min = max(regain_min, float(t))
    if out:
        out["max_percent"] = pct
        out["regain_seconds"] = regain_min * 60.0
    return out


USAGE_METRICS = ("call_count", "total_time", "total_cputime")


def merge_peak_usage(peak: dict[str, dict[str, int]], usage: Mapping[str, Any]) -> None:
    """Fold one response's parsed usage (``parse_usage``) into ``peak``: the highest percent seen per header
    (``app``, ``page``, ``business`` — the latter over every object) and metric (``call_count``, ``total_time``,
    ``total_cputime``). What a run reports as Meta's usage of the app and its Pages."""
    rows: list[tuple[str, Any]] = []
    for header in ("app", "page"):
        if isinstance(usage.get(header), dict):
            rows.append((header, usage[header]))
    buc = usage.get("business")
    if isinstance(buc, dict):
        for entries in buc.values():
            for row in entries if isinstance(entries, list) else [entries]:
                if isinstance(row, dict):
                    rows.append(("business", row))
    for header, row in rows:
        into = peak.setdefault(header, {})
        for k in USAGE_METRICS:
            v = row.get(k)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                into[k] = max(into.get(k, 0), int(v))


def usage_wait(usage: Mapping[str, Any], *, default_wait: float) -> float | None:
    """Seconds to wait because of the usage headers, or None when they do not ask for a pause.

    ``estimated_time_to_regain_access`` > 0 gives the wait; a usage of 100 % without an estimate waits
    ``default_wait``."""
    if not usage:
        return None
    regain = float(usage.get("regain_seconds") or 0.0)
    if regain > 0:
        return regain
    if int(usage.get("max_percent") or 0) >= 100:
        return default_wait
    return None


def usage_summary(usage: Mapping[str, Any]) -> str:
    """Short text for logs: ``usage 28%`` / ``usage 100%, regain in 5 min``."""
    if not usage:
        return ""
    s = f"usage {usage.get('max_percent', 0)}%"
    regain = float(usage.get("regain_seconds") or 0.0)
    if regain > 0:
        s += f", regain in {regain / 60:.0f} min"
    return s
