"""Secrets: the OS keyring (service ``fbhub``, keyed by profile) with FBHUB_* environment overrides.

Secrets never go into the YAML config. Environment variables win over the keyring so CI can run
without one: ``FBHUB_APP_SECRET``, ``FBHUB_PAGE_TOKENS`` (comma- or whitespace-separated),
``FBHUB_VERIFY_TOKEN``, ``FBHUB_USER_TOKEN``. Every value read is registered with the redactor.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from fbhub.errors import ConfigError, SecretStoreError, UsageError
from fbhub.notices import notice
from fbhub.redact import looks_like_secret as _looks_like_secret
from fbhub.redact import mask, register_secret
from fbhub.settings import STORE_CHOICES

if TYPE_CHECKING:
    from types import ModuleType

    from fbhub.settings import Resolved

SERVICE = "fbhub"
_HEX32 = re.compile(r"^[0-9a-f]{32}$")
_WS_RE = re.compile(r"\s")
_CTRL_RE = re.compile("[\x00-\x1f\x7f-\x9f]")
_TOKEN_RE = re.compile(r"^[A-Za-z0-9|_\-.%]{8,2048}$")


@dataclass(frozen=True)
class SecretKind:
    name: str  # as typed on the command line: app-secret, page-token, verify-token, user-token
    env: str
    label: str
    multiple: bool = False
    how: str = ""  # how to store one (the hint when it is missing)

    @property
    def file_env(self) -> str:
        """The variable naming a file that holds the secret (the Docker / Kubernetes secrets convention)."""
        return self.env + "_FILE"


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


def secret_names() -> dict[str, str]:
    """Every name a secret goes by (its kind, its variable, the variable without FBHUB_), mapped to its kind."""
    out = {n: k.name for k in KINDS.values() for n in (k.name, k.env, k.env.removeprefix("FBHUB_"))}
    out["FBHUB_PAGE_TOKEN"] = out["PAGE_TOKEN"] = "page-token"  # the singular, as people write it
    return out


def _check_clean(value: str, what: str, where: str) -> str:
    """Trim surrounding whitespace and newlines (saying so in one line); refuse quotes and inner whitespace."""
    if value != value.strip():
        value = value.strip()
        if value:
            notice(f"note: removed surrounding whitespace or a newline from the {what} from {where} ({mask(value)})")
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        raise UsageError(f"the {what} from {where} is wrapped in quotes", hint="set it again without the quotes")
    if _WS_RE.search(value):
        raise UsageError(f"the {what} from {where} contains spaces or line breaks", hint="copy it again in one piece")
    if _CTRL_RE.search(value):
        raise UsageError(f"the {what} from {where} contains a control character (such as NUL or ESC)",
                         hint="copy it again; a secret is printable text")
    return value


# A secret fbhub must hide everywhere has to be recognisable as itself: a short or common value ("requests")
# would be "redacted" inside ordinary words and JSON keys, and a report would fail its own schema.
MIN_SECRET_LENGTH = 12
_WORDS_RE = re.compile(r"[A-Za-z][A-Za-z_.\-]*")  # "requests", "message_deliveries", "access-token"


def weakness(value: str) -> str | None:
    """Why ``value`` is too short or too guessable to be hidden safely, or None."""
    if len(value) < MIN_SECRET_LENGTH:
        return f"it has {len(value)} characters; at least {MIN_SECRET_LENGTH} are needed to hide it safely"
    if len(set(value)) < 5:
        return "it repeats fewer than 5 different characters"
    if len(value) < 24 and _WORDS_RE.fullmatch(value):
        return "it is made of words (letters and - _ . only), which could appear in any text"
    return None


def _check_strength(value: str, what: str, where: str) -> str:
    why = weakness(value)
    if why:
        raise UsageError(f"the {what} from {where} is refused: {why}",
                         hint="use a long random value, e.g. 'fbhub secrets set verify-token --generate'")
    return value


def validate_app_secret(value: str, where: str = "input") -> str:
    value = _check_clean(value, "App Secret", where)
    if not _HEX32.match(value):
        raise UsageError(f"the App Secret from {where} ({mask(value)}) is not 32 hexadecimal characters",
                         hint="copy it from App settings > Basic > App secret (click Show) in Meta's dashboard")
    return _check_strength(value, "App Secret", where)


def validate_token(value: str, where: str = "input", what: str = "access token") -> str:
    value = _check_clean(value, what, where)
    if not _TOKEN_RE.match(value):
        raise UsageError(f"the {what} from {where} ({mask(value)}) does not look like a Meta access token",
                         hint="copy the whole token again (page tokens usually start with EAA)")
    return _check_strength(value, what, where)


def validate_verify_token(value: str, where: str = "input") -> str:
    value = _check_clean(value, "verify token", where)
    if len(value) < 8 or len(value) > 512:
        raise UsageError(f"the verify token from {where} must be 8 to 512 characters",
                         hint="let 'fbhub configure' generate one, or pick a long random string")
    return _check_strength(value, "verify token", where)


VALIDATORS = {
    "app-secret": validate_app_secret,
    "page-token": lambda v, where="input": validate_token(v, where, "page access token"),
    "verify-token": validate_verify_token,
    "user-token": lambda v, where="input": validate_token(v, where, "user access token"),
}


looks_like_secret = _looks_like_secret  # (lives in fbhub.redact, below settings and secrets)


def split_tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[\s,]+", text.strip()) if t]


def token_name(token: str, *, page_id: str | None = None, page_name: str | None = None, position: int = 0) -> str:
    """The one name of a Page token everywhere (doctor, subscribe-page, secrets list): its Page when known, else
    its position in the token list or store; plus the mask. ``page 111 (Support) · token EAAG…x9Qz`` or
    ``token #2 EAAG…x9Qz``."""
    return masked_token_name(mask(token), page_id=page_id, page_name=page_name, position=position)


