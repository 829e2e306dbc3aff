"""How check results are reported: terminal, plain text, JSON, JUnit XML, GitHub annotations, support bundle.

verify-app, doctor and probe-webhook all produce a list of ``fbhub.checks.model.CheckResult`` and hand it here
with a ``ReportMeta``. Every text that leaves this module passes through ``fbhub.redact.redact``; the
fields of each result are redacted *before* any escaping (XML, GitHub, JSON) so that escaping cannot hide
a secret from the redactor, and the finished text is redacted once more.

Formats (``--format``):

- ``text``    a report grouped by check group, coloured on a terminal, plain when piped or ``NO_COLOR``
- ``json``    one document, described by ``fbhub/schemas/doctor-report.schema.json``
- ``junit``   JUnit XML, one ``<testcase>`` per result (CI test reporters)
- ``github``  GitHub Actions workflow commands (``::error``/``::warning``/``::notice`` annotations)
- ``prometheus`` the Prometheus text exposition format (``fbhub.monitoring.prometheus``)
- ``nagios``  a Nagios/Icinga plugin's status line with performance data (``fbhub.monitoring.nagios``)

Kept light: rich is imported only inside the functions that draw with it.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fbhub import __version__
from fbhub.checks.model import CheckResult, Status, exit_code_for, summarize
from fbhub.errors import UsageError
from fbhub.redact import redact

if TYPE_CHECKING:
    from fbhub.checks.model import Report
    from fbhub.settings import Resolved

FORMATS: tuple[str, ...] = ("text", "json", "junit", "github", "prometheus", "nagios")
COMMANDS: tuple[str, ...] = ("doctor", "verify-app", "probe-webhook")
SCHEMA_PATH = Path(__file__).parent / "schemas" / "doctor-report.schema.json"
BUNDLE_FORMAT = 1

BADGES: dict[Status, str] = {
    Status.PASS: "PASS",
    Status.WARN: "WARN",
    Status.FAIL: "FAIL",
    Status.ERROR: "ERROR",
    Status.SKIP: "SKIP",
    Status.MANUAL: "CONFIRM",
}
STYLES: dict[Status, str] = {
    Status.PASS: "bold green",
    Status.WARN: "bold yellow",
    Status.FAIL: "bold red",
    Status.ERROR: "bold magenta",
    Status.SKIP: "dim",
    Status.MANUAL: "bold cyan",
}
_BADGE_W = max(len(b) for b in BADGES.values())
# Rows under which the fix (and the explain topic) is shown.
_NEEDS_ATTENTION = (Status.FAIL, Status.ERROR, Status.WARN, Status.MANUAL)

_XML_BAD_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def utc_now_iso() -> str:
    """Now, as ISO 8601 UTC with a ``Z`` (``2025-01-31T12:00:00Z``)."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class ReportMeta:
    """What a report says about the run besides the results."""

    command: str  # "doctor" | "verify-app" | "probe-webhook"
    profile: str = "default"
    graph_version_requested: str = ""
    graph_versions_served: list[str] = field(default_factory=list)
    tool_version: str = __version__
    generated_at: str = field(default_factory=utc_now_iso)
    duration_s: float = 0.0
    requests: int | None = None
    strict: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def meta_for_run(command: str, settings: Resolved, run: Report, *, strict: bool = False) -> ReportMeta:
    """The report header of a checks run under resolved settings."""
    return ReportMeta(command=command, profile=settings.profile, graph_version_requested=settings["graph_version"],
                      graph_versions_served=sorted(run.facts.versions_served), duration_s=run.duration_s,
                      requests=run.facts.requests, strict=strict,
                      extra={"graph_usage": {k: dict(v) for k, v in run.facts.usage.items()}})


# -- helpers ---------------------------------------------------------------------------------------


def _clean(text: Any) -> str:
    """Redacted, without terminal escape sequences, control or bidi characters (text from a server included)."""
    from fbhub.safetext import clean

    return clean(redact("" if text is None else str(text)), lines=True)


