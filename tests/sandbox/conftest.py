"""Fixtures for the sandbox tests: sandboxes on 127.0.0.1 and httpx clients that ignore proxies."""

from __future__ import annotations

import http.server
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from fbhub.sandbox import run_sandbox


@pytest.fixture
def sandbox() -> Iterator:
    """sandbox(scenario="healthy", **kw) -> a started Sandbox, stopped at teardown."""
    with ExitStack() as stack:

        def start(scenario="healthy", **kw):
            return stack.enter_context(run_sandbox(scenario, **kw))

        yield start


@pytest.fixture(scope="module")
def healthy() -> Iterator:
    """A shared healthy sandbox for read-only tests."""
    with run_sandbox("healthy") as sb:
        yield sb


@pytest.fixture
def receiver() -> Iterator:
    """A local webhook receiver: receiver(mode) -> url. Modes: ok, forbidden, wrong, notfound."""
    servers = []

    def start(mode: str = "ok", verify_token: str = "vt-123") -> str:
        class H(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):  # noqa: N802
                q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
                if mode == "notfound":
                    self.send_response(404)
                    body = b"nope"
                elif mode == "wrong":
                    self.send_response(200)
                    body = b"not-the-challenge"
                elif q.get("hub.verify_token") != verify_token or q.get("hub.mode") != "subscribe":
                    self.send_response(403)
                    body = b"forbidden"
                else:
                    self.send_response(200)
                    body = q["hub.challenge"].encode()
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(srv)
        return f"http://127.0.0.1:{srv.server_address[1]}/fb/webhook"

    yield start
    for s in servers:
        s.shutdown()
        s.server_close()
