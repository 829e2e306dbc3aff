"""The simulated Graph API: routes, token rules, error objects and faults (no HTTP here).

``Graph(world).handle(method, path, params, headers)`` answers one call the way
graph.facebook.com does, following ../shared/reference/graph-api.md (section numbers below refer
to it). Choices the reference does not settle are marked ``UNSURE`` in comments.
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import hmac
import ipaddress
import json
import re
import secrets
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from fbhub.meta.fields import KNOWN_FIELDS
from fbhub.meta.versions import VERSION_TABLE, available_versions
from fbhub.redact import register_secret
from fbhub.sandbox.world import (
    APP_DEFAULT_FIELDS,
    APP_FIELDS,
    APP_WRITABLE_FIELDS,
    PAGE_FIELDS,
    App,
    Installation,
    Page,
    Subscription,
    Token,
    World,
    glob_first,
    now,
)

# ----------------------------------------------------------------------------- versions (§12)

_VERSION_SEG = re.compile(r"^v\d")
_VERSION_OK = re.compile(r"^v\d+\.\d+$")
# The version table is Meta's (fbhub.meta.versions): one table for fbhub's checks and this simulator.


# ----------------------------------------------------------------------------- field sets

# Page fields that are not Messenger fields (everything else in KNOWN_FIELDS needs pages_messaging).
NON_MESSAGING_FIELDS = frozenset({"feed", "mention", "leadgen", "name", "picture"})
# Scopes debug_token does not list under granular_scopes (the recorded samples never do).
NON_GRANULAR_SCOPES = frozenset({"public_profile", "email", "user_friends"})
USER_FIELDS = frozenset({"id", "name", "first_name", "last_name", "short_name"})
BATCH_LIMIT = 50
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


# ----------------------------------------------------------------------------- errors & responses


def fbtrace_id() -> str:
    return "A" + secrets.token_urlsafe(16)[:22]


class GraphError(Exception):
    """A Graph error object; ``to_body()`` gives ``{"error": {...}}``."""

    def __init__(self, code: int, message: str, *, type: str = "OAuthException", status: int = 400,
                 subcode: int | None = None, transient: bool | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.type = type
        self.status = status
        self.subcode = subcode
        self.transient = transient
        self.headers = dict(headers or {})

    def to_body(self) -> dict[str, Any]:
        err: dict[str, Any] = {"message": self.message, "type": self.type, "code": self.code}
        if self.subcode is not None:
            err["error_subcode"] = self.subcode
        if self.transient is not None:
            err["is_transient"] = self.transient
        err["fbtrace_id"] = fbtrace_id()
        return {"error": err}


def _perm_error(code: int, message: str) -> GraphError:
    # UNSURE: permission errors (10, 200-299) come back as HTTP 403 in the batch doc's example;
    # single calls are also reported with 400. We answer 403; clients must dispatch on `code`.
    return GraphError(code, message, status=403)


def _unsupported(method: str, obj_id: str) -> GraphError:
    return GraphError(
        100,
        f"Unsupported {method.lower()} request. Object with ID '{obj_id}' does not exist, cannot be loaded "
        "due to missing permissions, or does not support this operation. Please read the Graph API "
        "documentation at https://developers.facebook.com/docs/graph-api",
        type="GraphMethodException", subcode=33,
    )


def _nonexisting(name: str, node_type: str) -> GraphError:
    return GraphError(100, f"(#100) Tried accessing nonexisting field ({name}) on node type ({node_type})")


def _unknown_path(rest: str) -> GraphError:
    return GraphError(2500, f"Unknown path components: {rest}")


def _required(param: str) -> GraphError:
    return GraphError(100, f"(#100) The parameter {param} is required.")


NO_TOKEN = "An access token is required to request this resource."
APP_TOKEN_REQUIRED = "(#15) This method must be called with an app access_token."  # UNSURE for app-of-other-app
PAGE_TOKEN_REQUIRED = "(#210) A page access token is required to request this resource."  # UNSURE
DEBUG_CALLER = ("(#100) You must provide an app access token, or a user access token that is an owner or "
                "developer of the app")
APP_ID_MISMATCH = "(#100) The App_id in the input_token did not match the Viewing App"
PROOF_REQUIRED = "API calls from the server require an appsecret_proof argument"
PROOF_INVALID = "Invalid appsecret_proof provided in the API argument"
CANNOT_PARSE = "Invalid OAuth access token - Cannot parse access token"
CANNOT_DECRYPT = "The access token could not be decrypted"
BAD_SIGNATURE = "Invalid OAuth access token signature."
NO_APP_INFO = "Error validating application. Cannot get application info due to a system error."
_INVALIDATED = {
    458: "Error validating access token: User {user} has not authorized application {app}.",
    459: "Error validating access token: You cannot access the app till you log in to www.facebook.com and "
         "follow the instructions given.",
    460: "Error validating access token: The session has been invalidated because the user changed their "
         "password or Facebook has changed the session for security reasons.",
    464: "Error validating access token: Sessions for the user {user} are not allowed because the user is "
         "not a confirmed user.",
    466: "Error validating access token: The session was invalidated explicitly using an API call.",
    467: "Error validating access token: The session is invalid because the user logged out.",  # UNSURE
    # UNSURE wording; meaning per the error-handling doc: the user tied to the Page token lost the role.
    492: "Error validating access token: The session is invalid because the user is no longer an admin of "
         "the Page.",
}


def _pacific(ts: float) -> str:
    try:
        from zoneinfo import ZoneInfo

        d = _dt.datetime.fromtimestamp(ts, ZoneInfo("America/Los_Angeles"))
    except Exception:  # no tz database: fixed PST
        d = _dt.datetime.fromtimestamp(ts, _dt.timezone(_dt.timedelta(hours=-8), "PST"))
    return d.strftime("%A, %d-%b-%y %H:%M:%S %Z")


def token_error(tok: Token, t: float | None = None) -> tuple[str, int] | None:
    """(message, subcode) when the token is not usable, else None."""
    t = now() if t is None else t
    if not tok.valid:
        sub = tok.invalid_subcode or 460
        msg = _INVALIDATED.get(sub, "Error validating access token: The session has been invalidated.")
        return msg.format(user=tok.user_id or "", app=tok.app_id), sub
    if tok.is_expired(t):
        return (f"Error validating access token: Session has expired on {_pacific(tok.expires_at)}. "
                f"The current time is {_pacific(t)}.", 463)
    return None


@dataclass
class GraphResponse:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    # For a batch request: each operation as (method, path, params, status), so the HTTP layer can record it.
    ops: list[tuple[str, str, dict[str, Any], int]] = field(default_factory=list)


@dataclass
class Caller:
    """Who is calling: the classified access token."""

    kind: str  # APP | USER | PAGE | SYSTEM_USER
    app: App
    value: str
    token: Token | None = None  # None for app tokens (derived, not stored)

    @property
    def user_id(self) -> str | None:
        return self.token.user_id if self.token else None

    @property
    def page_id(self) -> str | None:
        return self.token.page_id if self.token else None


class _NeedsVerification(Exception):
    """Raised under the world lock; the callback GET then runs without the lock."""

    def __init__(self, finish: Any, check: dict[str, Any]) -> None:
        super().__init__("verify")
        self.finish = finish
        self.check = check


# ----------------------------------------------------------------------------- token formats


def app_token_for(app: App) -> str:
    """The token /oauth/access_token hands out: ``{app-id}|<27 opaque chars>``, stable per secret."""
    mac = hmac.new(app.secret.encode(), f"app-token:{app.id}".encode(), hashlib.sha256).digest()
    return f"{app.id}|{base64.urlsafe_b64encode(mac).decode()[:27]}"


def derive_token(seed: str, length: int = 180) -> str:
    """A deterministic EAAG… token string from a seed."""
    out: list[str] = []
    counter = 0
    while len(out) < length - 4:
        block = hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        out.extend(_ALNUM[b % len(_ALNUM)] for b in block)
        counter += 1
    return "EAAG" + "".join(out[: length - 4])


def appsecret_proof(secret: str, token: str, t: int | None = None) -> str:
    msg = token if t is None else f"{token}|{t}"
    return hmac.new(secret.encode(), msg.encode(), hashlib.sha256).hexdigest()


def _split_list(value: Any) -> list[str]:
    """A Graph list parameter: JSON array (string or real), or comma separated."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    s = str(value).strip()
    if s.startswith("["):
        try:
            arr = json.loads(s)
            if isinstance(arr, list):
                return [str(v).strip() for v in arr if str(v).strip()]
        except ValueError:
            pass
    return [p.strip() for p in s.split(",") if p.strip()]


