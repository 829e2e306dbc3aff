"""GraphClient: the one place fbhub talks to the Graph API (sync httpx, thread-safe).

One wire engine: every request -- single calls, batches, the one-operation batches that carry reads --
goes through ``_request`` / ``_run_batch`` -> ``_run`` (the one retry loop) -> ``_attempt`` -> ``_send`` (the
one place bytes go on the wire).

Rules this module enforces for every call:

* **No HTTP method override.** Reads are GETs and deletes are DELETEs (Meta closed ``POST`` + ``method=`` to
  apps created on or after 2026-11-04). A read or delete that carries a token or secret parameter travels in
  a transport form of ``fbhub.graph.transport`` (a one-operation batch by default: secrets in a POST body),
  falling back to the next form when Meta refuses one, and remembering what worked.
* **Secrets never travel in a URL**, unless the operator pinned ``graph_transport = query``.
* ``appsecret_proof`` (hex HMAC-SHA256, key = app secret, message = token) accompanies every call
  made with a token when the app secret is known.
* Transient failures are retried with exponential backoff + full jitter within a total time budget,
  honouring ``Retry-After`` and the usage headers; giving up raises a ``GraphInconclusive`` (exit 3).
* With ``verbose_log`` every request / response is logged in one redacted line each.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlencode

import httpx

from fbhub.errors import UsageError
from fbhub.graph import limits
from fbhub.graph.batch import BatchItem, BatchResult
from fbhub.graph.errors import (
    GraphBadResponse,
    GraphError,
    GraphInconclusive,
    GraphRateLimitError,
    GraphTransientError,
    GraphUnreachable,
    InvalidAppSecret,
    error_from_payload,
    strip_code_prefix,
)
from fbhub.graph.retry import (
    RetryPolicy,
    merge_peak_usage,
    parse_retry_after,
    parse_usage,
    usage_summary,
    usage_wait,
)
from fbhub.graph.versions import DEFAULT_GRAPH_VERSION, parse_version
from fbhub.graph.wire import SECRET_PARAMS, appsecret_proof, encode_params, encode_value
from fbhub.graph.wire import Wire as _Wire
from fbhub.meta.error_codes import SITUATIONS
from fbhub.redact import mask, redact, register_secret

_T = TypeVar("_T")
_encode_params = encode_params
__all__ = ["APP", "SECRET_PARAMS", "GraphClient", "GraphResponse", "appsecret_proof", "encode_value",
           "parse_success"]
DEFAULT_APP_FIELDS = ("id", "name", "category", "link")
DEFAULT_ACCOUNT_FIELDS = ("id", "name", "access_token", "tasks")
MAX_PAGES = 100


class _AppTokenSentinel:
    """``token=APP`` means "use the app access token" (exchanged once and cached)."""

    _instance: _AppTokenSentinel | None = None

    def __new__(cls) -> _AppTokenSentinel:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "APP"


APP = _AppTokenSentinel()


def parse_success(data: Any) -> bool:
    """``{"success": true}`` and ``{"success": "true"}`` (both seen from Graph), and a bare ``true``."""
    if data is True:
        return True
    if isinstance(data, dict):
        v = data.get("success")
        return v is True or (isinstance(v, str) and v.strip().lower() == "true")
    return False


def _fields(fields: Iterable[str] | str | None) -> str | None:
    if fields is None:
        return None
    return fields if isinstance(fields, str) else ",".join(fields)


@dataclass
class GraphResponse:
    """A successful Graph answer."""

    status: int
    data: Any
    headers: Mapping[str, str] = field(default_factory=dict)
    api_version: str | None = None
    usage: dict[str, Any] = field(default_factory=dict)
    method: str = "GET"
    path: str = ""

    @property
    def success(self) -> bool:
        return parse_success(self.data)

    @property
    def json(self) -> Any:
        return self.data


_SECRET_IN_URL = re.compile(r"((?:^|[?&])(?:" + "|".join(re.escape(k) for k in sorted(SECRET_PARAMS)) + r")=)[^&]*")


def _shown_ops(batch_json: str) -> str:
    """``1 operation: GET me?fields=id`` (up to 3 listed) for logs; secret parameters masked."""
    try:
        ops = json.loads(batch_json)
    except ValueError:
        return "? operations"
    if not isinstance(ops, list):
        return "? operations"
    n = f"{len(ops)} operation" + ("" if len(ops) == 1 else "s")
    if not ops or len(ops) > 3:
        return n
    shown = [f"{op.get('method', '?')} {_SECRET_IN_URL.sub(lambda m: m.group(1) + '***', str(op.get('relative_url')))}"
             for op in ops if isinstance(op, dict)]
    return f"{n}: " + ", ".join(shown)


class _Unfinished(GraphTransientError):
    """Some operations of a batch answered ``null`` or a transient error: re-send them (the retry loop)."""

    cause: GraphError | None = None  # the first operation's error, when one answered with an error


def wait_note(err: GraphError, delay: float, attempt: int, attempts: int) -> str:
    """What a spinner says while the client waits to retry: rate limits named as such, with the wait."""
    from fbhub.meta.error_codes import RATE_LIMIT_CODES

    secs = f"{delay:.0f} s" if delay >= 1 else f"{delay:.1f} s"
    err = getattr(err, "cause", None) or err
    code = getattr(err, "code", None)
    if code in RATE_LIMIT_CODES or getattr(err, "http_status", None) == 429:
        return f"rate limited by Meta (#{code}), retrying in {secs}, {attempt} of {attempts}"
    label = getattr(err, "code_label", "") or "no answer"
    return f"Graph API answered {label}, retrying in {secs}, {attempt} of {attempts}"


class GraphClient:
    """Graph API client. Thread-safe: share one instance across a ThreadPoolExecutor.

    ``token=`` of the generic calls is a token string, ``APP`` (the app access token) or None.
    """

    def __init__(
        self,
        *,
        graph_url: str = "https://graph.facebook.com",
        graph_version: str = DEFAULT_GRAPH_VERSION,
        app_id: str | None = None,
        app_secret: str | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        verbose_log: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = limits.sleep,
        clock: Callable[[], float] = time.monotonic,
        rand: Callable[[], float] = random.random,
        user_agent: str | None = None,
        graph_transport: str = "auto",
        transport_memory: Mapping[str, str] | None = None,
    ) -> None:
        from fbhub import __version__

        self.graph_url = graph_url.rstrip("/")
        self.graph_version = parse_version(graph_version)
        self.base_url = f"{self.graph_url}/{self.graph_version}"
        self.app_id = str(app_id) if app_id is not None else None
        self.app_secret = app_secret or None
        register_secret(self.app_secret)
        self.timeout = float(timeout)
        self.retry = retry or RetryPolicy()
        self.verbose_log = verbose_log
        # Told before each retry wait, in one line ("rate limited by Meta (#4), retrying in 12 s, 2 of 4"): a
        # spinner shows it, so a long wait is never a silent hang.
        self.on_wait: Callable[[str], None] | None = None
        self._sleep = sleep
        self._clock = clock
        self._rand = rand
        self._http = httpx.Client(
            transport=transport if transport is not None else limits.guarded_transport(),
            timeout=httpx.Timeout(self.timeout),
            headers={"User-Agent": user_agent or f"fbhub/{__version__}", "Accept": "application/json"},
            follow_redirects=False,
        )
        self._lock = threading.Lock()
        self._token_lock = threading.Lock()
        self._app_token: str | None = None
        self._app_token_error: GraphError | None = None
        self.request_count = 0
        self.api_versions_seen: set[str] = set()
        self.usage_peak: dict[str, dict[str, int]] = {}  # Meta's usage headers: highest percent seen per metric
        from fbhub.graph.transport import FORMS, parse_choice

        # graph_transport: auto (try forms in order, remember what works) or one pinned form.
        self.graph_transport = parse_choice(graph_transport)
        # The form that worked last, per kind of token ("app" / "token"); read it after a run to remember it.
        # ("batch": "refused" once Meta refused a batch request: batches then go out one call at a time.)
        self.transport_memory: dict[str, str] = {
            k: v for k, v in (transport_memory or {}).items()
            if (k in ("app", "token") and v in FORMS) or (k == "batch" and v == "refused")}
        # Fallbacks that happened in this run, one sentence each (said once under --verbose, kept for reports).
        self.transport_notes: list[str] = []
        self.transport_memory_loaded = dict(self.transport_memory)
        # Every exchange of the run, secrets replaced by placeholders (the support bundle, replay).
        from fbhub.graph.recording import ExchangeLog

        self.exchanges = ExchangeLog()
        self.exchanges.know(self.app_secret, "app-secret")
        # True once Meta refused the classic appsecret_proof and the time-stamped one (appsecret_time) is used.
        self.timestamped_proof = False
        # Called once by close() (the CLI remembers the working transport form there).
        self.on_close: Callable[[GraphClient], None] | None = None
        # The retry budget bounds the whole run: while calls keep failing (network, 5xx, rate limits), the run
        # keeps trying for at most ``total_timeout`` seconds after the first failure; then calls fail at once.
        # Any answer that is not such a failure ends the streak.
        self._trouble_since: float | None = None
        self._last_failure: GraphError | None = None

    # -- lifecycle ----------------------------------------------------------------------------------

    def close(self) -> None:
        hook, self.on_close = self.on_close, None
        try:
            if hook is not None:
                hook(self)
        finally:
            self._http.close()

    def __enter__(self) -> GraphClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def version_mismatch(self) -> set[str]:
        """Versions that served our calls although we asked for another (an expired version is served
        by the next available one)."""
        with self._lock:
            return {v for v in self.api_versions_seen if v != self.graph_version}

    # -- tokens -------------------------------------------------------------------------------------

    def app_token(self) -> str:
        """The app access token from App ID + App Secret (POST /oauth/access_token), cached."""
        with self._token_lock:
            if self._app_token:
                return self._app_token
            if self._app_token_error is not None:  # a definite "no" (wrong id / secret): don't ask again
                raise self._app_token_error
            app_id, secret = self._need_credentials("an app access token")
            try:
                resp = self._request(
                    "POST", "/oauth/access_token",
                    data={"client_id": app_id, "client_secret": secret, "grant_type": "client_credentials"},
                    token=None, oauth=True,
                )
            except GraphError as e:
                if not isinstance(e, GraphInconclusive):
                    self._app_token_error = e
                raise
            tok = resp.data.get("access_token") if isinstance(resp.data, dict) else None
            if not isinstance(tok, str) or not tok:
                raise GraphBadResponse("Graph API answered the app token exchange without an access_token "
                                       "(POST /oauth/access_token)", http_status=resp.status)
            register_secret(tok)
            self._app_token = tok
            return tok

    def exchange_user_token(self, short_token: str) -> tuple[str, int | None]:
        """Short-lived user token -> (long-lived user token, expires_in seconds or None)."""
        register_secret(short_token)
        app_id, secret = self._need_credentials("exchanging a user token")
        resp = self._request(
            "POST", "/oauth/access_token",
            data={"grant_type": "fb_exchange_token", "client_id": app_id, "client_secret": secret,
                  "fb_exchange_token": short_token},
            token=None, oauth=True,
        )
        data = resp.data if isinstance(resp.data, dict) else {}
        tok = data.get("access_token")
        if not isinstance(tok, str) or not tok:
            raise GraphBadResponse("Graph API answered the token exchange without an access_token "
                                   "(POST /oauth/access_token)", http_status=resp.status)
        register_secret(tok)
        exp = data.get("expires_in")
        try:
            expires_in = int(exp) if exp is not None else None
        except (TypeError, ValueError):
            expires_in = None
        return tok, expires_in

    def _need_credentials(self, what: str) -> tuple[str, str]:
        if not self.app_id:
            raise UsageError(f"the App ID is not set; it is needed for {what}",
                             hint="run 'fbhub config set app_id <digits>' (App settings > Basic in Meta's dashboard)")
        if not self.app_secret:
            raise UsageError(f"the App Secret is not set; it is needed for {what}",
                             hint="run 'fbhub secrets set app-secret' (or set FBHUB_APP_SECRET)")
        return self.app_id, self.app_secret

    def _need_app_id(self) -> str:
        if not self.app_id:
            raise UsageError("the App ID is not set",
                             hint="run 'fbhub config set app_id <digits>' (App settings > Basic in Meta's dashboard)")
        return self.app_id

    def use_direct_app_token(self) -> None:
        """Use ``APPID|APPSECRET`` as the app token (Meta documents it for any app-token call) instead of
        waiting for the exchange, so app-token calls can run alongside it (doctor's one round trip)."""
        app_id, secret = self._need_credentials("an app access token")
        self._direct_app_token = f"{app_id}|{secret}"
        register_secret(self._direct_app_token)

    def _resolve_token(self, token: Any) -> str | None:
        if token is APP:
            direct = getattr(self, "_direct_app_token", None)
            return direct or self.app_token()
        if token is None:
            return None
        if not isinstance(token, str) or not token:
            raise UsageError("an access token must be a non-empty string",
                             hint="check the tokens stored ('fbhub secrets list')")
        register_secret(token)
        return token

    def _proof_at(self) -> int | None:
        """The unix time for a time-stamped proof, or None for the classic proof."""
        return int(time.time()) if self.timestamped_proof else None

    def _auth_params(self, tok: str | None, proof: bool) -> dict[str, str]:
        if not tok:
            return {}
        out = {"access_token": tok}
        if proof and self.app_secret:
            at = self._proof_at()
            out["appsecret_proof"] = appsecret_proof(tok, self.app_secret, at)
            if at is not None:
                out["appsecret_time"] = str(at)
        return out

    def _proof_refused(self, err: GraphError, proof: bool, classic: bool) -> bool:
        """An "Invalid appsecret_proof" answer to a call signed with the classic proof: worth one time-stamped
        try (calls running in parallel each get theirs)."""
        from fbhub.graph.errors import AppSecretProofError

        return (isinstance(err, AppSecretProofError) and "invalid" in (err.graph_message or "").lower()
                and proof and bool(self.app_secret) and classic)

    def _with_proof_fallback(self, call: Callable[[], _T], proof: bool) -> _T:
        """Run ``call``; when Meta refuses the classic appsecret_proof, switch to the time-stamped proof
        (``appsecret_time``, Facebook Login Security page: HMAC of token|time, valid 5 minutes) and try once
        more, saying which form worked."""
        classic = not self.timestamped_proof
        try:
            return call()
        except GraphError as e:
            if not self._proof_refused(e, proof, classic):
                raise
            with self._lock:
                self.timestamped_proof = True
            try:
                result = call()
            except GraphError as again:
                self._note("Meta refused the classic appsecret_proof and the time-stamped one (appsecret_time) "
                           f"too ({again.code_label}): check the App Secret")
                raise
            self._note("Meta refused the classic appsecret_proof; the time-stamped proof (appsecret_time) worked "
                       "and is used from now on")
            return result

    def _note(self, note: str) -> None:
        with self._lock:
            first = note not in self.transport_notes
            if first:
                self.transport_notes.append(note)
        if first:
            self._log(f"graph transport: {note}")

    # -- generic calls ------------------------------------------------------------------------------

    def get(self, path: str, *, params: Mapping[str, Any] | None = None, token: Any,
            proof: bool = True) -> GraphResponse:
        """GET ``path`` (token-bearing reads travel in the transport form, see ``_request``)."""
        return self._request("GET", path, params=params, token=token, proof=proof)

    def post(self, path: str, data: Mapping[str, Any] | None = None, *, token: Any,
             proof: bool = True) -> GraphResponse:
        return self._request("POST", path, data=data, token=token, proof=proof)

    def delete(self, path: str, params: Mapping[str, Any] | None = None, *, token: Any,
               proof: bool = True) -> GraphResponse:
        return self._request("DELETE", path, data=params, token=token, proof=proof)

    def get_all(self, path: str, *, params: Mapping[str, Any] | None = None, token: Any, proof: bool = True,
                max_pages: int = MAX_PAGES) -> list[Any]:
        """GET a list edge and follow ``paging`` by cursor (never by the ``next`` URL, which carries the
        token in its query string)."""
        items: list[Any] = []
        q = dict(params or {})
        for _ in range(max_pages):
            resp = self.get(path, params=q, token=token, proof=proof)
            data = resp.data if isinstance(resp.data, dict) else None
            if data is None or not isinstance(data.get("data", []), list):
                raise GraphBadResponse(f"Graph API answered GET {path} without a data list",
                                       http_status=resp.status, path=path)
            items.extend(data.get("data", []))
            paging: dict[str, Any] = data["paging"] if isinstance(data.get("paging"), dict) else {}
            after = (paging.get("cursors") or {}).get("after") if isinstance(paging.get("cursors"), dict) else None
            if not paging.get("next") or not after or after == q.get("after"):
                break
            q["after"] = after
        return items

    def batch(self, items: list[BatchItem], *, token: Any = APP, max_workers: int | None = None) -> list[BatchResult]:
        """Run ``items`` as Graph batch requests (50 per HTTP request, up to ``max_workers`` in parallel)."""
        from fbhub.graph import transport as tp
        from fbhub.graph.batch import MAX_WORKERS, validate

        if not items:
            return []
        for it in items:
            validate(it)
        workers = max_workers or MAX_WORKERS
        with self._lock:
            refused = self.graph_transport == tp.AUTO and self.transport_memory.get("batch") == "refused"
        if not refused:
            try:
                return self._with_proof_fallback(
                    lambda: self._run_batch(items, top=self._resolve_token(token), max_workers=workers), True)
            except GraphError as e:
                if self.graph_transport != tp.AUTO or not tp.is_refusal(e):
                    raise
                self._fell_back(tp.TOKEN_KIND if token is not APP else tp.APP_KIND, tp.BATCH, tp.HEADER, e)
                with self._lock:
                    self.transport_memory["batch"] = "refused"
                    for kind in (tp.APP_KIND, tp.TOKEN_KIND):
                        self.transport_memory.setdefault(kind, tp.HEADER)
        return self._one_by_one(items, token, workers)

    def _one_by_one(self, items: list[BatchItem], token: Any, workers: int) -> list[BatchResult]:
        """The operations of a refused batch, sent as single calls (each in the next transport form)."""
        from urllib.parse import parse_qsl, urlsplit

        def one(it: BatchItem) -> BatchResult:
            parts = urlsplit(it.relative_url)
            params: dict[str, Any] = dict(parse_qsl(parts.query, keep_blank_values=True))
            tok = params.pop("access_token", None) or it.token or token
            params.pop("appsecret_proof", None)
            method = it.method.upper()
            try:
                if method == "POST":
                    resp = self._request("POST", parts.path, data={**params, **(it.body or {})}, token=tok)
                else:
                    resp = self._request(method, parts.path, params={**params, **(it.body or {})}, token=tok)
            except GraphError as e:
                return BatchResult(e.http_status, None, e, it.name)
            return BatchResult(resp.status, resp.data, None, it.name, dict(resp.headers))

        with ThreadPoolExecutor(max_workers=max(1, min(workers, len(items)))) as pool:
            return list(pool.map(one, items))

    # -- the wire engine: every request fbhub sends goes through _request -> _run -> _attempt -> _send ------

    def _url(self, path: str) -> str:
        if "://" in path or path.startswith("//"):
            raise UsageError(f"Graph paths are relative, got {redact(path)!r}",
                             hint="pass e.g. '/me' or '123/subscriptions'")
        return f"{self.base_url}/{path.lstrip('/')}"

    def _shown(self, path: str, query: Mapping[str, str] | None) -> str:
        """``/v24.0/path?query`` for logs and errors: secret parameters masked, then redacted."""
        p = f"/{self.graph_version}/{path.lstrip('/')}"
        if query:
            p += "?" + urlencode({k: (mask(v) if k in SECRET_PARAMS else v) for k, v in query.items()}, safe=",*")
        return redact(p)

    def _request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                 data: Mapping[str, Any] | None = None, token: Any, proof: bool = True,
                 oauth: bool = False) -> GraphResponse:
        """One Graph call. Writes (POST) carry token and parameters in the form body. A read or delete that
        carries a token or a secret parameter travels in a transport form (fbhub.graph.transport): tried in
        order, falling back to the next form when Meta refuses one. Never the HTTP method override."""
        return self._with_proof_fallback(
            lambda: self._request_once(method, path, params=params, data=data, token=token, proof=proof,
                                       oauth=oauth), proof and not oauth)

    def _request_once(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                      data: Mapping[str, Any] | None = None, token: Any, proof: bool = True,
                      oauth: bool = False) -> GraphResponse:
        from fbhub.graph import transport as tp

        method = method.upper()
        tok = self._resolve_token(token)
        for k, v in list((params or {}).items()) + list((data or {}).items()):
            if k in SECRET_PARAMS and isinstance(v, str):
                register_secret(v)
        self._url(path)  # refuse absolute URLs before anything is sent
        if method not in ("GET", "DELETE"):
            form = {**_encode_params(data), **self._auth_params(tok, proof)}
            wire = _Wire(method, path, {}, form or None, {}, self._shown(path, None))
            return self._exchange(wire, method, oauth)
        p = _encode_params(params if method == "GET" else (data if data is not None else params))
        secret = {k: v for k, v in p.items() if k in SECRET_PARAMS}
        if not tok and not secret:
            return self._exchange(_Wire(method, path, p, None, {}, self._shown(path, p)), method, oauth)
        kind = tp.APP_KIND if token is APP else tp.TOKEN_KIND
        with self._lock:
            remembered = self.transport_memory.get(kind)
        forms = tp.forms_for(self.graph_transport, kind, secret_params=bool(secret), remembered=remembered)
        for i, how in enumerate(forms):
            try:
                resp = self._via(how, method, path, p, tok, proof)
            except GraphError as e:
                if i + 1 < len(forms) and tp.is_refusal(e):
                    self._fell_back(kind, how, forms[i + 1], e)
                    continue
                raise
            with self._lock:
                self.transport_memory[kind] = how
            return resp
        raise AssertionError("forms_for returned no form")  # pragma: no cover

    def _via(self, form: str, method: str, path: str, p: dict[str, str], tok: str | None,
             proof: bool) -> GraphResponse:
        """Send one read / delete in the given transport form."""
        from fbhub.graph import transport as tp

        auth = self._auth_params(tok, proof)
        if form == tp.BATCH:
            # A batch of one: token and proof at the top level of the POST body (the fallback token of every
            # operation), the operation's parameters -- secret ones too -- in its relative_url (Meta reads an
            # operation's body for POST/PUT only), which itself travels inside the POST body.
            rel = path.lstrip("/") + (("?" + urlencode(p, safe=",")) if p else "")
            item = BatchItem(method, rel)
            shown = self._shown(path, {k: v for k, v in p.items() if k not in SECRET_PARAMS})
            [res] = self._run_batch([item], top=tok, top_auth=auth, include_headers=True, label=(method, shown))
            if res.error is not None:
                raise res.error
            headers = res.headers or {}
            return GraphResponse(status=res.status or 200, data=res.data, headers=headers,
                                 api_version=headers.get("facebook-api-version"), usage=parse_usage(headers),
                                 method=method, path=shown)
        if form == tp.HEADER:
            # appsecret_proof has no documented header: it rides in the query (an HMAC, not the token).
            query = {**p, **{k: v for k, v in auth.items() if k != "access_token"}}
            headers = {"Authorization": f"Bearer {tok}"} if tok else {}
            return self._exchange(_Wire(method, path, query, None, headers, self._shown(path, query)), method)
        query = {**p, **auth}  # QUERY: opted into by the operator (graph_transport = query)
        return self._exchange(_Wire(method, path, query, None, {}, self._shown(path, query)), method)

    def _fell_back(self, kind: str, form: str, nxt: str, err: GraphError) -> None:
        from fbhub.graph import transport as tp

        note = (f"Meta refused {tp.DESCRIPTIONS[form]} for {'app-token' if kind == tp.APP_KIND else 'token'} "
                f"calls ({err.code_label}: {strip_code_prefix(err.graph_message) or err.message}); "
                f"fbhub now uses {tp.DESCRIPTIONS[nxt]}")
        with self._lock:
            if self.transport_memory.get(kind) == form:
                del self.transport_memory[kind]
        self._note(note)

    def _log(self, line: str) -> None:
        if self.verbose_log is not None:
            self.verbose_log(redact(line))

    @staticmethod
    def _shown_form(form: Mapping[str, str] | None) -> str:
        if not form:
            return ""
        parts = []
        for k, v in form.items():
            if k in SECRET_PARAMS:
                parts.append(f"{k}={mask(v)}")
            elif k == "batch":
                parts.append(f"batch=[{_shown_ops(v)}]")
            else:
                parts.append(f"{k}={v if len(v) <= 200 else v[:197] + '...'}")
        return " body: " + " ".join(parts)

    def _send(self, wire: _Wire, timeout: float) -> httpx.Response:
        """THE place where fbhub puts bytes on the wire (single calls and batches alike)."""
        with self._lock:
            self.request_count += 1
        shown = wire.shown
        auth_note = " [token in Authorization header]" if "Authorization" in wire.headers else ""
        self._log(f"graph → {wire.method} {shown}{self._shown_form(wire.form)}{auth_note}")
        t0 = time.perf_counter()
        try:
            # one deadline for the whole request, the answer capped after decompression (graph/limits.py)
            resp = limits.fetch(self._http, wire.method, self._url(wire.path), params=wire.query, data=wire.form,
                                headers=wire.headers, timeout=timeout)
        except (httpx.HTTPError, limits.ResponseTooLarge, limits.UnreadableBody) as e:
            ms = (time.perf_counter() - t0) * 1000
            self._log(f"graph ← {wire.method} {shown}: {type(e).__name__} after {ms:.0f} ms")
            raise
        ms = (time.perf_counter() - t0) * 1000
        version = resp.headers.get("facebook-api-version")
        if version:
            with self._lock:
                self.api_versions_seen.add(version)
        parsed = parse_usage(resp.headers)
        if parsed:
            with self._lock:
                merge_peak_usage(self.usage_peak, parsed)
        usage = usage_summary(parsed)
        self._log(f"graph ← {resp.status_code} {wire.method} {shown} in {ms:.0f} ms (api {version or '?'}"
                  + (f"; {usage}" if usage else "") + ")")
        return resp

    def _attempt(self, wire: _Wire, method: str, oauth: bool, timeout: float) -> GraphResponse | GraphError:
        """Send once and interpret the answer; network failures become GraphUnreachable (retryable)."""
        t0 = time.perf_counter()
        try:
            resp = self._send(wire, timeout)
        except (limits.ResponseTooLarge, limits.UnreadableBody) as e:  # not retried: it would come again
            return GraphBadResponse(f"Graph API answered {method} {wire.shown} with an unreadable answer: {e}",
                                    method=method, path=wire.shown)
        except httpx.TimeoutException as e:
            self.exchanges.record(wire, status=None, headers=None, text=None, error=type(e).__name__,
                                  ms=(time.perf_counter() - t0) * 1000)
            return GraphUnreachable(
                f"Graph API did not answer {method} {wire.shown} within {timeout:g} s ({type(e).__name__})",
                method=method, path=wire.shown)
        except httpx.HTTPError as e:
            self.exchanges.record(wire, status=None, headers=None, text=None, error=type(e).__name__,
                                  ms=(time.perf_counter() - t0) * 1000)
            return GraphUnreachable(f"cannot reach the Graph API at {self.graph_url} ({type(e).__name__}: {e})",
                                    method=method, path=wire.shown)
        self.exchanges.record(wire, status=resp.status_code, headers=resp.headers, text=resp.text,
                              ms=(time.perf_counter() - t0) * 1000)
        return self._interpret(resp, method, wire.shown, oauth)

    def _exchange(self, wire: _Wire, method: str, oauth: bool = False) -> GraphResponse:
        """One request, retried by the policy."""
        return self._run(lambda timeout: self._attempt(wire, method, oauth, timeout), method=method, shown=wire.shown)

    def _run(self, step: Callable[[float], _T | GraphError], *, method: str, shown: str,
             give_up: Callable[[GraphError, int, float | None], _T] | None = None) -> _T:
        """THE retry loop (single calls and batches): ``step(timeout)`` returns a result, or a GraphError;
        retryable errors are retried with backoff + jitter within the policy's attempts and time budget,
        honouring Retry-After and the usage headers. ``give_up`` decides what running out means (default:
        raise a GraphInconclusive saying what kept failing)."""
        policy = self.retry
        start = self._clock()
        attempt = 0
        while True:
            attempt += 1
            remaining = policy.total_timeout - (self._clock() - start)
            run_left = self._run_budget_left()
            if run_left is not None:
                if run_left <= 0:
                    raise self._budget_spent(method, shown)
                remaining = min(remaining, run_left)
            # The first attempt gets the whole timeout; a retry only what is left of the budget (at most the
            # timeout), so a call ends by max(timeout, retry budget) whatever the server does.
            first = attempt == 1 and run_left is None
            result = step(self.timeout if first else min(self.timeout, max(remaining, 0.1)))
            if not isinstance(result, _Unfinished):
                self._note_outcome(result)
            if not isinstance(result, GraphError):
                return result
            err = result
            if not self._retryable(err):
                raise err
            run_left = self._run_budget_left()
            if run_left is not None:
                remaining = policy.total_timeout - (self._clock() - start)
                if run_left < remaining:  # the run's budget ends first: retry only within it
                    start -= remaining - run_left
            if attempt >= policy.max_attempts:
                if give_up is not None:
                    return give_up(err, attempt, None)
                raise self._give_up(err, attempt, method, shown)
            if err.retry_after is not None:
                delay, why = err.retry_after, "as the server asked"
            else:
                delay, why = policy.backoff(attempt, self._rand), "backoff"
            remaining = policy.total_timeout - (self._clock() - start)
            if delay > remaining:
                if give_up is not None:
                    return give_up(err, attempt, delay)
                raise self._give_up(err, attempt, method, shown, wait=delay)
            what = err.message if isinstance(err, _Unfinished) else f"{err.code_label} on {method} {shown}"
            self._log(f"graph: {what}; retrying in {delay:.1f} s ({why}, attempt {attempt + 1} of "
                      f"{policy.max_attempts})")
            if self.on_wait is not None:
                self.on_wait(wait_note(err, delay, attempt + 1, policy.max_attempts))
            self._sleep(delay)

    def _note_outcome(self, result: object) -> None:
        """Track the run's failure streak (see ``_trouble_since``)."""
        failing = isinstance(result, GraphError) and self._retryable(result)
        with self._lock:
            if not failing:
                self._trouble_since, self._last_failure = None, None
            else:
                if self._trouble_since is None:
                    self._trouble_since = self._clock()
                self._last_failure = result  # type: ignore[assignment]

    def _run_budget_left(self) -> float | None:
        """Seconds the run may still spend on failing calls (None: nothing is failing)."""
        with self._lock:
            since = self._trouble_since
        return None if since is None else self.retry.total_timeout - (self._clock() - since)

    def _budget_spent(self, method: str, shown: str) -> GraphError:
        with self._lock:
            last = self._last_failure
        why = f"the Graph API kept failing for the whole {self.retry.total_timeout:g} s retry budget"
        if last is None:
            return GraphUnreachable(f"could not reach a conclusion: {method} {shown} not sent: {why}",
                                    method=method, path=shown)
        detail = last.message.removeprefix("could not reach a conclusion: ")
        return self._give_up(last, 0, method, shown).with_message(
            f"could not reach a conclusion: {method} {shown} not sent: {why} (last: {detail})")

    # -- batches ------------------------------------------------------------------------------------

    def _run_batch(self, items: list[BatchItem], *, top: str | None, top_auth: Mapping[str, str] | None = None,
                   include_headers: bool = False, max_workers: int = 8,
                   label: tuple[str, str] | None = None) -> list[BatchResult]:
        """Run ``items`` in chunks of ≤ 50 (concurrently), each chunk through the one retry loop: a failed
        batch request and operations answered ``null`` (or with a transient error) are re-sent."""
        from fbhub.graph.batch import MAX_BATCH_SIZE, BatchResult, validate

        for it in items:
            validate(it)
        if not top:
            raise UsageError("a batch request needs a top-level access token",
                             hint="pass token=APP (the app token) or a Page / user token")
        auth = dict(top_auth) if top_auth is not None else self._auth_params(top, True)
        results: list[BatchResult | None] = [None] * len(items)
        label_method, shown = label or ("POST", self._shown("/", None))

        def run_chunk(idxs: list[int]) -> None:
            pending = list(idxs)

            def step(timeout: float) -> bool | GraphError:
                answers = self._post_batch([items[i] for i in pending], auth, include_headers, timeout)
                if isinstance(answers, GraphError):
                    return answers
                again: list[int] = []
                for i, ans in zip(pending, answers, strict=True):
                    results[i] = ans
                    if ans is None or (ans.error is not None and self._retryable(ans.error)):
                        again.append(i)
                if not again:
                    return True
                pending[:] = again
                waits = [w for i in again if (r := results[i]) is not None and r.error is not None
                         and (w := r.error.retry_after) is not None]
                unfinished = _Unfinished(f"{len(again)} batch operation(s) unfinished", is_transient=True,
                                         retry_after=max(waits) if waits else None)
                unfinished.cause = next((r.error for i in again if (r := results[i]) is not None
                                         and r.error is not None), None)
                return unfinished

            def give_up(err: GraphError, attempts: int, wait: float | None) -> bool:
                if not isinstance(err, _Unfinished):
                    raise self._give_up(err, attempts, label_method, shown, wait=wait)
                for i in pending:
                    res = results[i]
                    if res is not None and res.error is not None:  # still failing: say so, like a single call
                        it = items[i]
                        results[i] = BatchResult(res.status, res.data, self._give_up(
                            res.error, attempts, it.method.upper(), res.error.path or redact(it.relative_url),
                            wait=wait), it.name, res.headers)
                    elif res is None:
                        it = items[i]
                        results[i] = BatchResult(None, None, GraphTransientError(
                            f"could not reach a conclusion: batch operation {it.method.upper()} "
                            f"{redact(it.relative_url)} did not finish (null answer) after {attempts} attempt(s)",
                            is_transient=True, method=it.method.upper(), path=redact(it.relative_url)), it.name)
                return True

            self._run(step, method=label_method, shown=shown, give_up=give_up)

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

    def _post_batch(self, chunk: list[BatchItem], auth: Mapping[str, str], include_headers: bool,
                    timeout: float) -> list[BatchResult | None] | GraphError:
        """One batch request (``POST /{v}/``, reference §11): top-level token + proof in the body."""
        from fbhub.graph.batch import build_operation, parse_entry

        at = self._proof_at()
        ops = [build_operation(it, self.app_secret, at) for it in chunk]
        form = {**auth, "batch": json.dumps(ops, separators=(",", ":")),
                "include_headers": "true" if include_headers else "false"}
        wire = _Wire("POST", "/", {}, form, {}, self._shown("/", None))
        resp = self._attempt(wire, "POST", False, timeout)
        if isinstance(resp, GraphError):
            return resp
        if not isinstance(resp.data, list) or len(resp.data) != len(chunk):
            got = f"{len(resp.data)} answers" if isinstance(resp.data, list) else "no list"
            return GraphBadResponse(f"Graph API answered a batch of {len(chunk)} operations with {got}",
                                    http_status=resp.status, method="POST", path=resp.path)
        answers = [parse_entry(e, it, default_wait=self.retry.max_delay) for e, it in zip(resp.data, chunk,
                                                                                            strict=True)]
        if include_headers:
            for a in answers:
                parsed = parse_usage(a.headers or {}) if a is not None else {}
                if parsed:  # the usage headers of an operation (Meta sends them per operation)
                    with self._lock:
                        merge_peak_usage(self.usage_peak, parsed)
                    self._log(f"graph: batch operation answered {a.status if a else '?'} ({usage_summary(parsed)})")
        return answers

    @staticmethod
    def _retryable(err: GraphError) -> bool:
        if isinstance(err, InvalidAppSecret):
            return False
        if isinstance(err, (GraphRateLimitError, GraphTransientError, GraphUnreachable)):
            return True
        if type(err) is GraphError:  # no more specific class: an unknown code
            return err.graph_is_transient is True or (err.http_status or 0) >= 500
        return False

    def _interpret(self, resp: httpx.Response, method: str, shown: str, oauth: bool) -> GraphResponse | GraphError:
        status = resp.status_code
        headers = resp.headers
        usage = parse_usage(headers)
        wait = parse_retry_after(headers.get("retry-after"))
        if wait is None:
            wait = usage_wait(usage, default_wait=self.retry.max_delay)
        text = resp.text
        try:
            data: Any = limits.loads(text) if text.strip() else None
            is_json = text.strip() != ""
        except limits.UnreadableJSON as exc:
            return GraphBadResponse(f"Graph API answered {method} {shown} with an unreadable answer: {exc}",
                                    http_status=status, method=method, path=shown)
        except ValueError:
            data, is_json = None, False
        if not is_json and oauth and status == 200 and "access_token=" in text:
            # Very old Graph versions answered the token exchange as a query string.
            q = parse_qs(text.strip())
            data, is_json = {k: v[0] for k, v in q.items()}, True
        if not is_json:
            snippet = " ".join(redact(text[:4096]).split())[:80]  # redact first, cut after
            if status >= 500 or status == 429:
                cls = GraphRateLimitError if status == 429 else GraphTransientError
                return cls(f"Graph API answered HTTP {status} to {method} {shown}"
                           + (f" with a non-JSON body: {snippet!r}" if snippet else " with an empty body"),
                           http_status=status, method=method, path=shown, info=SITUATIONS["server-error"],
                           retry_after=wait, is_transient=True)
            return GraphBadResponse(
                f"Graph API answered HTTP {status} to {method} {shown} with "
                + (f"a body that is not JSON: {snippet!r}" if snippet else "an empty body"),
                http_status=status, method=method, path=shown)
        if isinstance(data, dict) and "error" in data:
            err = error_from_payload(data["error"], http_status=status, method=method, path=shown, oauth=oauth,
                                     retry_after=wait)
            return err
        if status >= 400:
            if status == 429:
                return GraphRateLimitError(f"Graph API answered HTTP 429 to {method} {shown}", http_status=status,
                                           method=method, path=shown, retry_after=wait, is_transient=True)
            if status >= 500:
                return GraphTransientError(f"Graph API answered HTTP {status} to {method} {shown}",
                                           http_status=status, method=method, path=shown,
                                           info=SITUATIONS["server-error"], retry_after=wait, is_transient=True)
            return GraphBadResponse(f"Graph API answered HTTP {status} to {method} {shown} without an error object",
                                    http_status=status, method=method, path=shown)
        return GraphResponse(status=status, data=data, headers=headers,
                             api_version=headers.get("facebook-api-version"), usage=usage, method=method, path=shown)

    def _give_up(self, err: GraphError, attempts: int, method: str, shown: str,
                 wait: float | None = None) -> GraphInconclusive:
        total = self.retry.total_timeout
        if isinstance(err, GraphUnreachable):
            what = err.message
        elif err.code is not None:
            what = f"Graph API kept answering ({err.code_label})" + (
                f" {strip_code_prefix(err.graph_message)}" if err.graph_message else "") + (
                f" [HTTP {err.http_status}]" if err.http_status else "")
        else:
            what = f"Graph API kept answering HTTP {err.http_status}"
        n = f"{attempts} attempt" + ("s" if attempts != 1 else "")
        trace = f"; fbtrace_id {err.fbtrace_id}" if err.fbtrace_id else ""
        if wait is not None:
            msg = (f"could not reach a conclusion: {what} after {n} ({method} {shown}{trace}); waiting "
                   f"{wait:.1f} s more would exceed the {total:g} s retry budget")
        else:
            msg = f"could not reach a conclusion: {what} after {n} ({method} {shown}{trace})"
        if isinstance(err, GraphRateLimitError):
            hint = "Meta is rate-limiting this app, user or Page: wait" + (
                f" about {wait / 60:.0f} min" if wait and wait >= 60 else "") + " and run again (--verbose shows usage)"
        elif isinstance(err, GraphUnreachable):
            hint = err.info.fix
        else:
            hint = "Meta may be having problems (https://metastatus.com); run again later"
        if isinstance(err, GraphInconclusive):
            return err.with_message(msg, hint=hint)  # type: ignore[return-value]
        return GraphTransientError(
            msg, code=err.code, error_subcode=err.error_subcode, type=err.type, graph_message=err.graph_message,
            fbtrace_id=err.fbtrace_id, is_transient=True, http_status=err.http_status,
            error_user_title=err.error_user_title, error_user_msg=err.error_user_msg, method=err.method,
            path=err.path, info=err.info, hint=hint)

    # -- convenience calls: one place for each Graph call fbhub makes -------------------------------------

    def get_app(self, fields: Iterable[str] | str | None = DEFAULT_APP_FIELDS) -> dict[str, Any]:
        """GET /{app-id}?fields=… with the app token."""
        app_id = self._need_app_id()
        resp = self.get(f"/{app_id}", params={"fields": _fields(fields)}, token=APP)
        return self._dict(resp)

    def get_app_subscriptions(self) -> list[dict[str, Any]]:
        """GET /{app-id}/subscriptions: app-level webhook config, ``[{object, callback_url, fields, active}]``."""
        return self.get_all(f"/{self._need_app_id()}/subscriptions", token=APP)

    def set_app_subscription(self, object: str, callback_url: str, fields: Iterable[str] | str,
                             verify_token: str, include_values: bool = True) -> bool:
        """POST /{app-id}/subscriptions (Meta calls the callback URL to verify it during this call)."""
        register_secret(verify_token)
        resp = self.post(f"/{self._need_app_id()}/subscriptions", {
            "object": object, "callback_url": callback_url, "fields": _fields(fields),
            "verify_token": verify_token, "include_values": include_values,
        }, token=APP)
        return resp.success

    def delete_app_subscription(self, object: str, fields: Iterable[str] | str | None = None) -> bool:
        """DELETE /{app-id}/subscriptions for ``object`` (only ``fields`` when given)."""
        resp = self.delete(f"/{self._need_app_id()}/subscriptions",
                           {"object": object, "fields": _fields(fields)}, token=APP)
        return resp.success

    def get_app_roles(self) -> list[dict[str, Any]]:
        """GET /{app-id}/roles: ``[{app_id, user, role}]``."""
        return self.get_all(f"/{self._need_app_id()}/roles", token=APP)

    def get_app_permissions(self) -> list[dict[str, Any]]:
        """GET /{app-id}/permissions (approved through App Review)."""
        return self.get_all(f"/{self._need_app_id()}/permissions", token=APP)

    def debug_token(self, input_token: str) -> dict[str, Any]:
        """GET /debug_token with the app token (as every read: see ``graph.transport``); returns the ``data`` dict.

        Raises ``TokenOfOtherApp`` for "(#100) The App_id in the input_token did not match the Viewing App".
        """
        register_secret(input_token)
        resp = self.get("/debug_token", params={"input_token": input_token}, token=APP)
        data = resp.data.get("data") if isinstance(resp.data, dict) else None
        if not isinstance(data, dict):
            raise GraphBadResponse("Graph API answered debug_token without a data object",
                                   http_status=resp.status, path=resp.path)
        return data

    def get_page(self, page_id: str, token: str, fields: Iterable[str] | str | None = ("id", "name")) -> dict[str, Any]:
        return self._dict(self.get(f"/{page_id}", params={"fields": _fields(fields)}, token=token))

    def get_page_subscribed_apps(self, page_id: str, token: str) -> list[dict[str, Any]]:
        """GET /{page-id}/subscribed_apps: ``[{id, name, subscribed_fields?}]``."""
        return self.get_all(f"/{page_id}/subscribed_apps", token=token)

    def subscribe_page(self, page_id: str, token: str, fields: Iterable[str] | str) -> bool:
        """POST /{page-id}/subscribed_apps with ``subscribed_fields`` (comma list)."""
        resp = self.post(f"/{page_id}/subscribed_apps", {"subscribed_fields": _fields(fields)}, token=token)
        return resp.success

    def unsubscribe_page(self, page_id: str, token: str) -> bool:
        """DELETE /{page-id}/subscribed_apps: uninstalls this app from the Page."""
        return self.delete(f"/{page_id}/subscribed_apps", None, token=token).success

    def me(self, token: str, fields: Iterable[str] | str | None = ("id", "name")) -> dict[str, Any]:
        return self._dict(self.get("/me", params={"fields": _fields(fields)}, token=token))

    def me_accounts(self, user_token: str, fields: Iterable[str] | str | None = DEFAULT_ACCOUNT_FIELDS
                    ) -> list[dict[str, Any]]:
        """GET /me/accounts (all pages of results): the Pages and their Page tokens (registered as secrets)."""
        rows = self.get_all("/me/accounts", params={"fields": _fields(fields)}, token=user_token)
        for row in rows:
            if isinstance(row, dict) and isinstance(row.get("access_token"), str):
                register_secret(row["access_token"])
        return rows

    def me_permissions(self, token: str) -> list[dict[str, Any]]:
        """GET /me/permissions: ``[{permission, status}]``."""
        return self.get_all("/me/permissions", token=token)

    @staticmethod
    def _dict(resp: GraphResponse) -> dict[str, Any]:
        if not isinstance(resp.data, dict):
            raise GraphBadResponse(f"Graph API answered {resp.method} {resp.path} with something other than an "
                                   "object", http_status=resp.status, path=resp.path)
        return resp.data
