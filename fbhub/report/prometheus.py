"""doctor's results as Prometheus metrics, in the text exposition format written by ``prometheus_client``.

Input: doctor's JSON report documents (``fbhub.report.to_json_doc``, one per profile; already redacted), so
each metric says what the JSON report of the same run says. A profile that could not be checked at all (a
configuration error) is a document with ``profile``, ``exit_code`` and ``error`` only.

``METRICS`` is the one list of what fbhub exports (README, the alert-rule test, ``fbhub monitor``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prometheus_client.core import Metric

# The value of fbhub_check_status for each result status (documented in the README and the metric's HELP).
STATUS_VALUES: dict[str, int] = {"pass": 0, "warn": 1, "fail": 2, "error": 3, "confirm": 4, "skip": 5}
STATUS_HELP = "0 pass, 1 warn, 2 fail, 3 could not check, 4 confirm by hand, 5 skipped"

# Meta's usage headers (parse_usage keys) as the header names operators know.
USAGE_HEADERS: dict[str, str] = {"app": "X-App-Usage", "page": "X-Page-Usage",
                                 "business": "X-Business-Use-Case-Usage"}


@dataclass(frozen=True)
class MetricSpec:
    name: str  # as exposed (counters with their _total)
    kind: str  # gauge | counter
    labels: tuple[str, ...]
    help: str


METRICS: dict[str, MetricSpec] = {m.name: m for m in (
    MetricSpec("fbhub_check_status", "gauge", ("id", "group", "subject", "profile"),
               f"Result of one doctor check on one subject: {STATUS_HELP}"),
    MetricSpec("fbhub_checks", "gauge", ("profile", "status"), "Number of doctor results per status"),
    MetricSpec("fbhub_token_expiry_timestamp_seconds", "gauge", ("subject", "profile"),
               "When the Page token expires (Unix time; 0 = never)"),
    MetricSpec("fbhub_token_data_access_expiry_timestamp_seconds", "gauge", ("subject", "profile"),
               "When the Page token's data access expires (Unix time; 0 = never)"),
    MetricSpec("fbhub_graph_version_end_timestamp_seconds", "gauge", ("version",),
               "When Meta ends the Graph API version (Unix time), for versions with an announced end"),
    MetricSpec("fbhub_doctor_last_run_timestamp_seconds", "gauge", ("profile",),
               "When doctor's last completed run started (Unix time)"),
    MetricSpec("fbhub_doctor_duration_seconds", "gauge", ("profile",), "How long doctor's last run took"),
    MetricSpec("fbhub_doctor_exit_code", "gauge", ("profile",),
               "doctor's exit code: 0 ok, 1 a check failed, 2 usage or configuration error, 3 could not conclude"),
    MetricSpec("fbhub_graph_requests_total", "counter", ("profile",),
               "Graph API requests made (doctor: by this run; fbhub monitor: since it started)"),
    MetricSpec("fbhub_graph_usage_ratio", "gauge", ("profile", "header", "metric"),
               "Meta's own usage of the app's or Pages' rate limits (usage headers; 1 = 100 %), peak of the run"),
    MetricSpec("fbhub_monitor_runs_total", "counter", ("profile",), "doctor runs made by fbhub monitor"),
    MetricSpec("fbhub_monitor_interval_seconds", "gauge", (),
               "fbhub monitor's interval between runs now (stretched when Meta's usage passes 75 %)"),
    MetricSpec("fbhub_monitor_next_run_timestamp_seconds", "gauge", (), "When fbhub monitor runs doctor next"),
    MetricSpec("fbhub_info", "gauge", ("version",), "fbhub's version (always 1)"),
)}


def iso_to_unix(text: Any) -> float | None:
    """``2026-01-31T12:00:00Z`` (or with an offset) as Unix seconds; None when absent or unreadable."""
    if not isinstance(text, str) or not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _day_unix(d: date) -> float:
    return datetime.combine(d, time(0, 0), tzinfo=timezone.utc).timestamp()


def _epoch(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def families(docs: Sequence[Mapping[str, Any]], *, requests_total: Mapping[str, int] | None = None
             ) -> list[Metric]:
    """The metric families for these reports (one per profile). ``requests_total`` overrides each profile's
    request count (fbhub monitor counts across runs)."""
    from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

    from fbhub import __version__
    from fbhub.meta.versions import version_eol

    def gauge(name: str) -> GaugeMetricFamily:
        m = METRICS[name]
        return GaugeMetricFamily(name, m.help, labels=list(m.labels))

    status = gauge("fbhub_check_status")
    counts = gauge("fbhub_checks")
    expiry = gauge("fbhub_token_expiry_timestamp_seconds")
    data_expiry = gauge("fbhub_token_data_access_expiry_timestamp_seconds")
    version_end = gauge("fbhub_graph_version_end_timestamp_seconds")
    last_run = gauge("fbhub_doctor_last_run_timestamp_seconds")
    duration = gauge("fbhub_doctor_duration_seconds")
    exit_code = gauge("fbhub_doctor_exit_code")
    usage = gauge("fbhub_graph_usage_ratio")
    req = METRICS["fbhub_graph_requests_total"]
    requests = CounterMetricFamily("fbhub_graph_requests", req.help, labels=list(req.labels))
    info = gauge("fbhub_info")
    info.add_metric([__version__], 1)

    versions: set[str] = set()
    for doc in docs:
        profile = str(doc.get("profile", ""))
        if "exit_code" in doc:
            exit_code.add_metric([profile], int(doc["exit_code"]))
        results = doc.get("results")
        if not isinstance(results, list):
            continue  # the profile could not be checked (configuration error): only its exit code
        seen: set[tuple[str, str]] = set()
        for r in results:
            key = (str(r.get("id", "")), str(r.get("target", "")))
            if key in seen:  # one sample per (check, subject)
                continue
            seen.add(key)
            status.add_metric([key[0], str(r.get("group", "")), key[1], profile],
                              STATUS_VALUES.get(str(r.get("status")), STATUS_VALUES["error"]))
            details = r.get("details") or {}
            if key[0] == "FB506" and isinstance(details, Mapping):
                exp, dexp = _epoch(details.get("expires_at")), _epoch(details.get("data_access_expires_at"))
                if exp is not None:
                    expiry.add_metric([key[1], profile], exp)
                if dexp is not None:
                    data_expiry.add_metric([key[1], profile], dexp)
        for st, n in (doc.get("summary") or {}).items():
            if st in STATUS_VALUES:
                counts.add_metric([profile, st], n)
        started = iso_to_unix(doc.get("generated_at"))
        if started is not None:
            last_run.add_metric([profile], started)
        duration.add_metric([profile], float(doc.get("duration_s") or 0.0))
        n_req = (requests_total or {}).get(profile, doc.get("requests"))
        if n_req is not None:
            requests.add_metric([profile], int(n_req))
        graph = doc.get("graph") or {}
        versions |= {v for v in [graph.get("version_requested"), *(graph.get("versions_served") or [])] if v}
        for header, row in ((doc.get("extra") or {}).get("graph_usage") or {}).items():
            for metric, pct in (row or {}).items():
                usage.add_metric([profile, USAGE_HEADERS.get(header, header), metric], float(pct) / 100.0)
    for v in sorted(versions):
        eol = version_eol(v)  # None: unknown, or no end announced yet
        if eol is not None:
            version_end.add_metric([v], _day_unix(eol))
    return [status, counts, expiry, data_expiry, version_end, last_run, duration, exit_code, requests, usage, info]


class _Families:
    """A prometheus_client collector over a fixed list of families (a fresh registry per exposition)."""

    def __init__(self, fams: Iterable[Metric]) -> None:
        self._fams = list(fams)

    def collect(self) -> Iterable[Metric]:
        return iter(self._fams)


def exposition(fams: Iterable[Metric]) -> str:
    """The text exposition format (version 0.0.4) of these families."""
    from prometheus_client import CollectorRegistry, generate_latest

    from fbhub.redact import redact

    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Families(fams))
    return redact(generate_latest(registry).decode("utf-8"))


def to_prometheus(docs: Sequence[Mapping[str, Any]]) -> str:
    """doctor's reports (one per profile) in the Prometheus text exposition format."""
    return exposition(families(docs))


def content_type() -> str:
    from prometheus_client import CONTENT_TYPE_LATEST

    return str(CONTENT_TYPE_LATEST)
