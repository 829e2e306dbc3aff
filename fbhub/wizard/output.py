"""Plain, copyable output of ``fbhub configure`` and how a check's fix is said inside the wizard."""

from __future__ import annotations

import re
from typing import Any


# ------------------------------------------------------------------------------------------ output
class Out:
    """Plain, copyable output: values to paste are printed on their own line and never wrapped."""

    def __init__(self, console: Any) -> None:
        self.console = console

    def _p(self, text: str, style: str | None = None, *, raw: bool = False) -> None:
        """One line; secrets are redacted unless ``raw`` (a value the operator must copy, e.g. the verify token)."""
        from rich.text import Text

        from fbhub.redact import redact
        from fbhub.safetext import clean
        from fbhub.wrap import say

        say(self.console, Text(clean(text if raw else redact(text), lines=True), style=style or ""))

    def heading(self, text: str) -> None:
        self._p("")
        self._p(text, "bold")

    def line(self, text: str = "", style: str | None = None) -> None:
        self._p(text, style)

    def steps(self, items: list[str]) -> None:
        for i, item in enumerate(items, 1):
            self._p(f"  {i}. {item}")

    def copy(self, value: str) -> None:
        """Put ``value`` on the terminal's clipboard (OSC 52: works over SSH in most terminals), not on screen."""
        import base64

        f = getattr(self.console, "file", None)
        if f is None or not getattr(f, "isatty", lambda: False)():
            return
        f.write("\x1b]52;c;" + base64.b64encode(value.encode()).decode("ascii") + "\x07")
        f.flush()

    def paste(self, label: str, value: str, where: str | None = None, *, raw: bool = False) -> None:
        self._p(f"  {label}:", "bold")
        self._p(f"    {value}", "cyan", raw=raw)
        if where:
            self._p(f"    → {where}", "dim")

    def ok(self, text: str) -> None:
        self._p(f"✓ {text}", "green")

    def warn(self, text: str) -> None:
        self._p(f"! {text}", "yellow")

    def bad(self, text: str, hint: str | None = None) -> None:
        self._p(f"✗ {text}", "red")
        if hint:
            self._p(f"  hint: {in_wizard(hint)}", "yellow")


def in_wizard(text: str) -> str:
    """A check's fix or an error's hint as configure says it: a check that would send the operator to
    'fbhub configure' (doctor's fix for a User token, say) speaks of this wizard instead."""
    return re.sub(r"'fbhub\s+configure(?:\s+--stage\s+([a-z-]+))?'",
                  lambda m: f"this wizard's {m.group(1)} stage" if m.group(1) else "this wizard", text)