def _fields_param(value: Any) -> list[str]:
    """``fields=a,b{c,d},e.limit(5)`` -> [a, b, e] (nested selections are ignored)."""
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    out, depth, cur = [], 0, ""
    for ch in str(value):
        if ch in "{(":
            depth += 1
        elif ch in "})":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(cur)
            cur = ""
            continue
        if depth == 0 and ch not in "})":
            cur += ch
    out.append(cur)
    return [re.split(r"[.{(]", f.strip())[0] for f in out if f.strip()]


def _truthy(v: Any) -> bool:
    return v is True or (isinstance(v, str) and v.lower() in ("1", "true", "yes", "on"))


def _is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _host_reachable(host: str, reachable: list[str]) -> bool:
    host = host.lower().rstrip(".")
    for h in reachable:
        h = h.lower().rstrip(".")
        if h.startswith("*.") and (host.endswith(h[1:]) or host == h[2:]):
            return True
        if host == h:
            return True
    return False


# ----------------------------------------------------------------------------- the engine


class Graph:
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

    # ---- /oauth/access_token (§1, §7.1)

    def _oauth(self, params: dict[str, Any]) -> dict[str, Any]:
        w = self.world
        client_id = str(params.get("client_id") or "")
        if not client_id:
            raise GraphError(101, "Missing client_id parameter.")  # UNSURE wording
        app = w.apps.get(client_id)
        if app is None:
            raise GraphError(101, "Error validating application. Invalid application ID.")
        secret = str(params.get("client_secret") or "")
        if not hmac.compare_digest(secret, app.secret):
            raise GraphError(1, "Error validating client secret.")
        grant = params.get("grant_type")
        if grant == "client_credentials":
            return {"access_token": app_token_for(app), "token_type": "bearer"}
        if grant == "fb_exchange_token":
            short = str(params.get("fb_exchange_token") or "")
            if not short:
                raise _required("fb_exchange_token")
            tok = w.tokens.get(short)
            if tok is None:
                raise GraphError(190, CANNOT_DECRYPT if short.startswith("EAA") else CANNOT_PARSE)
            bad = token_error(tok)
            if bad:
                raise GraphError(190, bad[0], subcode=bad[1])
            if tok.app_id != app.id or tok.type != "USER":
                # UNSURE: Meta's exact answer for a token of another app / non-user token.
                raise GraphError(190, CANNOT_PARSE)
            t = int(now())
            new = Token(value="EAAG" + secrets.token_urlsafe(132).replace("-", "").replace("_", "")[:170],
                        type="USER", app_id=app.id, user_id=tok.user_id, scopes=list(tok.scopes),
                        declined=list(tok.declined), granular={k: list(v) for k, v in tok.granular.items()},
                        expires_at=t + 5184000, data_access_expires_at=t + 90 * 86400, issued_at=t)
            w.add_token(new)
            register_secret(new.value)
            return {"access_token": new.value, "token_type": "bearer", "expires_in": 5184000}
        if not grant:
            raise _required("grant_type")  # UNSURE: the code-exchange flow is not simulated
        raise GraphError(100, f"(#100) Unsupported grant_type: {grant}")  # UNSURE wording

    # ---- /debug_token (§6)

    def _debug_token(self, ctx: _Ctx) -> dict[str, Any]:
        w = self.world
        caller = ctx.caller
        if ctx.method != "GET":
            raise _unsupported(ctx.method, "debug_token")
        if caller.kind not in ("APP", "USER"):
            raise GraphError(100, DEBUG_CALLER)
        inp = str(ctx.params.get("input_token") or "")
        if not inp:
            raise _required("input_token")  # UNSURE wording
        tok = w.tokens.get(inp)
        if tok is None and "|" in inp:
            app_id, _, rest = inp.partition("|")
            app = w.apps.get(app_id)
            if app is None:
                return _debug_invalid(NO_APP_INFO)
            if app.id != caller.app.id:
                raise GraphError(100, APP_ID_MISMATCH)
            if rest != app.secret and inp != app_token_for(app):
                return _debug_invalid(BAD_SIGNATURE)
            return {"data": {"app_id": app.id, "type": "APP", "application": app.name, "is_valid": True,
                             "scopes": []}}
        if tok is None:
            return _debug_invalid(CANNOT_DECRYPT if inp.startswith("EAA") else CANNOT_PARSE)
        if tok.app_id != caller.app.id:
            raise GraphError(100, APP_ID_MISMATCH)
        if caller.kind == "USER" and caller.app.role_of(caller.user_id) not in ("administrators", "developers"):
            raise GraphError(100, DEBUG_CALLER)
        app = w.apps[tok.app_id]
        d: dict[str, Any] = {"app_id": app.id, "type": tok.type, "application": app.name}
        if tok.type != "APP":
            d["data_access_expires_at"] = tok.data_access_expires_at
        bad = token_error(tok)
        if bad:
            d["error"] = {"code": 190, "message": bad[0], "subcode": bad[1]}
        # An invalidated token keeps its expires_at (often 0 = "never") — always check is_valid (§6.3).
        d["expires_at"] = tok.expires_at
        d["is_valid"] = bad is None
        if tok.issued_at is not None:
            d["issued_at"] = tok.issued_at
        if tok.type == "PAGE":
            d["profile_id"] = tok.page_id
        d["scopes"] = list(tok.scopes)
        gran = []
        for s in tok.scopes:
            if s in NON_GRANULAR_SCOPES:
                continue
            ids = tok.granular.get(s)
            if not ids and tok.type == "PAGE" and s.startswith("pages_") and tok.page_id:
                ids = [tok.page_id]
            gran.append({"scope": s, "target_ids": list(ids)} if ids else {"scope": s})
        if gran:
            d["granular_scopes"] = gran
        if tok.user_id:
            d["user_id"] = tok.user_id
        return {"data": d}

    # ---- application node (§2, §3)

    def _own_app(self, ctx: _Ctx, app: App) -> None:
        if ctx.caller.kind != "APP" or ctx.caller.app.id != app.id:
            raise GraphError(15, APP_TOKEN_REQUIRED)

    def _app(self, ctx: _Ctx, app: App, edge: str | None) -> Any:
        if edge is None:
            if ctx.method == "GET":
                return self._app_get(ctx, app)
            if ctx.method == "POST":
                self._own_app(ctx, app)
                for k, v in ctx.params.items():
                    if k in APP_WRITABLE_FIELDS:
                        app.settings[k] = _split_list(v) if k == "app_domains" else v
                return {"success": True}
            raise _unsupported(ctx.method, app.id)
        if edge == "subscriptions":
            self._own_app(ctx, app)
            if ctx.method == "GET":
                return {"data": [s.to_graph() for s in app.subscriptions.values()]}
            if ctx.method == "POST":
                return self._app_subscribe(ctx, app)
            if ctx.method == "DELETE":
                return self._app_unsubscribe(ctx, app)
            raise _unsupported(ctx.method, app.id)
        if edge == "roles":
            self._own_app(ctx, app)
            if ctx.method != "GET":
                raise _unsupported(ctx.method, app.id)
            return {"data": [{"app_id": app.id, "user": r.user_id, "role": r.role} for r in app.roles]}
        if edge == "permissions":
            # UNSURE: response shape of /{app-id}/permissions (no recorded response found, §2.3).
            self._own_app(ctx, app)
            if ctx.method != "GET":
                raise _unsupported(ctx.method, app.id)
            want_p, want_s = ctx.params.get("permission"), ctx.params.get("status")
            return {"data": [{"permission": p, "status": s} for p, s in app.permissions.items()
                             if (not want_p or p == want_p) and (not want_s or s == want_s)]}
        raise _nonexisting(edge, "Application")

    def _app_get(self, ctx: _Ctx, app: App) -> dict[str, Any]:
        fields = _fields_param(ctx.params.get("fields")) or list(APP_DEFAULT_FIELDS)
        for f in fields:
            if f not in APP_FIELDS:
                raise _nonexisting(f, "Application")
        c = ctx.caller
        privileged = (c.kind == "APP" and c.app.id == app.id) or (
            c.kind == "USER" and c.app.id == app.id and app.role_of(c.user_id) is not None)
        out: dict[str, Any] = {}
        for f in fields:
            # UNSURE: settings fields asked with a token that is not the app's own are omitted, not refused.
            if f not in APP_DEFAULT_FIELDS and not privileged:
                continue
            val = app.field_value(f)
            if val is not None and val != "" and val != []:
                out[f] = val
        out.setdefault("id", app.id)
        return out

    def _app_subscribe(self, ctx: _Ctx, app: App) -> Any:
        p = ctx.params
        obj = str(p.get("object") or "")
        if not obj:
            raise _required("object")
        if obj not in ("user", "page", "permissions", "payments"):
            raise GraphError(100, f'(#100) Param object must be one of {{user, page, permissions, payments}} '
                                  f'- got "{obj}"')
        fields = _split_list(p.get("fields"))
        if obj == "page":
            _validate_fields(fields, "fields")
        existing = app.subscriptions.get(obj)
        callback = p.get("callback_url")
        vtoken = p.get("verify_token")
        include_values = p.get("include_values")
        if existing is None and not callback:
            raise _required("callback_url")  # UNSURE wording
        if callback and vtoken in (None, ""):
            raise _required("verify_token")  # UNSURE: Meta may accept an empty verify token
        version = ctx.version or self.world.default_version

        def finish() -> dict[str, Any]:
            sub = app.subscriptions.get(obj)
            if sub is None:
                sub = app.subscriptions[obj] = Subscription(object=obj, callback_url=str(callback))
            if callback:
                sub.callback_url = str(callback)
                sub.verify_token = str(vtoken)
            for name in fields:  # amend: existing fields stay
                sub.fields.setdefault(name, version)
            if include_values is not None:
                sub.include_values = _truthy(include_values)
            sub.active = True
            return {"success": True}

        if callback:
            raise _NeedsVerification(finish, {
                "callback_url": str(callback), "verify_token": str(vtoken),
                "behaviour": app.webhook_endpoint_behaviour,
                "reachable": list(self.world.reachable_hosts)})
        return finish()

    def _app_unsubscribe(self, ctx: _Ctx, app: App) -> dict[str, Any]:
        obj = ctx.params.get("object")
        fields = _split_list(ctx.params.get("fields"))
        targets = [obj] if obj else list(app.subscriptions)
        for o in targets:
            sub = app.subscriptions.get(str(o))
            if sub is None:
                continue
            if fields:
                for name in fields:
                    sub.fields.pop(name, None)
                if not sub.fields:
                    del app.subscriptions[str(o)]
            else:
                del app.subscriptions[str(o)]
        return {"success": True}

    # ---- callback verification (§3.2, §3.4) — runs WITHOUT the world lock

    def _verify_callback(self, *, callback_url: str, verify_token: str, behaviour: str,
                         reachable: list[str]) -> GraphError | None:
        prefix = "(#2200) Callback verification failed with the following errors: "
        u = urllib.parse.urlsplit(callback_url)
        host = (u.hostname or "").lower()
        if u.scheme not in ("http", "https") or not host:
            # UNSURE wording
            return GraphError(100, f"(#100) Param callback_url is not a valid URI: {callback_url}")
        challenge = str(secrets.randbelow(9 * 10**9) + 10**9)
        if _is_loopback(host):
            return self._verify_local(callback_url, verify_token, challenge, prefix)
        # Never any outbound request beyond loopback: decide by the world's rule.
        if u.scheme != "https":
            # UNSURE: Meta requires https callbacks; exact error for http URLs not recorded.
            return GraphError(2200, prefix + "HTTP Status Code = 0; HTTP Message = callback_url must be an "
                                             "https URL")
        if not _host_reachable(host, reachable) or behaviour == "not_found":
            return GraphError(2200, prefix + "HTTP Status Code = 404; HTTP Message = Not Found")
        if behaviour == "server_error":
            return GraphError(2200, prefix + "HTTP Status Code = 500; HTTP Message = Internal Server Error")
        if behaviour == "wrong_challenge":
            return GraphError(2200, prefix + f'HTTP Status Code = 200; HTTP Message = OK; Response does not '
                                             f'match challenge, expected value="{challenge}", received="')
        if behaviour == "timeout":
            return GraphError(2200, prefix + "curl_errno = 28; curl_error = Operation timed out after 6001 "
                                             "milliseconds with 0 bytes received; HTTP Status Code = 0; "
                                             "HTTP Message = ")  # UNSURE wording
        return None

    def _verify_local(self, url: str, verify_token: str, challenge: str, prefix: str) -> GraphError | None:
        q = urllib.parse.urlencode({"hub.mode": "subscribe", "hub.challenge": challenge,
                                    "hub.verify_token": verify_token})
        full = url + ("&" if urllib.parse.urlsplit(url).query else "?") + q
        handlers: list[Any] = [urllib.request.ProxyHandler({})]
        if url.startswith("https"):
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE  # local test receivers use self-signed certificates
            handlers.append(urllib.request.HTTPSHandler(context=ctx))
        opener = urllib.request.build_opener(*handlers)
        try:
            with opener.open(urllib.request.Request(full, method="GET"), timeout=self.verify_timeout) as r:
                status, reason, body = r.status, r.reason, r.read(4096)
        except urllib.error.HTTPError as e:
            return GraphError(2200, prefix + f"HTTP Status Code = {e.code}; HTTP Message = {e.reason}")
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            if isinstance(reason, TimeoutError) or "timed out" in str(reason):
                return GraphError(2200, prefix + "curl_errno = 28; curl_error = Operation timed out; "
                                                 "HTTP Status Code = 0; HTTP Message = ")
            return GraphError(2200, prefix + "curl_errno = 7; curl_error = Failed to connect: Connection "
                                             "refused; HTTP Status Code = 0; HTTP Message = ")  # UNSURE wording
        text = body.decode("utf-8", "replace")
        if status != 200:
            return GraphError(2200, prefix + f"HTTP Status Code = {status}; HTTP Message = {reason}")
        # Exact match: Meta compares the body with the challenge it sent.
        if text != challenge:
            return GraphError(2200, prefix + f'HTTP Status Code = 200; HTTP Message = OK; Response does not '
                                             f'match challenge, expected value="{challenge}", '
                                             f'received="{text[:100]}"')
        return None

    # ---- page node & /subscribed_apps (§4)

    def _page_token_for(self, page: Page, user_tok: Token) -> Token:
        """The page token /me/accounts hands to (user, app); minted once, stable."""
        w = self.world
        for t in w.tokens.values():
            if (t.type == "PAGE" and t.page_id == page.id and t.user_id == user_tok.user_id
                    and t.app_id == user_tok.app_id and t.valid and not t.is_expired()):
                return t
        app = w.apps[user_tok.app_id]
        long_lived = user_tok.expires_at == 0 or user_tok.expires_at - now() > 2 * 86400
        tok = Token(value=derive_token(f"{app.secret}:page:{page.id}:{user_tok.user_id}:{len(w.tokens)}"),
                    type="PAGE", app_id=app.id, user_id=user_tok.user_id, page_id=page.id,
                    scopes=list(user_tok.scopes), granular={k: list(v) for k, v in user_tok.granular.items()},
                    expires_at=0 if long_lived else int(now()) + 3600,
                    data_access_expires_at=user_tok.data_access_expires_at, issued_at=int(now()))
        w.add_token(tok)
        register_secret(tok.value)
        return tok

    def _page(self, ctx: _Ctx, page: Page, edge: str | None) -> Any:
        c = ctx.caller
        if edge is None:
            if ctx.method != "GET":
                raise _unsupported(ctx.method, page.id)
            fields = _fields_param(ctx.params.get("fields")) or ["name", "id"]
            for f in fields:
                if f not in PAGE_FIELDS:
                    raise _nonexisting(f, "Page")
            tasks = page.roles.get(c.user_id or "") if c.kind in ("USER", "SYSTEM_USER") else None
            out: dict[str, Any] = {}
            for f in fields:
                if f == "access_token":
                    # UNSURE: asked without a managing user token, the field is left out.
                    if c.kind == "PAGE" and c.page_id == page.id:
                        out[f] = c.value
                    elif tasks and c.token is not None:
                        out[f] = self._page_token_for(page, c.token).value
                elif f == "tasks":
                    if tasks:
                        out[f] = list(tasks)
                else:
                    val = _page_field(page, f)
                    if val is not None:
                        out[f] = val
            out.setdefault("id", page.id)
            return out
        if edge == "subscribed_apps":
            return self._subscribed_apps(ctx, page)
        raise _nonexisting(edge, "Page")

    def _subscribed_apps(self, ctx: _Ctx, page: Page) -> Any:
        c = ctx.caller
        if c.kind != "PAGE":
            raise GraphError(210, PAGE_TOKEN_REQUIRED)
        if c.page_id != page.id:
            raise _unsupported(ctx.method, page.id)  # UNSURE: a page token of another page
        tok = c.token
        assert tok is not None
        if not tok.has_scope("pages_manage_metadata", page.id):
            raise _perm_error(200, "(#200) Requires pages_manage_metadata permission to manage the object")
        # The subscribed_apps reference: "A Page access token requested by a person who can perform the
        # CREATE_CONTENT, MANAGE, or MODERATE task on the Page". UNSURE: Meta's wording when the person cannot.
        tasks = page.roles.get(tok.user_id or "", [])
        if not set(tasks) & {"CREATE_CONTENT", "MANAGE", "MODERATE"}:
            raise _perm_error(200, "(#200) The person behind this Page access token needs the MANAGE, MODERATE "
                                   "or CREATE_CONTENT task on the Page to manage its subscribed apps")
        w = self.world
        if ctx.method == "GET":
            rows = []
            for inst in page.installed.values():
                a = w.apps.get(inst.app_id)
                if a is None:
                    continue
                row: dict[str, Any] = {"category": a.category, "link": a.field_value("link"), "name": a.name,
                                       "id": a.id}
                if inst.subscribed_fields:
                    row["subscribed_fields"] = list(inst.subscribed_fields)
                rows.append(row)
            return {"data": rows}
        if ctx.method == "POST":
            fields = _split_list(ctx.params.get("subscribed_fields"))
            if not fields:
                raise GraphError(100, "(#100) The parameter subscribed_fields is required.")
            _validate_fields(fields, "subscribed_fields")
            if any(f not in NON_MESSAGING_FIELDS for f in fields) and not tok.has_scope("pages_messaging",
                                                                                          page.id):
                raise _perm_error(230, "(#230) Requires pages_messaging permission to manage the object")
            dedup = list(dict.fromkeys(fields))
            # Meta REPLACES the app's fields on this page; a client keeping fields must send the union.
            page.installed[c.app.id] = Installation(app_id=c.app.id, subscribed_fields=dedup)
            return {"success": True}
        if ctx.method == "DELETE":
            page.installed.pop(c.app.id, None)
            return {"success": True}
        raise _unsupported(ctx.method, page.id)

    # ---- user node, /me/accounts, /me/permissions (§7)

    def _user(self, ctx: _Ctx, user_id: str, edge: str | None) -> Any:
        w = self.world
        c = ctx.caller
        user = w.users[user_id]
        if edge is None:
            if ctx.method != "GET":
                raise _unsupported(ctx.method, user_id)
            fields = _fields_param(ctx.params.get("fields")) or ["name", "id"]
            for f in fields:
                if f not in USER_FIELDS:
                    raise _nonexisting(f, "User")
            first, _, last = user.name.partition(" ")
            vals = {"id": user.id, "name": user.name, "first_name": first, "last_name": last,
                    "short_name": first}
            out = {f: vals[f] for f in fields}
            out.setdefault("id", user.id)
            return out
        if c.kind not in ("USER", "SYSTEM_USER") or c.user_id != user_id:
            raise _unsupported(ctx.method, user_id)
        tok = c.token
        assert tok is not None
        if edge == "permissions":
            if ctx.method != "GET":
                raise _unsupported(ctx.method, user_id)
            data = [{"permission": s, "status": "granted"} for s in tok.scopes]
            data += [{"permission": s, "status": "declined"} for s in tok.declined]
            return {"data": data}
        if edge == "accounts":
            if ctx.method != "GET":
                raise _unsupported(ctx.method, user_id)
            return self._accounts(ctx, user_id, tok)
        raise _nonexisting(edge, "User")

    def _accounts(self, ctx: _Ctx, user_id: str, tok: Token) -> dict[str, Any]:
        w = self.world
        pages = [p for p in w.pages.values() if user_id in p.roles]
        if "pages_show_list" not in tok.scopes:
            pages = []  # UNSURE: Meta answers an empty list rather than an error
        targets = tok.granular.get("pages_show_list")
        if targets:
            pages = [p for p in pages if p.id in targets]
        try:
            limit = max(1, min(100, int(str(ctx.params.get("limit") or 25))))
        except ValueError:
            limit = 25
        start = 0
        after = ctx.params.get("after")
        if after:
            try:
                aid = base64.b64decode(str(after)).decode()
                start = next(i for i, p in enumerate(pages) if p.id == aid) + 1
            except (ValueError, StopIteration):
                start = len(pages)
        chunk = pages[start:start + limit]
        fields = _fields_param(ctx.params.get("fields")) or ["access_token", "category", "category_list",
                                                             "name", "id", "tasks"]
        data = []
        for p in chunk:
            row: dict[str, Any] = {}
            for f in fields:
                if f == "access_token":
                    row[f] = self._page_token_for(p, tok).value
                elif f == "tasks":
                    row[f] = list(p.roles[user_id])
                elif f in PAGE_FIELDS:
                    val = _page_field(p, f)
                    if val is not None:
                        row[f] = val
                else:
                    raise _nonexisting(f, "Page")
            row.setdefault("id", p.id)
            data.append(row)
        out: dict[str, Any] = {"data": data}
        if data:
            def cur(pid: str) -> str:
                return base64.b64encode(pid.encode()).decode()

            paging: dict[str, Any] = {"cursors": {"before": cur(chunk[0].id), "after": cur(chunk[-1].id)}}
            if start + limit < len(pages):
                q = {k: v for k, v in ctx.params.items() if k in ("access_token", "fields")}
                q.update({"limit": limit, "after": cur(chunk[-1].id)})
                paging["next"] = (f"http://{ctx.host}/{ctx.version}/{user_id}/accounts?"
                                  + urllib.parse.urlencode(q))
            out["paging"] = paging
        return out

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


