"""How check results are reported: terminal, plain text, JSON, JUnit XML, GitHub annotations, Prometheus,
Nagios, support bundle — renderers of a checks ``Report``.

verify-app, doctor and probe-webhook all produce a list of ``fbhub.checks.model.CheckResult`` and hand it here
with a ``ReportMeta``. Every text that leaves this package passes through ``fbhub.redact.redact``; the fields
of each result are redacted *before* any escaping (XML, GitHub, JSON) so that escaping cannot hide a secret
from the redactor, and the finished text is redacted once more.

Formats (``--format``), one module each:

- ``text``    ``text``: one layout, coloured on a terminal, plain when piped or ``NO_COLOR``
- ``json``    ``jsondoc``: one document, described by ``fbhub/schemas/doctor-report.schema.json``
- ``junit``   ``junit``: JUnit XML, one ``<testcase>`` per result (CI test reporters)
- ``github``  ``github``: GitHub Actions workflow commands (``::error``/``::warning``/``::notice``)
- ``prometheus`` ``prometheus``: the Prometheus text exposition format (from the JSON documents)
- ``nagios``  ``nagios``: a Nagios/Icinga plugin's status line with performance data (from the JSON documents)

``output`` picks the format and writes the result (console, stdout, ``--output FILE``); ``bundle`` builds
the support bundle; ``common`` holds the header, badges and summary line they share. Kept light: rich,
prometheus_client and xml are imported only inside the functions that use them.
"""

from __future__ import annotations

from fbhub.report.bundle import BUNDLE_FORMAT, build_bundle, bundle_text, write_bundle
from fbhub.report.common import (
    BADGES,
    COMMANDS,
    FORMATS,
    STYLES,
    ReportMeta,
    meta_for_run,
    summary_line,
    utc_now_iso,
)
from fbhub.report.github import gh_escape_data, gh_escape_property, to_github
from fbhub.report.jsondoc import SCHEMA_PATH, load_schema, to_json, to_json_doc
from fbhub.report.junit import to_junit
from fbhub.report.output import emit, render, write_report
from fbhub.report.text import render_terminal, to_plain

__all__ = [
    "BADGES", "BUNDLE_FORMAT", "COMMANDS", "FORMATS", "SCHEMA_PATH", "STYLES", "ReportMeta", "build_bundle",
    "bundle_text", "emit", "gh_escape_data", "gh_escape_property", "load_schema", "meta_for_run", "render",
    "render_terminal", "summary_line", "to_github", "to_json", "to_json_doc", "to_junit", "to_plain",
    "utc_now_iso", "write_bundle", "write_report",
]
