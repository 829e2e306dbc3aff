"""The simulated Graph API's engine: versions, tokens, rate limits, faults, routing and batches; each
Graph node answers in its own module (oauth, debug_token, app, page, user)."""

from __future__ import annotations

import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from fbhub.meta.versions import VERSION_TABLE, available_versions
from fbhub.sandbox.graph.app import AppNode
from fbhub.sandbox.graph.common import (
    _VERSION_OK,
    _VERSION_SEG,
    BAD_SIGNATURE,
    BATCH_LIMIT,
    CANNOT_DECRYPT,
    CANNOT_PARSE,
    DEBUG_CALLER,
    NO_APP_INFO,
    NO_TOKEN,
    PROOF_INVALID,
    PROOF_REQUIRED,
    Caller,
    GraphError,
    GraphResponse,
    _batch_item,
    _compact,
    _Ctx,
    _header_token,
    _json_ct,
    _legacy,
    _NeedsVerification,
    _truthy,
    _unknown_path,
    _unsupported,
    app_token_for,
    appsecret_proof,
    token_error,
)
from fbhub.sandbox.graph.debug_token import DebugTokenNode
from fbhub.sandbox.graph.oauth import OAuthNode
from fbhub.sandbox.graph.page import PageNode
from fbhub.sandbox.graph.user import UserNode
from fbhub.sandbox.world import (
    World,
    glob_first,
    now,
)


