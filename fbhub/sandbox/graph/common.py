"""The simulated Graph API's shared pieces: error objects and messages, token formats, parameter parsing,
the legacy-feature rules, and the base of the node handlers."""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import hmac
import ipaddress
import json
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from fbhub.meta.fields import KNOWN_FIELDS
from fbhub.sandbox.world import (
    App,
    Page,
    Token,
    World,
    now,
)

# ----------------------------------------------------------------------------- versions (§12)

_VERSION_SEG = re.compile(r"^v\d")
_VERSION_OK = re.compile(r"^v\d+\.\d+$")
# The version table is Meta's (fbhub.meta.versions): one table for fbhub's checks and this simulator.


# ----------------------------------------------------------------------------- field sets

# Page fields that are not Messenger fields (everything else in KNOWN_FIELDS needs pages_messaging).
NON_MESSAGING_FIELDS = frozenset({"feed", "mention", "leadgen", "name", "picture"})
# Page webhook fields that need a permission of their own (UNSURE: modelled, not confirmed per field).
FIELD_PERMISSIONS = {"leadgen": "leads_retrieval"}
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


class NodeBase:
    """What every node's handlers may use of the engine (the Graph class combines them)."""

    world: World
    verify_timeout: float

    def _page_token_for(self, page: Page, user_tok: Token) -> Token:
        raise NotImplementedError
