"""Crash safety of writes: a write interrupted at any point leaves the old file or the new one, never a
broken one, and no temp file behind.

Points of failure inside ``fbhub.configfile.atomic_write`` (every fbhub write goes through it): the disk
filling up half-way through the write, fsync failing, chmod failing, the ``_before_replace`` hook raising
(OSError, or Ctrl-C at the worst moment), and the rename failing. Targets: the config file (config set,
config unset), a report (doctor --output), a support bundle (doctor --bundle), the App Review kit and the
configure progress file (when those commands are registered), and the keyring's page-token index.
A real SIGKILL between write and rename is simulated in a subprocess.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

import fbhub.configfile
from fbhub.sandbox import run_sandbox

from .support import ERROR_LINE, HINT_LINE, REPO, STATS, has_command, run_cli, sandbox_env

OLD_CONFIG = 'version: 1\nprofiles:\n  default:\n    domain: old.example.com\n    app_id: "1234567890123456"\n'


class _HalfWriter:
    """A file whose write stops half-way with ENOSPC (the disk filled up)."""

    def __init__(self, fh):
        self.fh = fh

    def write(self, text):
        self.fh.write(text[: len(text) // 2])
        self.fh.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name):
        return getattr(self.fh, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.fh.close()


def _inject(monkeypatch: pytest.MonkeyPatch, point: str) -> None:
    """Make ``atomic_write`` fail at ``point`` (pass a private MonkeyPatch: undoing it must not undo the
    isolation of tests/conftest.py)."""
    def boom(code: int, what: str):
        def f(*a, **k):
            raise OSError(code, what)
        return f

    if point == "write":
        real = os.fdopen
        monkeypatch.setattr(fbhub.configfile.os, "fdopen", lambda fd, *a, **k: _HalfWriter(real(fd, *a, **k)))
    elif point == "fsync":
        monkeypatch.setattr(fbhub.configfile.os, "fsync", boom(errno.EIO, "Input/output error"))
    elif point == "chmod":
        monkeypatch.setattr(fbhub.configfile.os, "chmod", boom(errno.EPERM, "Operation not permitted"))
    elif point == "before-replace":
        monkeypatch.setattr(fbhub.configfile, "_before_replace", boom(errno.EIO, "Input/output error"))
    elif point == "ctrl-c":
        def interrupt(tmp, path):
            raise KeyboardInterrupt
        monkeypatch.setattr(fbhub.configfile, "_before_replace", interrupt)
    elif point == "replace":
        monkeypatch.setattr(fbhub.configfile.os, "replace", boom(errno.EACCES, "Permission denied"))
    else:  # pragma: no cover
        raise AssertionError(point)


POINTS = ["write", "fsync", "chmod", "before-replace", "ctrl-c", "replace"]


def _leftovers(*dirs: Path) -> list[str]:
    return [p.name for d in dirs for p in d.iterdir() if p.name.endswith(".tmp")]


def _check_cli(r, point: str) -> None:
    out = r.stdout + r.stderr
    assert "Traceback" not in out and "unexpected" not in out, out[-1500:]
    if point == "ctrl-c":
        assert r.exit_code == 130, (r.exit_code, out[-800:])
        return
    assert r.exit_code == 2, (r.exit_code, out[-800:])
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("error:")]
    assert len(errors) == 1 and ERROR_LINE.match(errors[0]), r.stderr
    i = lines.index(errors[0])
    assert i == len(lines) - 1 or HINT_LINE.match(lines[i + 1]), r.stderr


@pytest.mark.parametrize("point", POINTS)
@pytest.mark.parametrize("command", ["config set", "config unset"])
def test_config_write_interrupted(command, point, isolated_env, hardening_stats):
    cfg = isolated_env / "config.yaml"
    cfg.write_text(OLD_CONFIG, encoding="utf-8")
    os.chmod(cfg, 0o600)
    args = ["config", "set", "domain", "new.example.com"] if command == "config set" else ["config", "unset", "app_id"]
    with pytest.MonkeyPatch.context() as mp:
        _inject(mp, point)
        r = run_cli(*args)
    STATS.crash_points += 1
    _check_cli(r, point)
    assert cfg.read_text(encoding="utf-8") == OLD_CONFIG  # the old file, whole
    assert _leftovers(isolated_env) == []
    r = run_cli("config", "show", "--json")  # and fbhub still reads it
    assert r.exit_code == 0 and "old.example.com" in r.stdout


@pytest.mark.parametrize("point", POINTS)
@pytest.mark.parametrize("target", ["--output", "--bundle"])
def test_report_write_interrupted(target, point, tmp_path, isolated_env, hardening_stats):
    out = tmp_path / ("report.json" if target == "--output" else "bundle.json")
    old = '{"old": "report"}\n'
    out.write_text(old, encoding="utf-8")
    with run_sandbox("healthy") as sb, pytest.MonkeyPatch.context() as mp:
        env = sandbox_env(sb)
        _inject(mp, point)
        r = run_cli("doctor", "--format", "json", target, str(out), env=env)
    STATS.crash_points += 1
    _check_cli(r, point)
    assert out.read_text(encoding="utf-8") == old
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("point", POINTS)
def test_review_kit_write_interrupted(point, tmp_path, isolated_env, hardening_stats):
    if not has_command("review-kit"):
        pytest.skip("'review-kit' is not registered in fbhub.cli")
    out = tmp_path / "kit.md"
    out.write_text("# old kit\n", encoding="utf-8")
    with run_sandbox("healthy") as sb, pytest.MonkeyPatch.context() as mp:
        env = sandbox_env(sb)
        _inject(mp, point)
        r = run_cli("review-kit", "--force", "--output", str(out), env=env)
    STATS.crash_points += 1
    _check_cli(r, point)
    assert out.read_text(encoding="utf-8") == "# old kit\n"
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("point", POINTS)
def test_configure_progress_write_interrupted(point, isolated_env, hardening_stats):
    """configure writes the config and its progress file (state.yaml): each is old or new, never broken."""
    if not has_command("configure"):
        pytest.skip("'configure' is not registered in fbhub.cli")
    cfg, state = isolated_env / "config.yaml", isolated_env / "state.yaml"
    cfg.write_text(OLD_CONFIG, encoding="utf-8")
    r = run_cli("configure", "--non-interactive", "--stage", "domain", "--domain", "mid.example.com")
    assert r.exit_code == 0 and state.exists(), (r.stdout[-800:], r.stderr[-800:])
    before = {p: p.read_bytes() for p in (cfg, state)}
    with pytest.MonkeyPatch.context() as mp:
        _inject(mp, point)
        r = run_cli("configure", "--non-interactive", "--stage", "domain", "--domain", "new.example.com")
    STATS.crash_points += 1
    out = r.stdout + r.stderr
    assert "Traceback" not in out and "unexpected" not in out, out[-1500:]
    assert r.exit_code == (130 if point == "ctrl-c" else 2), (r.exit_code, out[-800:])
    for p in (cfg, state):
        now = p.read_bytes()
        assert now == before[p] or isinstance(yaml.safe_load(now), dict), p  # old, or a whole new file
    assert isinstance(yaml.safe_load(state.read_bytes()), dict)
    assert _leftovers(isolated_env) == []
    r = run_cli("configure", "--status", "--json")
    assert r.exit_code == 0, r.stderr


@pytest.mark.parametrize("point", POINTS)
def test_wizard_state_save_interrupted(point, isolated_env, hardening_stats):
    """WizardState.save directly (the progress file's only writer)."""
    state_mod = pytest.importorskip("fbhub.wizard.state")
    path = isolated_env / "state.yaml"
    st = state_mod.WizardState.load(path, "default")
    st.mark("domain", "done", "cx.example.com")
    st.save()
    old = path.read_bytes()
    st.mark("create-app", "verified", "App ID 1234567890123456")
    from fbhub.errors import ConfigError

    with pytest.MonkeyPatch.context() as mp, pytest.raises((ConfigError, KeyboardInterrupt)):
        _inject(mp, point)
        st.save()
    STATS.crash_points += 1
    assert path.read_bytes() == old and _leftovers(isolated_env) == []
    assert state_mod.WizardState.load(path, "default").status("domain") == "done"


def test_dir_fsync_failing_after_rename_keeps_the_new_file(isolated_env, monkeypatch, hardening_stats):
    """After the rename the new file is in place; a failing directory fsync must not undo or break it."""
    cfg = isolated_env / "config.yaml"
    cfg.write_text(OLD_CONFIG, encoding="utf-8")
    real_open = os.open

    def open_(path, flags, *a, **k):
        if Path(path) == isolated_env:
            raise OSError(errno.EIO, "Input/output error")
        return real_open(path, flags, *a, **k)

    monkeypatch.setattr(fbhub.configfile.os, "open", open_)
    r = run_cli("config", "set", "domain", "new.example.com")
    STATS.crash_points += 1
    assert r.exit_code == 0, r.stderr
    assert yaml.safe_load(cfg.read_text())["profiles"]["default"]["domain"] == "new.example.com"
    assert _leftovers(isolated_env) == []


@pytest.mark.parametrize("fail_on", [1, 2])
def test_keyring_page_token_write_interrupted(fail_on, isolated_env, keyring_data, hardening_stats):
    """secrets set page-token writes the index, then the token: a keyring failing at either write leaves a
    valid index that lists every stored token (a label without a token at worst), the tokens stored before still
    usable, and a one-line error (exit 2)."""
    import keyring
    from filekeyring import FileKeyring

    first = "EAAGfirstPageToken0123456789abcdefghijkl"
    r = run_cli("secrets", "set", "page-token", "--page", "110000000000001", input=first + "\n")
    assert r.exit_code == 0, r.stderr
    before = keyring_data()
    calls = {"n": 0}
    real = FileKeyring.set_password

    def flaky(self, service, username, password):
        calls["n"] += 1
        if calls["n"] == fail_on:
            raise keyring.errors.PasswordSetError("the keyring daemon went away")
        return real(self, service, username, password)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(FileKeyring, "set_password", flaky)
        r = run_cli("secrets", "set", "page-token", "--page", "110000000000002",
                    input="EAAGsecondPageToken0123456789abcdefghijk\n")
    STATS.crash_points += 1
    _check_cli(r, "keyring")
    after = keyring_data()
    index_key = "fbhub\x00default:page-token-index"
    index = json.loads(after[index_key])  # whole and valid
    assert set(json.loads(before[index_key])) <= set(index)
    stored = {k.split("page-token:", 1)[1] for k in after if ":page-token:" in k}
    assert stored <= set(index)  # every stored token can be listed and deleted
    r = run_cli("secrets", "list", "--json")
    assert r.exit_code == 0 and "110000000000001" in r.stdout, r.stderr
    assert first not in r.stdout


def test_sigkill_between_write_and_rename_leaves_the_old_file(isolated_env, hardening_stats):
    """A real crash (SIGKILL) at the worst moment: the old config stays whole and fbhub keeps working.

    A temp file of the new content may stay behind (nothing can remove it when the process is killed); it
    holds no secret (settings only, mode 0600) and does not disturb the next run."""
    cfg = isolated_env / "config.yaml"
    cfg.write_text(OLD_CONFIG, encoding="utf-8")
    code = textwrap.dedent("""
        import os, signal, sys
        import fbhub.configfile
        fbhub.configfile._before_replace = lambda tmp, path: os.kill(os.getpid(), signal.SIGKILL)
        from fbhub.cli import main
        sys.argv = ["fbhub", "config", "set", "domain", "new.example.com"]
        main()
    """)
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60,
                       env=dict(os.environ))
    STATS.crash_points += 1
    assert p.returncode == -signal.SIGKILL, (p.returncode, p.stderr)
    assert cfg.read_text(encoding="utf-8") == OLD_CONFIG
    left = [q for q in isolated_env.iterdir() if q.name.endswith(".tmp")]
    for q in left:
        assert oct(q.stat().st_mode & 0o777) == oct(0o600)
        assert "new.example.com" in q.read_text()
    r = run_cli("config", "set", "domain", "again.example.com")
    assert r.exit_code == 0, r.stderr
    assert yaml.safe_load(cfg.read_text())["profiles"]["default"]["domain"] == "again.example.com"
