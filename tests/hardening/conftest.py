"""Fixtures of the hardening suites and the end-of-run summary they print.

Every suite records what it tried in ``support.STATS``; ``pytest_terminal_summary`` prints the fault × command
table and the counts at the end of every run that collected this folder (``-s`` is not needed), and the
session fixture ``hardening_stats`` prints the same text from its finalizer.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .support import STATS, Stats


@pytest.fixture(scope="session")
def hardening_stats() -> Iterator[Stats]:
    yield STATS
    text = "\n".join(STATS.summary())
    if text:
        print("\n== fbhub hardening ==\n" + text)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: Any) -> None:
    lines = STATS.summary()
    if not lines:
        return
    terminalreporter.section("fbhub hardening")
    for line in lines:
        terminalreporter.write_line(line)


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch):
    """The sandbox is on 127.0.0.1: a proxy from the CI environment must not sit in between."""
    for k in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


