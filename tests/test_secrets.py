"""Secrets: keyring (file-backed test backend), env overrides, no-keyring path, masking."""

from __future__ import annotations

import json

import pytest

from fbhub.errors import SecretStoreError, UsageError
from fbhub.redact import mask
from fbhub.secrets import SecretStore

SECRET = "0123456789abcdef0123456789abcdef"
TOKEN1 = "EAAGtesttokenONE1234567890abcdefghij"
TOKEN2 = "EAAGtesttokenTWO1234567890abcdefghij"


def test_mask_shows_only_ends():
    assert mask("EAAGabcdefghijklmnopx9Qz") == "EAAG…x9Qz"
    assert mask("short") == "………"
    assert SECRET[4:-4] not in mask(SECRET)
    assert mask(None) == "(not set)"


def test_set_app_secret_from_stdin_goes_to_keyring_not_config(cli, keyring_data, isolated_env):
    r = cli("secrets", "set", "app-secret", input=SECRET + "\n")
    assert r.exit_code == 0, r.stderr
    assert SECRET not in r.stdout + r.stderr
    assert mask(SECRET) in r.stdout
    assert keyring_data()["fbhub\x00default:app-secret"] == SECRET
    cfg = isolated_env / "config.yaml"
    assert not cfg.exists() or SECRET not in cfg.read_text()


def test_secret_is_keyed_by_profile(cli, keyring_data):
    assert cli("--profile", "staging", "secrets", "set", "app-secret", input=SECRET).exit_code == 0
    assert "fbhub\x00staging:app-secret" in keyring_data()
    assert SecretStore("default").get("app-secret") is None
    assert SecretStore("staging").get("app-secret") == SECRET


@pytest.mark.parametrize("bad,why", [
    ('"' + SECRET + '"', "quotes"),
    ("0123 4567", "spaces"),
    ("0123456789abcdef", "32 hexadecimal"),
    ("0123456789ABCDEF0123456789ABCDEZ", "32 hexadecimal"),
])
def test_bad_app_secret_refused_one_line(cli, keyring_data, bad, why):
    r = cli("secrets", "set", "app-secret", input=bad)
    assert r.exit_code == 2
    assert why in r.stderr
    assert len(r.stderr.strip().splitlines()) == 2  # error + hint
    assert keyring_data() == {}
    assert SECRET[6:-6] not in r.stderr


def test_page_tokens_several_from_stdin_and_list_masked(cli, keyring_data):
    r = cli("secrets", "set", "page-token", input=f"{TOKEN1}\n{TOKEN2}\n")
    assert r.exit_code == 0, r.stderr
    r = cli("secrets", "set", "page-token", "--page", "111", input=TOKEN1)
    assert r.exit_code == 0
    r = cli("secrets", "list", "--json")
    doc = json.loads(r.stdout)
    labels = {x["label"] for x in doc["secrets"] if x["secret"] == "page-token"}
    assert "111" in labels and len(labels) == 3
    assert TOKEN1 not in r.stdout and TOKEN2 not in r.stdout
    r = cli("secrets", "list")
    assert mask(TOKEN1) in r.stdout and TOKEN1 not in r.stdout


def test_env_overrides_keyring(cli, monkeypatch):
    cli("secrets", "set", "app-secret", input=SECRET)
    other = "fedcba9876543210" * 2
    monkeypatch.setenv("FBHUB_APP_SECRET", other)
    assert SecretStore("default").get("app-secret") == other
    monkeypatch.setenv("FBHUB_PAGE_TOKENS", f"{TOKEN1}, {TOKEN2}\n")
    assert list(SecretStore("default").page_tokens().values()) == [TOKEN1, TOKEN2]
    r = cli("config", "show")
    assert other not in r.stdout and mask(other) in r.stdout and "env" in r.stdout


@pytest.mark.parametrize("pasted", [SECRET + "\n\n", " " + SECRET, "\t" + SECRET + " \r\n"])
def test_surrounding_whitespace_is_trimmed_and_said(cli, keyring_data, pasted):
    r = cli("secrets", "set", "app-secret", input=pasted)
    assert r.exit_code == 0, r.stderr
    assert keyring_data()["fbhub\x00default:app-secret"] == SECRET
    assert "removed surrounding whitespace" in r.stderr and SECRET not in r.stderr + r.stdout


