"""What this run has changed so far: so that a command stopped half-way (Ctrl-C, an error) says honestly what
was written and what was not, instead of "nothing was changed".

Writers call ``planned(...)`` with the changes they are about to make (one line each, no secrets: masked
values only), then ``done(line)`` after each one lands, or ``unknown(line)`` when it was in flight when the run
stopped. The CLI resets the record when a command starts and renders it when the command is interrupted.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class ChangeRecord:
    done: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # planned, not (yet) done
    uncertain: list[str] = field(default_factory=list)  # in flight when the run stopped: may have landed
    again: str = ""  # how to finish the rest (a command line), said when something was left undone

    def lines(self, *, verb: str = "interrupted") -> list[str]:
        """What to print when the run stopped: one line, or a head line and one line per change."""
        if not self.done and not self.uncertain:
            if self.pending:
                return [f"{verb}; nothing was changed (not done: {len(self.pending)} planned change(s))"]
            return [f"{verb}; nothing was changed"]
        out = [f"{verb} after {len(self.done)} change(s) (exactly what happened, change by change):"]
        out += [f"  applied: {line}" for line in self.done]
        out += [f"  unknown (in flight when stopped; check again): {line}" for line in self.uncertain]
        out += [f"  not applied: {line}" for line in self.pending]
        if self.again and (self.uncertain or self.pending):
            out.append(f"hint: {self.again}")
        return out


_LOCK = threading.Lock()
_RECORD = ChangeRecord()


def reset() -> None:
    global _RECORD
    with _LOCK:
        _RECORD = ChangeRecord()


def planned(*lines: str) -> None:
    with _LOCK:
        _RECORD.pending.extend(lines)


def again(hint: str) -> None:
    """How to finish what a stopped run left undone (said with the record)."""
    with _LOCK:
        _RECORD.again = hint


def done(line: str) -> None:
    with _LOCK:
        if line in _RECORD.pending:
            _RECORD.pending.remove(line)
        if line in _RECORD.uncertain:
            _RECORD.uncertain.remove(line)
        _RECORD.done.append(line)


def unknown(line: str) -> None:
    with _LOCK:
        if line in _RECORD.pending:
            _RECORD.pending.remove(line)
        _RECORD.uncertain.append(line)


def not_done(line: str) -> None:
    """A planned change that will not be made after all (it failed, or was skipped)."""
    with _LOCK:
        if line in _RECORD.pending:
            _RECORD.pending.remove(line)


def snapshot() -> ChangeRecord:
    with _LOCK:
        return ChangeRecord(list(_RECORD.done), list(_RECORD.pending), list(_RECORD.uncertain), _RECORD.again)
