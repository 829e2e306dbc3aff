"""The HTTP side of the sandbox: a ThreadingHTTPServer on 127.0.0.1 in front of ``Graph``.

Transport-level faults live here (latency, dropped connections, truncated bodies); everything
Graph-shaped lives in ``fbhub.sandbox.graph``.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from fbhub.redact import redact, register_secret
from fbhub.sandbox.graph import Graph, app_token_for
from fbhub.sandbox.world import Operator, Scenario, World, default_operator, glob_first

LogFn = Callable[[str], None]


@dataclass
class RecordedRequest:
    """One HTTP request the sandbox received (secrets included: tests inspect them; logs are redacted).

    ``headers`` keys are lower-case; ``params`` is query + body merged (body wins); ``query`` is raw.
    """

    method: str
    path: str
    query: str
    headers: dict[str, str]
    params: dict[str, Any]
    status: int  # 0 = connection dropped on purpose (reset_connections fault)
    time: float = field(default_factory=time.time)
    duration: float = 0.0
    # True for one operation of a batch request (recorded right after the batch request that carried it):
    # ``method``/``path``/``params`` are the operation's, ``query`` its relative_url query.
    batch_op: bool = False

    @property
    def unversioned_path(self) -> str:
        segs = [s for s in self.path.split("/") if s]
        if segs and segs[0][:1] == "v" and segs[0][1:2].isdigit():
            segs = segs[1:]
        return "/" + "/".join(segs)


class Sandbox:
    """A running (or ready-to-run) sandbox: ``url``, live ``world``, ``operator``, recorded ``requests``."""

    def __init__(self, scenario: Scenario, *, host: str = "127.0.0.1", port: int = 0, latency: float = 0.0,
                 log: LogFn | None = None) -> None:
        self.scenario = scenario
        self.world: World = scenario.world
        self.operator: Operator = scenario.operator
        self.graph = Graph(self.world)
        self.latency = latency
        self.log = log
        self.requests: list[RecordedRequest] = []
        self._req_lock = threading.Lock()
        self._register_secrets()
        self.httpd = _Server((host, port), _Handler)
        self.httpd.sandbox = self
        bound_host, self.port = self.httpd.server_address[:2]
        self.host = bound_host.decode() if isinstance(bound_host, bytes) else str(bound_host)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _register_secrets(self) -> None:
        w, o = self.world, self.operator
        with w.lock:
            for a in w.apps.values():
                register_secret(a.secret, app_token_for(a), f"{a.id}|{a.secret}")
                for s in a.subscriptions.values():
                    register_secret(s.verify_token)
            register_secret(*w.tokens)
        register_secret(o.app_secret, o.user_token, o.verify_token, *o.page_tokens)

    def record(self, r: RecordedRequest) -> None:
        with self._req_lock:
            self.requests.append(r)

    def clear_requests(self) -> None:
        with self._req_lock:
            self.requests.clear()

    def requests_to(self, glob: str) -> list[RecordedRequest]:
        """Recorded requests whose unversioned path matches ``glob`` (e.g. ``/*/subscribed_apps``)."""
        from fbhub.sandbox.world import glob_match

        with self._req_lock:
            return [r for r in self.requests if glob_match(glob, r.unversioned_path)]

    def start(self) -> Sandbox:
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"fbhub-sandbox-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # the default 5 makes concurrent benchmark clients wait for SYN retries
    sandbox: Sandbox


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    server_version = "fbhub-sandbox"
    sys_version = ""

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without TCP_NODELAY, Nagle + delayed ACK add
        # ~40 ms to every keep-alive response.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence stderr access log
        pass

    def do_GET(self) -> None:  # noqa: N802
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST")

    def do_DELETE(self) -> None:  # noqa: N802
        self._serve("DELETE")

    def do_PUT(self) -> None:  # noqa: N802
        self._serve("PUT")

    def _serve(self, method: str) -> None:
        sb = self.server.sandbox
        t0 = time.monotonic()
        parts = urllib.parse.urlsplit(self.path)
        path, query = parts.path or "/", parts.query
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length) if length > 0 else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        params = _params(query, raw_body, self.headers.get("Content-Type", ""))
        world = sb.world
        norm = sb.graph.normalized(path)

        rec = RecordedRequest(method=method, path=path, query=query, headers=headers, params=params, status=0)
        delay = sb.latency + world.faults.latency
        if delay > 0:
            time.sleep(delay)

        g = None
        if world.faults.reset_connections:
            # A dropped connection takes the whole request, batch operations included.
            for p in [norm, *_op_paths(sb, norm, params)]:
                g = glob_first(world.faults.reset_connections, p)
                if g is not None:
                    break
        if g is not None and world.bump(f"reset:{g}") <= world.faults.reset_connections[g]:
            self.close_connection = True  # drop the connection without a response
            rec.duration = time.monotonic() - t0
            sb.record(rec)
            self._log(method, path, query, "reset", rec.duration)
            return

        resp = sb.graph.handle(method, path, params, headers, host=self.headers.get("Host") or sb.url[7:],
                               query_keys=frozenset(urllib.parse.parse_qs(query, keep_blank_values=True)))
        body = json.dumps(resp.body, separators=(",", ":")).encode()
        if world.faults.malformed and glob_first(world.faults.malformed, norm) is not None:
            body = body[: max(1, len(body) // 2)]  # truncated, not parseable JSON
        # Record before answering: a client that got its response must find its request recorded.
        rec.status = resp.status
        rec.duration = time.monotonic() - t0
        sb.record(rec)
        for op_method, op_path, op_params, op_status in resp.ops:
            sb.record(RecordedRequest(method=op_method, path=op_path, query="", headers={}, params=op_params,
                                      status=op_status, duration=rec.duration, batch_op=True))
        self._log(method, path, query, str(resp.status), rec.duration)
        try:
            self.send_response(resp.status)
            for k, v in resp.headers.items():
                self.send_header(k, v)
            self.send_header("x-fb-trace-id", _trace(resp.body))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _log(self, method: str, path: str, query: str, status: str, duration: float) -> None:
        log = self.server.sandbox.log
        if log is None:
            return
        target = path + (f"?{query}" if query else "")
        log(redact(f"{method} {target} -> {status} ({duration * 1000:.0f} ms)"))


def _op_paths(sb: Sandbox, norm: str, params: dict[str, Any]) -> list[str]:
    """The unversioned paths of a batch request's operations (empty for any other request)."""
    if norm != "/" or "batch" not in params:
        return []
    try:
        ops = json.loads(str(params["batch"])) if not isinstance(params["batch"], list) else params["batch"]
    except ValueError:
        return []
    out = []
    for op in ops if isinstance(ops, list) else []:
        if isinstance(op, dict) and op.get("relative_url"):
            rel = str(op["relative_url"]).split("?", 1)[0]
            out.append(sb.graph.normalized(rel if rel.startswith("/") else "/" + rel))
    return out


def _trace(body: Any) -> str:
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("fbtrace_id", ""))
    from fbhub.sandbox.graph import fbtrace_id

    return fbtrace_id()


def _params(query: str, body: bytes, content_type: str) -> dict[str, Any]:
    """Query string and body (urlencoded or JSON) merged; the body wins."""
    out: dict[str, Any] = {k: v[-1] for k, v in urllib.parse.parse_qs(query, keep_blank_values=True).items()}
    if not body:
        return out
    if "json" in content_type.lower():
        try:
            data = json.loads(body)
        except ValueError:
            return out
        if isinstance(data, dict):
            out.update(data)
        return out
    text = body.decode("utf-8", "replace")
    out.update({k: v[-1] for k, v in urllib.parse.parse_qs(text, keep_blank_values=True).items()})
    return out


# ----------------------------------------------------------------------------- public API


def resolve_scenario(scenario: str | Path | Scenario | World, **kwargs: Any) -> Scenario:
    """A name of a built-in scenario, a world-file path, a Scenario, or a bare World -> Scenario."""
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, World):
        return Scenario(name="custom", summary="custom world", world=scenario,
                        operator=default_operator(scenario))
    from fbhub.sandbox.scenarios import SCENARIOS, build_scenario
    from fbhub.sandbox.worldfile import load_world

    s = str(scenario)
    if s in SCENARIOS:
        return build_scenario(s, **kwargs)
    if s.endswith((".yaml", ".yml")) or Path(s).is_file():
        return load_world(s)
    return build_scenario(s, **kwargs)  # raises UsageError listing the valid names


@contextmanager
def run_sandbox(scenario: str | Path | Scenario | World = "healthy", port: int = 0, latency: float = 0.0,
                log: LogFn | None = None, *, host: str = "127.0.0.1") -> Iterator[Sandbox]:
    """Serve the scenario on ``host:port`` (port 0 = any free port) in a background thread."""
    sb = Sandbox(resolve_scenario(scenario), host=host, port=port, latency=latency, log=log)
    sb.start()
    try:
        yield sb
    finally:
        sb.stop()


def serve_forever(scenario: str | Path | Scenario | World = "healthy", host: str = "127.0.0.1",
                  port: int = 8000, latency: float = 0.0, log: LogFn | None = None, *,
                  on_ready: Callable[[Sandbox], None] | None = None) -> None:
    """Serve in the foreground until KeyboardInterrupt. ``on_ready(sandbox)`` runs once bound."""
    sb = Sandbox(resolve_scenario(scenario), host=host, port=port, latency=latency, log=log)
    if on_ready is not None:
        on_ready(sb)
    try:
        sb.httpd.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        sb.httpd.server_close()
