"""Text from outside (Page and app names from Graph or the config, server answers) is data, never markup.

- ``clean(text)``: no terminal escape sequences, no control characters, no bidirectional overrides (U+202E
  would show a line reversed), and — unless ``lines=True`` — no line breaks, so a name cannot forge a report
  line.
- ``markup(text)``: ``clean`` plus rich markup escaped (``[link=…]`` stays literal text, ``[/]`` cannot crash
  the renderer). Use it for any value put into a rich markup string.

Kept light: rich is imported only by ``markup``.
"""

from __future__ import annotations

import re
from typing import Any

_ANSI_RE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
# C0/C1 controls except \t and \n; bidi embeddings, overrides and isolates; marks; line/paragraph separators
_UNSAFE_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_BREAKS_RE = re.compile(r"[\r\n\t]+")


def clean(text: Any, *, lines: bool = False) -> str:
    """``text`` without escape sequences, control or bidi characters (and line breaks, unless ``lines``)."""
    s = "" if text is None else str(text)
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    s = _ANSI_RE.sub("", s)
    s = _UNSAFE_RE.sub(" ", s)
    if not lines:
        s = _BREAKS_RE.sub(" ", s)
    return s


def markup(text: Any, *, lines: bool = False) -> str:
    """``clean(text)`` with rich markup escaped, for f-strings printed by a rich Console."""
    from rich.markup import escape

    return escape(clean(text, lines=lines))


def name(text: Any) -> str:
    """A name (Page, app) as fbhub keeps it: one line, clean, surrounding space trimmed."""
    return " ".join(clean(text).split())
