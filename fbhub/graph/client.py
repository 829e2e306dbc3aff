"""GraphClient: the one place fbhub talks to the Graph API (sync httpx, thread-safe).

Rules this module enforces for every call:

* **Secrets never travel in a URL.** The app secret, every access token, ``appsecret_proof`` and
  secret parameters (``input_token``, ``fb_exchange_token``, ``verify_token`` …) go in a form body.
  A read that carries a secret is sent as ``POST`` with ``method=GET`` in the body (Graph's method
  override); a delete as ``POST`` with ``method=DELETE``. Only non-secret parameters (``fields=`` …)
  stay in the query string of reads.
* ``appsecret_proof`` (hex HMAC-SHA256, key = app secret, message = token) accompanies every call
  made with a token when the app secret is known.
* Transient failures are retried with exponential backoff + full jitter within a total time budget,
  honouring ``Retry-After`` and the usage headers; giving up raises a ``GraphInconclusive`` (exit 3).
* With ``verbose_log`` every request / response is logged in one redacted line each.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode

import httpx

from fbhub.errors import UsageError
from fbhub.graph.errors import (
    SITUATIONS,
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
from fbhub.redact import mask, redact, register_secret

if TYPE_CHECKING:
    from fbhub.graph.batch import BatchItem, BatchResult

# Parameters whose values are secrets: never in a query string, always masked in logs.
SECRET_PARAMS = frozenset(
    {
        "access_token", "client_secret", "appsecret_proof", "appsecret_time", "input_token",
        "fb_exchange_token", "verify_token", "hub.verify_token", "app_secret", "page_token",
    }
)
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


def appsecret_proof(token: str, app_secret: str) -> str:
    """hex(HMAC-SHA256(key=app_secret, msg=token)) — Graph's ``appsecret_proof``."""
    return hmac.new(app_secret.encode("utf-8"), token.encode("utf-8"), hashlib.sha256).hexdigest()


def parse_success(data: Any) -> bool:
    """``{"success": true}`` and ``{"success": "true"}`` (both seen from Graph), and a bare ``true``."""
    if data is True:
        return True
    if isinstance(data, dict):
        v = data.get("success")
        return v is True or (isinstance(v, str) and v.strip().lower() == "true")
    return False


