"""Graph batch requests: the operations and their answers (pure functions; the client sends them).

Wire format (reference §11, https://developers.facebook.com/docs/graph-api/batch-requests): ``POST /{v}/`` with
form fields ``access_token`` (always present, even when every operation has its own token), ``appsecret_proof``,
``include_headers`` and ``batch=[{"method", "relative_url", "body", "name"}, …]``. The answer is a JSON array
in request order; each entry is ``{"code", "headers"?, "body": "<JSON string>"}`` or ``null`` when the
operation did not finish in time (the client re-sends those through its one retry loop). Up to 50
operations per request; the client runs chunks concurrently and keeps the order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fbhub.errors import UsageError
from fbhub.graph import limits
from fbhub.graph.errors import GraphBadResponse, GraphError, GraphTransientError, error_from_payload
from fbhub.graph.retry import parse_retry_after, parse_usage, usage_wait
from fbhub.graph.wire import SECRET_PARAMS, appsecret_proof, encode_params
from fbhub.redact import redact, register_secret

MAX_BATCH_SIZE = 50
MAX_WORKERS = 8


@dataclass(frozen=True)
class BatchItem:
    """One operation. ``relative_url`` is relative to the version (``"123/subscribed_apps?fields=id"``);
    ``token`` is a per-operation token. Meta reads an operation's ``body`` for POST/PUT only, so GET and DELETE
    operations carry their token and parameters in ``relative_url``, POST operations in ``body``; either way
    inside the batch request's POST body, never in an HTTP request URL."""

    method: str
    relative_url: str
    body: dict[str, Any] | None = None
    token: str | None = None
    name: str | None = None


@dataclass
class BatchResult:
    """The answer to one operation: ``status`` (None when the operation never finished), parsed ``data``,
    and ``error`` (a GraphError) when it failed."""

    status: int | None
    data: Any
    error: GraphError | None = None
    name: str | None = None
    headers: dict[str, str] | None = field(default=None, repr=False)  # with include_headers=true

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300


def validate(item: BatchItem) -> None:
    url = item.relative_url
    if "://" in url or url.startswith("//"):
        raise UsageError(f"batch relative_url must be relative, got {redact(url)!r}", hint="e.g. '123/subscribed_apps'")
    if item.method.upper() not in ("GET", "POST", "DELETE", "PUT"):
        raise UsageError(f"unsupported batch method {item.method!r}", hint="use GET, POST or DELETE")


def _split_secrets(relative_url: str) -> tuple[str, dict[str, str]]:
    """Move secret parameters (``input_token=…``, ``access_token=…``) out of a relative_url's query."""
    parts = urlsplit(relative_url)
    if not parts.query:
        return relative_url, {}
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    secret = {k: v for k, v in pairs if k in SECRET_PARAMS}
    if not secret:
        return relative_url, {}
    register_secret(*secret.values())
    rest = urlencode([(k, v) for k, v in pairs if k not in SECRET_PARAMS], safe=",")
    return parts.path + (f"?{rest}" if rest else ""), secret


def build_operation(item: BatchItem, app_secret: str | None, proof_at: int | None = None) -> dict[str, Any]:
    """The JSON object of one operation. Token, proof and secret parameters go where Meta reads them for the
    operation's method: ``relative_url`` for GET and DELETE, ``body`` for POST/PUT (reference §0.4, §11).
    Logs and errors show relative_url only through redact()."""
    method = item.method.upper()
    in_url = method in ("GET", "DELETE")
    relative_url, secrets = _split_secrets(item.relative_url.lstrip("/"))
    if in_url:
        secrets.update(dict(item.body or {}))
    if item.token:
        register_secret(item.token)
        secrets["access_token"] = item.token
        if app_secret:
            secrets["appsecret_proof"] = appsecret_proof(item.token, app_secret, proof_at)
            if proof_at is not None:
                secrets["appsecret_time"] = str(proof_at)
    op: dict[str, Any] = {"method": method, "relative_url": relative_url}
    if in_url:
        if secrets:
            sep = "&" if "?" in relative_url else "?"
            op["relative_url"] = relative_url + sep + urlencode(encode_params(secrets))
    else:
        body = {**secrets, **(item.body or {})}
        if body:
            op["body"] = urlencode(encode_params(body))
    if item.name:
        op["name"] = item.name
    return op


def _entry_headers(entry: dict[str, Any]) -> dict[str, str] | None:
    raw = entry.get("headers")
    if not isinstance(raw, list):
        return None
    out: dict[str, str] = {}
    for h in raw:
        if isinstance(h, dict) and isinstance(h.get("name"), str) and isinstance(h.get("value"), str):
            out[h["name"].lower()] = h["value"]
    return out


def parse_entry(entry: Any, item: BatchItem, *, default_wait: float = 8.0) -> BatchResult | None:
    """One answer of a batch: None (did not finish), or a BatchResult. An error's ``retry_after`` comes from the
    operation's own Retry-After / usage headers (present with include_headers=true)."""
    if entry is None:
        return None
    path = redact(item.relative_url)
    method = item.method.upper()
    if not isinstance(entry, dict):
        return BatchResult(None, None, GraphBadResponse(f"batch operation {method} {path}: unexpected answer"),
                           item.name)
    status = entry.get("code")
    status = status if isinstance(status, int) else None
    hdrs = _entry_headers(entry)
    raw = entry.get("body")
    data: Any = raw
    if isinstance(raw, str):
        try:
            data = limits.loads(raw) if raw.strip() else None
        except limits.UnreadableJSON as exc:
            return BatchResult(status, None, GraphBadResponse(
                f"batch operation {method} {path} answered with an unreadable answer: {exc}",
                http_status=status, method=method, path=path), item.name)
        except ValueError:
            cls = GraphTransientError if status is not None and status >= 500 else GraphBadResponse
            return BatchResult(status, None, cls(
                f"batch operation {method} {path} answered HTTP {status} with a body that is not JSON",
                http_status=status, method=method, path=path), item.name, hdrs)
    if isinstance(data, dict) and "error" in data:
        wait = None
        if hdrs:
            wait = parse_retry_after(hdrs.get("retry-after"))
            if wait is None:
                wait = usage_wait(parse_usage(hdrs), default_wait=default_wait)
        err = error_from_payload(data["error"], http_status=status, method=method, path=path, retry_after=wait)
        return BatchResult(status, data, err, item.name, hdrs)
    if status is None or status >= 400:
        cls = GraphTransientError if status is not None and status >= 500 else GraphBadResponse
        return BatchResult(status, data, cls(f"batch operation {method} {path} answered HTTP {status}",
                                             http_status=status, method=method, path=path), item.name, hdrs)
    return BatchResult(status, data, None, item.name, hdrs)
