"""Files and terminals: parallel writers, hand-written configs, symlinks, alias bombs, special output files.

Issue 13, items 12-15: two ``config set`` in parallel never lose a setting; ``config set`` keeps the comments
and layout of what it does not touch and writes through a symlink; a YAML alias bomb is refused fast (exit 2,
naming the file); ``--output -``, a FIFO and /dev/stdout are written into, never replaced; output files follow
the umask (at most 0644; bundles 0600).
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

from fbhub.sandbox import run_sandbox

from .support import REPO, run_cli, sandbox_env

EXAMPLE = REPO / "examples" / "config.yaml"

# Run the real CLI in a fresh interpreter; FBHUB_TEST_SLOW_REPLACE seconds of sleep between writing the temp
# file and renaming it over the config widen the window in which an unserialised writer loses an update.
_LAUNCH = """
import os, sys, time
import fbhub.configfile as cf
delay = float(os.environ.get("FBHUB_TEST_SLOW_REPLACE") or 0)
if delay:
    cf._before_replace = lambda tmp, path: time.sleep(delay)
from fbhub.cli import main
sys.argv = ["fbhub"] + sys.argv[1:]
main()
"""


def fbhub_proc(*args: str, env: dict[str, str] | None = None, **kw) -> subprocess.Popen:
    full = dict(os.environ)
    full.update(env or {})
    return subprocess.Popen([sys.executable, "-c", _LAUNCH, *args], env=full, cwd=REPO, text=True,
                            stdout=kw.pop("stdout", subprocess.PIPE), stderr=subprocess.PIPE, **kw)


def comments(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith("#") or " # " in line]


# -- item 12: parallel config set -------------------------------------------------------------------------------

def test_parallel_config_set_loses_no_update(isolated_env):
    cfg = isolated_env / "config.yaml"
    values = {"domain": "cx.example.com", "app_id": "1234567890123456", "timeout": "17",
              "graph_version": "v23.0"}
    for _round in range(2):
        cfg.write_text("version: 1\nprofiles:\n  default: {}\n", encoding="utf-8")
        procs = [fbhub_proc("config", "set", k, v, env={"FBHUB_TEST_SLOW_REPLACE": "0.4"})
                 for k, v in values.items()]
        outs = [p.communicate(timeout=120) for p in procs]
        assert [p.returncode for p in procs] == [0] * len(procs), outs
        prof = yaml.safe_load(cfg.read_text(encoding="utf-8"))["profiles"]["default"]
        assert {k: str(prof.get(k)) for k in values} == {**values, "timeout": "17"}, prof
    leftovers = [p.name for p in cfg.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


# -- item 14: comments, layout, symlinks ------------------------------------------------------------------------

def test_config_set_keeps_comments_and_layout(isolated_env, cli):
    cfg = isolated_env / "config.yaml"
    original = EXAMPLE.read_text(encoding="utf-8")
    assert len(comments(original)) == 23
    cfg.write_text(original, encoding="utf-8")
    r = cli("--profile", "staging", "config", "set", "timeout", "25")
    assert r.exit_code == 0, r.stderr
    r = cli("--profile", "production", "config", "set", "domain", "cx2.example.com")
    assert r.exit_code == 0, r.stderr
    after = cfg.read_text(encoding="utf-8")
    assert comments(after) == comments(original)
    changed = [(a, b) for a, b in zip(original.splitlines(), after.splitlines(), strict=True) if a != b]
    assert changed == [("    timeout: 20", "    timeout: 25"),
                       ("    domain: cx.example.com", "    domain: cx2.example.com")]


def test_config_set_and_unset_keep_the_comments_of_other_keys(isolated_env, cli):
    cfg = isolated_env / "config.yaml"
    cfg.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    assert cli("--profile", "staging", "config", "set", "pages", "1:One,2:Two").exit_code == 0
    assert cli("--profile", "staging", "config", "unset", "webhook_fields").exit_code == 0
    assert cli("--profile", "production", "config", "set", "retry-budget", "5").exit_code == 0
    after = cfg.read_text(encoding="utf-8")
    # the comment above webhook_fields describes it and goes with it; every other one stays
    kept = [c for c in comments(EXAMPLE.read_text(encoding="utf-8")) if not c.startswith("# Webhook fields")]
    assert comments(after) == kept
    prof = yaml.safe_load(after)["profiles"]
    assert prof["staging"]["pages"] == [{"id": "1", "name": "One"}, {"id": "2", "name": "Two"}]
    assert "webhook_fields" not in prof["staging"] and prof["staging"]["timeout"] == 20
    assert prof["production"]["retry_budget"] == 5
    assert '    app_id: "1029384756102938"' in after  # quoting kept


def test_config_set_writes_through_a_symlink(isolated_env, tmp_path, cli):
    real = tmp_path / "dotfiles" / "fbhub.yaml"
    real.parent.mkdir()
    real.write_text("# mine\nversion: 1\nprofiles:\n  default:\n    domain: old.example.com\n", encoding="utf-8")
    link = isolated_env / "config.yaml"
    link.symlink_to(real)
    r = cli("config", "set", "domain", "new.example.com")
    assert r.exit_code == 0, r.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text(encoding="utf-8") == ("# mine\nversion: 1\nprofiles:\n  default:\n"
                                                "    domain: new.example.com\n")
    assert [p.name for p in real.parent.iterdir()] == ["fbhub.yaml", ".fbhub.yaml.lock"] or \
        sorted(p.name for p in real.parent.iterdir()) == [".fbhub.yaml.lock", "fbhub.yaml"]


def test_new_config_file_is_still_written_whole(isolated_env, cli):
    r = cli("config", "set", "domain", "cx.example.com")
    assert r.exit_code == 0, r.stderr
    data = yaml.safe_load((isolated_env / "config.yaml").read_text(encoding="utf-8"))
    assert data == {"version": 1, "profiles": {"default": {"domain": "cx.example.com"}}}


# -- item 15: alias bomb ----------------------------------------------------------------------------------------

BOMB = "\n".join(
    ['version: 1', 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{c}: &{c} [{','.join(['*' + p] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi", strict=True)]
    + ["profiles: {default: {domain: cx.example.com, pages: *i}}", ""])


@pytest.mark.parametrize("command", [("config", "show"), ("config", "set", "timeout", "5"), ("urls",)])
def test_alias_bomb_is_refused_fast(isolated_env, command):
    cfg = isolated_env / "config.yaml"
    cfg.write_text(BOMB, encoding="utf-8")
    assert len(BOMB.encode()) <= 600  # a few hundred bytes
    t0 = time.monotonic()
    p = fbhub_proc(*command)
    out, err = p.communicate(timeout=120)
    secs = time.monotonic() - t0
    assert p.returncode == 2, (out, err)
    lines = [line for line in err.splitlines() if line]
    assert lines[0].startswith("error: ") and str(cfg) in lines[0], err
    assert "alias" in lines[0].replace(str(cfg), ""), err
    assert len(lines) <= 2 and "Traceback" not in err
    assert secs < 20, secs  # the bomb took 27 s and 3 GB; refusing it is a fraction of a second
    assert cfg.read_text(encoding="utf-8") == BOMB  # never overwritten


def test_a_few_aliases_are_fine(isolated_env, cli):
    cfg = isolated_env / "config.yaml"
    cfg.write_text("version: 1\nfields: &f [messages, messaging_postbacks]\nprofiles:\n"
                   "  a: {domain: a.example.com, webhook_fields: *f}\n"
                   "  b: {domain: b.example.com, webhook_fields: *f}\n", encoding="utf-8")
    r = cli("--profile", "b", "config", "show", "--json")
    assert r.exit_code == 0, r.stderr


def test_self_referencing_alias_is_refused(isolated_env, cli):
    cfg = isolated_env / "config.yaml"
    cfg.write_text("version: 1\nprofiles: &p {default: {pages: *p}}\n", encoding="utf-8")
    r = cli("config", "show")
    assert r.exit_code == 2
    assert str(cfg) in r.stderr


# -- item 13: special output files and modes --------------------------------------------------------------------

def _doctor(sb, *args: str, **kw) -> subprocess.Popen:
    return fbhub_proc("doctor", "--format", "json", *args, env=sandbox_env(sb), **kw)


def test_output_dash_is_stdout(isolated_env, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with run_sandbox("healthy") as sb:
        r = run_cli("doctor", "--format", "json", "--output", "-", env=sandbox_env(sb))
    assert r.exit_code == 0, r.stderr
    assert r.stdout.lstrip().startswith("{") and '"exit_code": 0' in r.stdout
    assert not (tmp_path / "-").exists()


@pytest.fixture
def dev_stdout_guard():
    """A broken fbhub replaces /dev/stdout with a regular file (as root it can): put the link back, fail."""
    before = os.readlink("/dev/stdout") if os.path.islink("/dev/stdout") else None
    yield
    if before is not None and not os.path.islink("/dev/stdout"):
        os.unlink("/dev/stdout")
        os.symlink(before, "/dev/stdout")
        pytest.fail("/dev/stdout was replaced by a regular file (restored)")


@pytest.mark.parametrize("target", ["/dev/stdout", "/dev/fd/1"])
def test_output_dev_stdout_is_written_into(isolated_env, tmp_path, target, dev_stdout_guard):
    with run_sandbox("healthy") as sb:
        p = _doctor(sb, "--output", target)
        out, err = p.communicate(timeout=120)
    assert p.returncode == 0, err
    assert '"exit_code": 0' in out


def test_output_fifo_is_written_into_not_replaced(isolated_env, tmp_path):
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    got: list[str] = []

    def reader() -> None:
        with open(fifo, encoding="utf-8") as fh:
            got.append(fh.read())

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    with run_sandbox("healthy") as sb:
        p = _doctor(sb, "--output", str(fifo))
        out, err = p.communicate(timeout=120)
    t.join(timeout=60)
    assert p.returncode == 0, err
    assert stat.S_ISFIFO(os.stat(fifo).st_mode), "the FIFO was replaced by a regular file"
    assert got and '"exit_code": 0' in got[0]


@pytest.mark.parametrize("umask,report_mode,bundle_mode", [(0o022, 0o644, 0o600), (0o077, 0o600, 0o600),
                                                           (0o000, 0o644, 0o600), (0o027, 0o640, 0o600)])
def test_output_files_follow_the_umask(isolated_env, tmp_path, umask, report_mode, bundle_mode):
    report, bundle = tmp_path / "doctor.json", tmp_path / "bundle.json"
    with run_sandbox("healthy") as sb:
        p = _doctor(sb, "--output", str(report), "--bundle", str(bundle), preexec_fn=lambda: os.umask(umask))
        out, err = p.communicate(timeout=120)
    assert p.returncode == 0, err
    assert stat.S_IMODE(report.stat().st_mode) == report_mode
    assert stat.S_IMODE(bundle.stat().st_mode) == bundle_mode


def test_state_and_config_files_stay_private(isolated_env, cli):
    assert cli("config", "set", "domain", "cx.example.com").exit_code == 0
    assert stat.S_IMODE((isolated_env / "config.yaml").stat().st_mode) == 0o600


def test_examples_config_stays_parseable_after_round_trip(tmp_path):
    """The round trip of the shipped example gives the same data back (nothing changed = nothing changed)."""
    from fbhub.configfile import ConfigFile

    p = tmp_path / "c.yaml"
    p.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    cfg = ConfigFile.load(p)
    cfg.set("staging", "timeout", 20)
    assert cfg.dump() == EXAMPLE.read_text(encoding="utf-8")
    assert Path(p).read_text(encoding="utf-8") == EXAMPLE.read_text(encoding="utf-8")
