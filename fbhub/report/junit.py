"""JUnit XML: one ``<testcase>`` per result (CI test reporters)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from fbhub.checks.model import CheckResult, Status
from fbhub.redact import redact
from fbhub.report.common import ReportMeta, _clean, _label

_XML_BAD_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _x(text: Any) -> str:
    """Redacted and safe for XML 1.0 (characters XML cannot carry are dropped)."""
    return _XML_BAD_RE.sub("", _clean(text))


def to_junit(results: Iterable[CheckResult], meta: ReportMeta) -> str:
    """JUnit XML: one ``<testcase>`` per result; fail → failure, error → error, skip/confirm → skipped.

    A warning passes (found and fix go to ``<system-out>``) unless ``meta.strict``, where it is a failure.
    """
    import xml.etree.ElementTree as ET

    results = list(results)
    failures = errors = skipped = 0
    suite_name = f"fbhub {meta.command}"
    time_s = f"{float(meta.duration_s):.3f}"
    root = ET.Element("testsuites", {"name": "fbhub"})
    suite = ET.SubElement(root, "testsuite", {"name": suite_name})
    props = ET.SubElement(suite, "properties")
    for name, value in (("fbhub.version", meta.tool_version), ("profile", meta.profile),
                        ("graph.version_requested", meta.graph_version_requested),
                        ("graph.versions_served", ",".join(meta.graph_versions_served)),
                        ("strict", str(bool(meta.strict)).lower()),
                        ("requests", "" if meta.requests is None else str(meta.requests))):
        ET.SubElement(props, "property", {"name": name, "value": _x(value)})
    for r in results:
        case = ET.SubElement(suite, "testcase", {"classname": _x(f"fbhub.{r.group or 'general'}"),
                                                 "name": _x(_label(r)), "time": "0"})
        body = _x(r.fix)
        if r.topic and r.status is not Status.PASS:
            body = (body + "\n" if body else "") + f"explain: fbhub explain {_x(r.topic)}"
        if r.status is Status.FAIL or (r.status is Status.WARN and meta.strict):
            failures += 1
            el = ET.SubElement(case, "failure", {"message": _x(r.found) or _x(r.title), "type": r.status.value})
            el.text = body
        elif r.status is Status.ERROR:
            errors += 1
            el = ET.SubElement(case, "error", {"message": _x(r.found) or _x(r.title), "type": "error"})
            el.text = body
        elif r.status in (Status.SKIP, Status.MANUAL):
            skipped += 1
            prefix = "confirm in the dashboard: " if r.status is Status.MANUAL else "skipped: "
            el = ET.SubElement(case, "skipped", {"message": prefix + (_x(r.found) or _x(r.title))})
            if body:
                el.text = body
        elif r.status is Status.WARN:
            out = ET.SubElement(case, "system-out")
            out.text = "\n".join(x for x in (f"warning: {_x(r.found)}" if r.found else "warning",
                                             f"fix: {body}" if body else "") if x)
    for el in (root, suite):
        el.set("tests", str(len(results)))
        el.set("failures", str(failures))
        el.set("errors", str(errors))
        el.set("skipped", str(skipped))
        el.set("time", time_s)
    suite.set("timestamp", _x(meta.generated_at))
    ET.indent(root)
    xml = ET.tostring(root, encoding="unicode")
    return redact('<?xml version="1.0" encoding="UTF-8"?>\n' + xml + "\n")
