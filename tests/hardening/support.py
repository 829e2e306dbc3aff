"""Helpers of the hardening suites: the numbers they print (``STATS``), the CLI runner, local helper servers."""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


# -- numbers ----------------------------------------------------------------------------------------


@dataclass
class FaultRow:
    fault: str
    command: str
    exit_code: int | None
    seconds: float
    expected: str  # what the cell had to show: "as healthy", "exit 3", ...
    ok: bool
    note: str = ""
    known: bool = False  # a known bug (xfail), listed in the report


@dataclass
class Stats:
    fault_rows: list[FaultRow] = field(default_factory=list)
    fault_skips: dict[str, str] = field(default_factory=dict)  # command -> why its column is missing
    secrets_planted: set[str] = field(default_factory=set)  # "source:kind#n"
    secret_places: int = 0  # distinct outputs inspected (stdout, stderr, files, request query strings)
    secret_checks: int = 0  # secret × place pairs checked
    secret_runs: int = 0  # CLI invocations in the secrets suite
    bad_property_examples: int = 0  # hypothesis examples run through parsers / validators
    bad_cli_inputs: int = 0  # realistic mistakes run through the real CLI
    bad_skips: list[str] = field(default_factory=list)
    crash_points: int = 0  # write interruptions simulated

    def faults_table(self) -> list[str]:
        if not self.fault_rows:
            return []
        faults = list(dict.fromkeys(r.fault for r in self.fault_rows))
        commands = list(dict.fromkeys(r.command for r in self.fault_rows))
        cells: dict[tuple[str, str], str] = {}
        for r in self.fault_rows:
            code = "?" if r.exit_code is None else str(r.exit_code)
            flag = "" if r.ok else " XFAIL" if r.known else " FAIL"
            cells[(r.fault, r.command)] = f"{code} {r.seconds:4.1f}s{flag}"
        fw = max(len(f) for f in faults + ["fault \\ command"])
        cw = {c: max(len(c), *(len(cells.get((f, c), "-")) for f in faults)) for c in commands}
        lines = ["fault × command (exit code, wall seconds; FAIL = expectation not met, XFAIL = known bug)",
                 "  " + "fault \\ command".ljust(fw) + "  " + "  ".join(c.ljust(cw[c]) for c in commands)]
        for f in faults:
            exp = next(r.expected for r in self.fault_rows if r.fault == f)
            lines.append("  " + f.ljust(fw) + "  " + "  ".join(cells.get((f, c), "-").ljust(cw[c]) for c in commands)
                         + f"   expected: {exp}")
        faulty = [r for r in self.fault_rows if r.fault != "healthy"]
        survived = sum(r.ok for r in faulty)
        worst = max(self.fault_rows, key=lambda r: r.seconds)
        lines.append(f"  faults survived: {survived}/{len(faulty)} fault × command runs "
                     f"({len({r.fault for r in faulty})} faults × {len(commands)} commands); "
                     f"slowest {worst.seconds:.1f} s ({worst.fault} / {worst.command})")
        for r in self.fault_rows:
            if not r.ok:
                lines.append(f"  {'known bug' if r.known else 'FAILED'}: {r.fault} / {r.command}: {r.note}")
        for cmd, why in sorted(self.fault_skips.items()):
            lines.append(f"  not in the table: {cmd} ({why})")
        return lines

    def summary(self) -> list[str]:
        lines = self.faults_table()
        if self.secret_runs:
            lines.append(f"secrets: {len(self.secrets_planted)} secrets planted (env and keyring runs) × "
                         f"{self.secret_places} places checked = {self.secret_checks} secret×place checks "
                         f"over {self.secret_runs} CLI runs; leaks found: 0 if this run passed")
        if self.bad_property_examples or self.bad_cli_inputs:
            lines.append(f"bad input: {self.bad_property_examples} generated inputs through the parsers and "
                         f"validators + {self.bad_cli_inputs} realistic mistakes through the CLI = "
                         f"{self.bad_property_examples + self.bad_cli_inputs} bad inputs tried")
        for s in self.bad_skips:
            lines.append(f"  skipped: {s}")
        if self.crash_points:
            lines.append(f"crash safety: {self.crash_points} interrupted writes, each left the old or the new file")
        return lines


