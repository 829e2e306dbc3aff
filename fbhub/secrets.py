"""Secrets: the OS keyring (service ``fbhub``, keyed by profile) with FBHUB_* environment overrides.

Secrets never go into the YAML config. Environment variables win over the keyring so CI can run
without one: ``FBHUB_APP_SECRET``, ``FBHUB_PAGE_TOKENS`` (comma- or whitespace-separated),
``FBHUB_VERIFY_TOKEN``, ``FBHUB_USER_TOKEN``. Every value read is registered with the redactor.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from fbhub.errors import ConfigError, SecretStoreError, UsageError
from fbhub.redact import mask, register_secret

SERVICE = "fbhub"
_HEX32 = re.compile(r"^[0-9a-f]{32}$")
_WS_RE = re.compile(r"\s")
_TOKEN_RE = re.compile(r"^[A-Za-z0-9|_\-.%]{8,2048}$")


@dataclass(frozen=True)
class SecretKind:
    name: str  # as typed on the command line: app-secret, page-token, verify-token, user-token
    env: str
    label: str
    multiple: bool = False
    how: str = ""  # how to store one (the hint when it is missing)


KINDS: dict[str, SecretKind] = {
    k.name: k
    for k in (
        SecretKind("app-secret", "FBHUB_APP_SECRET", "App Secret",
                   how="run 'fbhub secrets set app-secret' or set FBHUB_APP_SECRET"),
        SecretKind("page-token", "FBHUB_PAGE_TOKENS", "Page access token", multiple=True,
                   how="run 'fbhub secrets set page-token --page ID' or set FBHUB_PAGE_TOKENS"),
        SecretKind("verify-token", "FBHUB_VERIFY_TOKEN", "Webhook verify token",
                   how="run 'fbhub secrets set verify-token --generate' (and set the same token on the CX server) "
                       "or set FBHUB_VERIFY_TOKEN"),
        SecretKind("user-token", "FBHUB_USER_TOKEN", "User access token",
                   how="run 'fbhub secrets set user-token' or set FBHUB_USER_TOKEN"),
    )
}


def _check_clean(value: str, what: str, where: str) -> str:
    """Refuse the usual paste accidents: quotes, surrounding or inner whitespace, newlines."""
    if value != value.strip():
        raise UsageError(f"the {what} from {where} ({mask(value.strip())}) has leading or trailing whitespace "
                         "or a newline", hint="remove it and set the value again")
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        raise UsageError(f"the {what} from {where} is wrapped in quotes", hint="set it again without the quotes")
    if _WS_RE.search(value):
        raise UsageError(f"the {what} from {where} contains spaces", hint="copy it again in one piece")
    return value


def validate_app_secret(value: str, where: str = "input") -> str:
    value = _check_clean(value, "App Secret", where)
    if not _HEX32.match(value):
        raise UsageError(f"the App Secret from {where} ({mask(value)}) is not 32 hexadecimal characters",
                         hint="copy it from App settings > Basic > App secret (click Show) in Meta's dashboard")
    return value


def validate_token(value: str, where: str = "input", what: str = "access token") -> str:
    value = _check_clean(value, what, where)
    if not _TOKEN_RE.match(value):
        raise UsageError(f"the {what} from {where} ({mask(value)}) does not look like a Meta access token",
                         hint="copy the whole token again (page tokens usually start with EAA)")
    return value


def validate_verify_token(value: str, where: str = "input") -> str:
    value = _check_clean(value, "verify token", where)
    if len(value) < 8 or len(value) > 512:
        raise UsageError(f"the verify token from {where} must be 8 to 512 characters",
                         hint="let 'fbhub configure' generate one, or pick a long random string")
    return value


VALIDATORS = {
    "app-secret": validate_app_secret,
    "page-token": lambda v, where="input": validate_token(v, where, "page access token"),
    "verify-token": validate_verify_token,
    "user-token": lambda v, where="input": validate_token(v, where, "user access token"),
}


def split_tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[\s,]+", text.strip()) if t]


def token_label(token: str) -> str:
    """A stable, non-secret label for a token whose page is not known yet."""
    return "token-" + hashlib.sha256(token.encode()).hexdigest()[:8]


class SecretStore:
    """Secrets of one profile. Reads prefer the environment; writes go to the keyring."""

    def __init__(self, profile: str, env: Mapping[str, str] | None = None) -> None:
        self.profile = profile
        self.env = os.environ if env is None else env
        self.keyring_problem: str | None = None

    # -- keyring plumbing -------------------------------------------------------------------
    def _user(self, key: str) -> str:
        return f"{self.profile}:{key}"

    def _keyring(self):  # type: ignore[no-untyped-def]
        try:
            import keyring
            import keyring.errors  # noqa: F401
        except Exception as exc:  # pragma: no cover - keyring is a dependency
            raise self._unavailable(f"the keyring module cannot be imported ({type(exc).__name__})") from None
        return keyring

    def _unavailable(self, why: str, kind: str | None = None) -> SecretStoreError:
        env = KINDS[kind].env if kind else "FBHUB_APP_SECRET / FBHUB_PAGE_TOKENS / FBHUB_VERIFY_TOKEN"
        self.keyring_problem = why
        return SecretStoreError(f"no usable OS keyring: {why}", hint=f"set {env} in the environment instead")

    def _get(self, key: str, kind: str) -> str | None:
        kr = self._keyring()
        try:
            return kr.get_password(SERVICE, self._user(key))
        except Exception as exc:
            raise self._unavailable(_describe(exc), kind) from None

    def _set(self, key: str, value: str, kind: str) -> None:
        kr = self._keyring()
        try:
            kr.set_password(SERVICE, self._user(key), value)
        except Exception as exc:
            raise self._unavailable(_describe(exc), kind) from None

    def _delete(self, key: str, kind: str) -> bool:
        kr = self._keyring()
        try:
            kr.delete_password(SERVICE, self._user(key))
            return True
        except Exception as exc:
            import keyring.errors

            if isinstance(exc, keyring.errors.PasswordDeleteError):
                return False
            raise self._unavailable(_describe(exc), kind) from None

    # -- reading -----------------------------------------------------------------------------
    def env_value(self, kind: str) -> str | None:
        raw = self.env.get(KINDS[kind].env)
        if raw is None or raw == "":
            return None
        if kind == "page-token":
            return raw
        value = VALIDATORS[kind](raw, KINDS[kind].env)
        register_secret(value)
        return value

    def get(self, kind: str, *, quiet: bool = True) -> str | None:
        """One secret (app-secret, verify-token, user-token): env first, then keyring.

        With ``quiet`` a missing keyring gives None (and ``keyring_problem`` says why) instead of raising.
        """
        value = self.env_value(kind)
        if value is not None:
            return value
        try:
            value = self._get(kind, kind)
        except SecretStoreError:
            if quiet:
                return None
            raise
        if value:
            register_secret(value)
        return value or None

    def missing(self, kind: str, hint_extra: str = "") -> ConfigError:
        """The error for a secret that is needed and not stored, naming how to store it."""
        why = f" (no usable OS keyring: {self.keyring_problem})" if self.keyring_problem else ""
        k = KINDS[kind]
        what = "Page tokens are" if kind == "page-token" else f"{k.label} is"
        return ConfigError(f"no {what} stored for profile {self.profile!r}{why}", hint=k.how + hint_extra)

    def require(self, kind: str) -> str:
        """The secret, or a ConfigError (exit 2) telling how to store it."""
        value = self.get(kind)
        if not value:
            raise self.missing(kind)
        return value

    def source(self, kind: str) -> str:
        if self.env.get(KINDS[kind].env):
            return "env"
        return "keyring"

    def page_tokens(self, *, quiet: bool = True) -> dict[str, str]:
        """Page tokens by label (page id when known): FBHUB_PAGE_TOKENS wins over the keyring."""
        raw = self.env.get("FBHUB_PAGE_TOKENS")
        if raw:
            out: dict[str, str] = {}
            for tok in split_tokens(raw):
                tok = VALIDATORS["page-token"](tok, "FBHUB_PAGE_TOKENS")
                register_secret(tok)
                out[token_label(tok)] = tok
            return out
        try:
            index = self._index()
            out = {}
            for label in index:
                tok = self._get(f"page-token:{label}", "page-token")
                if tok:
                    register_secret(tok)
                    out[label] = tok
            return out
        except SecretStoreError:
            if quiet:
                return {}
            raise

    def _index(self) -> list[str]:
        raw = self._get("page-token-index", "page-token")
        if not raw:
            return []
        try:
            data = json.loads(raw)
        except ValueError:
            return []
        return [str(x) for x in data] if isinstance(data, list) else []

    # -- writing -----------------------------------------------------------------------------
    def set(self, kind: str, value: str, *, label: str | None = None) -> str:
        """Validate and store a secret in the keyring; returns the key it was stored under."""
        value = VALIDATORS[kind](value, "input")
        register_secret(value)
        if kind == "page-token":
            label = label or token_label(value)
            index = self._index()
            self._set(f"page-token:{label}", value, kind)
            if label not in index:
                index.append(label)
                self._set("page-token-index", json.dumps(index), kind)
            return label
        self._set(kind, value, kind)
        return kind

    def delete(self, kind: str, *, label: str | None = None) -> int:
        """Delete a secret (all page tokens, or one by label); returns how many were removed."""
        if kind != "page-token":
            return int(self._delete(kind, kind))
        index = self._index()
        targets = [label] if label else list(index)
        n = 0
        for lab in targets:
            n += int(self._delete(f"page-token:{lab}", kind))
        remaining = [x for x in index if x not in targets]
        if remaining:
            self._set("page-token-index", json.dumps(remaining), kind)
        else:
            self._delete("page-token-index", kind)
        return n


def _describe(exc: Exception) -> str:
    name = type(exc).__name__
    text = str(exc).splitlines()[0] if str(exc) else ""
    if name == "NoKeyringError" or "No recommended backend" in text:
        return "no keyring backend is available on this machine (headless or CI)"
    return f"{name}: {text}"[:200]
