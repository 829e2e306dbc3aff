"""Every test runs isolated: its own config file, a file-backed keyring in a temp dir, no FBHUB_* env."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

SUPPORT = str(Path(__file__).parent / "support")
if SUPPORT not in sys.path:
    sys.path.insert(0, SUPPORT)

import loopback_guard  # noqa: E402

loopback_guard.install()  # no test talks to anything but 127.0.0.0/8


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """Point fbhub at temp files; subprocesses inherit the same isolation through the environment."""
    for key in list(os.environ):
        if key.startswith("FBHUB_") or key in ("NO_COLOR", "FORCE_COLOR", "CI"):
            monkeypatch.delenv(key, raising=False)
    home = tmp_path / "fbhub-home"
    home.mkdir()
    monkeypatch.setenv("FBHUB_CONFIG", str(home / "config.yaml"))
    monkeypatch.setenv("FBHUB_TEST_KEYRING_FILE", str(home / "keyring.json"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "filekeyring.FileKeyring")
    monkeypatch.setenv("PYTHONPATH", SUPPORT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    monkeypatch.setenv("FBHUB_TEST_LOOPBACK_ONLY", "1")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.setenv("NO_COLOR", "1")
    import keyring
    from filekeyring import FileKeyring

    import fbhub.redact

    keyring.set_keyring(FileKeyring())
    # A new fbhub process starts with an empty redactor: so does every test (secrets planted by one test must
    # not hide, or be hidden in, the output of the next; any 8 characters of a registered secret are masked).
    monkeypatch.setattr(fbhub.redact, "GLOBAL", fbhub.redact.Redactor())
    yield home


@pytest.fixture
def keyring_data(isolated_env):
    """Read what the test keyring holds."""

    def read() -> dict[str, str]:
        p = isolated_env / "keyring.json"
        return json.loads(p.read_text()) if p.exists() else {}

    return read


@pytest.fixture
def no_keyring(monkeypatch):
    """No usable keyring backend, as on a headless CI machine."""
    import keyring
    from keyring.backends import fail

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    keyring.set_keyring(fail.Keyring())


@pytest.fixture
def cli():
    """Run the real CLI in-process: cli(args, input=..., env=...) -> Result (stdout and stderr apart)."""
    from typer.testing import CliRunner

    from fbhub.cli import app

    runner = CliRunner()

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None):
        return runner.invoke(app, list(args), input=input, env=env, catch_exceptions=False)

    return run


def operator_env(sb) -> dict[str, str]:
    """The FBHUB_* variables an operator would set for a sandbox scenario (secrets via env, as in CI)."""
    return sb.operator.env(sb.url)


@pytest.fixture
def sandbox():
    """Start sandboxes: sandbox("scenario", **kw) -> Sandbox; all stopped after the test."""
    from contextlib import ExitStack

    from fbhub.sandbox import run_sandbox

    with ExitStack() as stack:
        yield lambda scenario="healthy", **kw: stack.enter_context(run_sandbox(scenario, **kw))


@pytest.fixture
def sandbox_env(sandbox, monkeypatch):
    """Start a scenario and point fbhub at it through FBHUB_* variables; returns the Sandbox."""

    def start(scenario="healthy", **kw):
        sb = sandbox(scenario, **kw)
        for k, v in operator_env(sb).items():
            monkeypatch.setenv(k, v)
        monkeypatch.setenv("FBHUB_RETRY_BUDGET", "3")  # keeps rate-limited scenarios quick
        return sb

    return start
