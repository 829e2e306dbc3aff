"""Graph batch requests: up to 50 operations per POST, chunks sent concurrently, order preserved.

Wire format (reference §11): ``POST /{v}/`` with form fields ``access_token`` (always present, even when
every operation has its own token), ``appsecret_proof``, ``include_headers=false`` and
``batch=[{"method", "relative_url", "body", "name"}, …]``. The answer is a JSON array in request
order; each entry is ``{"code", "body": "<JSON string>"}`` or ``null`` when the operation did not finish
in time (those are retried, a bounded number of times).
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fbhub.errors import UsageError
from fbhub.graph.errors import GraphBadResponse, GraphError, GraphTransientError, error_from_payload
from fbhub.redact import redact, register_secret

if TYPE_CHECKING:
    from fbhub.graph.client import GraphClient

MAX_BATCH_SIZE = 50
MAX_WORKERS = 8


@dataclass(frozen=True)
class BatchItem:
    """One operation. ``relative_url`` is relative to the version (``"123/subscribed_apps?fields=id"``);
    ``token`` is a per-operation token. Both the token and any secret query parameter of relative_url
    (``debug_token?input_token=…``) are sent in the operation's body, never in its URL."""

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

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300


def _validate(item: BatchItem) -> None:
    url = item.relative_url
    if "://" in url or url.startswith("//"):
        raise UsageError(f"batch relative_url must be relative, got {redact(url)!r}", hint="e.g. '123/subscribed_apps'")
    if item.method.upper() not in ("GET", "POST", "DELETE", "PUT"):
        raise UsageError(f"unsupported batch method {item.method!r}", hint="use GET, POST or DELETE")


def _split_secrets(relative_url: str) -> tuple[str, dict[str, str]]:
    """Move secret parameters (``input_token=…``, ``access_token=…``) out of a relative_url's query."""
    from fbhub.graph.client import SECRET_PARAMS

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


def _operation(client: GraphClient, item: BatchItem) -> dict[str, Any]:
    from fbhub.graph.client import _encode_params, appsecret_proof

    # Meta reads an operation's ``body`` for POST/PUT only (reference §11), so a GET operation carries its
    # token, proof and secret parameters in its relative_url query, and other operations in their body.
    # Either way they travel inside the batch request's POST body: never in an HTTP request URL. Logs and
    # errors show relative_url only through redact().
    method = item.method.upper()
    relative_url, secrets = _split_secrets(item.relative_url.lstrip("/"))
    secrets.update({k: v for k, v in (item.body or {}).items()} if method == "GET" else {})
    if item.token:
        register_secret(item.token)
        secrets["access_token"] = item.token
        if client.app_secret:
            secrets["appsecret_proof"] = appsecret_proof(item.token, client.app_secret)
    op: dict[str, Any] = {"method": method, "relative_url": relative_url}
    if method == "GET":
        if secrets:
            sep = "&" if "?" in relative_url else "?"
            op["relative_url"] = relative_url + sep + urlencode(_encode_params(secrets))
    else:
        body = {**secrets, **(item.body or {})}
        if body:
            op["body"] = urlencode(_encode_params(body))
    if item.name:
        op["name"] = item.name
    return op


def _parse_entry(entry: Any, item: BatchItem) -> BatchResult | None:
    if entry is None:
        return None
    path = redact(item.relative_url)
    method = item.method.upper()
    if not isinstance(entry, dict):
        return BatchResult(None, None, GraphBadResponse(f"batch operation {method} {path}: unexpected answer"),
                           item.name)
    status = entry.get("code")
    status = status if isinstance(status, int) else None
    raw = entry.get("body")
    data: Any = raw
    if isinstance(raw, str):
        try:
            data = json.loads(raw) if raw.strip() else None
        except ValueError:
            return BatchResult(status, None, GraphBadResponse(
                f"batch operation {method} {path} answered HTTP {status} with a body that is not JSON",
                http_status=status, method=method, path=path), item.name)
    if isinstance(data, dict) and "error" in data:
        err = error_from_payload(data["error"], http_status=status, method=method, path=path)
        return BatchResult(status, data, err, item.name)
    if status is None or status >= 400:
        cls = GraphTransientError if status is not None and status >= 500 else GraphBadResponse
        return BatchResult(status, data, cls(f"batch operation {method} {path} answered HTTP {status}",
                                             http_status=status, method=method, path=path), item.name)
    return BatchResult(status, data, None, item.name)


