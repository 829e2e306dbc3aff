"""Text for a terminal: wrapped to its width with a hanging indent; words and URLs are never cut.

A continuation line starts under the text after the line's label (``FB504  FAIL     ``, ``fix: ``, ``- ``,
``1. ``), so a wrapped paragraph stays readable. A word longer than the room left (a long URL) goes on its own
line, whole. Piped output is never wrapped: callers wrap only when the console is a terminal.
"""

from __future__ import annotations

import re
from typing import Any

_LABEL = re.compile(r"^(\s*(?:FB\d{3}\s+[A-Z]+\s+|[A-Za-z][A-Za-z ]{0,20}:\s+|[-•✓✗!→]\s+|\d+\.\s+)?)")


def hanging_indent(line: str, width: int) -> int:
    n = len(_LABEL.match(line).group(1)) if _LABEL.match(line) else 0  # type: ignore[union-attr]
    return n if n < width // 2 else len(line) - len(line.lstrip())


def break_points(line: str, width: int) -> list[tuple[int, int]]:
    """(start, end) spans of ``line`` for each wrapped row (without the hanging indent)."""
    if width <= 10 or len(line) <= width:
        return [(0, len(line))]
    indent = hanging_indent(line, width)
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", line)]
    spans: list[tuple[int, int]] = []
    start: int | None = None
    end: int | None = None
    room = width
    for ws, we in words:
        if start is None:
            start, end = (0 if not spans else ws), we  # the first row keeps its leading indentation
            continue
        assert end is not None
        used = (end - start) + (indent if spans else 0)
        if used + (we - end) <= room:
            end = we
            continue
        spans.append((start, end))
        start, end = ws, we
    if start is not None and end is not None:
        spans.append((start, end))
    return spans


def wrap_line(line: str, width: int) -> list[str]:
    spans = break_points(line, width)
    if len(spans) == 1:
        return [line]
    pad = " " * hanging_indent(line, width)
    return [line[s:e] if i == 0 else pad + line[s:e] for i, (s, e) in enumerate(spans)]


def wrap_text(text: str, width: int) -> str:
    """Every line of ``text`` wrapped to ``width`` with a hanging indent."""
    return "\n".join(row for line in text.split("\n") for row in wrap_line(line, width))


def wrap_rich(text: Any, width: int) -> list[Any]:
    """A rich ``Text`` as wrapped rows (styles kept), same rules as ``wrap_line``."""
    plain = text.plain
    if "\n" in plain:
        return [text]
    spans = break_points(plain, width)
    if len(spans) == 1:
        return [text]
    from rich.text import Text

    pad = " " * hanging_indent(plain, width)
    rows = []
    for i, (s, e) in enumerate(spans):
        piece = text[s:e]
        rows.append(piece if i == 0 else Text(pad) + piece)
    return rows
