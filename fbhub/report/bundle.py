"""The support bundle an operator attaches to a ticket (``doctor --bundle FILE``)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from fbhub.checks.model import CheckResult, exit_code_for
from fbhub.report.common import ReportMeta, _dumps, _redact_obj
from fbhub.report.jsondoc import to_json_doc
from fbhub.report.output import write_report

BUNDLE_FORMAT = 1

_SECRETISH = re.compile(r"(?i)secret|token|password|proof")


def _settings_table(settings: Any) -> tuple[dict[str, dict[str, Any]], str | None]:
    """Normalise a Resolved (or ``{name: {"value", "source"}}`` / ``{name: (value, source)}``)."""
    config_path = None
    if hasattr(settings, "values") and hasattr(settings, "sources") and not isinstance(settings, Mapping):
        config_path = str(getattr(settings, "config_path", "") or "") or None
        items = {k: (v, settings.sources.get(k, "")) for k, v in settings.values.items()}
    else:
        items = {}
        for k, v in dict(settings or {}).items():
            if isinstance(v, Mapping):
                items[k] = (v.get("value"), v.get("source", ""))
            elif isinstance(v, (tuple, list)) and len(v) == 2:
                items[k] = (v[0], v[1])
            else:
                items[k] = (v, "")
    table = {}
    for name, (value, source) in items.items():
        if _SECRETISH.search(str(name)):
            value = "(withheld)"  # secrets never belong in settings; never copy one into a bundle
        table[str(name)] = {"value": value, "source": source}
    return table, config_path


def build_bundle(results: Iterable[CheckResult], meta: ReportMeta, settings: Any,
                 secrets_present: Mapping[str, Any], *, exchanges: Iterable[Mapping[str, Any]] = (),
                 transport_notes: Iterable[str] = ()) -> dict[str, Any]:
    """The support bundle an operator attaches to a ticket: no secret values, only whether each is set; every
    Graph exchange of the run with secrets as placeholders (``fbhub sandbox serve --replay FILE`` answers them)."""
    import platform

    results = list(results)
    table, config_path = _settings_table(settings)
    bundle = {
        "bundle": "fbhub-support",
        "bundle_format": BUNDLE_FORMAT,
        "generated_at": meta.generated_at,
        "fbhub": {"version": meta.tool_version},
        "python": {"version": platform.python_version(), "implementation": platform.python_implementation()},
        "platform": {"system": platform.system(), "release": platform.release(), "machine": platform.machine(),
                     "platform": platform.platform(terse=True)},
        "command": meta.command,
        "profile": meta.profile,
        "graph": {"version_requested": meta.graph_version_requested,
                  "versions_served": list(meta.graph_versions_served),
                  "transport_notes": list(transport_notes)},
        "config_path": config_path,
        "settings": table,
        "secrets_present": {str(k): bool(v) for k, v in dict(secrets_present).items()},
        "env_vars_set": sorted(k for k in os.environ if k.startswith("FBHUB_")),  # names only
        "report": to_json_doc(results, meta, exit_code=exit_code_for(results, strict=meta.strict)),
        "graph_exchanges": [dict(e) for e in exchanges],
    }
    return _redact_obj(bundle)


def bundle_text(bundle: Mapping[str, Any]) -> str:
    return _dumps(bundle) + "\n"


def write_bundle(path: str | Path, results: Iterable[CheckResult], meta: ReportMeta, settings: Any,
                 secrets_present: Mapping[str, Any], *, exchanges: Iterable[Mapping[str, Any]] = (),
                 transport_notes: Iterable[str] = ()) -> dict[str, Any]:
    """Build the bundle and write it as JSON (0600; redacted as a whole once more). Returns the bundle."""
    bundle = build_bundle(results, meta, settings, secrets_present, exchanges=exchanges,
                          transport_notes=transport_notes)
    write_report(path, bundle_text(bundle), private=True)
    return bundle
