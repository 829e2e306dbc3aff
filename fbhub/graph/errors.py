"""Graph API errors: the typed exception tree and the catalogue of error codes.

GraphError(FbhubError)                          exit 1  an answer from Graph that is a definite failure
├── GraphAuthError                              exit 1  190 / 102 / 104 (+ subcodes 458 … 492): the token is bad
├── InvalidAppId                                exit 1  101 on /oauth/access_token: Meta does not know the App ID
├── InvalidAppSecret                            exit 1  1 "Error validating client secret.": wrong App Secret
├── GraphPermissionError                        exit 1  3, 10, 200-299: a permission / task / capability is missing
├── GraphInvalidRequest                         exit 1  100, 2500: bad parameter, unknown object, path or version
│   ├── TokenOfOtherApp                         exit 1  (#100) The App_id in the input_token did not match …
│   └── AppSecretProofError                     exit 1  (#100) Invalid / missing appsecret_proof
├── CallbackVerificationFailed                  exit 1  2200: Meta could not verify the webhook callback URL
└── GraphInconclusive(GraphError, InconclusiveError)  exit 3  no conclusion could be reached
    ├── GraphRateLimitError                     exit 3  4, 17, 32, 613, 80000-80014, HTTP 429
    ├── GraphTransientError                     exit 3  1, 2, 341, is_transient, HTTP 5xx (after the retries)
    ├── GraphUnreachable                        exit 3  connection errors and timeouts (after the retries)
    └── GraphBadResponse                        exit 3  the body is not JSON / truncated / not the expected shape

Every message passes through ``fbhub.redact.redact``: Graph sometimes echoes a token back, and the
path or parameters of a call must never leak a secret into a terminal or a report.

The catalogue of error codes (``ERROR_CATALOGUE``, ``lookup_error`` …) lives in ``fbhub.meta.error_codes``;
each exception carries its entry as ``info``.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from fbhub.errors import EXIT_FAILED, EXIT_INCONCLUSIVE, FbhubError, InconclusiveError
from fbhub.meta.error_codes import (
    AUTH_CODES,
    RATE_LIMIT_CODES,
    SITUATIONS,
    TRANSIENT_CODES,
    ErrorInfo,
    lookup_error,
)
from fbhub.redact import redact

# --------------------------------------------------------------------------------------------------
# Exceptions


class GraphError(FbhubError):
    """An error answered by (or about) the Graph API. ``message`` is the rendered one-line message;
    ``graph_message`` is Graph's own text. ``meaning`` / ``fix`` come from the catalogue."""

    exit_code = EXIT_FAILED
    # Graph's own ``is_transient`` flag when the payload carried one (``is_transient`` also uses the catalogue).
    graph_is_transient: bool | None = None

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        error_subcode: int | None = None,
        type: str | None = None,
        graph_message: str | None = None,
        fbtrace_id: str | None = None,
        is_transient: bool = False,
        http_status: int | None = None,
        error_user_title: str | None = None,
        error_user_msg: str | None = None,
        method: str | None = None,
        path: str | None = None,
        info: ErrorInfo | None = None,
        hint: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.info = info or lookup_error(code, error_subcode)
        super().__init__(redact(message), hint=redact(hint) if hint else self.info.fix)
        self.code = code
        self.error_subcode = error_subcode
        self.type = type
        self.graph_message = redact(graph_message) if graph_message else graph_message
        self.fbtrace_id = fbtrace_id
        self.is_transient = is_transient
        self.http_status = http_status
        self.error_user_title = redact(error_user_title) if error_user_title else error_user_title
        self.error_user_msg = redact(error_user_msg) if error_user_msg else error_user_msg
        self.method = method
        self.path = redact(path) if path else path
        # Seconds the server asked us to wait (Retry-After or usage headers), used by the retry loop.
        self.retry_after = retry_after

    @property
    def meaning(self) -> str:
        return self.info.meaning

    @property
    def fix(self) -> str:
        return self.info.fix

    @property
    def topic(self) -> str:
        return self.info.topic

    @property
    def code_label(self) -> str:
        """``#190/463`` style label, or ``HTTP 503`` when Graph sent no error code."""
        if self.code is not None:
            return f"#{self.code}" + (f"/{self.error_subcode}" if self.error_subcode is not None else "")
        return f"HTTP {self.http_status}" if self.http_status else self.info.title

    def with_message(self, message: str, *, hint: str | None = None) -> GraphError:
        """A copy with another (redacted) message; used when the retry loop gives up."""
        new = copy.copy(self)
        new.message = redact(message)
        new.args = (new.message,)
        if hint is not None:
            new.hint = redact(hint)
        return new

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly, redacted view (for --json output and reports)."""
        return {
            "error": type(self).__name__, "message": self.message, "code": self.code,
            "error_subcode": self.error_subcode, "type": self.type, "graph_message": self.graph_message,
            "fbtrace_id": self.fbtrace_id, "is_transient": self.is_transient, "http_status": self.http_status,
            "error_user_title": self.error_user_title, "error_user_msg": self.error_user_msg,
            "topic": self.info.topic, "meaning": self.info.meaning, "fix": self.info.fix,
            "exit_code": self.exit_code,
        }


class GraphAuthError(GraphError):
    """190 / 102 / 104: the access token is invalid, expired or revoked."""


class InvalidAppId(GraphError):
    """Code 101 on /oauth/access_token: Meta does not know this App ID."""


class InvalidAppSecret(GraphError):
    """Code 1 "Error validating client secret." on /oauth/access_token: the App Secret is wrong."""


class GraphPermissionError(GraphError):
    """3, 10, 200-299: a permission, Page task or app capability is missing."""


class GraphInvalidRequest(GraphError):
    """100, 2500: bad parameter, unknown field / object / path / version."""


class TokenOfOtherApp(GraphInvalidRequest):
    """debug_token: "(#100) The App_id in the input_token did not match the Viewing App"."""


class AppSecretProofError(GraphInvalidRequest):
    """The appsecret_proof is invalid (wrong secret / other app's token) or required but missing."""


class CallbackVerificationFailed(GraphError):
    """2200: Meta could not verify the webhook callback URL."""


class GraphInconclusive(GraphError, InconclusiveError):
    """No conclusion could be reached (exit 3): rate limits, outages, network, unreadable answers."""

    exit_code = EXIT_INCONCLUSIVE


class GraphRateLimitError(GraphInconclusive):
    """4, 17, 32, 613, 80000-80014 or HTTP 429, still limited after the retries (or beyond the budget)."""


class GraphTransientError(GraphInconclusive):
    """1, 2, 341, ``is_transient`` or HTTP 5xx, still failing after the retries."""


class GraphUnreachable(GraphInconclusive):
    """Connection errors and timeouts, still failing after the retries."""

    def __init__(self, message: str, **kw: Any) -> None:
        kw.setdefault("info", SITUATIONS["unreachable"])
        super().__init__(message, **kw)


class GraphBadResponse(GraphInconclusive):
    """The body is not JSON, is truncated, or does not have the expected shape."""

    def __init__(self, message: str, **kw: Any) -> None:
        kw.setdefault("info", SITUATIONS["bad-response"])
        super().__init__(message, **kw)


def strip_code_prefix(message: str | None) -> str:
    """Graph messages often start with "(#200) "; the rendered line shows the code once, in front."""
    return re.sub(r"^\(#\d+\)\s*", "", message or "")


def _as_int(v: Any) -> int | None:
    try:
        return int(v) if v is not None and not isinstance(v, bool) else None
    except (TypeError, ValueError):
        return None


def error_from_payload(
    err: Any,
    *,
    http_status: int | None = None,
    method: str | None = None,
    path: str | None = None,
    oauth: bool = False,
    retry_after: float | None = None,
) -> GraphError:
    """Build the right GraphError subclass from Graph's ``{"error": {...}}`` object."""
    if not isinstance(err, dict):
        err = {"message": str(err)}
    code = _as_int(err.get("code"))
    sub = _as_int(err.get("error_subcode", err.get("subcode")))
    gmsg = str(err.get("message") or "").strip()
    etype = err.get("type") if isinstance(err.get("type"), str) else None
    flag = err.get("is_transient")
    low = gmsg.lower()
    info: ErrorInfo | None = None
    cls: type[GraphError] = GraphError

    if code == 101:
        cls = InvalidAppId
    elif (code in (1, 100) and ("client secret" in low or "client_secret" in low)) or (
        oauth and code == 1 and "validating" in low
    ):
        cls, info = InvalidAppSecret, SITUATIONS["app-secret"]
    elif code == 100 and "app_id in the input_token did not match" in low:
        cls, info = TokenOfOtherApp, SITUATIONS["token-of-other-app"]
    elif code == 100 and "appsecret_proof" in low:
        key = "appsecret-proof-invalid" if "invalid" in low else "appsecret-proof-required"
        cls, info = AppSecretProofError, SITUATIONS[key]
    elif code in AUTH_CODES or (code is None and etype == "OAuthException"):
        cls = GraphAuthError
    elif code == 100 and "deprecated" in low and (http_status or 0) >= 500:
        cls, info = GraphInvalidRequest, SITUATIONS["deprecated-parameter"]
    elif code in (3, 10) or (code is not None and 200 <= code <= 299):
        cls = GraphPermissionError
    elif code in (100, 2500):
        cls = GraphInvalidRequest
    elif code == 2200:
        cls = CallbackVerificationFailed
    elif code in RATE_LIMIT_CODES or http_status == 429:
        cls = GraphRateLimitError
    elif (code in TRANSIENT_CODES and flag is not False) or flag is True:
        cls = GraphTransientError
    elif code is None and http_status is not None and http_status >= 500:
        cls, info = GraphTransientError, SITUATIONS["server-error"]

    if info is None:
        info = lookup_error(code, sub)
    transient = bool(flag) if isinstance(flag, bool) else info.transient
    label = (f"#{code}" + (f"/{sub}" if sub is not None else "")) if code is not None else f"HTTP {http_status}"
    where = f" on {method} {path}" if method and path else ""
    trace = f" [fbtrace_id {err.get('fbtrace_id')}]" if err.get("fbtrace_id") else ""
    text = strip_code_prefix(gmsg) or info.title
    message = f"Graph API error ({label}){where}: {text}{trace}"
    exc = cls(
        message,
        code=code,
        error_subcode=sub,
        type=etype,
        graph_message=gmsg or None,
        fbtrace_id=str(err["fbtrace_id"]) if err.get("fbtrace_id") else None,
        is_transient=transient,
        http_status=http_status,
        error_user_title=err.get("error_user_title"),
        error_user_msg=err.get("error_user_msg"),
        method=method,
        path=path,
        info=info,
        retry_after=retry_after,
    )
    exc.graph_is_transient = flag if isinstance(flag, bool) else None
    return exc
