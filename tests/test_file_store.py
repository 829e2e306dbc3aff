"""Servers without a keyring: the private file store, the secret_store setting, FBHUB_*_FILE variables."""

from __future__ import annotations

import io
import json
import os
import stat
import sys

import pytest

from fbhub.redact import mask
from fbhub.secrets import SecretStore

SECRET = "0123456789abcdef0123456789abcdef"
TOKEN1 = "EAAGtesttokenONE1234567890abcdefghij"
TOKEN2 = "EAAGtesttokenTWO1234567890abcdefghij"


def _store_file(home):
    return home / "secrets.json"


OTHER_SECRET = "0123456789abcdef" * 2  # a second App Secret (a real one is 32 random hex digits)


def test_no_keyring_secrets_go_to_a_0600_file_with_a_one_line_notice(cli, no_keyring, isolated_env):
    r = cli("secrets", "set", "app-secret", input=SECRET + "\n")
    assert r.exit_code == 0, r.stderr
    path = _store_file(isolated_env)
    assert str(path) in r.stdout and str(path) in r.stderr
    notes = [line for line in r.stderr.splitlines() if "no usable OS keyring" in line]
    assert len(notes) == 1
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["secrets"] == {"default:app-secret": SECRET}
    assert SECRET not in r.stdout + r.stderr
    cfg = isolated_env / "config.yaml"
    assert not cfg.exists() or SECRET not in cfg.read_text()
    # keyed by profile, like the keyring
    assert cli("-p", "staging", "secrets", "set", "app-secret", input=OTHER_SECRET).exit_code == 0
    data = json.loads(path.read_text())["secrets"]
    assert data["staging:app-secret"] == OTHER_SECRET and data["default:app-secret"] == SECRET
    assert SecretStore("staging", env={}, directory=isolated_env).get("app-secret") == OTHER_SECRET


def test_secrets_list_says_which_store_is_in_use(cli, no_keyring, isolated_env):
    cli("secrets", "set", "page-token", "--page", "111", input=TOKEN1)
    r = cli("secrets", "list")
    assert r.exit_code == 0
    assert r.stdout.splitlines()[0].startswith("store: the file " + str(_store_file(isolated_env)))
    assert "page-token: page 111 · token " + mask(TOKEN1) + "  (file)" in r.stdout
    doc = json.loads(cli("secrets", "list", "--json").stdout)
    assert doc["store"]["kind"] == "file" and doc["store"]["where"] == str(_store_file(isolated_env))


def test_keyring_in_use_is_named(cli):
    r = cli("secrets", "list")
    assert r.stdout.splitlines()[0] == "store: the OS keyring"


def test_setting_selects_the_file_store_even_with_a_keyring(cli, keyring_data, isolated_env):
    assert cli("config", "set", "secret_store", "file").exit_code == 0
    r = cli("secrets", "set", "verify-token", "--generate")
    assert r.exit_code == 0, r.stderr
    assert keyring_data() == {}
    assert "default:verify-token" in json.loads(_store_file(isolated_env).read_text())["secrets"]
    assert "no usable OS keyring" not in r.stderr  # chosen, not fallen back to
    assert "secret_store: file" in cli("secrets", "list").stdout
    r = cli("config", "set", "secret_store", "vault")
    assert r.exit_code == 2 and "keyring" in r.stderr and "file" in r.stderr


def test_file_store_readable_by_others_is_refused_not_rewritten(cli, no_keyring, isolated_env):
    cli("secrets", "set", "app-secret", input=SECRET)
    path = _store_file(isolated_env)
    os.chmod(path, 0o644)
    before = path.read_text()
    r = cli("secrets", "set", "verify-token", "--generate")
    assert r.exit_code == 2 and "chmod 600" in r.stderr and len(r.stderr.strip().splitlines()) <= 3
    assert path.read_text() == before


def test_unparsable_file_store_is_kept(cli, no_keyring, isolated_env):
    path = _store_file(isolated_env)
    path.write_text("{not json")
    os.chmod(path, 0o600)
    r = cli("secrets", "set", "app-secret", input=SECRET)
    assert r.exit_code == 2 and str(path) in r.stderr and "left as it is" in r.stderr
    assert path.read_text() == "{not json"


