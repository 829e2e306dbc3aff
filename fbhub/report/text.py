"""The text report: one layout, drawn with colour on a terminal (rich) or as plain text for pipes, files and
``NO_COLOR``. Kept light: rich is imported only inside the function that draws with it."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any

from fbhub.checks.model import CheckResult, Status, exit_code_for
from fbhub.errors import EXIT_FAILED, EXIT_INCONCLUSIVE
from fbhub.redact import redact
from fbhub.report.common import BADGES, STYLES, ReportMeta, _clean, _groups, _header, summary_line

_BADGE_W = max(len(b) for b in BADGES.values())
# Rows under which the fix (and the explain topic) is shown.
_NEEDS_ATTENTION = (Status.FAIL, Status.ERROR, Status.WARN, Status.MANUAL)

# One line of the report: its pieces, each with the rich style it is drawn in ("" = none).
Line = list[tuple[str, str]]


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


def _worst_style(results: Sequence[CheckResult], strict: bool) -> str:
    """The summary line's colour: the run's exit code (the one mapping), or a warning's when it does not fail."""
    code = exit_code_for(results, strict=strict)
    worst = {EXIT_FAILED: Status.FAIL, EXIT_INCONCLUSIVE: Status.ERROR}.get(code)
    if worst is None:
        worst = Status.WARN if any(r.status is Status.WARN for r in results) else Status.PASS
    return STYLES[worst]


def layout(results: Sequence[CheckResult], meta: ReportMeta) -> list[Line]:
    """The report's lines, each as styled pieces: the one layout both renderers draw."""
    id_w = max([len(r.id) for r in results] + [5])
    lines: list[Line] = [[(_header(meta), "bold")], []]
    for group, rows in _groups(results):
        lines.append([(_clean(group), "bold underline")])
        for r, heading, indent in _rows_with_targets(rows):
            if r is None:
                lines.append([(f"  {_clean(heading)}", "bold")])
                continue
            pad = " " * (len(indent) + id_w + 2 + _BADGE_W + 2)
            row: Line = [(f"{indent}{_clean(r.id):<{id_w}}  ", ""),
                         (f"{BADGES[r.status]:<{_BADGE_W}}", STYLES[r.status]), ("  ", ""),
                         (_indent_more(_clean(r.title), pad), "dim" if r.status is Status.SKIP else "")]
            if r.found:
                row.append((" — " + _indent_more(_clean(r.found), pad), ""))
            lines.append(row)
            if r.status in _NEEDS_ATTENTION:
                if r.fix:
                    lines.append([(pad, ""), ("fix: ", "bold"), (_indent_more(_clean(r.fix), pad + "     "), "")])
                if r.topic:
                    lines.append([(pad, ""), ("explain: ", "dim"), (f"fbhub explain {_clean(r.topic)}", "cyan")])
        lines.append([])
    lines.append([(summary_line(results, meta), _worst_style(results, meta.strict))])
    return lines


def to_plain(results: Iterable[CheckResult], meta: ReportMeta) -> str:
    """The text report without colour, escape sequences or box drawing (for pipes, files, NO_COLOR)."""
    lines = layout(list(results), meta)
    return redact("\n".join("".join(text for text, _ in line) for line in lines) + "\n")


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

    for line in layout(results, meta):
        t = Text()
        for text, style in line:
            t.append(text, style=style)
        say(console, t)
