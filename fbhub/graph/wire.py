"""What every Graph request is made of, shared by single calls and batch operations: which parameters are
secrets, their encoding, ``appsecret_proof``, and the request as it goes on the wire. No httpx here."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fbhub.meta.params import SECRET_PARAMS
from fbhub.redact import register_derived

__all__ = ["SECRET_PARAMS", "Wire", "appsecret_proof", "encode_params", "encode_value"]


def appsecret_proof(token: str, app_secret: str, at: int | None = None) -> str:
    """hex(HMAC-SHA256(key=app_secret, msg=token)) — Graph's ``appsecret_proof``; with ``at`` (unix seconds) the
    time-stamped form ``msg = token + "|" + at`` sent with ``appsecret_time`` (Facebook Login Security page,
    https://developers.facebook.com/documentation/facebook-login/security).

    Registered as a secret: a server that echoes it back (in an error message) never gets it printed."""
    msg = token if at is None else f"{token}|{at}"
    proof = hmac.new(app_secret.encode("utf-8"), msg.encode("utf-8"), hashlib.sha256).hexdigest()
    register_derived(proof)
    return proof


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


def encode_params(params: Mapping[str, Any] | None) -> dict[str, str]:
    return {k: encode_value(v) for k, v in (params or {}).items() if v is not None}


@dataclass
class Wire:
    """One HTTP request as it goes on the wire: method, path (relative to the version), query, form body,
    extra headers, and ``shown`` (the redacted ``/v…/path?query`` used in logs and errors)."""

    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str] | None
    headers: dict[str, str] = field(default_factory=dict)
    shown: str = ""