def masked_token_name(masked: str, *, page_id: str | None = None, page_name: str | None = None,
                      position: int = 0) -> str:
    """``token_name`` from a token already masked (what the checks' facts keep instead of the token)."""
    if page_id:
        page = f"page {page_id} ({page_name})" if page_name else f"page {page_id}"
        return f"{page} · token {masked}"
    return f"token #{position} {masked}" if position else f"token {masked}"


def token_label(token: str) -> str:
    """A stable, non-secret label for a token whose page is not known yet."""
    return "token-" + hashlib.sha256(token.encode()).hexdigest()[:8]


class StoreUnavailable(Exception):
    """A backend cannot be used; ``why`` is one line, without secrets."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


class Backend(Protocol):
    """Where secrets are kept: every backend stores strings under ``profile:key`` names."""

    name: str  # "keyring" or "file" (the secret_store setting's values)

    def where(self) -> str: ...
    def get(self, user: str) -> str | None: ...
    def set(self, user: str, value: str) -> None: ...
    def delete(self, user: str) -> bool: ...


class KeyringBackend:
    """The OS keyring (service ``fbhub``)."""

    name = "keyring"

    def where(self) -> str:
        return "the OS keyring"

    def _kr(self) -> ModuleType:
        try:
            import keyring
            import keyring.errors  # noqa: F401
        except Exception as exc:  # pragma: no cover - keyring is a dependency
            raise StoreUnavailable(f"the keyring module cannot be imported ({type(exc).__name__})") from None
        return keyring

    def usable(self) -> str | None:
        """None when a keyring backend works here, else why not (one line)."""
        kr = self._kr()
        try:
            backend = kr.get_keyring()
            if type(backend).__module__.startswith("keyring.backends.fail") or getattr(backend, "priority", 1) <= 0:
                return _describe(RuntimeError("No recommended backend"))
            backend.get_password(SERVICE, "fbhub:probe")
        except Exception as exc:
            return _describe(exc)
        return None

    def get(self, user: str) -> str | None:
        kr = self._kr()
        try:
            value = kr.get_password(SERVICE, user)
            return None if value is None else str(value)
        except Exception as exc:
            raise StoreUnavailable(_describe(exc)) from None

    def set(self, user: str, value: str) -> None:
        kr = self._kr()
        try:
            kr.set_password(SERVICE, user, value)
        except Exception as exc:
            raise StoreUnavailable(_describe(exc)) from None

    def delete(self, user: str) -> bool:
        kr = self._kr()
        try:
            kr.delete_password(SERVICE, user)
            return True
        except Exception as exc:
            import keyring.errors

            if isinstance(exc, keyring.errors.PasswordDeleteError):
                return False
            raise StoreUnavailable(_describe(exc)) from None


FILE_STORE_NAME = "secrets.json"


class FileBackend:
    """A private JSON file (mode 0600) in the config directory, keyed like the keyring (``profile:key``).

    For servers without a keyring, as gh keeps its hosts file. Written atomically; a file that cannot be parsed
    is never overwritten; a file other users can read is refused.
    """

    name = "file"

    def __init__(self, path: Path) -> None:
        self.path = path

    def where(self) -> str:
        return str(self.path)

    def _load(self) -> dict[str, str]:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise StoreUnavailable(f"{self.path}: {exc.strerror or exc}") from None
        if os.name == "posix" and st.st_mode & 0o077:
            raise StoreUnavailable(f"{self.path} can be read by other users (mode {st.st_mode & 0o777:o}); "
                                   f"run 'chmod 600 {self.path}'")
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StoreUnavailable(f"{self.path} cannot be read ({type(exc).__name__}); it was left as it is") \
                from None
        secrets = data.get("secrets") if isinstance(data, dict) else None
        if not isinstance(secrets, dict) or not all(isinstance(v, str) for v in secrets.values()):
            raise StoreUnavailable(f"{self.path} is not an fbhub secret store; it was left as it is")
        return {str(k): v for k, v in secrets.items()}

    def _save(self, secrets: dict[str, str]) -> None:
        from fbhub.configfile import atomic_write

        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            atomic_write(self.path, json.dumps({"version": 1, "secrets": secrets}, indent=1, sort_keys=True) + "\n",
                         mode=0o600)
        except OSError as exc:
            raise StoreUnavailable(f"cannot write {self.path}: {exc.strerror or type(exc).__name__}") from None

    def get(self, user: str) -> str | None:
        return self._load().get(user)

    def set(self, user: str, value: str) -> None:
        data = self._load()
        data[user] = value
        self._save(data)

    def delete(self, user: str) -> bool:
        data = self._load()
        if user not in data:
            return False
        del data[user]
        self._save(data)
        return True






class SecretStore:
    """Secrets of one profile. Reads prefer the environment (``FBHUB_X``, then ``FBHUB_X_FILE``); writes go to
    the store: the OS keyring, or the private file store when no keyring backend works (``store="auto"``) or
    when the ``secret_store`` setting says ``file``."""

    def __init__(self, profile: str, env: Mapping[str, str] | None = None, *, store: str = "auto",
                 directory: Path | None = None) -> None:
        self.profile = profile
        self.env = os.environ if env is None else env
        self.keyring_problem: str | None = None
        self.choice = store if store in STORE_CHOICES else "auto"
        self.directory = directory
        self._backend: Backend | None = None
        self._lock_depth = 0
        self.auto_reason: str | None = None  # why "auto" chose the file store

    @classmethod
    def for_settings(cls, settings: Resolved, env: Mapping[str, str] | None = None) -> SecretStore:
        """The store of a resolved profile: its secret_store setting, the file store beside its config file."""
        return cls(settings.profile, env, store=str(settings.get("secret_store") or "auto"),
                   directory=settings.config_path.parent)

    # -- the backend -------------------------------------------------------------------------
    def file_path(self) -> Path:
        if self.directory is not None:
            return Path(self.directory) / FILE_STORE_NAME
        from fbhub.configfile import default_config_path

        return default_config_path().parent / FILE_STORE_NAME

    @property
    def backend(self) -> Backend:
        """The store in use, chosen once: the setting, or the keyring when it works and else the file."""
        if self._backend is None:
            if self.choice == "file":
                self._backend = FileBackend(self.file_path())
            elif self.choice == "keyring":
                self._backend = KeyringBackend()
            else:
                kr = KeyringBackend()
                try:
                    why = kr.usable()
                except StoreUnavailable as exc:
                    why = exc.why
                if why is None:
                    self._backend = kr
                else:
                    self.auto_reason = why
                    self._backend = FileBackend(self.file_path())
        return self._backend

    def describe(self) -> str:
        """Which store is in use, in one line (for ``secrets list`` and notices)."""
        b = self.backend
        if b.name == "keyring":
            return "the OS keyring" + (" (secret_store: keyring)" if self.choice == "keyring" else "")
        why = f"no usable OS keyring: {self.auto_reason}" if self.auto_reason else "secret_store: file"
        return f"the file {b.where()} (mode 0600; {why})"

    def backend_where(self) -> str:
        try:
            return self.backend.where()
        except StoreUnavailable as exc:  # pragma: no cover - keyring import failure
            raise self._unavailable(exc.why) from None

    def store_info(self) -> dict[str, str | None]:
        """Which store is in use, for JSON output."""
        b = self.backend
        return {"kind": b.name, "where": b.where(), "setting": self.choice, "why": self.auto_reason}

    def announce(self) -> None:
        """The one-line notice naming the file store, when it was chosen because no keyring works."""
        if self.backend.name == "file" and self.auto_reason:
            notice(f"note: no usable OS keyring ({self.auto_reason}); secrets are kept in {self.backend.where()} "
                    "(mode 0600) — choose with 'fbhub config set secret_store keyring|file'")

    # -- plumbing ---------------------------------------------------------------------------
    def _user(self, key: str) -> str:
        return f"{self.profile}:{key}"

    def _unavailable(self, why: str, kind: str | None = None) -> SecretStoreError:
        env = KINDS[kind].env if kind else "FBHUB_APP_SECRET / FBHUB_PAGE_TOKENS / FBHUB_VERIFY_TOKEN"
        self.keyring_problem = why
        if self.backend.name == "file":
            return SecretStoreError(f"the secret file store cannot be used: {why}",
                                    hint=f"fix the file, or set {env} (or {env}_FILE) in the environment instead")
        return SecretStoreError(f"no usable OS keyring: {why}",
                                hint=f"run 'fbhub config set secret_store file' to keep secrets in a private file, "
                                     f"or set {env} in the environment instead")

    def _get(self, key: str, kind: str) -> str | None:
        try:
            return self.backend.get(self._user(key))
        except StoreUnavailable as exc:
            raise self._unavailable(exc.why, kind) from None

    def _set(self, key: str, value: str, kind: str) -> None:
        self.announce()
        try:
            self.backend.set(self._user(key), value)
        except StoreUnavailable as exc:
            raise self._unavailable(exc.why, kind) from None

    def _delete(self, key: str, kind: str) -> bool:
        try:
            return self.backend.delete(self._user(key))
        except StoreUnavailable as exc:
            raise self._unavailable(exc.why, kind) from None

    # -- reading -----------------------------------------------------------------------------
    def env_raw(self, kind: str) -> tuple[str, str] | None:
        """(raw value, where it came from) from ``FBHUB_X`` or the file named by ``FBHUB_X_FILE``, or None.

        Setting both is refused: which one wins would be a guess.
        """
        k = KINDS[kind]
        raw = self.env.get(k.env)
        path = self.env.get(k.file_env)
        if raw and path:
            raise UsageError(f"both {k.env} and {k.file_env} are set", hint="unset one of them")
        if raw:
            return raw, k.env
        if not path:
            return None
        try:
            text = Path(path).expanduser().read_text(encoding="utf-8")
        except FileNotFoundError:
            raise UsageError(f"{k.file_env}: no such file {path}", hint=f"point {k.file_env} at the file holding "
                             f"the {k.label}, or unset it") from None
        except (OSError, UnicodeDecodeError) as exc:
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
            raise UsageError(f"{k.file_env}: cannot read {path} ({why})",
                             hint="make the file readable by this user, or unset the variable") from None
        return text, f"{k.file_env} ({path})"

    def env_value(self, kind: str) -> str | None:
        got = self.env_raw(kind)
        if got is None or not got[0].strip():
            return None
        raw, where = got
        if kind == "page-token":
            return raw
        value = VALIDATORS[kind](raw, where)
        register_secret(value)
        return value

    def get(self, kind: str, *, quiet: bool = True) -> str | None:
        """One secret (app-secret, verify-token, user-token): env (or its _FILE) first, then the store.

        With ``quiet`` an unusable store gives None (and ``keyring_problem`` says why) instead of raising.
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
            why = weakness(value)
            if why:  # stored by an older fbhub: never use (or "redact") a value that cannot be hidden safely
                raise UsageError(f"the {KINDS[kind].label} stored in {self.backend_where()} is refused: {why}",
                                 hint=f"store a new one: fbhub secrets set {kind}"
                                      + (" --generate" if kind == "verify-token" else ""))
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
        """Where the secret is read from: ``env`` (FBHUB_X), ``env-file`` (FBHUB_X_FILE), ``keyring`` or
        ``file`` (the private file store)."""
        k = KINDS[kind]
        if self.env.get(k.env):
            return "env"
        if self.env.get(k.file_env):
            return "env-file"
        try:
            return self.backend.name
        except StoreUnavailable:
            return "keyring"

    def page_tokens(self, *, quiet: bool = True) -> dict[str, str]:
        """Page tokens by label (page id when known): FBHUB_PAGE_TOKENS wins over the keyring."""
        got = self.env_raw("page-token")
        if got is not None and got[0].strip():
            raw, where = got
            out: dict[str, str] = {}
            if where == "FBHUB_PAGE_TOKENS":  # comma- or whitespace-separated
                found = [(tok, where) for tok in split_tokens(raw)]
            else:  # a file: one token per line, blank lines and # comments ignored
                found = [(line.strip(), f"{where} line {n}") for n, line in enumerate(raw.splitlines(), 1)
                         if line.strip() and not line.strip().startswith("#")]
            for tok, at in found:
                tok = VALIDATORS["page-token"](tok, at)
                register_secret(tok)
                out[token_label(tok)] = tok
            return out
        try:
            index = self._index()
            out = {}
            for label in index:
                stored = self._get(f"page-token:{label}", "page-token")
                if stored:
                    register_secret(stored)
                    out[label] = stored
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
    # Page tokens are kept one per entry plus an index of their labels (keyrings cannot list their entries).
    # Two rules keep store and index consistent for every backend, whatever stops a run half-way:
    #  - writers take turns: a lock file beside the config (``.secrets.lock``) around every read-change-write
    #    of the index, so parallel ``secrets set page-token`` / ``configure`` never drop each other's labels;
    #  - the index is always a superset of the stored tokens: a label is added before its token is written and
    #    removed after its token is deleted. An interrupted run can leave a label without a token (listed as
    #    nothing, removed by the next delete), never a token nobody can list or delete.
    def lock_path(self) -> Path:
        return self.file_path().parent / ".secrets.lock"

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the store's lock (re-entrant within this store object)."""
        if self._lock_depth:
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        from fbhub.locks import file_lock

        with file_lock(self.lock_path(), what="secret store"):
            self._lock_depth = 1
            try:
                yield
            finally:
                self._lock_depth = 0

    def set(self, kind: str, value: str, *, label: str | None = None) -> str:
        """Validate and store a secret; returns the key it was stored under."""
        return self.set_many(kind, [(value, label)])[0]

    def set_many(self, kind: str, items: list[tuple[str, str | None]]) -> list[str]:
        """Validate every value first, then store them all (one lock, the index written once, before the
        tokens). Nothing is stored when one value is invalid. Each stored value is recorded in
        ``fbhub.changes`` as it lands, so an interrupted run can say exactly what was stored."""
        from fbhub import changes

        values = []
        for n, (value, label) in enumerate(items, 1):
            try:
                values.append((VALIDATORS[kind](value, "input"), label))
            except UsageError as exc:
                if len(items) == 1:
                    raise
                raise UsageError(f"value {n} of {len(items)}: {exc.message}; nothing was stored", hint=exc.hint) \
                    from None
        for value, _ in values:
            register_secret(value)
        what = KINDS[kind].label
        with self.locked():
            where = self.backend_where()
            if kind != "page-token":
                keys = []
                for value, _ in values:
                    line = f"{what} {mask(value)} stored in {where}"
                    changes.planned(line)
                    self._set(kind, value, kind)
                    changes.done(line)
                    keys.append(kind)
                return keys
            labelled = [(value, label or token_label(value)) for value, label in values]
            lines = [f"{what} {mask(value)} stored as {label} in {where}" for value, label in labelled]
            changes.planned(*lines)
            index = self._index()
            new = [label for _, label in labelled if label not in index]
            if new:
                self._set("page-token-index", json.dumps(index + list(dict.fromkeys(new))), kind)
            for (value, label), line in zip(labelled, lines, strict=True):
                self._set(f"page-token:{label}", value, kind)
                changes.done(line)
            return [label for _, label in labelled]

    def delete(self, kind: str, *, label: str | None = None) -> int:
        """Delete a secret (all page tokens, or one by label); returns how many were removed."""
        if kind != "page-token":
            with self.locked():
                return int(self._delete(kind, kind))
        with self.locked():
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