@pytest.mark.parametrize("kind,env", [("app-secret", "FBHUB_APP_SECRET"), ("verify-token", "FBHUB_VERIFY_TOKEN"),
                                      ("user-token", "FBHUB_USER_TOKEN")])
def test_file_variables_for_single_secrets(cli, tmp_path, kind, env):
    value = SECRET if kind == "app-secret" else TOKEN1
    f = tmp_path / "secret"
    f.write_text(value + "\n")  # the usual trailing newline of a mounted secret
    r = cli("secrets", "list", "--json", env={env + "_FILE": str(f)})
    assert r.exit_code == 0, r.stderr
    row = next(x for x in json.loads(r.stdout)["secrets"] if x["secret"] == kind)
    assert row["value"] == mask(value) and row["source"] == "env-file"
    assert SecretStore("default", env={env + "_FILE": str(f)}).get(kind) == value
    # both set: refused, naming both
    r = cli("secrets", "list", env={env + "_FILE": str(f), env: value})
    assert r.exit_code == 2 and env in r.stderr and env + "_FILE" in r.stderr
    # a missing file: one line naming the variable and the path
    r = cli("secrets", "list", env={env + "_FILE": str(tmp_path / "nope")})
    assert r.exit_code == 2 and env + "_FILE" in r.stderr and "nope" in r.stderr and "Traceback" not in r.stderr


def test_page_tokens_file_one_per_line_comments_and_blanks(tmp_path):
    f = tmp_path / "tokens"
    f.write_text(f"# support and sales\n{TOKEN1}\n\n   \n  {TOKEN2}  \r\n# end\n")
    store = SecretStore("default", env={"FBHUB_PAGE_TOKENS_FILE": str(f)})
    assert list(store.page_tokens().values()) == [TOKEN1, TOKEN2]
    assert store.source("page-token") == "env-file"


def test_page_tokens_file_holds_more_than_an_environment_variable_can(tmp_path):
    """One environment variable holds at most 128 KiB (MAX_ARG_STRLEN): ~600 Pages. The file has no such limit."""
    tokens = [f"EAAG{n:06d}" + "x" * 200 for n in range(1000)]
    f = tmp_path / "tokens"
    f.write_text("\n".join(tokens) + "\n")
    assert f.stat().st_size > 128 * 1024
    import subprocess

    p = subprocess.run([sys.executable, "-m", "fbhub", "secrets", "list", "--json"], capture_output=True, text=True,
                       timeout=120, env=dict(os.environ, FBHUB_PAGE_TOKENS_FILE=str(f)))
    assert p.returncode == 0, p.stderr
    rows = [x for x in json.loads(p.stdout)["secrets"] if x["secret"] == "page-token"]
    assert len(rows) == 1000


def test_page_tokens_file_bad_line_is_named(cli, tmp_path):
    f = tmp_path / "tokens"
    f.write_text(f"{TOKEN1}\n{TOKEN2} {TOKEN1}\n")
    r = cli("secrets", "list", env={"FBHUB_PAGE_TOKENS_FILE": str(f)})
    assert r.exit_code == 2 and "FBHUB_PAGE_TOKENS_FILE" in r.stderr and "line 2" in r.stderr
    assert TOKEN1 not in r.stderr and TOKEN2 not in r.stderr


def test_doctor_passes_with_every_secret_from_files(sandbox, cli, tmp_path, no_keyring):
    sb = sandbox("healthy")
    op = sb.operator
    env = {k: v for k, v in op.env(sb.url).items()
           if k not in ("FBHUB_APP_SECRET", "FBHUB_PAGE_TOKENS", "FBHUB_VERIFY_TOKEN", "FBHUB_USER_TOKEN")}
    (tmp_path / "app_secret").write_text(op.app_secret + "\n")
    (tmp_path / "page_tokens").write_text("# the Pages\n" + "\n".join(op.page_tokens) + "\n")
    (tmp_path / "verify_token").write_text(op.verify_token + "\n")
    env.update(FBHUB_APP_SECRET_FILE=str(tmp_path / "app_secret"), FBHUB_PAGE_TOKENS_FILE=str(tmp_path / "page_tokens"),
               FBHUB_VERIFY_TOKEN_FILE=str(tmp_path / "verify_token"))
    r = cli("doctor", "--format", "json", env=env)
    assert r.exit_code == 0, r.stdout + r.stderr
    for secret in (op.app_secret, op.verify_token, *op.page_tokens):
        assert secret not in r.stdout + r.stderr


