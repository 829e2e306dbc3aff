"""Every Graph exchange of a run, with secrets replaced by stable placeholders, for the support bundle.

A maintainer replays a bundle with ``fbhub sandbox serve --replay FILE`` (``fbhub.sandbox.replay``): the
recorded answers come back for the same calls, so an operator's failure is reproduced locally and can be
committed as a regression test.

What is kept: method, path, non-secret parameters, batch operations, the headers that matter (version,
usage, Retry-After, WWW-Authenticate, Content-Type), the HTTP status and the answer. What is replaced: the
App Secret, every token (sent, received or inspected), ``appsecret_proof`` and any other secret parameter,
each by a placeholder such as ``<…token-2>`` that stays the same wherever the value appears in the bundle (the
``…`` marks it as already masked, so the redaction safety net leaves it alone).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit

from fbhub.graph.wire import SECRET_PARAMS, Wire
from fbhub.redact import redact

KEPT_HEADERS = ("facebook-api-version", "x-app-usage", "x-business-use-case-usage", "x-page-usage", "retry-after",
                "www-authenticate", "content-type")
MAX_BODY = 64 * 1024
MAX_EXCHANGES = 2000
_KIND = {"client_secret": "app-secret", "app_secret": "app-secret", "appsecret_proof": "proof",
         "verify_token": "verify-token", "hub.verify_token": "verify-token"}


class _Raw(NamedTuple):
    """One exchange as recorded: copies of what the request and the answer held."""

    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str] | None
    auth: str
    status: int | None
    headers: dict[str, str]
    text: str | None
    error: str | None
    ms: float


class ExchangeLog:
    """Thread-safe list of scrubbed exchanges (``as_list()`` gives JSON-ready dicts)."""

    def __init__(self, *, limit: int = MAX_EXCHANGES) -> None:
        self._lock = threading.Lock()
        self._items: list[str] = []  # JSON text of each exchange, not scrubbed yet (see as_list)
        self._placeholders: dict[str, str] = {}
        self._counts: dict[str, int] = {}
        self._raw: list[_Raw] = []  # exchanges recorded but not looked into yet (see _drain)
        self._drain_lock = threading.Lock()
        self.limit = limit
        self.dropped = 0

    # -- placeholders ---------------------------------------------------------------------------------

    def know(self, value: str | None, kind: str = "token") -> None:
        """Make ``value`` a secret of this log (same value -> same placeholder)."""
        if not value or len(value) < 6:
            return
        with self._lock:
            if value not in self._placeholders:
                if kind == "app-secret":
                    self._placeholders[value] = "<…app-secret>"
                else:
                    n = self._counts.get(kind, 0) + 1
                    self._counts[kind] = n
                    self._placeholders[value] = f"<…{kind}-{n}>"

    def scrub(self, text: str) -> str:
        self._drain()  # every secret the exchanges so far hold is known
        with self._lock:
            known = sorted(self._placeholders.items(), key=lambda kv: -len(kv[0]))
        for secret, ph in known:
            if secret in text:
                text = text.replace(secret, ph)
            for enc in (quote_plus(secret, safe=""), quote(secret, safe="")):
                if enc != secret and enc in text:
                    text = text.replace(enc, ph)
        return redact(text)  # the safety net: anything registered elsewhere is masked

    # -- recording ------------------------------------------------------------------------------------

    def _learn(self, params: Mapping[str, str]) -> None:
        for k, v in params.items():
            if k in SECRET_PARAMS:
                self.know(v, _KIND.get(k, "token"))

    def record(self, wire: Wire, *, status: int | None, headers: Mapping[str, str] | None, text: str | None,
               error: str | None = None, ms: float = 0.0) -> None:
        """Keep one exchange. Only a copy is taken here (a run that writes no bundle pays next to nothing: a
        doctor over 1,500 Pages records thousands of batch answers); reading secrets out of it and building its
        entry wait for ``as_list``, in the order the exchanges came, so placeholders are numbered as they were
        met."""
        raw = _Raw(wire.method, wire.path, dict(wire.query), dict(wire.form) if wire.form is not None else None,
                   wire.headers.get("Authorization", ""), status,
                   {k: v for k, v in (headers or {}).items() if k.lower() in KEPT_HEADERS}, text, error, ms)
        with self._lock:
            over = len(self._raw) + len(self._items) >= self.limit
            if not over:
                self._raw.append(raw)
                return
            self.dropped += 1
        # not kept, but its secrets are still learned (they are replaced in the kept exchanges too)
        self._drain()
        with self._drain_lock:
            self._entry(raw)

    def _drain(self) -> None:
        """Learn from and build the entries of the exchanges recorded since the last call, in their order."""
        with self._drain_lock:
            with self._lock:
                pending, self._raw = self._raw, []
            built = [self._entry(r) for r in pending]
            with self._lock:
                self._items += built

    def _entry(self, r: _Raw) -> str:
        """The JSON text of one exchange (secrets not replaced yet), learning the secrets it holds."""
        self._learn(r.query)
        self._learn(r.form or {})
        if r.auth.lower().startswith("bearer "):
            self.know(r.auth[7:])
        ops: list[dict[str, Any]] | None = None
        if r.form and "batch" in r.form:
            try:
                raw_ops = json.loads(r.form["batch"])
            except ValueError:
                raw_ops = []
            ops = []
            for op in raw_ops if isinstance(raw_ops, list) else []:
                if not isinstance(op, dict):
                    continue
                rel = str(op.get("relative_url", ""))
                self._learn(dict(parse_qsl(urlsplit(rel).query)))
                if op.get("body"):
                    self._learn(dict(parse_qsl(str(op["body"]))))
                ops.append({k: op[k] for k in ("method", "relative_url", "body", "name") if k in op})
        body: Any = None
        if r.text is not None:
            try:
                body = json.loads(r.text) if r.text.strip() else None
                self._learn_body(body)
            except (ValueError, RecursionError):  # not JSON, or nested deeper than Python parses
                body = r.text[:MAX_BODY]
        entry: dict[str, Any] = {
            "request": {
                "method": r.method,
                "path": "/" + r.path.lstrip("/"),
                "query": r.query,
                "form": {k: v for k, v in (r.form or {}).items() if k != "batch"},
                "authorization_header": bool(r.auth),
            },
            "response": {"status": r.status, "headers": r.headers, "body": body},
            "ms": round(r.ms, 1),
        }
        if ops is not None:
            entry["request"]["batch"] = ops
        if r.error:
            entry["response"]["error"] = r.error
        # Kept as text and scrubbed when asked for (as_list): a secret learned later (a token in a later
        # answer) is replaced in the earlier exchanges too.
        return json.dumps(entry, ensure_ascii=False)

    def _learn_body(self, body: Any) -> None:
        """Tokens Meta hands out (``access_token`` of /oauth and /me/accounts rows), also inside batch answers."""
        if isinstance(body, dict):
            for k, v in body.items():
                if k == "access_token" and isinstance(v, str):
                    self.know(v)
                elif k == "body" and isinstance(v, str) and v[:1] in "{[":
                    try:
                        self._learn_body(json.loads(v))
                    except (ValueError, RecursionError):
                        pass
                else:
                    self._learn_body(v)
        elif isinstance(body, list):
            for v in body:
                self._learn_body(v)

    def as_list(self) -> list[dict[str, Any]]:
        """The exchanges so far, every secret known to this log replaced by its placeholder."""
        self._drain()
        with self._lock:
            raw = list(self._items)
        return [json.loads(self.scrub(e)) for e in raw]