STATS = Stats()


_REGISTERED: dict[str, set[str]] = {}


def product_commands() -> set[str]:
    """Command (and group) names fbhub itself registers, asked in a fresh interpreter.

    In-process the answer could be wrong: other test modules register ``configure`` / ``review-kit`` on the
    shared app at import time until the product does.
    """
    if "names" not in _REGISTERED:
        code = ("import fbhub.cli as c; print(' '.join([x.name or '' for x in c.app.registered_commands]"
                " + [g.name or '' for g in c.app.registered_groups]))")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
        _REGISTERED["names"] = set(out.stdout.split())
    return _REGISTERED["names"]


WIRE_ENV = "HARDENING_WIRE_CONFIGURE"  # =1: use configure / review-kit before the product registers them


def has_command(name: str) -> bool:
    """Whether fbhub registers ``name`` (or the unregistered configure / review-kit are forced in)."""
    if name in ("configure", "review-kit") and os.environ.get(WIRE_ENV) == "1":
        return True
    return name in product_commands()


def wired_app():
    """The CLI app (with configure / review-kit added when forced by HARDENING_WIRE_CONFIGURE=1)."""
    from fbhub.cli import app

    if os.environ.get(WIRE_ENV) == "1":
        from fbhub.cli import configure_cmd

        names = [c.name for c in app.registered_commands]
        if "configure" not in names:
            app.command("configure")(configure_cmd.configure)
        if "review-kit" not in names:
            app.command("review-kit")(configure_cmd.review_kit)
    return app


@dataclass
class Run:
    args: list[str]
    exit_code: int
    stdout: str
    stderr: str
    seconds: float


_CLICK: dict[tuple[int, int, int], Any] = {}


def run_cli(*args: str, env: dict[str, str] | None = None, input: str | None = None,
            fresh_redactor: bool = False) -> Run:
    """The real CLI in-process (typer's CliRunner), timed; stdout and stderr apart.

    ``fresh_redactor``: start with an empty process-wide redactor, as a new ``fbhub`` process would; the
    sandbox registers every secret of its world in this process, which would hide a secret fbhub forgot.
    """
    import typer.testing

    import fbhub.redact

    app = wired_app()
    key = (id(app), len(app.registered_commands), len(app.registered_groups))
    if key not in _CLICK:  # typer rebuilds the click command tree on every invoke; build it once
        _CLICK.clear()
        _CLICK[key] = typer.main.get_command(app)
    saved, saved_get = fbhub.redact.GLOBAL, typer.testing._get_command
    if fresh_redactor:
        fbhub.redact.GLOBAL = fbhub.redact.Redactor()
    typer.testing._get_command = lambda _app: _CLICK[key]
    try:
        t0 = time.monotonic()
        r = typer.testing.CliRunner().invoke(app, list(args), input=input, env=env, catch_exceptions=True)
        secs = time.monotonic() - t0
    finally:
        fbhub.redact.GLOBAL, typer.testing._get_command = saved, saved_get
    stderr = r.stderr
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        import traceback

        stderr += "".join(traceback.format_exception(r.exception))  # shows up as "Traceback" in the checks
    return Run(list(args), r.exit_code, r.stdout, stderr, secs)


def sandbox_env(sb: Any, **extra: str) -> dict[str, str]:
    """The FBHUB_* variables an operator sets for a sandbox (secrets through the environment, as in CI)."""
    op = sb.operator
    env = {"FBHUB_GRAPH_URL": sb.url, "FBHUB_APP_ID": op.app_id, "FBHUB_APP_SECRET": op.app_secret,
           "FBHUB_DOMAIN": op.domain}
    if op.page_tokens:
        env["FBHUB_PAGE_TOKENS"] = ",".join(op.page_tokens)
    if op.verify_token:
        env["FBHUB_VERIFY_TOKEN"] = op.verify_token
    if op.pages:
        env["FBHUB_PAGES"] = ",".join(f"{p['id']}:{p.get('name', '')}" for p in op.pages)
    env.update(extra)
    return env


