"""``fbhub monitor``: a long-running Prometheus exporter around doctor.

doctor runs on the exporter's own schedule — never because of a scrape — and ``/metrics`` serves the last
result between runs (``/healthz`` says whether the schedule is alive). When Meta's usage headers pass 75 %, the
next run waits longer (``stretch``). One log line per run; SIGTERM or Ctrl-C stops it at once, abandoning a
run in progress. What it serves and logs comes from doctor's redacted JSON reports: no secret leaves.

This module knows nothing about checks or settings: it is handed ``run_once`` (the CLI builds it), which returns
doctor's JSON report documents, one per profile.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from fbhub.errors import UsageError
from fbhub.redact import redact

Doc = Mapping[str, Any]
RunOnce = Callable[[], Sequence[Doc]]
LogFn = Callable[[str], None]

USAGE_SLOWDOWN_PERCENT = 75
# (usage percent from which it applies, factor on the interval); the highest row that applies wins.
STRETCH: tuple[tuple[int, int], ...] = ((USAGE_SLOWDOWN_PERCENT + 1, 2), (90, 4), (100, 8))
MIN_INTERVAL_S = 1.0
MAX_INTERVAL_S = 86400.0

_INTERVAL_RE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(ms|s|m|h)?\s*$")


def parse_interval(text: str) -> float:
    """``5m``, ``30s``, ``1h``, ``90`` (seconds) as seconds, between 1 s and 1 day."""
    m = _INTERVAL_RE.match(str(text))
    if not m:
        raise UsageError(f"invalid --interval {text!r}", hint="give a duration like 30s, 5m or 1h")
    value = float(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, None: 1}[m.group(2)]
    if not (MIN_INTERVAL_S <= value <= MAX_INTERVAL_S):
        raise UsageError(f"invalid --interval {text!r}: it must be between 1s and 24h",
                         hint="5m suits most setups; Meta's rate limits count every run")
    return value


def parse_listen(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (``127.0.0.1:9464``, ``[::1]:9464``, ``:9464`` = every interface)."""
    host, sep, port = str(text).rpartition(":")
    if not sep or not port.isdigit() or not (0 <= int(port) <= 65535):
        raise UsageError(f"invalid --listen {text!r}", hint="give HOST:PORT, e.g. 127.0.0.1:9464")
    host = host.strip("[]") if host.startswith("[") else host
    return host or "0.0.0.0", int(port)


def usage_percent(docs: Sequence[Doc]) -> int:
    """The highest of Meta's usage percentages any profile's last run saw."""
    best = 0
    for doc in docs:
        for row in ((doc.get("extra") or {}).get("graph_usage") or {}).values():
            for v in (row or {}).values():
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    best = max(best, int(v))
    return best


def stretch(interval: float, percent: int) -> float:
    """The wait before the next run: the interval, × 2 over 75 % of Meta's usage, × 4 from 90 %, × 8 at 100 %."""
    factor = 1
    for threshold, f in STRETCH:
        if percent >= threshold:
            factor = f
    return interval * factor


