"""Progress of ``fbhub configure`` per profile, in ``state.yaml`` next to the config file.

Format (no secrets in it, ever)::

    version: 1
    profiles:
      default:
        current: messenger            # the stage that was running when configure stopped (or null)
        updated: '2026-01-31T10:02:03Z'
        stages:
          prerequisites: {status: done, at: '2026-01-31T09:58:10Z', note: confirmed by the operator}
          create-app: {status: verified, at: '…', note: App ID 1234567890123456 ("CloudCX Messenger")}

Statuses: ``pending`` (not done yet), ``done`` (confirmed by the operator, or a value checked only
locally), ``verified`` (checked against the Graph API), ``skipped`` (an optional stage left out).
Written atomically (``configfile.atomic_write``); a file that cannot be parsed is never overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal, get_args

from fbhub.errors import ConfigError

FORMAT_VERSION = 1
# The one vocabulary of a stage's progress (what a stage returns, what state.yaml holds, what --status shows).
# Not the checks' PASS/WARN/FAIL: a stage records how far the operator got, not what a check found.
StageStatus = Literal["pending", "done", "verified", "skipped"]
STATUSES: tuple[str, ...] = get_args(StageStatus)
COMPLETE = frozenset({"done", "verified", "skipped"})
STATE_FILE_NAME = "state.yaml"


def state_path(config_path: Path | str) -> Path:
    """The state file sits next to the config file: ``state.yaml`` for ``config.yaml``, ``<stem>.state.yaml``
    for any other name, so two config files in one folder keep their progress apart."""
    path = Path(config_path)
    name = STATE_FILE_NAME if path.name == "config.yaml" else f"{path.stem}.{STATE_FILE_NAME}"
    return path.parent / name


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class StageRecord:
    status: str = "pending"
    at: str | None = None
    note: str = ""

    @property
    def complete(self) -> bool:
        return self.status in COMPLETE

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "at": self.at, "note": self.note}


class WizardState:
    """The progress of one profile; the rest of the file (other profiles) is kept as it was."""

    def __init__(self, path: Path, profile: str, doc: dict[str, Any] | None = None) -> None:
        self.path = Path(path)
        self.profile = profile
        self.doc: dict[str, Any] = doc if doc is not None else {"version": FORMAT_VERSION, "profiles": {}}
        prof = self.doc["profiles"].setdefault(profile, {})
        self._prof: dict[str, Any] = prof
        self.stages: dict[str, StageRecord] = {}
        for sid, rec in (prof.get("stages") or {}).items():
            self.stages[str(sid)] = StageRecord(status=rec.get("status", "pending"), at=rec.get("at"),
                                                note=str(rec.get("note") or ""))

    @classmethod
    def load(cls, path: Path | str, profile: str) -> WizardState:
        from fbhub.configfile import load_yaml_file

        path = Path(path)
        raw = load_yaml_file(path, what="configure state file")
        if raw is None:
            return cls(path, profile)
        fix = f"fix or delete {path} (it only records configure's progress; 'fbhub configure --restart' starts over)"
        if not isinstance(raw, dict) or not isinstance(raw.get("profiles", {}) or {}, dict):
            raise ConfigError(f"configure state file {path} is not a mapping with 'profiles:'", hint=fix,
                              path=str(path))
        version = raw.get("version", FORMAT_VERSION)
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise ConfigError(f"configure state file {path} has format {version!r}; this fbhub reads "
                              f"format {FORMAT_VERSION}", hint="upgrade fbhub, or " + fix, path=str(path))
        raw["profiles"] = {str(k): (v or {}) for k, v in (raw.get("profiles") or {}).items()}
        prof = raw["profiles"].get(profile) or {}
        stages = prof.get("stages") or {}
        if not isinstance(prof, dict) or not isinstance(stages, dict):
            raise ConfigError(f"configure state file {path}: profile {profile!r} is not a mapping", hint=fix,
                              path=str(path))
        for sid, rec in stages.items():
            if not isinstance(rec, dict) or rec.get("status", "pending") not in STATUSES:
                raise ConfigError(f"configure state file {path}: stage {sid!r} of profile {profile!r} has no "
                                  f"valid status (one of {', '.join(STATUSES)})", hint=fix, path=str(path))
        prof["stages"] = stages
        raw["profiles"][profile] = prof
        raw["version"] = version
        return cls(path, profile, raw)

    # -- reading -----------------------------------------------------------------------------------
    def record(self, stage_id: str) -> StageRecord:
        return self.stages.get(stage_id, StageRecord())

    def status(self, stage_id: str) -> str:
        return self.record(stage_id).status

    @property
    def current(self) -> str | None:
        cur = self._prof.get("current")
        return str(cur) if cur else None

    def next_stage(self, order: list[str]) -> str | None:
        """The first stage, in order, that is not complete."""
        return next((s for s in order if not self.record(s).complete), None)

    # -- writing -----------------------------------------------------------------------------------
    def mark(self, stage_id: str, status: str, note: str = "") -> None:
        if status not in STATUSES:
            raise ValueError(f"unknown stage status {status!r}")
        self.stages[stage_id] = StageRecord(status=status, at=_now(), note=note)

    def set_current(self, stage_id: str | None) -> None:
        self._prof["current"] = stage_id

    def reset(self) -> None:
        self.stages.clear()
        self._prof["current"] = None

    def save(self) -> None:
        import yaml

        from fbhub.configfile import write_or_explain

        self._prof["stages"] = {k: v.to_dict() for k, v in self.stages.items()}
        self._prof["updated"] = _now()
        self.doc["version"] = FORMAT_VERSION
        text = yaml.safe_dump(self.doc, sort_keys=False, allow_unicode=True, default_flow_style=False)
        write_or_explain(self.path, text, what="configure progress file", again="run 'fbhub configure' again")