@dataclass
class _Ctx:
    method: str
    params: dict[str, Any]
    caller: Caller
    version: str
    host: str


def _batch_item(status: int, body: Any, headers: dict[str, str], include_headers: bool) -> dict[str, Any]:
    item: dict[str, Any] = {"code": status}
    if include_headers:
        hs = [{"name": k, "value": v} for k, v in headers.items() if k.lower() != "content-type"]
        hs.insert(0, {"name": "Content-Type", "value": "text/javascript; charset=UTF-8"})
        item["headers"] = hs
    item["body"] = json.dumps(body, separators=(",", ":"))
    return item


def _compact(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"))


def _json_ct() -> dict[str, str]:
    return {"Content-Type": "application/json; charset=UTF-8"}


def _header_token(headers: dict[str, str]) -> str | None:
    auth = headers.get("authorization", "")
    parts = auth.split(None, 1)
    if len(parts) == 2 and parts[0].lower() in ("bearer", "oauth"):
        return parts[1].strip()
    return None


_NEW_APPS = "apps created on or after November 4, 2026"


def _legacy(app: App, segs: list[str], params: dict[str, Any], headers: dict[str, str], *,
            override: bool = False) -> None:
    """Legacy Graph features Meta removed (v26.0, every version from 2026-10-27) or closed to new apps
    (v27.0 blog post, 2026-11-04: multi-ID requests, date/time formatting, HTTP method override, field
    aliases, JSONP callbacks, asynchronous batch requests). Older apps keep what was only closed to new apps.
    """
    if "ids" in params:
        # Seen live (restfb/restfb#1692, 2026-08-05): HTTP 500, code 100, a 500 that is not transient.
        raise GraphError(100, "The ids query parameter is deprecated in v26.0+", status=500)
    if "date_format" in params:
        # UNSURE: wording and status modelled on the ids answer (the changelog says date_format is an error).
        raise GraphError(100, "The date_format query parameter is deprecated in v26.0+", status=500)
    if not app.is_new:
        return  # pretty / debug are ignored, ETags are no longer sent; the override still works
    # UNSURE: Meta's wording for the closed features (no recorded refusal found); status 400, code 100.
    if override:
        raise GraphError(100, f"(#100) The HTTP method override (method=) is not available for {_NEW_APPS}")
    for p in ("pretty", "debug", "callback"):
        if p in params:
            raise GraphError(100, f"(#100) The {p} parameter is not available for {_NEW_APPS}")
    if ".as(" in str(params.get("fields") or ""):
        raise GraphError(100, f"(#100) Field aliases are not available for {_NEW_APPS}")
    if "if-none-match" in headers:
        raise GraphError(100, f"(#100) ETags (If-None-Match) are not available for {_NEW_APPS}")
    if segs and segs[-1] == "async_batch_requests":
        raise GraphError(100, f"(#100) Asynchronous batch requests are not available for {_NEW_APPS}")


def _debug_invalid(message: str) -> dict[str, Any]:
    return {"data": {"error": {"code": 190, "message": message}, "is_valid": False, "scopes": []}}


def _validate_fields(fields: list[str], param: str) -> None:
    for i, f in enumerate(fields):
        if f not in KNOWN_FIELDS:
            # UNSURE: wording modelled on Graph's enum-parameter errors.
            allowed = ", ".join(sorted(KNOWN_FIELDS))
            raise GraphError(100, f'(#100) Param {param}[{i}] must be one of {{{allowed}}} - got "{f}"')


def _page_field(page: Page, f: str) -> Any:
    if f == "id":
        return page.id
    if f == "name":
        return page.name
    if f == "category":
        return page.category
    if f == "category_list":
        return [{"id": str(int(hashlib.sha1(page.category.encode()).hexdigest()[:8], 16)),
                 "name": page.category}]
    if f == "link":
        return f"https://www.facebook.com/{page.username or page.id}"
    if f == "about":
        return page.about
    if f == "username":
        return page.username
    if f == "fan_count":
        return 0
    if f == "is_published":
        return True
    if f == "verification_status":
        return "not_verified"
    return None


__all__ = ["Graph", "GraphError", "GraphResponse", "app_token_for", "appsecret_proof", "available_versions",
           "derive_token"]