class Graph(UserNode, PageNode, AppNode, DebugTokenNode, OAuthNode):
    """Answers Graph calls against a World. Thread-safe (takes ``world.lock``)."""

    def __init__(self, world: World, *, verify_timeout: float = 5.0) -> None:
        self.world = world
        self.verify_timeout = verify_timeout

    # ---- path helpers used by the HTTP layer too

    def split_version(self, path: str) -> tuple[str | None, str, GraphError | None]:
        """-> (served version, unversioned path, error). Error for malformed/unknown versions."""
        segs = [s for s in path.split("/") if s]
        default = self.world.default_version
        if segs and _VERSION_SEG.match(segs[0]):
            v = segs[0]
            rest = "/" + "/".join(segs[1:])
            today = self.world.today()
            row = VERSION_TABLE.get(v) if _VERSION_OK.match(v) else None
            if row is None or row.released > today:
                # UNSURE: a well-formed but non-existent (or not yet released) version is treated like a
                # malformed one.
                return None, rest, _unknown_path("/" + "/".join(segs))
            live = available_versions(today)
            if v in live:
                return v, rest, None
            # Expired: served by the oldest version still available (§12).
            return live[-1], rest, None
        return default, "/" + "/".join(segs), None

    def normalized(self, path: str) -> str:
        return self.split_version(path)[1]

    # ---- entry point

    def handle(self, method: str, path: str, params: dict[str, Any] | None = None,
               headers: dict[str, str] | None = None, *, host: str = "127.0.0.1",
               top_level: bool = True, query_keys: set[str] | frozenset[str] | None = None) -> GraphResponse:
        params = dict(params or {})
        headers = {k.lower(): v for k, v in (headers or {}).items()}
        method = method.upper()
        override = False
        if method == "POST" and str(params.get("method", "")).upper() in ("GET", "POST", "DELETE"):
            # The HTTP method override: refused for apps created on or after 2026-11-04 (_legacy).
            method = str(params.pop("method")).upper()
            override = True
        if "query" in self.world.ignore_transport:
            # This Graph API does not read a token from the URL query string (world option).
            for k in ("access_token", "appsecret_proof", "appsecret_time"):
                if k in (query_keys or ()) and k in params:
                    del params[k]
        if "header" in self.world.ignore_transport:
            headers.pop("authorization", None)
        version, rest, verr = self.split_version(path)
        hdrs: dict[str, str] = {"facebook-api-version": version or self.world.default_version}
        if verr is not None:
            return self._error(verr, hdrs)

        if top_level:
            try:
                self._fail_first(rest)
            except GraphError as e:
                return self._error(e, hdrs)
        if rest == "/" and method == "POST" and "batch" in params:
            return self._batch(version or self.world.default_version, params, headers, host, hdrs)

        try:
            with self.world.lock:
                return self._dispatch(method, rest, params, headers, version or "", host, hdrs, override=override)
        except _NeedsVerification as nv:
            err = self._verify_callback(**nv.check)  # outside the lock: may call a local receiver
            try:
                with self.world.lock:
                    if err is not None:
                        raise err
                    body = nv.finish()
                return GraphResponse(200, body, {**hdrs, **_json_ct()})
            except GraphError as e:
                return self._error(e, hdrs)
        except GraphError as e:
            return self._error(e, hdrs)

    def _error(self, e: GraphError, hdrs: dict[str, str]) -> GraphResponse:
        h = {**hdrs, **_json_ct(), **e.headers}
        if e.type == "OAuthException" and e.code in (190, 102, 104):
            h["WWW-Authenticate"] = f'OAuth "Facebook Platform" "invalid_token" "{e.message}"'
        elif e.type in ("OAuthException", "GraphMethodException") and e.status in (400, 403):
            h.setdefault("WWW-Authenticate", f'OAuth "Facebook Platform" "invalid_request" "{e.message}"')
        return GraphResponse(e.status, e.to_body(), h)

    # ---- dispatch (world lock held)

    def _dispatch(self, method: str, rest: str, params: dict[str, Any], headers: dict[str, str],
                  version: str, host: str, hdrs: dict[str, str], *, override: bool = False) -> GraphResponse:
        segs = [s for s in rest.split("/") if s]
        if segs[:2] == ["oauth", "access_token"] and len(segs) == 2:
            self._rate_limit(rest, None)
            return GraphResponse(200, self._oauth(params), {**hdrs, **_json_ct()})

        value = params.get("access_token") or _header_token(headers)
        caller = self._classify(value, params) if value else None
        pct = self._rate_limit(rest, caller)
        self._usage_headers(caller, hdrs, pct)
        if caller is None:
            if segs and segs[0] == "debug_token":
                raise GraphError(100, DEBUG_CALLER)
            raise GraphError(104, NO_TOKEN)
        _legacy(caller.app, segs, params, headers, override=override)

        ctx = _Ctx(method=method, params=params, caller=caller, version=version, host=host)
        body = self._route(ctx, segs)
        return GraphResponse(200, body, {**hdrs, **_json_ct()})

    def _fail_first(self, rest: str) -> None:
        """The fail_first fault: the first N HTTP requests to each concrete path answer 503 / code 2."""
        f = self.world.faults
        if not f.fail_first:
            return
        g = glob_first(f.fail_first, rest)
        if g is not None and self.world.bump(f"fail_first:{g}:{rest}") <= f.fail_first[g]:
            raise GraphError(2, "(#2) Service temporarily unavailable", status=503, transient=True)

    def _route(self, ctx: _Ctx, segs: list[str]) -> Any:
        w = self.world
        if not segs:
            raise _unsupported(ctx.method, "")
        head = segs[0]
        if head == "debug_token":
            if len(segs) > 1:
                raise _unknown_path("/" + "/".join(segs[1:]))
            return self._debug_token(ctx)
        if head == "app" and len(segs) == 1:
            # GET /app: the app the access token belongs to (Graph's /app node for the token's app).
            app = ctx.caller.app
            return {"id": app.id, "name": app.name, "category": getattr(app, "category", None) or "Business",
                    "link": f"https://www.facebook.com/games/?app_id={app.id}"}
        if head == "me":
            if ctx.caller.kind == "APP":
                raise GraphError(2500, "An active access token must be used to query information about the "
                                       "current user.")
            head = (ctx.caller.page_id if ctx.caller.kind == "PAGE" else ctx.caller.user_id) or ""
        if len(segs) > 2:
            raise _unknown_path("/" + "/".join(segs[2:]))
        edge = segs[1] if len(segs) > 1 else None
        if head in w.apps:
            return self._app(ctx, w.apps[head], edge)
        if head in w.pages:
            return self._page(ctx, w.pages[head], edge)
        if head in w.users:
            return self._user(ctx, head, edge)
        raise _unsupported(ctx.method, head)

    # ---- tokens

    def _classify(self, value: str, params: dict[str, Any]) -> Caller:
        w = self.world
        tok = w.tokens.get(value)
        if tok is not None:
            app = w.apps.get(tok.app_id)
            if app is None:
                raise GraphError(190, NO_APP_INFO)
            bad = token_error(tok)
            if bad:
                raise GraphError(190, bad[0], subcode=bad[1])
            caller = Caller(kind=tok.type, app=app, value=value, token=tok)
        elif "|" in value:
            app_id, _, rest = value.partition("|")
            app = w.apps.get(app_id)
            if app is None:
                raise GraphError(190, NO_APP_INFO)
            if rest != app.secret and value != app_token_for(app):
                raise GraphError(190, BAD_SIGNATURE)
            caller = Caller(kind="APP", app=app, value=value)
        else:
            raise GraphError(190, CANNOT_DECRYPT if value.startswith("EAA") else CANNOT_PARSE)
        self._check_proof(caller, params)
        return caller

    def _check_proof(self, caller: Caller, params: dict[str, Any]) -> None:
        proof = params.get("appsecret_proof")
        app = caller.app
        if proof:
            t_raw = params.get("appsecret_time")
            ok = False
            if t_raw not in (None, ""):
                try:
                    t = int(str(t_raw))
                except ValueError:
                    t = None
                # Time-stamped proofs are valid for 5 minutes (§9.1).
                if t is not None and abs(now() - t) <= 300:
                    ok = hmac.compare_digest(str(proof), appsecret_proof(app.secret, caller.value, t))
            elif app.appsecret_proof_form != "timestamped":
                ok = hmac.compare_digest(str(proof), appsecret_proof(app.secret, caller.value))
            if not ok:
                raise GraphError(100, PROOF_INVALID, type="GraphMethodException")
        elif app.require_app_secret and caller.kind != "APP":
            raise GraphError(100, PROOF_REQUIRED, type="GraphMethodException")

    # ---- rate limits & usage headers (§10)

    def _rate_limit(self, rest: str, caller: Caller | None) -> int | None:
        """Count the call against a rate_limit fault; raise once over the limit; -> usage percent."""
        f = self.world.faults
        if not f.rate_limit:
            return None
        g = glob_first(f.rate_limit, rest)
        if g is None:
            return None
        after = f.rate_limit[g]
        n = self.world.bump(f"rate_limit:{g}")
        pct = int(n * 100 / max(after, 1))
        if n <= after:
            return pct
        # UNSURE: HTTP status of throttling errors (we answer 400 with is_transient true).
        if caller is not None and caller.kind == "PAGE":
            buc = _compact({caller.page_id or "": [{
                "type": "pages", "call_count": pct, "total_cputime": min(pct, 100), "total_time": min(pct, 100),
                "estimated_time_to_regain_access": 5}]})
            raise GraphError(80001, "(#80001) There have been too many calls to this Page account. Wait a bit "
                                    "and try again. For more info, please refer to "
                                    "https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
                             transient=True, headers={"X-Business-Use-Case-Usage": buc})
        usage = _compact({"call_count": pct, "total_cputime": min(pct, 100), "total_time": min(pct, 100)})
        if caller is not None and caller.kind == "USER" and rest.strip("/").split("/")[0] in self.world.pages:
            raise GraphError(32, "(#32) Page request limit reached", transient=True,
                             headers={"X-App-Usage": usage})
        raise GraphError(4, "(#4) Application request limit reached", transient=True,
                         headers={"X-App-Usage": usage})

    def _usage_headers(self, caller: Caller | None, hdrs: dict[str, str], pct_s: int | None) -> None:
        if caller is None:
            return
        pct_s = pct_s or self.world.faults.usage or None  # a usage fault: every header reports that percent
        if caller.kind == "PAGE":
            n = self.world.bump(f"calls:page:{caller.page_id}")
            pct = int(pct_s) if pct_s else min(n, 99)
            hdrs["X-Business-Use-Case-Usage"] = _compact({caller.page_id: [{
                "type": "pages", "call_count": pct, "total_cputime": max(pct // 2, 1),
                "total_time": max(pct // 2, 1), "estimated_time_to_regain_access": 0}]})
        else:
            # X-App-Usage on app-token calls; UNSURE: also sent on user-token calls (Platform limits).
            n = self.world.bump(f"calls:app:{caller.app.id}")
            pct = int(pct_s) if pct_s else min(n, 99)
            hdrs["X-App-Usage"] = _compact({"call_count": pct, "total_cputime": max(pct // 2, 1),
                                              "total_time": max(pct // 2, 1)})

    # ---- batch (§11)

    def _batch(self, version: str, params: dict[str, Any], headers: dict[str, str], host: str,
               hdrs: dict[str, str]) -> GraphResponse:
        w = self.world
        top_token = params.get("access_token") or _header_token(headers)
        try:
            if "batch" in w.ignore_transport:
                # UNSURE: Meta's wording for a refused batch; this world refuses batches to test a fallback.
                raise GraphError(100, "(#100) Batch requests are not supported for this app")
            if not top_token:
                # UNSURE wording/code: the top-level token must be present even if every op has its own.
                raise GraphError(104, NO_TOKEN)
            with w.lock:
                top_caller = self._classify(str(top_token), params)
                _legacy(top_caller.app, [], params, headers)
            raw = params.get("batch")
            ops = raw if isinstance(raw, list) else None
            if ops is None:
                try:
                    ops = json.loads(str(raw))
                except ValueError:
                    ops = None
            if not isinstance(ops, list):
                raise GraphError(100, "(#100) The parameter batch must be a JSON array")  # UNSURE wording
            if len(ops) > BATCH_LIMIT:
                # UNSURE wording/code
                raise GraphError(100, f"(#100) Too many requests in batch message. Maximum batch size is "
                                      f"{BATCH_LIMIT}")
        except GraphError as e:
            return self._error(e, hdrs)
        include_headers = not (str(params.get("include_headers", "true")).lower() == "false"
                               or params.get("include_headers") is False)
        f = w.faults
        results: list[Any] = []
        recorded: list[tuple[str, str, dict[str, Any], int]] = []
        for i, op in enumerate(ops):
            if i in f.batch_timeout_indices or (f.batch_timeout_every and (i + 1) % f.batch_timeout_every == 0):
                results.append(None)  # the op "timed out": retry it
                continue
            if not isinstance(op, dict) or not op.get("relative_url"):
                err = GraphError(100, "(#100) Missing relative_url")  # UNSURE wording
                results.append(_batch_item(400, err.to_body(), {**hdrs, **_json_ct()}, include_headers))
                continue
            method = str(op.get("method") or "GET").upper()
            rel = str(op["relative_url"])
            u = urllib.parse.urlsplit(rel if rel.startswith("/") else "/" + rel)
            op_params: dict[str, Any] = {k: v[-1] for k, v in
                                         urllib.parse.parse_qs(u.query, keep_blank_values=True).items()}
            body = op.get("body") if method in ("POST", "PUT") else None  # Meta reads body for POST/PUT only
            if isinstance(body, dict):
                op_params.update(body)
            elif body:
                op_params.update({k: v[-1] for k, v in
                                  urllib.parse.parse_qs(str(body), keep_blank_values=True).items()})
            if not op_params.get("access_token"):
                op_params["access_token"] = top_token
                for k in ("appsecret_proof", "appsecret_time"):
                    if k in params and k not in op_params:
                        op_params[k] = params[k]
            path = u.path
            if not _VERSION_SEG.match(path.lstrip("/")):
                path = f"/{version}{path}"
            op_rest = self.normalized(path)
            # (fail_first counts HTTP requests, the batch request included: not its operations)
            resp = self.handle(method, path, op_params, {}, host=host, top_level=False)
            recorded.append((method, path, dict(op_params), resp.status))
            if _truthy(op.get("omit_response_on_success")) and resp.status == 200:
                results.append(None)
                continue
            item = _batch_item(resp.status, resp.body, resp.headers, include_headers)
            if f.malformed and glob_first(f.malformed, op_rest) is not None:
                item["body"] = item["body"][: max(1, len(item["body"]) // 2)]  # truncated, not parseable JSON
            results.append(item)
        return GraphResponse(200, results, {**hdrs, **_json_ct()}, ops=recorded)
