"""Lock files: one writer at a time for a file fbhub reads, changes and writes back (config, secret index).

``file_lock(path)`` holds an exclusive ``flock`` on ``path`` (created 0600, never deleted: removing a lock file
while another process waits on it would let two writers in). Waiting is bounded; a lock that stays taken is one
error line (exit 2) naming the file, and nothing was changed. Where ``fcntl`` does not exist (Windows) the lock
is a no-op.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

from fbhub.errors import UsageError

LOCK_WAIT_SECONDS = 30.0


class LockTimeout(UsageError):
    """Another fbhub held the lock for longer than we wait."""


@contextlib.contextmanager
def file_lock(path: Path, *, what: str, wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` for the duration of the block."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise UsageError(f"cannot create the lock file {path} for the {what}: {exc.strerror or exc}; "
                         "nothing was changed",
                         hint="fix the permissions of its directory, then run it again") from None
    try:
        deadline = time.monotonic() + wait
        delay = 0.005
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockTimeout(f"another fbhub has been changing the {what} for {wait:.0f} s (lock {path}); "
                                      "nothing was changed", hint="wait for it to finish, then run it again") from None
                time.sleep(delay)
                delay = min(delay * 2, 0.1)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