ERROR_LINE = re.compile(r"^error: \S.*$")
HINT_LINE = re.compile(r"^hint: \S.*$")


# -- local servers ----------------------------------------------------------------------------------


class _Quiet(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a: Any) -> None:
        pass

    def _reply(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8",
               headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


NGINX_502 = (b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center>"
             b"<hr><center>nginx</center></body></html>")


class FaultProxy:
    """A reverse proxy in front of the sandbox that answers like a broken middlebox.

    mode ``html502`` answers the first ``n`` requests with an HTML 502 page (a load balancer), then forwards;
    mode ``html200`` always answers 200 with an HTML page (a captive portal / login wall).
    """

    def __init__(self, upstream: str, mode: str, n: int = 0) -> None:
        self.upstream = upstream
        self.mode, self.n, self.count = mode, n, 0
        self.lock = threading.Lock()
        proxy = self

        class H(_Quiet):
            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with proxy.lock:
                    proxy.count += 1
                    k = proxy.count
                if proxy.mode == "html200":
                    return self._reply(200, b"<html><body><h1>Welcome</h1>Log in to use the network</body></html>")
                if proxy.mode == "html502" and k <= proxy.n:
                    return self._reply(502, NGINX_502)
                host, port = proxy.upstream.split("//", 1)[1].split(":")
                conn = http.client.HTTPConnection(host, int(port), timeout=30)
                try:
                    hdrs = {k2: v for k2, v in self.headers.items() if k2.lower() in ("content-type", "authorization")}
                    conn.request(self.command, self.path, body=body or None, headers=hdrs)
                    resp = conn.getresponse()
                    data = resp.read()
                    passed = {k2: v for k2, v in resp.getheaders()
                              if k2.lower() not in ("content-length", "connection", "transfer-encoding",
                                                    "content-type", "server", "date")}
                    self._reply(resp.status, data, resp.getheader("Content-Type") or "application/json", passed)
                finally:
                    conn.close()

            do_GET = do_POST = do_DELETE = _any  # noqa: N815

        self.httpd = _Server(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> FaultProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class WebhookReceiver:
    """The operator's own webhook endpoint for probe-webhook: answers the handshake when the verify token
    matches and accepts events signed with the App Secret. Records query strings (the handshake carries the
    verify token there, which Meta's protocol requires and which is the one allowed exception)."""

    def __init__(self, verify_token: str, app_secret: str) -> None:
        import hashlib
        import hmac
        import urllib.parse

        self.queries: list[str] = []
        recv = self

        class H(_Quiet):
            def do_GET(self) -> None:  # noqa: N802
                u = urllib.parse.urlsplit(self.path)
                recv.queries.append(u.query)
                q = dict(urllib.parse.parse_qsl(u.query))
                if q.get("hub.mode") == "subscribe" and q.get("hub.verify_token") == verify_token:
                    return self._reply(200, q.get("hub.challenge", "").encode(), "text/plain")
                return self._reply(403, b"forbidden", "text/plain")

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                want = "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
                if self.headers.get("X-Hub-Signature-256") != want:
                    return self._reply(403, b"bad signature", "text/plain")
                return self._reply(200, b"EVENT_RECEIVED", "text/plain")

        self.httpd = _Server(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/fb/webhook"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def closed_port_url() -> str:
    """http://127.0.0.1:PORT where nothing listens."""
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"


def snapshot(*paths: Path) -> dict[str, tuple[bytes, int] | None]:
    """Bytes and mtime of files (None when absent), to prove a failed command changed nothing."""
    out: dict[str, tuple[bytes, int] | None] = {}
    for p in paths:
        out[str(p)] = (p.read_bytes(), os.stat(p).st_mtime_ns) if p.exists() else None
    return out
