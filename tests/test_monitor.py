"""fbhub monitor as a real process against the sandbox over HTTP: its schedule, /metrics, /healthz, SIGTERM,
the slow-down when Meta's usage is high, and no secret in anything it serves or logs."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from fbhub.monitoring.exporter import parse_interval, parse_listen, stretch, usage_percent

BOUND = 60.0  # generous bound for anything that waits on the monitor (shared, slow CI machines)


class MonitorProcess:
    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "fbhub", "monitor", "--listen", "127.0.0.1:0", *args],
                                     env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.log: list[str] = []
        self.pump = threading.Thread(target=self._pump, daemon=True)
        self.pump.start()
        first = self.next_line()
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+) ", first)
        assert m, first
        self.base = f"http://127.0.0.1:{m.group(1)}"

    def _pump(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.log.append(line)
            self.lines.put(line)

    def next_line(self, timeout: float = BOUND) -> str:
        return self.lines.get(timeout=timeout)

    def get(self, path: str) -> tuple[int, str, str]:
        try:
            with urllib.request.urlopen(self.base + path, timeout=BOUND) as r:
                return r.status, r.headers.get("Content-Type", ""), r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("Content-Type", ""), e.read().decode()

    def metrics(self) -> dict[str, list]:
        status, ctype, text = self.get("/metrics")
        assert status == 200 and ctype.startswith("text/plain")
        out: dict[str, list] = {}
        for fam in text_string_to_metric_families(text):
            for s in fam.samples:
                out.setdefault(s.name, []).append(s)
        return out

    def value(self, name: str, **labels: str) -> float | None:
        for s in self.metrics().get(name, []):
            if all(s.labels.get(k) == v for k, v in labels.items()):
                return float(s.value)
        return None

    def wait_for(self, what, timeout: float = BOUND):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            got = what()
            if got:
                return got
            time.sleep(0.05)
        raise AssertionError(f"not reached within {timeout} s; log:\n{''.join(self.log)}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=BOUND)
        self.pump.join(timeout=BOUND)  # the pump ends at the end of stderr; then the pipes can be closed
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()


@pytest.fixture
def monitor_env(sandbox):
    procs: list[MonitorProcess] = []

    def start(scenario: str = "healthy", *args: str, sb=None, **kw) -> tuple[MonitorProcess, object]:
        sb = sb or sandbox(scenario, **kw)
        env = dict(os.environ, **sb.operator.env(sb.url))
        mp = MonitorProcess(env, *args)
        procs.append(mp)
        return mp, sb

    yield start
    for mp in procs:
        mp.stop()


def test_scraped_twice_across_one_interval_runs_on_its_own_schedule(monitor_env):
    mon, sb = monitor_env("demo", "--interval", "4s")
    mon.wait_for(lambda: mon.value("fbhub_monitor_runs_total", profile="default") == 1)
    first_run = mon.value("fbhub_doctor_last_run_timestamp_seconds", profile="default")
    requests_before = len(sb.requests)
    for _ in range(5):  # scrapes between runs serve the last result; they never run doctor
        assert mon.value("fbhub_monitor_runs_total", profile="default") == 1
    assert len(sb.requests) == requests_before
    assert mon.value("fbhub_check_status", id="FB403", subject="app") == 2  # demo: webhook on another host
    mon.wait_for(lambda: mon.value("fbhub_monitor_runs_total", profile="default") == 2)
    second_run = mon.value("fbhub_doctor_last_run_timestamp_seconds", profile="default")
    assert first_run and second_run and second_run - first_run >= 3  # one interval (4 s; seconds resolution)
    assert len(sb.requests) > requests_before
    per_run = mon.value("fbhub_graph_requests_total", profile="default")
    assert per_run and per_run >= 2 * 2  # counted across runs
    status, _, body = mon.get("/healthz")
    assert status == 200 and body.startswith("ok")
    assert mon.get("/nope")[0] == 404
    runs = [line for line in mon.log if " run " in line and "next run in" in line]
    assert len(runs) >= 2 and "default: 2 failed" in runs[0]  # one line per run
    mon.proc.send_signal(signal.SIGTERM)
    assert mon.proc.wait(timeout=BOUND) == 0
    op = sb.operator
    text = "".join(mon.log)
    for secret in filter(None, [op.app_secret, *op.page_tokens, op.verify_token]):
        assert secret not in text and secret[:12] not in text


def test_metrics_and_health_never_expose_a_secret(monitor_env):
    mon, sb = monitor_env("token-expiring-soon", "--interval", "1h")
    mon.wait_for(lambda: mon.value("fbhub_monitor_runs_total", profile="default") == 1)
    body = mon.get("/metrics")[2] + mon.get("/healthz")[2] + mon.get("/")[2]
    op = sb.operator
    for secret in filter(None, [op.app_secret, *op.page_tokens, op.verify_token, op.user_token]):
        for piece in {secret, secret[:12], secret[-12:]}:
            assert piece not in body and piece not in "".join(mon.log)
    assert "fbhub_token_expiry_timestamp_seconds" in body


def test_sigterm_ends_it_within_a_second_even_mid_run(monitor_env):
    # 1.5 s per Graph request: the first run is still waiting on the network when SIGTERM comes
    mon, sb = monitor_env("healthy", "--interval", "5m", latency=1.5)
    mon.wait_for(lambda: "in progress" in mon.get("/healthz")[2])
    t0 = time.monotonic()
    mon.proc.send_signal(signal.SIGTERM)
    code = mon.proc.wait(timeout=BOUND)
    took = time.monotonic() - t0
    assert code == 0
    assert took < 1.0, f"SIGTERM took {took:.2f} s"
    mon.wait_for(lambda: any("stopped (SIGTERM)" in line for line in mon.log))


def test_meta_usage_over_75_percent_stretches_the_interval(monitor_env, sandbox):
    sb = sandbox("healthy")
    sb.world.faults.usage = 90  # every usage header says 90 %
    mon, _ = monitor_env("healthy", "--interval", "2s", sb=sb)
    mon.wait_for(lambda: mon.value("fbhub_monitor_runs_total", profile="default") == 1)
    assert mon.value("fbhub_graph_usage_ratio", header="X-App-Usage", metric="call_count") == 0.9
    assert mon.value("fbhub_monitor_interval_seconds") == 8  # 2 s × 4 from 90 %
    last = mon.value("fbhub_doctor_last_run_timestamp_seconds", profile="default")
    nxt = mon.value("fbhub_monitor_next_run_timestamp_seconds")
    assert last and nxt and nxt - last >= 8 - 1
    line = mon.wait_for(lambda: next((x for x in mon.log if "next run in" in x), None))
    assert "Meta usage 90 % > 75 %: interval stretched" in line and "next run in 8 s" in line
    sb.world.faults.usage = 10  # usage back to normal: the run after next uses the interval again
    mon.wait_for(lambda: mon.value("fbhub_monitor_runs_total", profile="default") == 2, timeout=BOUND + 8)
    assert mon.value("fbhub_monitor_interval_seconds") == 2


def test_bad_options_exit_2_before_listening(cli):
    assert cli("monitor", "--interval", "0s").exit_code == 2
    assert cli("monitor", "--interval", "soon").exit_code == 2
    r = cli("monitor", "--listen", "localhost")
    assert r.exit_code == 2 and "HOST:PORT" in r.stderr
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        r = cli("monitor", "--listen", f"127.0.0.1:{s.getsockname()[1]}", "--interval", "1h")
    assert r.exit_code == 2 and "cannot listen" in r.stderr


def test_schedule_arithmetic():
    assert parse_interval("5m") == 300 and parse_interval("30s") == 30 and parse_interval("1h") == 3600
    assert parse_interval("90") == 90
    assert parse_listen("127.0.0.1:9464") == ("127.0.0.1", 9464) and parse_listen("[::1]:9464") == ("::1", 9464)
    assert [stretch(60, p) for p in (0, 75, 76, 89, 90, 99, 100, 250)] == [60, 60, 120, 120, 240, 240, 480, 480]
    docs = [{"extra": {"graph_usage": {"app": {"call_count": 12, "total_time": 80}}}},
            {"extra": {"graph_usage": {"business": {"call_count": 30}}}}, {"profile": "broken", "exit_code": 2}]
    assert usage_percent(docs) == 80


def test_every_profile_with_its_label(sandbox, isolated_env):
    """fbhub monitor --all-profiles: one run covers each installation; samples carry the profile label."""
    import yaml

    healthy, broken = sandbox("healthy"), sandbox("callback-wrong-domain")
    profiles = {name: {"domain": sb.operator.domain, "app_id": sb.operator.app_id, "graph_url": sb.url,
                       "pages": sb.operator.pages}
                for name, sb in (("staging", healthy), ("production", broken))}
    (isolated_env / "config.yaml").write_text(yaml.safe_dump({"version": 1, "profiles": profiles}, sort_keys=False))
    env = dict(os.environ, FBHUB_VERIFY_TOKEN=healthy.operator.verify_token)
    for name, sb in (("STAGING", healthy), ("PRODUCTION", broken)):
        env[f"FBHUB_{name}_APP_SECRET"] = sb.operator.app_secret
        env[f"FBHUB_{name}_PAGE_TOKENS"] = ",".join(sb.operator.page_tokens)
    mon = MonitorProcess(env, "--all-profiles", "--interval", "1h")
    try:
        mon.wait_for(lambda: mon.value("fbhub_monitor_runs_total", profile="production") == 1
                     and mon.value("fbhub_monitor_runs_total", profile="staging") == 1)
        assert mon.value("fbhub_check_status", id="FB403", profile="production") == 2
        assert mon.value("fbhub_check_status", id="FB403", profile="staging") == 0
        assert mon.value("fbhub_doctor_exit_code", profile="production") == 1
        line = next(x for x in mon.log if " run 1 " in x)
        assert "staging: " in line and "production: " in line  # still one line per run
    finally:
        mon.stop()
