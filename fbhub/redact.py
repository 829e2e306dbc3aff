"""Masking and redaction of secrets: the one place that decides how a secret is shown.

- ``mask(value)`` shows just enough to recognise a value: ``EAAG…x9Qz``.
- ``Redactor`` remembers secret values and scrubs them from any text (log lines, URLs, bodies,
  exception messages). ``redact_text`` also scrubs well-known secret parameters by name
  (``access_token=``, ``client_secret=``, ``appsecret_proof=``, ``hub.verify_token=``,
  ``input_token=``, ``fb_exchange_token=``, ``Authorization: Bearer …``) even when the value was
  never registered.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

MASK = "…"
_SECRET_PARAMS = (
    "access_token",
    "client_secret",
    "appsecret_proof",
    "input_token",
    "fb_exchange_token",
    "verify_token",
    "hub.verify_token",
    "app_secret",
    "page_token",
)
# key=value in URLs / form bodies, "key": "value" in JSON
_PARAM_RE = re.compile(
    r"(?P<key>(?<![A-Za-z0-9_.])(?:" + "|".join(re.escape(p) for p in _SECRET_PARAMS) + r"))"
    r"(?P<sep>=|%3D)(?P<val>[^&\s\"',;]+)"
)
_JSON_RE = re.compile(
    r"(?P<key>\"(?:" + "|".join(re.escape(p) for p in _SECRET_PARAMS) + r")\"\s*:\s*\")(?P<val>[^\"]*)\""
)
_AUTH_RE = re.compile(r"(?i)(?P<key>\b(?:bearer|oauth)\s+)(?P<val>[A-Za-z0-9|._\-%]{20,})")


def mask(value: str | None, *, keep: int = 4) -> str:
    """Show only enough of a secret to recognise it.

    Long values keep ``keep`` characters at each end (``EAAG…x9Qz``); short ones keep less, and
    values under 8 characters are fully hidden, since showing half of a short secret leaks it.
    """
    if value is None or value == "":
        return "(not set)"
    n = len(value)
    if n < 8:
        return MASK * 3
    if n < 16:
        keep = min(keep, 2)
    return f"{value[:keep]}{MASK}{value[-keep:]}"


class Redactor:
    """Scrubs registered secrets (and secret-looking parameters) from text. Thread-safe.

    All registered values (and their URL-encoded forms) are matched by one compiled pattern, rebuilt only
    when a new secret is added, so redaction costs one regex pass per string however many secrets there are.
    """

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: dict[str, str] = {}  # form seen in text -> the secret it belongs to
        self._pattern: re.Pattern[str] | None = None
        self.add(*secrets)

    def add(self, *secrets: str | None) -> None:
        """Register values to scrub; empty and very short values are ignored (they would match noise)."""
        with self._lock:
            for s in secrets:
                if s and len(s) >= 6 and s not in self._secrets:
                    self._secrets[s] = s
                    enc = _url_quote(s)
                    if enc != s:
                        self._secrets[enc] = s
                    self._pattern = None

    def __call__(self, text: str) -> str:
        return self.redact(text)

    def _compiled(self) -> re.Pattern[str] | None:
        with self._lock:
            if self._pattern is None and self._secrets:
                forms = sorted(self._secrets, key=len, reverse=True)
                self._pattern = re.compile("|".join(re.escape(f) for f in forms))
            return self._pattern

    def redact(self, text: str) -> str:
        if not text:
            return text
        pattern = self._compiled()
        if pattern is not None:
            secrets = self._secrets
            text = pattern.sub(lambda m: mask(secrets.get(m.group(0), m.group(0))), text)
        return redact_text(text)


def _url_quote(s: str) -> str:
    from urllib.parse import quote

    return quote(s, safe="")


def redact_text(text: str) -> str:
    """Scrub secret parameters by name, whatever their value (no registration needed)."""
    if not text:
        return text

    def _param(m: re.Match[str]) -> str:
        val = m.group("val")
        if val.startswith(("EAA", "***")) or MASK in val:
            shown = val if MASK in val else mask(val)
        else:
            shown = mask(val)
        return f"{m.group('key')}{m.group('sep')}{shown}"

    def _json(m: re.Match[str]) -> str:
        val = m.group("val")
        return f"{m.group('key')}{val if MASK in val else mask(val)}\""

    def _auth(m: re.Match[str]) -> str:
        val = m.group("val")
        return f"{m.group('key')}{val if MASK in val else mask(val)}"

    text = _PARAM_RE.sub(_param, text)
    text = _JSON_RE.sub(_json, text)
    text = _AUTH_RE.sub(_auth, text)
    return text


# One process-wide redactor: every secret fbhub loads is registered here, and the logger, the
# error renderer and the report writers all pass text through it.
GLOBAL = Redactor()


def register_secret(*values: str | None) -> None:
    """Register secret values with the process-wide redactor."""
    GLOBAL.add(*values)


def redact(text: str) -> str:
    """Redact with the process-wide redactor."""
    return GLOBAL.redact(text)