def test_configure_with_no_keyring_completes_in_a_pty_then_secrets_and_doctor_use_the_file(
        sandbox, isolated_env, tmp_path):
    pexpect = pytest.importorskip("pexpect")
    sb = sandbox("healthy")
    op = sb.operator
    env = dict(os.environ, FBHUB_GRAPH_URL=sb.url, COLUMNS="200",
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    child = pexpect.spawn(sys.executable, ["-m", "fbhub", "configure"], env=env, encoding="utf-8", timeout=30,
                          dimensions=(50, 200))
    child.logfile_read = io.StringIO()

    def answer(question: str, reply: str) -> None:
        child.expect_exact(question)
        child.sendline(reply)

    child.expect_exact("no usable OS keyring")
    answer("You have a Facebook account?", "y")
    answer("Business Manager account is verified?", "y")
    answer("Facebook Page(s) to connect?", "y")
    answer("CX domain", op.domain)
    answer("App ID", op.app_id)
    answer("App Secret (hidden)", op.app_secret)
    answer("Client OAuth login is on?", "y")
    answer("Web OAuth login is on?", "y")
    answer("Valid OAuth Redirect URIs?", "y")
    answer("How do you want to give the Page tokens?", "2")
    answer("Page access token (hidden)", op.page_tokens[0])
    answer("Add another Page token?", "y")
    answer("Page access token (hidden)", op.page_tokens[1])
    answer("Add another Page token?", "n")
    answer("which verify token it accepts?", "n")
    answer("Copy the Verify Token to the clipboard?", "n")
    answer("Webhook saved", "y")
    answer("Client-id and Client-Secret are saved", "y")
    answer("Add a Tester now?", "n")
    answer("submitted for App Review?", "y")
    answer("The app is Live?", "y")
    child.expect(pexpect.EOF)
    child.close()
    out = child.logfile_read.getvalue()
    assert child.exitstatus == 0, out
    for secret in (op.app_secret, *op.page_tokens):
        assert secret not in out
    path = _store_file(isolated_env)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    stored = json.loads(path.read_text())["secrets"]
    assert stored["default:app-secret"] == op.app_secret
    assert op.page_tokens[0] in stored.values() and op.page_tokens[1] in stored.values()
    import subprocess

    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "fbhub", *args], input=stdin, capture_output=True, text=True,
                              timeout=120, env=env)

    p = run("secrets", "set", "verify-token", stdin=op.verify_token + "\n")
    assert p.returncode == 0, p.stderr
    assert json.loads(path.read_text())["secrets"]["default:verify-token"] == op.verify_token
    p = run("doctor", "--format", "json")
    assert p.returncode == 0, p.stdout + p.stderr
    results = json.loads(p.stdout)["results"]
    assert [r["status"] for r in results if r["id"] == "FB202"] == ["pass"]
    assert len([r for r in results if r["id"] == "FB501" and r["status"] == "pass"]) == 2
    assert all(r["status"] in ("pass", "confirm") for r in results), p.stdout[:3000]


def test_fbhub_secrets_alone_says_which_store_is_in_use(cli, no_keyring, isolated_env):
    r = cli("secrets")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines()[0].startswith(f"store: the file {_store_file(isolated_env)}")


def test_non_interactive_configure_without_keyring_says_where_the_tokens_went(sandbox, cli, no_keyring, isolated_env):
    sb = sandbox("healthy")
    r = cli("configure", "--non-interactive", "--domain", sb.operator.domain, "--app-id", sb.operator.app_id,
            env={k: v for k, v in sb.operator.env(sb.url).items() if k not in ("FBHUB_DOMAIN", "FBHUB_APP_ID")})
    assert r.exit_code == 0, r.stdout + r.stderr
    assert f"secrets in the file {_store_file(isolated_env)}" in r.stdout
    assert "page 110000000000001 (CloudCX Support) · token " in r.stdout
    assert sb.operator.page_tokens[0] not in r.stdout + r.stderr