def _send_chunk(client: GraphClient, chunk: list[BatchItem], top_token: str) -> list[BatchResult | None]:
    ops = [_operation(client, it) for it in chunk]
    resp = client._request("POST", "/", data={"batch": json.dumps(ops, separators=(",", ":")),
                                               "include_headers": "false"}, token=top_token)
    if not isinstance(resp.data, list) or len(resp.data) != len(chunk):
        got = f"{len(resp.data)} answers" if isinstance(resp.data, list) else "no list"
        raise GraphBadResponse(f"Graph API answered a batch of {len(chunk)} operations with {got}",
                               http_status=resp.status, method="POST", path=resp.path)
    return [_parse_entry(e, it) for e, it in zip(resp.data, chunk, strict=True)]


def run_batch(client: GraphClient, items: list[BatchItem], *, token: Any, max_workers: int = MAX_WORKERS,
              item_retries: int | None = None) -> list[BatchResult]:
    """Run ``items`` in chunks of ≤ 50 (concurrently, ≤ ``max_workers``); results in the order of ``items``.

    ``null`` answers and transient per-operation errors are re-sent up to ``item_retries`` more times
    (default: the retry policy's ``max_attempts - 1``); a still-null operation becomes a
    ``GraphTransientError`` result. A failure of a whole batch request is retried by the client's policy,
    and raised when it persists."""
    if not items:
        return []
    for it in items:
        _validate(it)
    top = client._resolve_token(token)
    if not top:
        raise UsageError("a batch request needs a top-level access token",
                         hint="pass token=APP (the app token) or a Page / user token")
    rounds_left = max(0, client.retry.max_attempts - 1) if item_retries is None else item_retries
    results: list[BatchResult | None] = [None] * len(items)

    def run_chunk(idxs: list[int]) -> None:
        pending = idxs
        rnd = 0
        start = client._clock()
        while True:
            answers = _send_chunk(client, [items[i] for i in pending], top)
            again: list[int] = []
            for i, ans in zip(pending, answers, strict=True):
                results[i] = ans
                if ans is None or (ans.error is not None and client._retryable(ans.error)):
                    again.append(i)
            rnd += 1
            if not again or rnd > rounds_left:
                break
            delay = client.retry.backoff(rnd, client._rand)
            if client._clock() - start + delay > client.retry.total_timeout:  # the retry budget is spent
                break
            client._log(f"graph: re-sending {len(again)} unfinished batch operation(s) (round {rnd + 1})")
            client._sleep(delay)
            pending = again
        for i in pending:
            if results[i] is None:
                it = items[i]
                results[i] = BatchResult(None, None, GraphTransientError(
                    f"could not reach a conclusion: batch operation {it.method.upper()} {redact(it.relative_url)} "
                    f"did not finish (null answer) after {rnd} attempt(s)", is_transient=True,
                    method=it.method.upper(), path=redact(it.relative_url)), it.name)

    chunks = [list(range(i, min(i + MAX_BATCH_SIZE, len(items)))) for i in range(0, len(items), MAX_BATCH_SIZE)]
    if len(chunks) == 1:
        run_chunk(chunks[0])
    else:
        with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(chunks)))) as pool:
            futures = [pool.submit(run_chunk, c) for c in chunks]
            errors = [f.exception() for f in futures]
        for e in errors:
            if e is not None:
                raise e
    return [r if r is not None else BatchResult(None, None, GraphTransientError("batch operation lost"))
            for r in results]
