"""The settings table and their precedence: command-line flag > environment > config file > default.

Each setting is described once here (file key, env var, flag, default, parser); ``config show``,
``config set``, the README table and every command read this table.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fbhub.errors import ConfigError, UsageError
from fbhub.graph.versions import DEFAULT_GRAPH_VERSION
from fbhub.safetext import name as safe_name

DEFAULT_GRAPH_URL = "https://graph.facebook.com"
DEFAULT_PROFILE = "default"
ENV_PREFIX = "FBHUB_"

_APP_ID_RE = re.compile(r"^[0-9]{5,20}$")
_PAGE_ID_RE = re.compile(r"^[0-9]{1,25}$")
_PROFILE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def _shown(value: Any) -> str:
    """A value quoted in an error message; one that looks like a secret is masked (and redacted from then on)."""
    from fbhub.redact import looks_like_secret

    if isinstance(value, str) and looks_like_secret(value.strip()):
        from fbhub.redact import mask, register_secret

        register_secret(value.strip())
        return mask(value.strip())
    s = repr(value)
    return s if len(s) <= 60 else s[:57] + "...'"


def _trimmed(value: Any, what: str) -> Any:
    """Surrounding whitespace and a trailing newline removed, saying so in one line (inner whitespace stays)."""
    if isinstance(value, str) and value != value.strip() and value.strip():
        from fbhub.notices import notice

        notice(f"note: removed surrounding whitespace or a newline from the {what} {_shown(value.strip())}")
        return value.strip()
    return value


def _mistaken_for(value: Any, wanted: str) -> str:
    """ ": this looks like an App Secret, not an App ID" when a pasted value is recognisably something else."""
    from fbhub.redact import looks_like_secret

    kind = looks_like_secret(value.strip()) if isinstance(value, str) else None
    return f": this looks like {kind}, not {wanted}" if kind else ""


def parse_app_id(value: Any) -> str:
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else _trimmed(value, "App ID")
    if not isinstance(text, str) or not _APP_ID_RE.match(text):
        mistaken = _mistaken_for(text, "an App ID")
        why = mistaken[2:] if mistaken else (
            "it has spaces" if isinstance(text, str) and any(c.isspace() for c in text) else "it is not digits")
        raise UsageError(f"invalid App ID {_shown(value)}: {why}",
                         hint="copy the App ID (digits only) from App settings > Basic in Meta's dashboard")
    return text


def parse_page_id(value: Any) -> str:
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else _trimmed(value, "Page ID")
    if not isinstance(text, str) or not _PAGE_ID_RE.match(text):
        why = _mistaken_for(text, "a Page ID") or ": a Page ID is digits only"
        raise UsageError(f"invalid Page ID {_shown(value)}{why}",
                         hint="find it on the Page under About > Page transparency, or use 'fbhub configure'")
    return text


def _without_userinfo(value: Any) -> Any:
    """A URL with any ``user:password@`` replaced, for error messages (a password must not reach a CI log)."""
    if isinstance(value, str) and "@" in value:
        scheme, sep, rest = value.partition("://")
        if sep:
            host = rest.split("/", 1)[0]
            if "@" in host:
                return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return value


def parse_graph_url(value: Any) -> str:
    from urllib.parse import urlsplit

    value = _without_userinfo(value) if isinstance(value, str) and "@" in value else value
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"invalid Graph URL {_shown(value)}", hint="e.g. https://graph.facebook.com")
    text = value.strip()
    try:
        parts = urlsplit(text)
    except ValueError as exc:  # e.g. "Invalid IPv6 URL" for http://[::1
        raise UsageError(f"invalid Graph URL {_shown(value)}: {exc}",
                         hint="e.g. https://graph.facebook.com, or the sandbox's http://127.0.0.1:PORT") from None
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise UsageError(f"invalid Graph URL {_shown(value)}: give scheme and host only",
                         hint="e.g. https://graph.facebook.com, or the sandbox's http://127.0.0.1:PORT")
    if parts.username or parts.password:
        raise UsageError(f"invalid Graph URL {_shown(value)}: it must not contain user info",
                         hint="e.g. https://graph.facebook.com")
    if parts.path not in ("", "/"):  # fbhub adds /vNN.N/... itself; a path would be silently glued in front
        raise UsageError(f"invalid Graph URL {_shown(value)}: it has a path ({parts.path}); give scheme and host only",
                         hint="e.g. https://graph.facebook.com (fbhub adds the version and the paths itself)")
    return text.rstrip("/")


def parse_flag(value: Any) -> bool:
    """A yes/no setting: true/false, yes/no, on/off, 1/0 (YAML booleans too)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if isinstance(value, (str, int)) else None
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise UsageError(f"invalid yes/no value {_shown(value)}", hint="use true or false")