def _redact_obj(obj: Any) -> Any:
    """Redact every string (keys too) in a JSON-like structure."""
    if isinstance(obj, str):
        return redact(obj)
    if isinstance(obj, Mapping):
        return {(redact(k) if isinstance(k, str) else k): _redact_obj(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [_redact_obj(v) for v in obj]
    if obj is None or isinstance(obj, (bool, int, float)):
        return obj
    return redact(str(obj))


def _dumps(doc: Any) -> str:
    # JSON escaping leaves token characters alone, so one pass over the whole text finds every secret.
    return redact(json.dumps(doc, indent=2, ensure_ascii=False, default=str))


def _label(r: CheckResult) -> str:
    """``FB501 Title [target]``: how one result is named in JUnit and annotations."""
    name = f"{r.id} {r.title}".strip()
    return f"{name} [{r.target}]" if r.target else name


def _counts(results: Sequence[CheckResult]) -> dict[str, int]:
    counts = summarize(results)
    counts["total"] = len(results)
    return counts


def _fmt_duration(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 100 else f"{seconds:.0f} s"


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def summary_line(results: Sequence[CheckResult], meta: ReportMeta) -> str:
    """``3 failed, 1 warning, 12 passed, 2 to confirm in the dashboard · 1.2 s · 14 requests``."""
    c = summarize(results)
    parts = []
    if c["fail"]:
        parts.append(f"{c['fail']} failed")
    if c["error"]:
        parts.append(f"{c['error']} could not be checked")
    if c["warn"]:
        warn = _plural(c["warn"], "warning", "warnings")
        parts.append(warn + (" (failing: --strict)" if meta.strict else ""))
    if c["pass"]:
        parts.append(f"{c['pass']} passed")
    if c["skip"]:
        parts.append(f"{c['skip']} skipped")
    if c["confirm"]:
        parts.append(f"{c['confirm']} to confirm in the dashboard")
    tail = [", ".join(parts) if parts else "no checks ran", _fmt_duration(meta.duration_s)]
    if meta.requests is not None:
        tail.append(_plural(meta.requests, "request", "requests"))
    return " · ".join(tail)


def _header(meta: ReportMeta) -> str:
    bits = [f"fbhub {meta.command}", f"profile {meta.profile}"]
    if meta.graph_version_requested:
        graph = f"Graph API {meta.graph_version_requested}"
        served = [v for v in meta.graph_versions_served if v != meta.graph_version_requested]
        if served:
            graph += f" (served {', '.join(meta.graph_versions_served)})"
        bits.append(graph)
    return _clean(" · ".join(bits))


def _groups(results: Sequence[CheckResult]) -> list[tuple[str, list[CheckResult]]]:
    """Results by group, groups in the order they first appear."""
    from fbhub.checks.registry import by_name

    titles = {name: g.title for name, g in by_name().items()}
    out: dict[str, list[CheckResult]] = {}
    for r in results:
        out.setdefault(titles.get(r.group, r.group or "general"), []).append(r)
    return list(out.items())


# -- JSON ------------------------------------------------------------------------------------------


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


# -- JUnit -----------------------------------------------------------------------------------------


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


# -- GitHub annotations ----------------------------------------------------------------------------


def gh_escape_data(text: str) -> str:
    """Escape a workflow command's message (GitHub's rules: %, CR, LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def gh_escape_property(text: str) -> str:
    """Escape a workflow command property value (also ``:`` and ``,``)."""
    return gh_escape_data(text).replace(":", "%3A").replace(",", "%2C")


def to_github(results: Iterable[CheckResult], meta: ReportMeta) -> str:
    """GitHub Actions annotations: fail/error → ``::error``, warn → ``::warning`` (``::error`` with strict),
    confirm → ``::notice``; passes and skips are only counted in the summary line."""
    results = list(results)
    lines = []
    for r in results:
        if r.status in (Status.FAIL, Status.ERROR) or (r.status is Status.WARN and meta.strict):
            level = "error"
        elif r.status is Status.WARN:
            level = "warning"
        elif r.status is Status.MANUAL:
            level = "notice"
        else:
            continue
        title = _clean(_label(r)) + (" (could not check)" if r.status is Status.ERROR else "")
        found = _clean(r.found) or _clean(r.title)
        msg = found + (f" — {_clean(r.fix)}" if r.fix else "")
        if r.topic:
            msg += f" (explain: fbhub explain {_clean(r.topic)})"
        lines.append(f"::{level} title={gh_escape_property(title)}::{gh_escape_data(msg)}")
    lines.append(f"fbhub {meta.command}: {summary_line(results, meta)}")
    return redact("\n".join(lines) + "\n")


# -- text ------------------------------------------------------------------------------------------


def _indent_more(text: str, pad: str) -> str:
    return text.replace("\n", "\n" + pad)


# Per-Page / per-token groups, which grow with the number of Pages: all-pass targets fold into one line.
_COMPACT_GROUPS = {"page-token", "page-subscription"}


def _rows_with_targets(rows: Sequence[CheckResult]) -> list[tuple[CheckResult | None, str | None, str]]:
    """(result or None, sub-heading or None, indent). Results about one token or Page sit under a line naming
    it; when every check of such a target passed, that line says so and stands for them (with hundreds of
    Pages the report stays about the problems)."""
    out: list[tuple[CheckResult | None, str | None, str]] = []
    i = 0
    while i < len(rows):
        r = rows[i]
        if not r.target or r.target == "app":
            out.append((r, None, "  "))
            i += 1
            continue
        j = i
        while j < len(rows) and rows[j].target == r.target:
            j += 1
        block = rows[i:j]
        if len(block) > 1 and r.group in _COMPACT_GROUPS and all(b.status is Status.PASS for b in block):
            out.append((None, f"{r.target}: all {len(block)} checks passed ({block[0].id}–{block[-1].id})", ""))
        else:
            out.append((None, r.target, ""))
            out += [(b, None, "    ") for b in block]
        i = j
    return out


def to_plain(results: Iterable[CheckResult], meta: ReportMeta) -> str:
    """The text report without colour, escape sequences or box drawing (for pipes, files, NO_COLOR)."""
    results = list(results)
    id_w = max([len(r.id) for r in results] + [5])
    lines = [_header(meta), ""]
    for group, rows in _groups(results):
        lines.append(_clean(group))
        for r, heading, indent in _rows_with_targets(rows):
            if r is None:
                lines.append(f"  {_clean(heading)}")
                continue
            pad = " " * (len(indent) + id_w + 2 + _BADGE_W + 2)
            head = f"{indent}{_clean(r.id):<{id_w}}  {BADGES[r.status]:<{_BADGE_W}}  {_clean(r.title)}"
            if r.found:
                head += f" — {_clean(r.found)}"
            lines.append(_indent_more(head, pad))
            if r.status in _NEEDS_ATTENTION:
                if r.fix:
                    lines.append(_indent_more(f"{pad}fix: {_clean(r.fix)}", pad + "     "))
                if r.topic:
                    lines.append(f"{pad}explain: fbhub explain {_clean(r.topic)}")
        lines.append("")
    lines.append(summary_line(results, meta))
    return redact("\n".join(lines) + "\n")


def _wants_plain(console: Any) -> bool:
    return (not console.is_terminal or bool(getattr(console, "no_color", False))
            or console.color_system is None or os.environ.get("NO_COLOR", "") != "")


def render_terminal(results: Iterable[CheckResult], meta: ReportMeta, console: Any) -> None:
    """Print the report on a rich Console: coloured badges on a terminal, the plain text otherwise."""
    results = list(results)
    from fbhub.wrap import say, wrap_text

    if _wants_plain(console):
        text = to_plain(results, meta)
        if console.is_terminal:  # wrapped with a hanging indent; piped output is not wrapped
            text = wrap_text(text, console.width)
        console.print(text, end="", markup=False, highlight=False, emoji=False, soft_wrap=True)
        return
    from rich.text import Text

    id_w = max([len(r.id) for r in results] + [5])

    def out(text: Text) -> None:
        say(console, text)

    out(Text(_header(meta), style="bold"))
    out(Text(""))
    for group, rows in _groups(results):
        out(Text(_clean(group), style="bold underline"))
        for r, heading, indent in _rows_with_targets(rows):
            if r is None:
                out(Text(f"  {_clean(heading)}", style="bold"))
                continue
            pad = " " * (len(indent) + id_w + 2 + _BADGE_W + 2)
            t = Text(f"{indent}{_clean(r.id):<{id_w}}  ")
            t.append(f"{BADGES[r.status]:<{_BADGE_W}}", style=STYLES[r.status])
            t.append("  ")
            t.append(_clean(r.title), style="dim" if r.status is Status.SKIP else "")
            if r.found:
                t.append(" — " + _indent_more(_clean(r.found), pad))
            out(t)
            if r.status in _NEEDS_ATTENTION:
                if r.fix:
                    t = Text(pad)
                    t.append("fix: ", style="bold")
                    t.append(_indent_more(_clean(r.fix), pad + "     "))
                    out(t)
                if r.topic:
                    t = Text(pad)
                    t.append("explain: ", style="dim")
                    t.append(f"fbhub explain {_clean(r.topic)}", style="cyan")
                    out(t)
        out(Text(""))
    c = summarize(results)
    worst = (Status.FAIL if c["fail"] or (meta.strict and c["warn"]) else Status.ERROR if c["error"]
             else Status.WARN if c["warn"] else Status.PASS)
    out(Text(summary_line(results, meta), style=STYLES[worst]))


# -- dispatch and files ----------------------------------------------------------------------------


def render(results: Iterable[CheckResult], meta: ReportMeta, *, fmt: str = "text", console: Any = None,
           exit_code: int | None = None) -> str | None:
    """The report in ``fmt``. For ``text`` with a ``console``, print it there and return None; otherwise
    return the (redacted) text, for stdout or ``--output FILE``."""
    results = list(results)
    if fmt == "json":
        return to_json(results, meta, exit_code=exit_code)
    if fmt == "junit":
        return to_junit(results, meta)
    if fmt == "github":
        return to_github(results, meta)
    if fmt in ("prometheus", "nagios"):
        code = exit_code_for(results, strict=meta.strict) if exit_code is None else exit_code
        doc = to_json_doc(results, meta, exit_code=code)
        if fmt == "prometheus":
            from fbhub.monitoring.prometheus import to_prometheus

            return to_prometheus([doc])
        from fbhub.monitoring.nagios import to_nagios

        return to_nagios([doc])[0]
    if fmt == "text":
        if console is not None:
            render_terminal(results, meta, console)
            return None
        return to_plain(results, meta)
    raise UsageError(f"unknown report format {fmt!r}", hint="use one of: " + ", ".join(FORMATS))


def write_report(path: str | Path, text: str, *, private: bool = False) -> Path:
    """Write a report (redacted once more): ``-`` is stdout, a FIFO or /dev/stdout is written into, a file is
    written atomically (0644, or 0600 when ``private``, narrowed by the umask); errors name the file."""
    from fbhub.configfile import write_output

    path = Path(path).expanduser() if str(path) != "-" else Path("-")
    if path.is_dir():
        raise UsageError(f"cannot write report {path}: it is a directory", hint="give a file name, e.g. doctor.xml")
    body = redact(text)
    if body and not body.endswith("\n"):
        body += "\n"
    try:
        write_output(path, body, private=private)
    except OSError as exc:
        raise UsageError(f"cannot write report {path}: {exc.strerror or exc}",
                         hint="choose a writable location for --output") from None
    return path


def emit(results: Iterable[CheckResult], meta: ReportMeta, *, fmt: str = "text", output: str | Path | None = None,
         console: Any = None, exit_code: int | None = None) -> None:
    """What a command with ``--format``/``--output`` does: write the file, or print to the console/stdout."""
    results = list(results)
    if output is not None:
        text = render(results, meta, fmt=fmt, exit_code=exit_code)
        write_report(output, text or "")
        return
    if fmt == "text":
        if console is None:
            from rich.console import Console

            console = Console(highlight=False, soft_wrap=False)
        render(results, meta, fmt="text", console=console)
        return
    text = render(results, meta, fmt=fmt, exit_code=exit_code) or ""
    sys.stdout.write(text)
    sys.stdout.flush()


# -- support bundle --------------------------------------------------------------------------------

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
