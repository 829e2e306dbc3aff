"""The secret store and its index under interrupts and concurrency; all-or-nothing `secrets set page-token`.

Issue 13, items 10-11: an interrupted or concurrent `secrets set page-token` never leaves a token that
`secrets list` does not show or `secrets delete` does not remove, and never says "nothing" when something was
stored; two valid tokens then an invalid one store nothing (exit 2, naming the bad one).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .support import REPO, run_cli

TOKENS = [f"EAAGpageToken{n}x0123456789abcdefghijklmnopq" for n in range(5)]

# A fresh interpreter running the real CLI with a slow keyring (each write sleeps), to widen the window in
# which unserialised writers of the index lose each other's labels.
_LAUNCH = """
import os, sys, time
from filekeyring import FileKeyring
real = FileKeyring.set_password
def slow(self, service, username, password):
    time.sleep(float(os.environ.get("FBHUB_TEST_SLOW_KEYRING") or 0))
    return real(self, service, username, password)
FileKeyring.set_password = slow
from fbhub.cli import main
sys.argv = ["fbhub"] + sys.argv[1:]
main()
"""


def stored_tokens(keyring_data) -> dict[str, str]:
    return {k.split(":page-token:", 1)[1]: v for k, v in keyring_data().items() if ":page-token:" in k}


def listed_tokens() -> set[str]:
    r = run_cli("secrets", "list", "--json")
    assert r.exit_code == 0, r.stderr
    return {row["label"] for row in json.loads(r.stdout)["secrets"] if row["secret"] == "page-token" and row["label"]}


def test_parallel_set_page_token_keeps_every_token_listed_and_deletable(isolated_env, keyring_data):
    env = dict(os.environ, FBHUB_TEST_SLOW_KEYRING="0.2", FBHUB_SECRET_STORE="keyring")
    procs = [subprocess.Popen([sys.executable, "-c", _LAUNCH, "secrets", "set", "page-token"], env=env, cwd=REPO,
                              text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for _ in TOKENS]
    for p, tok in zip(procs, TOKENS, strict=True):
        p.stdin.write(tok + "\n")
        p.stdin.close()
    for p in procs:
        p.wait(timeout=120)
        err = p.stderr.read()
        p.stdout.close()
        p.stderr.close()
        assert p.returncode == 0, err
    stored = stored_tokens(keyring_data)
    assert sorted(stored.values()) == sorted(TOKENS)
    assert listed_tokens() == set(stored)  # 5 of 5 listed
    r = run_cli("secrets", "delete", "page-token", "--yes")
    assert r.exit_code == 0, r.stderr
    assert stored_tokens(keyring_data) == {}
    assert not any("page-token" in k for k in keyring_data())


@pytest.mark.parametrize("stop_at", [1, 2, 3, 4])
def test_interrupted_set_page_token_reports_what_was_stored(stop_at, isolated_env, keyring_data, monkeypatch):
    """Ctrl-C at the n-th keyring write of `secrets set page-token` (three tokens): exit 130, the message names
    each token that was stored (masked), every stored token is listed and `secrets delete` removes it."""
    from filekeyring import FileKeyring

    from fbhub.redact import mask

    calls = {"n": 0}
    real = FileKeyring.set_password

    def interrupted(self, service, username, password):
        calls["n"] += 1
        if calls["n"] == stop_at:
            raise KeyboardInterrupt
        return real(self, service, username, password)

    monkeypatch.setattr(FileKeyring, "set_password", interrupted)
    r = run_cli("secrets", "set", "page-token", input="\n".join(TOKENS[:3]) + "\n")
    monkeypatch.setattr(FileKeyring, "set_password", real)
    assert r.exit_code == 130, r.stderr
    assert "Traceback" not in r.stderr
    stored = stored_tokens(keyring_data)
    for tok in TOKENS[:3]:
        if tok in stored.values():
            assert mask(tok) in r.stderr, r.stderr  # said what was stored
    if stored:
        assert "nothing" not in r.stderr.lower(), r.stderr
    for tok in TOKENS[:3]:
        assert tok not in r.stderr + r.stdout
    assert set(stored) <= listed_tokens()
    r = run_cli("secrets", "delete", "page-token", "--yes")
    assert r.exit_code == 0, r.stderr
    assert not any("page-token" in k for k in keyring_data())


def test_two_valid_and_one_invalid_token_store_nothing(isolated_env, keyring_data):
    r = run_cli("secrets", "set", "page-token", input=f"{TOKENS[0]}\n{TOKENS[1]}\nnot-a-token!\n")
    assert r.exit_code == 2
    assert stored_tokens(keyring_data) == {}
    assert not any("page-token" in k for k in keyring_data())
    lines = [x for x in r.stderr.splitlines() if x.startswith("error:")]
    assert len(lines) == 1 and "3 of 3" in lines[0] and "nothing was stored" in lines[0], r.stderr


def test_valid_tokens_are_all_stored(isolated_env, keyring_data):
    r = run_cli("secrets", "set", "page-token", input=" ".join(TOKENS[:3]) + "\n")
    assert r.exit_code == 0, r.stderr
    assert sorted(stored_tokens(keyring_data).values()) == sorted(TOKENS[:3])
    assert r.stdout.count("stored Page access token") == 3


def test_an_error_after_some_writes_says_what_was_stored(isolated_env, keyring_data, monkeypatch):
    """The keyring failing on the third token: exit 2, and the two stored before are named (masked)."""
    import keyring
    from filekeyring import FileKeyring

    from fbhub.redact import mask

    calls = {"n": 0}
    real = FileKeyring.set_password

    def failing(self, service, username, password):
        calls["n"] += 1
        if calls["n"] == 4:  # index, token 1, token 2, token 3
            raise keyring.errors.PasswordSetError("the keyring daemon went away")
        return real(self, service, username, password)

    monkeypatch.setattr(FileKeyring, "set_password", failing)
    r = run_cli("secrets", "set", "page-token", input="\n".join(TOKENS[:3]) + "\n")
    monkeypatch.setattr(FileKeyring, "set_password", real)
    assert r.exit_code == 2
    stored = stored_tokens(keyring_data)
    assert sorted(stored.values()) == sorted(TOKENS[:2])
    assert mask(TOKENS[0]) in r.stderr and mask(TOKENS[1]) in r.stderr
    assert set(stored) <= listed_tokens()


def test_configure_interrupted_while_saving_tokens_says_what_it_stored(isolated_env, keyring_data, monkeypatch):
    """Ctrl-C while configure stores the second Page token: exit 130, the first token named as stored (not
    "nothing of this stage was saved"), and `secrets list` / `secrets delete` see it."""
    from filekeyring import FileKeyring

    from fbhub.redact import mask
    from fbhub.sandbox import run_sandbox

    real = FileKeyring.set_password
    seen = {"n": 0}

    def interrupted(self, service, username, password):
        if ":page-token:" in username:
            seen["n"] += 1
            if seen["n"] == 2:
                raise KeyboardInterrupt
        return real(self, service, username, password)

    with run_sandbox("healthy") as sb:
        op = sb.operator
        env = {"FBHUB_GRAPH_URL": sb.url, "FBHUB_APP_SECRET": op.app_secret,
               "FBHUB_PAGE_TOKENS": ",".join(op.page_tokens)}
        monkeypatch.setattr(FileKeyring, "set_password", interrupted)
        r = run_cli("configure", "--domain", op.domain, "--app-id", op.app_id, env=env)
        monkeypatch.setattr(FileKeyring, "set_password", real)
    assert r.exit_code == 130, r.stderr
    stored = stored_tokens(keyring_data)
    assert list(stored.values()) == [op.page_tokens[0]]
    assert mask(op.page_tokens[0]) in r.stderr, r.stderr
    assert "nothing of this stage was saved" not in r.stderr
    assert set(stored) <= listed_tokens()
    assert run_cli("secrets", "delete", "page-token", "--yes").exit_code == 0
    assert stored_tokens(keyring_data) == {}
