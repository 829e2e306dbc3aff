"""Text for a terminal: wrapped to its width with a hanging indent; words and URLs are never cut.

A continuation line starts under the text after the line's label (``FB504  FAIL     ``, ``fix: ``, ``- ``,
``1. ``), so a wrapped paragraph stays readable. A word longer than the room left (a long URL) goes on its own
line, whole. Piped output is never wrapped: callers wrap only when the console is a terminal.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

_LABEL = re.compile(r"^(\s*(?:FB\d{3}\s+[A-Z]+\s+|[A-Za-z][A-Za-z_ -]{0,20}:\s+|[-•✓✗!→]\s+|\d+\.\s+)?)")


def hanging_indent(line: str, width: int) -> int:
    n = len(_LABEL.match(line).group(1)) if _LABEL.match(line) else 0  # type: ignore[union-attr]
    return n if n < width // 2 else len(line) - len(line.lstrip())


def _indent(line: str, width: int, indent: int | None) -> int:
    if indent is not None and indent < width // 2:
        return indent
    return hanging_indent(line, width)


def break_points(line: str, width: int, indent: int | None = None) -> list[tuple[int, int]]:
    """(start, end) spans of ``line`` for each wrapped row (without the hanging indent)."""
    if width <= 10 or len(line) <= width:
        return [(0, len(line))]
    indent = _indent(line, width, indent)
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


def wrap_rich(text: Any, width: int, indent: int | None = None) -> list[Any]:
    """A rich ``Text`` as wrapped rows (styles kept), same rules as ``wrap_line``; ``indent`` overrides the
    hanging indent found from the line's label (e.g. a table's value column)."""
    plain = text.plain
    if "\n" in plain:
        return [text]
    spans = break_points(plain, width, indent)
    if len(spans) == 1:
        return [text]
    from rich.text import Text

    pad = " " * _indent(plain, width, indent)
    rows = []
    for i, (s, e) in enumerate(spans):
        piece = text[s:e]
        rows.append(piece if i == 0 else Text(pad) + piece)
    return rows


def say(console: Console, text: str | Text, style: str | None = None, *, indent: int | None = None) -> None:
    """The one way a command prints prose: each line of ``text`` (a plain string, never markup, or a rich
    ``Text``) wrapped to the terminal's width with a hanging indent, or as is when the output is piped."""
    from rich.text import Text

    t = Text(text, style=style or "") if isinstance(text, str) else text
    for line in t.split("\n", allow_blank=True):
        for row in (wrap_rich(line, console.width, indent) if console.is_terminal else [line]):
            console.print(row, soft_wrap=True, highlight=False, emoji=False)
