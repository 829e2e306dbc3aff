"""A fake Graph API behind httpx.MockTransport, a fake clock, and planted secrets to hunt for."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from fbhub.graph.client import GraphClient
from fbhub.graph.retry import RetryPolicy

APP_ID = "1234567890123"
APP_SECRET = "PLANTEDappsecret0123456789abcdef"
APP_TOKEN = f"{APP_ID}|PLANTEDapptoken-xyz987654"
PAGE_ID = "111222333"
PAGE_TOKEN = "EAAGPLANTEDpagetoken1234567890abcdef"
PAGE_TOKEN_2 = "EAAGPLANTEDpagetoken2-zyxwvutsrq"
USER_TOKEN = "EAAGPLANTEDusertoken0987654321fedcba"
LONG_USER_TOKEN = "EAAGPLANTEDlonglivedusertoken-555"
VERIFY_TOKEN = "PLANTEDverify-token-42"
SECRETS = (APP_SECRET, APP_TOKEN, PAGE_TOKEN, PAGE_TOKEN_2, USER_TOKEN, LONG_USER_TOKEN, VERIFY_TOKEN)


@dataclass
class Seen:
    """One call as the fake server saw it: a whole HTTP request, or one operation of a batch request
    (``http_method == "BATCH"``: ``query`` is the operation's relative_url query, ``form`` the batch's
    top-level token / proof plus the operation's body)."""

    http_method: str
    method: str  # the operation's method for batch operations, else the HTTP method
    path: str  # without the version prefix
    query: dict[str, str]
    form: dict[str, str]
    request: httpx.Request

    @property
    def params(self) -> dict[str, str]:
        return {**self.query, **self.form}

    @property
    def token(self) -> str | None:
        """The token the call carried, wherever it travelled (form, query, Authorization header)."""
        auth = self.request.headers.get("authorization", "")
        if self.http_method != "BATCH" and auth.lower().startswith("bearer "):
            return auth[7:]
        return self.params.get("access_token")


def graph_error(code: int, message: str = "boom", status: int = 400, subcode: int | None = None,
                headers: dict[str, str] | None = None, **extra: Any) -> httpx.Response:
    err: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbCtrace1"}
    if subcode is not None:
        err["error_subcode"] = subcode
    err.update(extra)
    return httpx.Response(status, json={"error": err}, headers=headers)


Handler = Callable[[Seen], Any]


@dataclass
class FakeGraph:
    """Routes (method, path) to queued answers or handlers; records every request."""

    version: str = "v24.0"
    seen: list[Seen] = field(default_factory=list)
    routes: dict[tuple[str, str], list[Any]] = field(default_factory=dict)
    served_version: str | None = None
    extra_headers: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    wire: list[httpx.Request] = field(default_factory=list)  # every HTTP request, as sent

    def on(self, method: str, path: str, *answers: Any) -> None:
        """Queue answers for a route; the last one repeats. An answer is an httpx.Response, a JSON-able
        value (200) or a callable(Seen) returning either (or raising an httpx exception)."""
        self.routes[(method.upper(), "/" + path.lstrip("/"))] = list(answers)

    def requests(self, method: str | None = None, path: str | None = None) -> list[Seen]:
        return [s for s in self.seen if (method is None or s.method == method)
                and (path is None or s.path == "/" + path.lstrip("/"))]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        form: dict[str, str] = {}
        if request.content:
            form = dict(parse_qsl(request.content.decode(), keep_blank_values=True))
        query = dict(parse_qsl(request.url.query.decode(), keep_blank_values=True))
        path = request.url.path
        prefix = f"/{self.version}"
        if path.startswith(prefix):
            path = path[len(prefix):] or "/"
        with self.lock:
            self.wire.append(request)
            expand = path == "/" and "batch" in form and ("POST", "/") not in self.routes
        if expand:
            return self._batch(request, form)
        return self._answer(Seen(request.method, request.method, path, query, form, request))

    def _batch(self, request: httpx.Request, form: dict[str, str]) -> httpx.Response:
        """A batch request with no route of its own: answer each operation from the routes."""
        top = {k: v for k, v in form.items() if k in ("access_token", "appsecret_proof", "appsecret_time")}
        out: list[Any] = []
        for op in json.loads(form["batch"]):
            rel = op["relative_url"]
            path, _, q = rel.partition("?")
            body = dict(parse_qsl(op.get("body", ""), keep_blank_values=True))
            s = Seen("BATCH", op["method"].upper(), "/" + path.lstrip("/"),
                     dict(parse_qsl(q, keep_blank_values=True)), {**top, **body}, request)
            r = self._answer(s)
            if len(json.loads(form["batch"])) == 1 and (r.status_code >= 500 or r.status_code == 429):
                return r  # an outage or throttling of the whole request, as a plain HTTP answer
            out.append({"code": r.status_code, "headers": [{"name": k, "value": v} for k, v in r.headers.items()],
                        "body": r.text})
        resp = httpx.Response(200, json=out)
        resp.headers.setdefault("facebook-api-version", self.served_version or self.version)
        return resp

    def _answer(self, s: Seen) -> httpx.Response:
        method, path = s.method, s.path
        with self.lock:
            self.seen.append(s)
            queue = self.routes.get((method, path))
            if queue is None:
                answer: Any = self.default(s)
            else:
                answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if callable(answer):
            answer = answer(s)
        if not isinstance(answer, httpx.Response):
            answer = httpx.Response(200, json=answer)
        answer.headers.setdefault("facebook-api-version", self.served_version or self.version)
        for k, v in self.extra_headers.items():
            answer.headers.setdefault(k, v)
        return answer

    def default(self, s: Seen) -> Any:
        if s.path == "/oauth/access_token":
            if s.params.get("grant_type") == "fb_exchange_token":
                return {"access_token": LONG_USER_TOKEN, "token_type": "bearer", "expires_in": 5183944}
            return {"access_token": APP_TOKEN, "token_type": "bearer"}
        return graph_error(2500, f"Unknown path components: {s.path}")


class FakeClock:
    """A monotonic clock that only moves when the client sleeps (or a test advances it)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, d: float) -> None:
        with self._lock:
            self.sleeps.append(d)
            self.now += d


@pytest.fixture
def fake() -> FakeGraph:
    return FakeGraph()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def log_lines() -> list[str]:
    return []


@pytest.fixture
def make_client(fake, clock, log_lines):
    clients: list[GraphClient] = []

    def make(**kw: Any) -> GraphClient:
        kw.setdefault("graph_url", "https://graph.example.test")
        kw.setdefault("app_id", APP_ID)
        kw.setdefault("app_secret", APP_SECRET)
        kw.setdefault("retry", RetryPolicy())
        kw.setdefault("verbose_log", log_lines.append)
        kw.setdefault("rand", lambda: 0.5)
        c = GraphClient(transport=httpx.MockTransport(fake), sleep=clock.sleep, clock=clock, **kw)
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.close()


@pytest.fixture
def client(make_client) -> GraphClient:
    return make_client()


def body_json(s: Seen) -> Any:
    return json.loads(s.form["batch"])
