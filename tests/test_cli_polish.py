"""Input and output polish: global options anywhere, unknown profiles, doctor before setup, busy ports, help,
completion."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


def fbhub(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fbhub", *args], capture_output=True, text=True, timeout=120,
                          input=stdin, env=dict(os.environ, **(env or {})))


def test_global_options_after_the_subcommand(cli, isolated_env, tmp_path):
    other = tmp_path / "other.yaml"
    assert cli("--config", str(other), "--profile", "staging", "config", "set", "domain", "s.example.com"
               ).exit_code == 0
    p = fbhub("config", "show", "--json", "--profile", "staging", "--config", str(other))
    assert p.returncode == 0, p.stderr
    rows = {r["name"]: r for r in json.loads(p.stdout)["settings"]} if "settings" in json.loads(p.stdout) else None
    assert "s.example.com" in p.stdout, rows
    p = fbhub("config", "show", "-p", "staging", "--config=" + str(other), "-v")
    assert p.returncode == 0 and "staging" in p.stdout and "s.example.com" in p.stdout
    p = fbhub("config", "path", "--config", str(other))
    assert p.stdout.strip() == str(other)


def test_unknown_profile_is_an_error_listing_the_known_ones(cli):
    assert cli("--profile", "staging", "config", "set", "domain", "s.example.com").exit_code == 0
    assert cli("--profile", "production", "config", "set", "domain", "p.example.com").exit_code == 0
    for args in (["--profile", "prodution", "doctor"], ["-p", "prodution", "config", "show"],
                 ["-p", "prodution", "secrets", "list"]):
        r = cli(*args)
        assert r.exit_code == 2, (args, r.stdout, r.stderr)
        assert "'prodution'" in r.stderr and "production, staging" in r.stderr and "did you mean 'production'" \
            in r.stderr
    r = cli("doctor", env={"FBHUB_PROFILE": "nope"})
    assert r.exit_code == 2 and "FBHUB_PROFILE" in r.stderr and "'nope'" in r.stderr
    # commands that create a profile still may
    assert cli("--profile", "new", "config", "set", "domain", "n.example.com").exit_code == 0
    assert cli("--profile", "new2", "secrets", "set", "verify-token", "--generate").exit_code == 0


def test_doctor_on_a_machine_that_is_not_set_up(cli, no_keyring):
    r = cli("doctor")
    assert r.exit_code == 2
    lines = r.stderr.strip().splitlines()
    assert lines[0].startswith("error: fbhub is not set up for profile 'default' yet")
    assert "fbhub configure" in lines[1]
    assert "FB101" in r.stdout  # the report follows
    # partly set up: an ordinary report (exit 1), no such line
    r = cli("doctor", env={"FBHUB_DOMAIN": "cx.example.com"})
    assert r.exit_code == 1 and "not set up" not in r.stderr


def test_doctor_fix_texts_have_no_placeholders(sandbox_env, cli):
    sandbox_env("healthy")
    r = cli("doctor", "--format", "json", env={"FBHUB_APP_ID": ""})
    doc = json.loads(r.stdout)
    for res in doc["results"]:
        fix = res.get("fix") or ""
        assert " ?" not in fix and "?)" not in fix and not fix.endswith("?"), res


def test_sandbox_serve_on_a_busy_port_is_one_line_exit_2():
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    port = s.getsockname()[1]
    try:
        p = fbhub("sandbox", "serve", "--port", str(port))
    finally:
        s.close()
    assert p.returncode == 2, p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 2 and str(port) in lines[0] and "--port" in lines[1]
    assert "bug" not in p.stderr


def _complete(words: str) -> list[str]:
    n = len(words.split())
    p = subprocess.run([sys.executable, "-m", "fbhub"], capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, _FBHUB_COMPLETE="complete_bash", COMP_WORDS=words, COMP_CWORD=str(n - 1)))
    return p.stdout.split()


@pytest.mark.parametrize("words,want", [
    ("fbhub explain inv", {"invalid-app"}),
    ("fbhub explain FB50", {"FB501", "FB506"}),
    ("fbhub sandbox serve --scenario token-ex", {"token-expired", "token-expiring-soon"}),
    ("fbhub demo --scenario rate", {"rate-limited"}),
    ("fbhub secrets set ver", {"verify-token"}),
    ("fbhub secrets show app", {"app-secret"}),
    ("fbhub doctor --format j", {"json", "junit"}),
])
def test_shell_completion_knows_the_values(words, want):
    got = set(_complete(words))
    assert want <= got, got


def test_help_shows_no_python_types():
    from fbhub.cli import COMMANDS

    for name, (_, _, kind) in COMMANDS.items():
        subs = [[name]]
        if kind == "group":
            subs = [[name, s] for s in {"config": ["show", "set", "unset", "path"],
                                         "secrets": ["set", "list", "show", "delete"],
                                         "sandbox": ["serve", "scenarios"]}[name]]
        for args in subs:
            p = fbhub(*args, "--help", env={"COLUMNS": "200"})
            assert p.returncode == 0, (args, p.stderr)
            for t in ("<bool>", "<str>", "<int>", "<float>", "<list[", "{kind}", "{topic}"):
                assert t not in p.stdout, (args, t)


SECRET = "0123456789abcdef0123456789abcdef"
TOKEN = "EAAGpagetokenSUPPORT1234567890abcdefghij"


@pytest.mark.parametrize("args,env,kind", [
    (["config", "set", "app_id", SECRET], None, "an App Secret, not an App ID"),
    (["config", "show"], {"FBHUB_APP_ID": SECRET}, "an App Secret, not an App ID"),
    (["config", "set", "app_id", TOKEN], None, "an access token, not an App ID"),
    (["configure", "--non-interactive", "--page", TOKEN], None, "an access token, not a Page ID"),
])
def test_secret_looking_values_are_masked_and_recognised(cli, args, env, kind):
    r = cli(*args, env=env)
    assert r.exit_code == 2
    assert kind in r.stderr
    assert SECRET not in r.stdout + r.stderr and TOKEN not in r.stdout + r.stderr


def test_visible_prompt_masks_a_pasted_secret(sandbox, monkeypatch, isolated_env):
    """An App Secret pasted into the (visible) App ID prompt is masked and recognised."""
    from fbhub.errors import UsageError
    from fbhub.settings import parse_app_id

    with pytest.raises(UsageError) as e:
        parse_app_id(SECRET + "\n")
    assert SECRET not in e.value.message and "looks like an App Secret" in e.value.message


def test_pasted_ids_are_trimmed_and_said(cli, isolated_env):
    r = cli("config", "set", "app_id", " 1234567890123456\n")
    assert r.exit_code == 0, r.stderr
    assert "removed surrounding whitespace" in r.stderr
    r = cli("config", "show", "--json", env={"FBHUB_APP_ID": "1234567890123456 "})
    assert r.exit_code == 0 and "removed surrounding whitespace" in r.stderr
    r = cli("config", "set", "app_id", "1234 5678")
    assert r.exit_code == 2 and "spaces" in r.stderr  # inner whitespace is still refused


def test_terminal_text_wraps_with_a_hanging_indent_and_never_cuts_words_or_urls():
    from fbhub.wrap import wrap_text

    url = "https://cx.example.com/api/v1.0/facebook/integration/callback-with-a-very-long-path-beyond-the-width"
    text = ("  FB504  FAIL     Token carries the permissions the platform needs — missing pages_messaging here\n"
            f"                  fix: generate the token again and grant every permission, see {url} today")
    rows = wrap_text(text, 60).split("\n")
    assert all(len(r) <= 60 for r in rows if url not in r)
    assert any(r.strip() == url for r in rows)  # a long URL on its own line, whole
    assert rows[1].startswith(" " * 18) and not rows[1].startswith(" " * 19)  # under the title, not the id
    fix_rows = rows[rows.index(next(r for r in rows if "fix:" in r)) + 1:]
    assert all(r.startswith(" " * 23) for r in fix_rows)  # under the text after "fix: "
    words = text.split()
    assert "\n".join(rows).split() == words  # no word was cut or lost


def test_piped_output_is_not_wrapped(cli):
    r = cli("urls", "cx.example.com")
    assert any(len(line) > 100 for line in r.stdout.splitlines())  # the dashboard paths stay on one line


def test_terminal_output_is_wrapped_in_a_pty(tmp_path):
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(sys.executable, ["-m", "fbhub", "urls", "cx.example.com"], encoding="utf-8",
                          timeout=60, dimensions=(40, 60), env=dict(os.environ, COLUMNS="60", TERM="xterm"))
    out = child.read()
    child.close()
    import re

    lines = [re.sub(r"\x1b\[[0-9;]*m", "", x).rstrip() for x in out.replace("\r", "").split("\n")]
    assert all(len(x) <= 60 for x in lines if "https://" not in x), lines
    assert "    Settings > Callback URL" in out or any(x.startswith("    ") for x in lines)