def test_env_secret_with_newline_trimmed(cli):
    r = cli("config", "show", env={"FBHUB_APP_SECRET": SECRET + "\n"})
    assert r.exit_code == 0 and "FBHUB_APP_SECRET" in r.stderr and "removed surrounding" in r.stderr
    assert SECRET not in r.stderr + r.stdout and mask(SECRET) in r.stdout


def test_delete(cli, keyring_data):
    cli("secrets", "set", "app-secret", input=SECRET)
    r = cli("secrets", "delete", "app-secret")  # no tty, no --yes
    assert r.exit_code == 2 and "--yes" in r.stderr
    assert cli("secrets", "delete", "app-secret", "--yes").exit_code == 0
    assert keyring_data() == {}


def test_generate_verify_token(cli, keyring_data):
    r = cli("secrets", "set", "verify-token", "--generate")
    assert r.exit_code == 0
    tok = keyring_data()["fbhub\x00default:verify-token"]
    assert len(tok) >= 40 and tok not in r.stdout


def test_keyring_setting_without_keyring_one_line_names_env_and_file_store(cli, no_keyring):
    r = cli("secrets", "set", "app-secret", input=SECRET, env={"FBHUB_SECRET_STORE": "keyring"})
    assert r.exit_code == 2
    assert "no usable OS keyring" in r.stderr and "FBHUB_APP_SECRET" in r.stderr
    assert "secret_store file" in r.stderr
    assert "Traceback" not in r.stderr
    r = cli("secrets", "list", env={"FBHUB_SECRET_STORE": "keyring"})
    assert r.exit_code == 0 and "FBHUB_APP_SECRET" in r.stdout
    # env still works without a keyring
    r = cli("config", "show", env={"FBHUB_APP_SECRET": SECRET})
    assert r.exit_code == 0 and mask(SECRET) in r.stdout


def test_store_api_errors(no_keyring):
    store = SecretStore("default", env={}, store="keyring")
    assert store.get("app-secret") is None and store.keyring_problem
    with pytest.raises(SecretStoreError):
        store.get("app-secret", quiet=False)
    with pytest.raises(UsageError):
        SecretStore("default", env={"FBHUB_APP_SECRET": "nothex"}).get("app-secret")


def test_subprocess_uses_same_keyring(isolated_env):
    import subprocess
    import sys

    p = subprocess.run([sys.executable, "-m", "fbhub", "secrets", "set", "app-secret"], input=SECRET,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    p = subprocess.run([sys.executable, "-m", "fbhub", "secrets", "list"], capture_output=True, text=True, timeout=60)
    assert mask(SECRET) in p.stdout and SECRET not in p.stdout


def test_show_masks_and_reveal_refuses_a_pipe(cli, keyring_data):
    cli("secrets", "set", "verify-token", "--generate")
    tok = keyring_data()["fbhub\x00default:verify-token"]
    r = cli("secrets", "show", "verify-token")
    assert r.exit_code == 0 and mask(tok) in r.stdout and tok not in r.stdout
    r = cli("secrets", "show", "verify-token", "--reveal")  # CliRunner's stdout is not a terminal
    assert r.exit_code == 2 and tok not in r.stdout + r.stderr and "pipe" in r.stderr
    assert cli("secrets", "show", "app-secret").exit_code == 2  # not stored: one line naming how to store it


def test_reveal_on_a_terminal(isolated_env):
    import sys

    pexpect = pytest.importorskip("pexpect")
    p = pexpect.spawn(sys.executable, ["-m", "fbhub", "secrets", "set", "verify-token", "--generate"],
                      encoding="utf-8", timeout=30)
    p.expect(pexpect.EOF)
    p = pexpect.spawn(sys.executable, ["-m", "fbhub", "secrets", "show", "verify-token", "--reveal"],
                      encoding="utf-8", timeout=30)
    p.expect(pexpect.EOF)
    import json

    tok = json.loads((isolated_env / "keyring.json").read_text())["fbhub\x00default:verify-token"]
    assert tok in p.before
