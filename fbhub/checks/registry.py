"""The groups of checks, in report order: each lives in its own module (its specs and its evaluator), so a new
check is one file's change. ``fbhub doctor --list``, ``--only``/``--ignore``, the reports and ``explain FB…``
all read the catalogue from here. Ids never change meaning once released; new checks get new ids.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterable

from fbhub.checks.model import CheckSpec, Group
from fbhub.errors import UsageError

# One module per group, in the order reports show them. A module defines ``GROUP``.
BUILTIN: tuple[str, ...] = (
    "fbhub.checks.local",
    "fbhub.checks.credentials",
    "fbhub.checks.app_settings",
    "fbhub.checks.app_webhook",
    "fbhub.checks.page_tokens",
    "fbhub.checks.page_subscriptions",
    "fbhub.checks.graph_version",
    "fbhub.checks.probe",
    "fbhub.checks.dashboard",
)

# What verify-app runs (doctor runs every group that is not opt-in).
VERIFY_APP_GROUPS: tuple[str, ...] = ("credentials", "app-settings", "app-webhook", "page-token", "dashboard")

_registered: list[Group] = []


@functools.cache
def _builtin() -> tuple[Group, ...]:
    out = []
    for name in BUILTIN:
        group = getattr(importlib.import_module(name), "GROUP", None)
        if not isinstance(group, Group):
            raise TypeError(f"{name} defines no GROUP")
        out.append(group)
    return tuple(out)


def groups() -> list[Group]:
    """Every group, in report order."""
    return [*_builtin(), *_registered]


def register(group: Group) -> None:
    """Add a group (after the built-in ones). Its name and check ids must be new."""
    if group.evaluate is None:
        raise ValueError(f"group {group.name} has no evaluator")
    if group.name in by_name() or any(c.id in by_id() for c in group.checks):
        raise ValueError(f"group {group.name} or one of its check ids is taken already")
    _registered.append(group)


def unregister(name: str) -> None:
    _registered[:] = [g for g in _registered if g.name != name]


def by_name() -> dict[str, Group]:
    return {g.name: g for g in groups()}


def specs() -> list[CheckSpec]:
    """Every check, in report order."""
    return [c for g in groups() for c in g.checks]


def by_id() -> dict[str, CheckSpec]:
    return {c.id: c for c in specs()}


def doctor_groups() -> list[str]:
    """What doctor runs: every group that is not opt-in."""
    return [g.name for g in groups() if not g.opt_in]


def parse_ids(values: Iterable[str] | None) -> set[str]:
    """--only / --ignore values: ids (FB501), id prefixes (FB5) or group names, comma-separated or repeated."""
    ids = by_id()
    names = by_name()
    out: set[str] = set()
    for v in values or []:
        for item in str(v).replace(" ", ",").split(","):
            item = item.strip()
            if not item:
                continue
            up = item.upper()
            if up in ids:
                out.add(up)
            elif item in names:
                out |= {c.id for c in names[item].checks}
            elif up.startswith("FB") and any(i.startswith(up) for i in ids):
                out |= {i for i in ids if i.startswith(up)}
            else:
                raise UsageError(f"unknown check {item!r}",
                                 hint="use an id like FB501, a prefix like FB5, or a group; see 'fbhub doctor --list'")
    return out


def select_groups(wanted: Iterable[str], *, only: set[str] | None = None,
                  ignore: set[str] | None = None) -> list[str]:
    """The groups worth running for --only / --ignore (so no Graph call is made for checks left out).

    ``--only`` of an opt-in group's check (FB8xx) brings that group in even without ``--probe``.
    """
    ids = by_id()
    chosen = set(wanted)
    if only:
        chosen = {ids[i].group for i in only}
    if ignore:
        chosen = {g.name for g in groups() if g.name in chosen and not all(c.id in ignore for c in g.checks)}
    return [g.name for g in groups() if g.name in chosen]
