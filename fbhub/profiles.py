"""Several profiles at once (``doctor --all-profiles``, ``--profile a,b``, ``fbhub monitor``).

Each profile is checked with its own settings and secrets. Environment variables apply to every profile unless
a profile-scoped one is set: ``FBHUB_<PROFILE>_APP_SECRET`` (or ``FBHUB_<PROFILE>_APP_SECRET_FILE``) wins over
``FBHUB_APP_SECRET`` and ``FBHUB_APP_SECRET_FILE`` for that profile; ``<PROFILE>`` is the profile name in upper
case with every other character than letters and digits as ``_`` (``eu-prod`` → ``FBHUB_EU_PROD_APP_ID``).

Profiles run concurrently, within Meta's limits: profiles that share an app (same Graph URL and App ID) count
against the same app rate limit, so they run one after the other; different apps run side by side.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fbhub.errors import EXIT_FAILED, FbhubError, UsageError

ENV_PREFIX = "FBHUB_"
MAX_PARALLEL_APPS = 4
def profile_key(profile: str) -> str:
    """The profile as it appears in a scoped variable name: ``eu-prod`` → ``EU_PROD``."""
    return re.sub(r"[^A-Za-z0-9]", "_", profile).upper()


def _suffixes() -> list[str]:
    """The variable names (without ``FBHUB_``) a profile can scope: every setting and every secret."""
    from fbhub.secrets import KINDS
    from fbhub.settings import SETTINGS

    names = [s.env for s in SETTINGS.values()] + [k.env for k in KINDS.values()]
    return [n[len(ENV_PREFIX):] for n in names if n.startswith(ENV_PREFIX)]


def scoped_env(profile: str, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment as the profile sees it: each ``FBHUB_<PROFILE>_X`` (or ``…_X_FILE``) that is set replaces
    both ``FBHUB_X`` and ``FBHUB_X_FILE``; everything else is unchanged."""
    env = dict(os.environ if environ is None else environ)
    key = profile_key(profile)
    for suffix in _suffixes():
        plain, scoped = ENV_PREFIX + suffix, f"{ENV_PREFIX}{key}_{suffix}"
        forms = ((scoped, plain), (scoped + "_FILE", plain + "_FILE"))
        if not any(env.get(s) for s, _ in forms):
            continue
        env.pop(plain, None)
        env.pop(plain + "_FILE", None)
        for s, p in forms:
            if env.get(s):
                env[p] = env[s]
    return env


def has_scoped_env(profile: str, environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    prefix = f"{ENV_PREFIX}{profile_key(profile)}_"
    return any(k.startswith(prefix) and k[len(prefix):].removesuffix("_FILE") in _suffixes() and v
               for k, v in env.items())


def file_profiles(config_path: Path) -> list[str]:
    """The profiles in the config file, in file order."""
    from fbhub.configfile import ConfigFile

    return list(ConfigFile.load(config_path).data.get("profiles", {}))


def select_profiles(spec: str | None, *, all_profiles: bool, config_path: Path,
                    environ: Mapping[str, str] | None = None) -> list[str]:
    """The profiles to check: every profile of the config file, or the comma-separated ``spec``.

    A named profile must be in the config file or have profile-scoped variables; otherwise exit 2 naming it
    and the known ones."""
    from fbhub.settings import parse_profile

    known = file_profiles(config_path)
    if all_profiles:
        if spec:
            raise UsageError("--all-profiles and --profile name the profiles twice", hint="give one of them")
        if not known:
            raise UsageError(f"the config file {config_path} has no profiles",
                             hint="add profiles with 'fbhub --profile NAME config set …', or name them with "
                                  "--profile a,b")
        return known
    names: list[str] = []
    for item in (spec or "").split(","):
        item = item.strip()
        if not item:
            continue
        try:
            name = parse_profile(item)
        except UsageError as exc:
            raise UsageError(f"--profile: {exc.message}", hint=exc.hint) from None
        if name not in known and not has_scoped_env(name, environ):
            raise UsageError(f"unknown profile {name!r}",
                             hint=("known profiles: " + ", ".join(known)) if known else
                             f"the config file {config_path} has no profiles; add one or set "
                             f"FBHUB_{profile_key(name)}_* variables")
        if name not in names:
            names.append(name)
    if not names:
        raise UsageError("--profile names no profile", hint="e.g. --profile staging,production")
    return names


@dataclass
class ProfileOutcome:
    """One profile's run: its JSON report document (redacted), or why it could not be checked."""

    profile: str
    exit_code: int
    doc: dict[str, Any] | None = None
    results: list[Any] = field(default_factory=list)  # fbhub.checks.model.CheckResult
    meta: Any = None  # fbhub.report.ReportMeta
    error: str | None = None
    hint: str | None = None

    def as_doc(self) -> dict[str, Any]:
        """The JSON report, or ``{"profile", "exit_code", "error", "hint"}`` when the profile could not be
        checked."""
        if self.doc is not None:
            return self.doc
        from fbhub.redact import redact

        out: dict[str, Any] = {"profile": self.profile, "exit_code": self.exit_code, "error": redact(self.error or "")}
        if self.hint:
            out["hint"] = redact(self.hint)
        return out


CheckOne = Callable[[str], ProfileOutcome]


def _guarded(check: CheckOne, profile: str) -> ProfileOutcome:
    """A profile that cannot be checked (a missing setting, a bug) is an outcome, never the end of the others."""
    try:
        return check(profile)
    except FbhubError as exc:
        return ProfileOutcome(profile=profile, exit_code=exc.exit_code, error=exc.message, hint=exc.hint)
    except Exception as exc:  # a bug in one profile's run: the others are still reported
        return ProfileOutcome(profile=profile, exit_code=EXIT_FAILED,
                              error=f"unexpected {type(exc).__name__}: {exc}",
                              hint="this is a bug in fbhub; rerun with FBHUB_DEBUG=1 for this profile alone")


def run_profiles(profiles: Sequence[str], check: CheckOne, *, app_of: Callable[[str], Any],
                 max_parallel: int = MAX_PARALLEL_APPS) -> list[ProfileOutcome]:
    """Check every profile; profiles with the same ``app_of(profile)`` one after the other (they share Meta's
    app rate limit), different apps concurrently. Outcomes in the order of ``profiles``."""
    lanes: dict[Any, list[str]] = {}
    for p in profiles:
        try:
            lane = app_of(p)
        except Exception:  # settings that do not resolve: its own lane; check() reports why
            lane = ("unresolved", p)
        lanes.setdefault(lane, []).append(p)
    out: dict[str, ProfileOutcome] = {}

    def run_lane(names: list[str]) -> None:
        for name in names:
            out[name] = _guarded(check, name)

    if len(lanes) == 1:
        run_lane(next(iter(lanes.values())))
    else:
        with ThreadPoolExecutor(max_workers=max(1, min(max_parallel, len(lanes))),
                                thread_name_prefix="fbhub-profile") as pool:
            for f in [pool.submit(run_lane, names) for names in lanes.values()]:
                f.result()
    return [out[p] for p in profiles]
