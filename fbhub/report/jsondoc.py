"""The JSON report: one document, described by ``fbhub/schemas/doctor-report.schema.json``."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fbhub.checks.model import CheckResult, exit_code_for
from fbhub.redact import redact
from fbhub.report.common import ReportMeta, _counts, _redact_obj

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "doctor-report.schema.json"


def to_json_doc(results: Iterable[CheckResult], meta: ReportMeta, *, exit_code: int) -> dict[str, Any]:
    """The JSON report document (see ``fbhub/schemas/doctor-report.schema.json``), strings redacted."""
    return _redact_obj(_json_doc(results, meta, exit_code=exit_code))


def _json_doc(results: Iterable[CheckResult], meta: ReportMeta, *, exit_code: int) -> dict[str, Any]:
    results = list(results)
    doc = {
        "tool": "fbhub",
        "version": meta.tool_version,
        "command": meta.command,
        "profile": meta.profile,
        "generated_at": meta.generated_at,
        "duration_s": round(float(meta.duration_s), 3),
        "requests": meta.requests,
        "strict": bool(meta.strict),
        "graph": {
            "version_requested": meta.graph_version_requested,
            "versions_served": list(meta.graph_versions_served),
        },
        "summary": _counts(results),
        "exit_code": exit_code,
        "results": [r.to_dict() for r in results],
        "extra": dict(meta.extra),
    }
    return doc


def to_json(results: Iterable[CheckResult], meta: ReportMeta, *, exit_code: int | None = None) -> str:
    results = list(results)
    code = exit_code_for(results, strict=meta.strict) if exit_code is None else exit_code
    doc = _json_doc(results, meta, exit_code=code)
    rows = doc.pop("results")
    extra = doc.pop("extra")
    # Pretty header, then one result per line: readable, grep-friendly, and encoded by json's C encoder
    # (indent= falls back to the slow pure-Python encoder, which dominates with thousands of results).
    head = json.dumps(doc, indent=2, ensure_ascii=False, default=str)[:-2]
    encode = json.JSONEncoder(ensure_ascii=False, default=str).encode  # one encoder for thousands of rows
    body = ",\n".join(["    " + encode(r) for r in rows])
    text = (f'{head},\n  "results": [\n{body}\n  ],\n  "extra": '
            f"{json.dumps(extra, ensure_ascii=False, default=str)}\n}}")
    return redact(text)  # one pass over the whole text: JSON escaping leaves token characters alone


def load_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
