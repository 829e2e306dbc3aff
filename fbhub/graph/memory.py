"""The transport form that worked, remembered per profile in ``transport.yaml`` next to the config file.

Format (no secrets in it)::

    version: 1
    profiles:
      default: {app: batch, token: header, updated: '2026-11-30T06:00:00Z'}

``app`` / ``token``: the form that last worked for app-token / user-or-Page-token calls; ``batch: refused`` when
Meta refused a batch request. Written only after a run that fell back (or changed what was remembered);
best effort: a file that cannot be read or written is ignored (the next run just starts from the default
order again) and never overwritten when unparseable.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

FILE_NAME = "transport.yaml"
KEYS = ("app", "token", "batch")


def memory_path(config_path: Path | str) -> Path:
    """``transport.yaml`` beside ``config.yaml``; ``<stem>.transport.yaml`` beside any other config file."""
    path = Path(config_path)
    name = FILE_NAME if path.name == "config.yaml" else f"{path.stem}.{FILE_NAME}"
    return path.parent / name


def _read(path: Path) -> dict[str, Any] | None:
    from fbhub.configfile import load_yaml_file
    from fbhub.errors import FbhubError

    try:
        raw = load_yaml_file(path, what="transport memory file")
    except (FbhubError, OSError):
        return None
    if raw is None:
        return {"version": 1, "profiles": {}}
    if not isinstance(raw, dict) or not isinstance(raw.get("profiles", {}), dict):
        return None
    return raw


def load(config_path: Path | str, profile: str) -> dict[str, str]:
    """What worked last time for this profile (empty when nothing is remembered or the file is unreadable)."""
    doc = _read(memory_path(config_path))
    prof = (doc or {}).get("profiles", {}).get(profile)
    if not isinstance(prof, dict):
        return {}
    return {k: str(v) for k, v in prof.items() if k in KEYS and isinstance(v, str)}


def save(config_path: Path | str, profile: str, memory: Mapping[str, str]) -> bool:
    """Remember ``memory`` for ``profile``, keeping other profiles; False when the file could not be written."""
    import yaml

    from fbhub.configfile import atomic_write

    path = memory_path(config_path)
    doc = _read(path)
    if doc is None:
        return False  # unparseable: never overwritten
    doc.setdefault("version", 1)
    profiles = doc.setdefault("profiles", {})
    entry: dict[str, Any] = {k: memory[k] for k in KEYS if k in memory}
    entry["updated"] = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    profiles[profile] = entry
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, yaml.safe_dump(doc, sort_keys=False))
    except OSError:
        return False
    return True