def _utc(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _doc_line(doc: Doc) -> str:
    name = doc.get("profile", "?")
    if not isinstance(doc.get("results"), list):
        return f"{name}: could not check ({doc.get('error') or 'error'}), exit {doc.get('exit_code', 2)}"
    s = doc.get("summary") or {}
    parts = [f"{s[k]} {w}" for k, w in (("fail", "failed"), ("error", "could not check"), ("warn", "warned"),
                                          ("pass", "passed")) if s.get(k)]
    return f"{name}: {', '.join(parts) or 'no checks'}, exit {doc.get('exit_code')}"


@dataclass
class MonitorState:
    """What the exporter knows between runs (guarded by ``lock``)."""

    interval: float
    docs: list[Doc] = field(default_factory=list)
    runs: dict[str, int] = field(default_factory=dict)  # per profile
    requests: dict[str, int] = field(default_factory=dict)  # per profile, since start
    current_wait: float = 0.0
    next_run_at: float = 0.0
    running_since: float | None = None
    run_number: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Monitor:
    """The schedule and the last result. ``loop(stop)`` runs doctor until ``stop`` is set."""

    def __init__(self, run_once: RunOnce, *, interval: float, log: LogFn, clock: Callable[[], float] = time.time
                 ) -> None:
        self.run_once = run_once
        self.log = log
        self.clock = clock
        self.state = MonitorState(interval=interval, current_wait=interval, next_run_at=clock())

    # -- the schedule ---------------------------------------------------------------------------
    def run(self) -> float:
        """One doctor run: store its reports, log one line; returns the wait before the next."""
        st = self.state
        t0 = self.clock()
        with st.lock:
            st.running_since = t0
            st.run_number += 1
            number = st.run_number
        try:
            docs = list(self.run_once())
            problem = None
        except Exception as exc:  # keep serving the last result; say why in the run's line
            docs, problem = [], f"{type(exc).__name__}: {exc}"
        t1 = self.clock()
        pct = usage_percent(docs)
        wait = stretch(st.interval, pct)
        with st.lock:
            if docs:
                st.docs = docs
            for d in docs:
                p = str(d.get("profile"))
                st.runs[p] = st.runs.get(p, 0) + 1
                st.requests[p] = st.requests.get(p, 0) + int(d.get("requests") or 0)
            st.current_wait = wait
            st.next_run_at = t1 + wait
            st.running_since = None
        requests = sum(int(d.get("requests") or 0) for d in docs)
        what = f"run failed: {problem}; serving the previous result" if problem else \
            "; ".join(_doc_line(d) for d in docs)
        slow = f"Meta usage {pct} %" + (f" > {USAGE_SLOWDOWN_PERCENT} %: interval stretched" if wait > st.interval
                                        else "")
        self.log(f"{_utc(t0)} fbhub monitor: run {number} · {what} · {t1 - t0:.1f} s · {requests} requests · "
                 f"{slow} · next run in {wait:.0f} s")
        return wait

    def loop(self, stop: threading.Event) -> None:
        while not stop.is_set():
            wait = self.run()
            if stop.wait(timeout=wait):
                return

    # -- what is served -------------------------------------------------------------------------
    def metrics(self) -> str:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        from fbhub.report.prometheus import METRICS, exposition, families

        st = self.state
        with st.lock:
            docs, runs, requests = list(st.docs), dict(st.runs), dict(st.requests)
            wait, next_at = st.current_wait, st.next_run_at
        fams = families(docs, requests_total=requests)
        spec = METRICS["fbhub_monitor_runs_total"]
        runs_fam = CounterMetricFamily("fbhub_monitor_runs", spec.help, labels=list(spec.labels))
        for profile, n in sorted(runs.items()):
            runs_fam.add_metric([profile], n)
        interval = GaugeMetricFamily("fbhub_monitor_interval_seconds", METRICS["fbhub_monitor_interval_seconds"].help,
                                     value=wait)
        nxt = GaugeMetricFamily("fbhub_monitor_next_run_timestamp_seconds",
                                METRICS["fbhub_monitor_next_run_timestamp_seconds"].help, value=next_at)
        return exposition([*fams, runs_fam, interval, nxt])

    def health(self) -> tuple[int, str]:
        """200 while the schedule keeps time; 503 when a run is overdue (stuck) by more than a grace period."""
        st = self.state
        now = self.clock()
        with st.lock:
            grace = max(60.0, st.current_wait)
            if st.running_since is not None:
                overdue = now - st.running_since > grace
                where = f"run {st.run_number} in progress for {now - st.running_since:.0f} s"
            else:
                overdue = now > st.next_run_at + grace
                where = f"next run in {max(0.0, st.next_run_at - now):.0f} s"
            done = sum(st.runs.values())
        if overdue:
            return 503, f"stalled: {where}\n"
        return 200, f"ok: {done} profile run(s) done, {where}\n"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - no access log on stderr
        pass

    def do_GET(self) -> None:  # noqa: N802
        self._answer(body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(body=False)

    def _answer(self, *, body: bool) -> None:
        from fbhub.report.prometheus import content_type

        path = self.path.split("?", 1)[0]
        mon = self.server.monitor
        if path == "/metrics":
            code, ctype, text = 200, content_type(), mon.metrics()
        elif path in ("/healthz", "/-/healthy"):
            code, text = mon.health()
            ctype = "text/plain; charset=utf-8"
        elif path == "/":
            code, ctype = 200, "text/plain; charset=utf-8"
            text = "fbhub monitor: /metrics (Prometheus), /healthz\n"
        else:
            code, ctype, text = 404, "text/plain; charset=utf-8", "not found: try /metrics or /healthz\n"
        data = redact(text).encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if body:
            self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    monitor: Monitor


def _bind(host: str, port: int) -> _Server:
    import socket

    cls: type[_Server] = _Server
    if ":" in host:
        cls = type("_Server6", (_Server,), {"address_family": socket.AF_INET6})
    try:
        return cls((host, port), _Handler)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                         hint="choose another --listen address or port, or stop what is using it") from None


def serve(run_once: RunOnce, *, host: str, port: int, interval: float, log: LogFn,
          describe: str = "") -> None:
    """Serve /metrics and /healthz and run doctor every ``interval`` until SIGTERM or SIGINT (Ctrl-C).

    Returns when stopped; a doctor run still in progress is abandoned (the process exits at once)."""
    stop = threading.Event()
    httpd = _bind(host, port)
    monitor = Monitor(run_once, interval=interval, log=log)
    httpd.monitor = monitor
    bound_host, bound_port = str(httpd.server_address[0]), int(httpd.server_address[1])
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    reason: list[str] = []

    def on_signal(signum: int, frame: Any) -> None:
        reason.append(signal.Signals(signum).name)
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    web = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, name="fbhub-monitor-http",
                           daemon=True)
    sched = threading.Thread(target=monitor.loop, args=(stop,), name="fbhub-monitor-schedule", daemon=True)
    log(f"{_utc(time.time())} fbhub monitor: listening on http://{shown}:{bound_port} (/metrics, /healthz); "
        f"doctor every {interval:g} s{describe}")
    web.start()
    sched.start()
    try:
        while not stop.wait(timeout=0.5):
            if not sched.is_alive():  # the schedule died (a bug): stop rather than serve stale data forever
                reason.append("the schedule stopped")
                break
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
        httpd.shutdown()
        httpd.server_close()
        busy = monitor.state.running_since is not None
        log(f"{_utc(time.time())} fbhub monitor: stopped ({', '.join(reason) or 'stop'})"
            + ("; the run in progress was abandoned" if busy else ""))
    if busy:  # doctor's worker threads may wait on the network: do not wait for them
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