def encode_value(v: Any) -> str:
    """Form / query encoding of a parameter value: bools as true/false, lists comma-joined, dicts as JSON."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple, set, frozenset)):
        items = list(v)
        if all(isinstance(i, (str, int)) and not isinstance(i, bool) for i in items):
            return ",".join(str(i) for i in items)
        return json.dumps(items, separators=(",", ":"))
    if isinstance(v, dict):
        return json.dumps(v, separators=(",", ":"))
    return str(v)


def _encode_params(params: Mapping[str, Any] | None) -> dict[str, str]:
    return {k: encode_value(v) for k, v in (params or {}).items() if v is not None}


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
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rand: Callable[[], float] = random.random,
        user_agent: str | None = None,
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
        self._sleep = sleep
        self._clock = clock
        self._rand = rand
        self._http = httpx.Client(
            transport=transport,
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

    # -- lifecycle ----------------------------------------------------------------------------------

    def close(self) -> None:
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
                             hint="check the token configured with 'fbhub secrets set'")
        register_secret(token)
        return token

    def _auth_params(self, tok: str | None, proof: bool) -> dict[str, str]:
        if not tok:
            return {}
        out = {"access_token": tok}
        if proof and self.app_secret:
            out["appsecret_proof"] = appsecret_proof(tok, self.app_secret)
        return out

    # -- generic calls ------------------------------------------------------------------------------

    def get(self, path: str, *, params: Mapping[str, Any] | None = None, token: Any,
            proof: bool = True) -> GraphResponse:
        """GET ``path``; non-secret params in the query, token / proof / secret params in a POST body."""
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
            paging = data.get("paging") if isinstance(data.get("paging"), dict) else {}
            after = (paging.get("cursors") or {}).get("after") if isinstance(paging.get("cursors"), dict) else None
            if not paging.get("next") or not after or after == q.get("after"):
                break
            q["after"] = after
        return items

    def batch(self, items: list[BatchItem], *, token: Any = APP, max_workers: int | None = None) -> list[BatchResult]:
        """Run ``items`` as Graph batch requests (50 per HTTP request, up to ``max_workers`` in parallel)."""
        from fbhub.graph.batch import MAX_WORKERS, run_batch

        return run_batch(self, items, token=token, max_workers=max_workers or MAX_WORKERS)

    # -- the request engine ---------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        if "://" in path or path.startswith("//"):
            raise UsageError(f"Graph paths are relative, got {redact(path)!r}",
                             hint="pass e.g. '/me' or '123/subscriptions'")
        return f"{self.base_url}/{path.lstrip('/')}"

    def _shown(self, path: str, query: Mapping[str, str] | None) -> str:
        p = f"/{self.graph_version}/{path.lstrip('/')}"
        if query:
            p += "?" + urlencode(query, safe=",")
        return redact(p)

    def _build(self, method: str, params: Mapping[str, Any] | None, data: Mapping[str, Any] | None,
               tok: str | None, proof: bool) -> tuple[str, dict[str, str], dict[str, str] | None]:
        """(HTTP method, query, form body). Secrets only ever land in the form body."""
        auth = self._auth_params(tok, proof)
        if method == "GET":
            p = _encode_params(params)
            query = {k: v for k, v in p.items() if k not in SECRET_PARAMS}
            secret = {k: v for k, v in p.items() if k in SECRET_PARAMS}
            if auth or secret:
                return "POST", query, {"method": "GET", **secret, **auth}
            return "GET", query, None
        body = _encode_params(data)
        if method == "DELETE":
            if auth or any(k in SECRET_PARAMS for k in body):
                return "POST", {}, {"method": "DELETE", **body, **auth}
            return "DELETE", body, None
        return method, {}, {**body, **auth}

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
                try:
                    n = len(json.loads(v))
                except ValueError:
                    n = "?"
                parts.append(f"batch=[{n} operations]")
            else:
                parts.append(f"{k}={v if len(v) <= 200 else v[:197] + '...'}")
        return " body: " + " ".join(parts)

    def _send(self, http_method: str, url: str, query: dict[str, str], form: dict[str, str] | None,
              shown: str, timeout: float) -> httpx.Response:
        with self._lock:
            self.request_count += 1
        self._log(f"graph → {http_method} {shown}{self._shown_form(form)}")
        t0 = time.perf_counter()
        try:
            resp = self._http.request(http_method, url, params=query or None, data=form,
                                      timeout=httpx.Timeout(timeout))
        except httpx.HTTPError as e:
            ms = (time.perf_counter() - t0) * 1000
            self._log(f"graph ← {http_method} {shown}: {type(e).__name__} after {ms:.0f} ms")
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
        self._log(f"graph ← {resp.status_code} {http_method} {shown} in {ms:.0f} ms (api {version or '?'}"
                  + (f"; {usage}" if usage else "") + ")")
        return resp

    def _request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                 data: Mapping[str, Any] | None = None, token: Any, proof: bool = True,
                 oauth: bool = False) -> GraphResponse:
        tok = self._resolve_token(token)
        for k, v in list((params or {}).items()) + list((data or {}).items()):
            if k in SECRET_PARAMS and isinstance(v, str):
                register_secret(v)
        http_method, query, form = self._build(method, params, data, tok, proof)
        url = self._url(path)
        shown = self._shown(path, query)
        policy = self.retry
        start = self._clock()
        attempt = 0
        while True:
            attempt += 1
            remaining = policy.total_timeout - (self._clock() - start)
            result: GraphResponse | GraphError
            try:
                resp = self._send(http_method, url, query, form, shown, min(self.timeout, max(remaining, 0.5)))
            except httpx.TimeoutException as e:
                result = GraphUnreachable(
                    f"Graph API did not answer {method} {shown} within {self.timeout:g} s ({type(e).__name__})",
                    method=method, path=shown)
            except httpx.HTTPError as e:
                result = GraphUnreachable(
                    f"cannot reach the Graph API at {self.graph_url} ({type(e).__name__}: {e})",
                    method=method, path=shown)
            else:
                result = self._interpret(resp, method, shown, oauth)
            if isinstance(result, GraphResponse):
                return result
            err = result
            if not self._retryable(err):
                raise err
            if attempt >= policy.max_attempts:
                raise self._give_up(err, attempt, method, shown)
            if err.retry_after is not None:
                delay, why = err.retry_after, "as the server asked"
            else:
                delay, why = policy.backoff(attempt, self._rand), "backoff"
            remaining = policy.total_timeout - (self._clock() - start)
            if delay > remaining:
                raise self._give_up(err, attempt, method, shown, wait=delay)
            self._log(f"graph: {err.code_label} on {method} {shown}; retrying in {delay:.1f} s ({why}, "
                      f"attempt {attempt + 1} of {policy.max_attempts})")
            self._sleep(delay)

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
            data: Any = json.loads(text) if text.strip() else None
            is_json = text.strip() != ""
        except ValueError:
            data, is_json = None, False
        if not is_json and oauth and status == 200 and "access_token=" in text:
            # Very old Graph versions answered the token exchange as a query string.
            q = parse_qs(text.strip())
            data, is_json = {k: v[0] for k, v in q.items()}, True
        if not is_json:
            snippet = " ".join(text.split())[:80]
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
        """POST(method=GET) /debug_token with the app token; returns the ``data`` dict.

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
