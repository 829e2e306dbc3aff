"""Reports of several profiles in one answer (``doctor --all-profiles`` / ``--profile a,b``).

- ``text``: a summary table (one row per profile), then each profile's report as ``doctor`` prints it
- ``json``: ``{"profiles": [<doctor's JSON report, one per profile>], "summary": …, "exit_code": worst}``
- ``junit``: one ``<testsuite>`` per profile
- ``github``: each profile's annotations, titles prefixed with ``[profile]``
- ``prometheus`` / ``nagios``: ``report.prometheus`` / ``report.nagios`` (samples labelled by profile / one line)

A profile that could not be checked (a missing setting) appears with its error and exit code 2.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from fbhub import __version__
from fbhub.checks.model import worst_exit_code
from fbhub.profiles import ProfileOutcome
from fbhub.redact import redact

_EXIT_WORDS = {0: "ok", 1: "failed", 2: "not checked", 3: "could not conclude"}


def _cell(o: ProfileOutcome, key: str) -> str:
    if o.doc is None:
        return "–"
    return str((o.doc.get("summary") or {}).get(key, 0))


def summary_table(outcomes: Sequence[ProfileOutcome]) -> str:
    head = ("profile", "result", "failed", "warnings", "could not check", "passed", "time", "requests")
    rows = [head]
    for o in outcomes:
        d = o.doc or {}
        rows.append((o.profile, f"{_EXIT_WORDS.get(o.exit_code, '?')} (exit {o.exit_code})", _cell(o, "fail"),
                     _cell(o, "warn"), _cell(o, "error"), _cell(o, "pass"),
                     f"{float(d.get('duration_s') or 0):.1f} s" if o.doc else "–",
                     str(d.get("requests", "–")) if o.doc else "–"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def to_text(outcomes: Sequence[ProfileOutcome]) -> str:
    from fbhub.report.text import to_plain

    code = worst_exit_code([o.exit_code for o in outcomes])
    parts = [f"fbhub doctor · {len(outcomes)} profiles · exit {code}", "", summary_table(outcomes), ""]
    for o in outcomes:
        parts.append(f"=== profile {o.profile} ===")
        if o.doc is None:
            parts.append(f"error: {o.error}")
            if o.hint:
                parts.append(f"hint: {o.hint}")
            parts.append("")
        else:
            parts.append(to_plain(o.results, o.meta))
    return redact("\n".join(parts).rstrip("\n") + "\n")


def to_json_doc(outcomes: Sequence[ProfileOutcome]) -> dict[str, Any]:
    from fbhub.report.common import utc_now_iso

    code = worst_exit_code([o.exit_code for o in outcomes])
    return {
        "tool": "fbhub",
        "version": __version__,
        "command": "doctor",
        "generated_at": utc_now_iso(),
        "profiles": [o.as_doc() for o in outcomes],
        "summary": {"profiles": len(outcomes), "exit_codes": {o.profile: o.exit_code for o in outcomes}},
        "exit_code": code,
    }


def to_json(outcomes: Sequence[ProfileOutcome]) -> str:
    return redact(json.dumps(to_json_doc(outcomes), indent=2, ensure_ascii=False, default=str)) + "\n"


def to_junit(outcomes: Sequence[ProfileOutcome]) -> str:
    """One ``<testsuite name="fbhub doctor [profile]">`` per profile; a profile that could not be checked is a
    suite with one ``<error>`` testcase."""
    import xml.etree.ElementTree as ET

    from fbhub.report.junit import to_junit as junit_one

    root = ET.Element("testsuites", {"name": "fbhub"})
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for o in outcomes:
        if o.doc is not None:
            suite = ET.fromstring(junit_one(o.results, o.meta).split("\n", 1)[1]).find("testsuite")
            assert suite is not None
        else:
            suite = ET.Element("testsuite", {"tests": "1", "failures": "0", "errors": "1", "skipped": "0",
                                             "time": "0"})
            case = ET.SubElement(suite, "testcase", {"classname": "fbhub.profile", "name": "profile can be checked",
                                                     "time": "0"})
            err = ET.SubElement(case, "error", {"message": redact(o.error or ""), "type": "error"})
            err.text = redact(o.hint or "")
        suite.set("name", f"fbhub doctor [{o.profile}]")
        for k in totals:
            totals[k] += int(suite.get(k, "0"))
        root.append(suite)
    for k, v in totals.items():
        root.set(k, str(v))
    ET.indent(root)
    return redact('<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n")


def to_github(outcomes: Sequence[ProfileOutcome]) -> str:
    from fbhub.report.github import gh_escape_data, gh_escape_property
    from fbhub.report.github import to_github as github_one

    lines: list[str] = []
    for o in outcomes:
        prefix = gh_escape_property(f"[{o.profile}] ")
        if o.doc is None:
            lines.append(f"::error title={prefix}profile not checked::{gh_escape_data(o.error or '')}")
            continue
        for line in github_one(o.results, o.meta).splitlines():
            if line.startswith("::") and " title=" in line:
                line = line.replace(" title=", f" title={prefix}", 1)
            elif not line.startswith("::"):
                line = f"[{o.profile}] {line}"
            lines.append(line)
    return redact("\n".join(lines) + "\n")


def render(outcomes: Sequence[ProfileOutcome], fmt: str) -> tuple[str, int]:
    """(text, exit code) of several profiles' reports in ``fmt``; the exit code is the worst profile's (with
    ``nagios``, the plugin state)."""
    code = worst_exit_code([o.exit_code for o in outcomes])
    if fmt == "json":
        return to_json(outcomes), code
    if fmt == "junit":
        return to_junit(outcomes), code
    if fmt == "github":
        return to_github(outcomes), code
    if fmt == "prometheus":
        from fbhub.report.prometheus import to_prometheus

        return to_prometheus([o.as_doc() for o in outcomes]), code
    if fmt == "nagios":
        from fbhub.report.nagios import to_nagios

        return to_nagios([o.as_doc() for o in outcomes])
    return to_text(outcomes), code
