"""One-line notices on stderr (a value was trimmed, the file store was chosen), each said once per command run."""

from __future__ import annotations

import sys

_SAID: set[str] = set()


def notice(text: str) -> None:
    """Say ``text`` on stderr (secrets redacted), once per command run."""
    if text in _SAID:
        return
    _SAID.add(text)
    from fbhub.redact import redact

    sys.stderr.write(redact(text) + "\n")
    sys.stderr.flush()


def reset() -> None:
    _SAID.clear()
