"""Choosing a format and writing a report: to the console, stdout or ``--output FILE``."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fbhub.checks.model import CheckResult, exit_code_for
from fbhub.errors import UsageError
from fbhub.redact import redact
from fbhub.report.common import FORMATS, ReportMeta
from fbhub.report.github import to_github
from fbhub.report.jsondoc import to_json, to_json_doc
from fbhub.report.junit import to_junit
from fbhub.report.text import render_terminal, to_plain


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
            from fbhub.report.prometheus import to_prometheus

            return to_prometheus([doc])
        from fbhub.report.nagios import to_nagios

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