def is_loopback_host(host: str | None) -> bool:
    """``localhost`` or an address in 127.0.0.0/8 or ::1: traffic that never leaves this machine."""
    import ipaddress

    if not host:
        return False
    h = host.strip("[]").rstrip(".").lower()
    if h == "localhost" or h.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        return False


def check_plain_http(url: str, allowed: bool) -> None:
    """Refuse a plain ``http://`` Graph URL to another machine: the App Secret and every token would cross the
    network unencrypted. Loopback (the sandbox, a local tunnel) is fine; anything else needs the opt-in."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme == "http" and not allowed and not is_loopback_host(parts.hostname):
        raise UsageError(
            f"refusing the plain http Graph URL {url}: the App Secret and access tokens would travel unencrypted "
            f"to {parts.hostname}",
            hint="use https://; if the network in between is trusted (e.g. an internal proxy), opt in with "
                 "FBHUB_GRAPH_ALLOW_HTTP=true (or graph_allow_http: true in the profile)")


def parse_graph_version(value: Any) -> str:
    from fbhub.graph.versions import parse_version

    return parse_version(value)


def parse_domain_setting(value: Any) -> str:
    from fbhub.meta.domain import parse_domain

    if not isinstance(value, str):
        raise UsageError(f"invalid domain {_shown(value)}", hint="e.g. cx.example.com")
    return parse_domain(_trimmed(value, "domain")).host


def parse_pages(value: Any) -> list[dict[str, str]]:
    """Pages as ``id[:name]`` items (comma-separated in env/flags) or a YAML list of {id, name}."""
    items: list[Any]
    if isinstance(value, str):
        items = [p for p in re.split(r"\s*,\s*", value.strip()) if p]
    elif isinstance(value, list):
        items = value
    else:
        raise UsageError(f"invalid pages {_shown(value)}", hint="write pages as 111:Support,222:Sales")
    pages: list[dict[str, str]] = []
    seen: set[str] = set()
    for item in items:
        if isinstance(item, dict):
            pid, name = item.get("id"), item.get("name", "")
        elif isinstance(item, (str, int)):
            pid, _, name = str(item).partition(":")
        else:
            raise UsageError(f"invalid page entry {_shown(item)}", hint="write pages as 111:Support,222:Sales")
        pid = parse_page_id(pid.strip() if isinstance(pid, str) else pid)
        if pid in seen:
            continue
        seen.add(pid)
        pages.append({"id": pid, "name": safe_name(name or "")})
    return pages


def parse_field_list(value: Any) -> list[str]:
    from fbhub.meta.fields import parse_fields

    if not isinstance(value, (str, list)):
        raise UsageError(f"invalid field list {_shown(value)}", hint="e.g. messages,messaging_postbacks")
    return parse_fields(value)


def parse_timeout(value: Any) -> float:
    try:
        t = float(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an int too large for a float
        t = -1.0
    if not (0 < t <= 300):
        raise UsageError(f"invalid timeout {_shown(value)}", hint="give seconds between 0 and 300, e.g. 10")
    return t


def parse_retry_budget(value: Any) -> float:
    try:
        t = float(value)
    except (TypeError, ValueError, OverflowError):
        t = -1.0
    if not (0 <= t <= 600):
        raise UsageError(f"invalid retry budget {_shown(value)}", hint="give seconds between 0 and 600, e.g. 30")
    return t


# Where secrets are kept (the secret_store setting): the OS keyring when it works, else a private file.
STORE_CHOICES = ("auto", "keyring", "file")


def parse_secret_store(value: Any) -> str:
    text = value.strip().lower() if isinstance(value, str) else value
    if text not in STORE_CHOICES:
        raise UsageError(f"invalid secret store {_shown(value)}",
                         hint="choose auto (the OS keyring, or a private file when no keyring works), keyring or file")
    return str(text)


def parse_graph_transport(value: Any) -> str:
    from fbhub.graph.transport import parse_choice

    return parse_choice(value)


@dataclass(frozen=True)
class Setting:
    name: str
    help: str
    parse: Callable[[Any], Any]
    default: Any = None
    example: str = ""

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name.upper()

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


def _platform_fields() -> list[str]:
    from fbhub.meta.fields import PLATFORM_FIELDS

    return list(PLATFORM_FIELDS)


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting("domain", "The CX server's public host name", parse_domain_setting, None, "cx.example.com"),
        Setting("app_id", "The Meta app's App ID (digits)", parse_app_id, None, "1234567890123456"),
        Setting("graph_url", "Graph API base URL", parse_graph_url, DEFAULT_GRAPH_URL, DEFAULT_GRAPH_URL),
        Setting("graph_version", "Pinned Graph API version", parse_graph_version, DEFAULT_GRAPH_VERSION,
                DEFAULT_GRAPH_VERSION),
        Setting("pages", "Facebook Pages (id and name) connected to the platform", parse_pages, [],
                "111:Support,222:Sales"),
        Setting("webhook_fields", "Webhook fields to subscribe", parse_field_list, _platform_fields,
                "messages,messaging_postbacks"),
        Setting("graph_transport", "How token-bearing Graph reads travel: auto, batch, header or query",
                parse_graph_transport, "auto", "batch"),
        Setting("graph_allow_http", "Allow a plain http:// Graph URL to another machine (secrets unencrypted)",
                parse_flag, False, "true"),
        Setting("timeout", "Seconds to wait for each Graph request", parse_timeout, 10.0, "10"),
        Setting("retry_budget", "Seconds a Graph call may spend retrying transient errors", parse_retry_budget, 30.0,
                "30"),
        Setting("secret_store", "Where secrets are kept: auto (the OS keyring; a private 0600 file in the config "
                "directory when no keyring works), keyring or file", parse_secret_store, "auto", "file"),
    )
}

SECRET_FILE_KEYS = {"app_secret", "secret", "client_secret", "page_token", "page_tokens", "access_token",
                    "verify_token", "user_token", "token", "tokens"}

SOURCES = ("flag", "env", "file", "default")


def parse_profile(value: str) -> str:
    if not isinstance(value, str) or not _PROFILE_RE.match(value):
        raise UsageError(f"invalid profile name {_shown(value)}",
                         hint="use letters, digits, '-', '_' or '.', e.g. staging or production")
    return value


@dataclass
class Resolved:
    """Settings of one profile with where each value came from."""

    profile: str
    config_path: Path
    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def get(self, name: str) -> Any:
        return self.values.get(name)

    def require(self, name: str) -> Any:
        """The value, or a ConfigError telling the three ways to give it."""
        value = self.values.get(name)
        if value in (None, "", []):
            s = SETTINGS[name]
            raise ConfigError(
                f"no {name} is set for profile {self.profile!r}",
                hint=f"pass {s.flag} {s.example}, set {s.env}, or run 'fbhub config set {name} {s.example}'",
            )
        return value


def resolve_config_path(flag: str | Path | None, env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if flag:
        return Path(flag).expanduser()
    if env.get("FBHUB_CONFIG"):
        return Path(env["FBHUB_CONFIG"]).expanduser()
    from fbhub.configfile import default_config_path

    return default_config_path()


def resolve_profile(flag: str | None, env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    try:
        return parse_profile(flag or env.get("FBHUB_PROFILE") or DEFAULT_PROFILE)
    except UsageError as exc:
        origin = "--profile" if flag else "FBHUB_PROFILE"
        raise UsageError(f"{origin}: {exc.message}", hint=exc.hint) from None


def check_known_profile(cfg: Any, prof: str, *, origin: str) -> None:
    """A profile other than ``default`` that is not in the config file: exit 2 naming it and the known ones.

    Without a config file (CI with every setting in FBHUB_* variables) a profile name only keys the secrets."""
    if not cfg.path.exists():
        return
    known = sorted(cfg.data.get("profiles") or {})
    if prof == DEFAULT_PROFILE or prof in known:
        return
    import difflib

    close = difflib.get_close_matches(prof, known, n=1)
    listed = ", ".join(known) if known else "none yet"
    raise UsageError(f"{origin}: no profile {prof!r} in {cfg.path} (known profiles: {listed})",
                     hint=(f"did you mean {close[0]!r}? " if close else "") +
                     f"create it with 'fbhub --profile {prof} configure' or 'fbhub --profile {prof} config set "
                     "domain cx.example.com'")


def check_file_profile(path: Path, profile: str, data: Mapping[str, Any]) -> None:
    """Refuse secrets and unknown keys in a profile, naming file, line and the fix."""
    import difflib

    from fbhub.configfile import key_line

    for key in data:
        line = key_line(path, "profiles", profile, str(key))
        where = f"{path}:{line}" if line else str(path)
        if key in SECRET_FILE_KEYS:
            raise ConfigError(
                f"{where}: {key!r} is a secret and does not belong in the config file",
                hint="remove it from the file and store it with 'fbhub secrets set app-secret' / "
                "'fbhub secrets set page-token' (or FBHUB_APP_SECRET / FBHUB_PAGE_TOKENS in CI)",
                path=str(path), line=line)
        if key not in SETTINGS:
            close = difflib.get_close_matches(str(key), list(SETTINGS), n=1)
            raise ConfigError(
                f"{where}: unknown setting {key!r} in profile {profile!r}",
                hint=(f"did you mean {close[0]!r}? " if close else "") + "known settings: " + ", ".join(SETTINGS),
                path=str(path), line=line)


def resolve(
    flags: Mapping[str, Any] | None = None,
    *,
    profile: str | None = None,
    config_path: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    known_profile: bool | str | None = False,
) -> Resolved:
    """Resolve every setting: flag > env > config file > default.

    With ``known_profile`` a profile other than ``default`` must exist in the config file (a typo in
    ``--profile`` is an error listing the known ones, not an empty profile); commands that create profiles
    (configure, config set, secrets set) leave it off.
    """
    from fbhub.configfile import ConfigFile, key_line

    env = os.environ if env is None else env
    flags = flags or {}
    path = resolve_config_path(config_path, env)
    prof = resolve_profile(profile, env)
    cfg = ConfigFile.load(path)
    if known_profile:
        origin = known_profile if isinstance(known_profile, str) else ("--profile" if profile else "FBHUB_PROFILE")
        check_known_profile(cfg, prof, origin=origin)
    file_values = cfg.profile(prof)
    check_file_profile(path, prof, file_values)
    out = Resolved(profile=prof, config_path=path)
    for name, s in SETTINGS.items():
        if flags.get(name) not in (None, ""):
            raw, src = flags[name], "flag"
        elif env.get(s.env, "") != "":
            raw, src = env[s.env], "env"
        elif name in file_values and file_values[name] is not None:
            raw, src = file_values[name], "file"
        else:
            default = s.default() if callable(s.default) else s.default
            out.values[name], out.sources[name] = default, "default"
            continue
        try:
            out.values[name] = s.parse(raw)
        except UsageError as exc:
            origin = {"flag": f"{s.flag}", "env": f"{s.env}",
                      "file": f"{path}:{key_line(path, 'profiles', prof, name) or '?'} ({name})"}[src]
            cls = ConfigError if src == "file" else UsageError
            raise cls(f"{origin}: {exc.message}", hint=exc.hint) from None
        out.sources[name] = src
    try:
        check_plain_http(out.values["graph_url"], out.values["graph_allow_http"])
    except UsageError as exc:
        src = out.sources["graph_url"]
        origin = {"flag": "--graph-url", "env": "FBHUB_GRAPH_URL",
                  "file": f"{path}:{key_line(path, 'profiles', prof, 'graph_url') or '?'} (graph_url)"}.get(src, "")
        raise UsageError(f"{origin}: {exc.message}" if origin else exc.message, hint=exc.hint) from None
    return out


def to_file_value(name: str, value: Any) -> Any:
    """The YAML form of a parsed value."""
    if name == "webhook_fields":
        return list(value)
    return value
