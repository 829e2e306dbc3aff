"""The real ``python -m fbhub configure`` driven through a pseudo-terminal (pexpect) against the sandbox.

The child inherits conftest's isolated environment (temp config, file-backed keyring) plus FBHUB_GRAPH_URL
pointing at a sandbox served from this test process.
"""

from __future__ import annotations

import io
import os
import sys

import pytest
import yaml

pexpect = pytest.importorskip("pexpect")

from fbhub.sandbox import run_sandbox  # noqa: E402

TIMEOUT = 10


def _argv(*args: str) -> list[str]:
    return ["-m", "fbhub", *args]  # the real entry point


@pytest.fixture
def sb():
    with run_sandbox("healthy") as s:
        yield s


def spawn(sb, *args: str):
    # CI=true alone must not switch to non-interactive mode when stdin is a terminal
    env = dict(os.environ, FBHUB_GRAPH_URL=sb.url, COLUMNS="200", CI="true")
    child = pexpect.spawn(sys.executable, _argv("configure", *args), env=env, encoding="utf-8",
                          timeout=TIMEOUT, dimensions=(50, 200))
    child.logfile_read = io.StringIO()
    return child


def answer(child, question: str, reply: str) -> None:
    child.expect_exact(question)
    child.sendline(reply)


def finish(child) -> tuple[int, str]:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus, child.logfile_read.getvalue()


def test_hidden_secret_wrong_secret_ctrl_c_and_resume(sb, isolated_env, keyring_data):
    op = sb.operator
    wrong = "0123456789abcdef0123456789abcdef"
    child = spawn(sb)
    answer(child, "You have a Facebook account?", "y")
    answer(child, "Business Manager account is verified?", "y")
    answer(child, "Facebook Page(s) to connect?", "y")
    answer(child, "CX domain", op.domain)
    answer(child, "App ID", op.app_id)
    answer(child, "App Secret (hidden)", wrong)
    child.expect_exact("Meta refused this App Secret")
    answer(child, "App Secret (hidden)", op.app_secret)
    child.expect_exact("Meta issued an app access token")
    answer(child, "Client OAuth login is on?", "y")
    answer(child, "Web OAuth login is on?", "y")
    answer(child, "Valid OAuth Redirect URIs?", "y")
    answer(child, "How do you want to give the Page tokens?", "2")
    answer(child, "Page access token (hidden)", op.page_tokens[0])
    child.expect_exact("Add another Page token?")
    before = (isolated_env / "config.yaml").read_text()
    child.sendintr()  # Ctrl-C in the middle of the messenger stage
    code, out = finish(child)
    assert code == 130
    assert "run it again to continue at stage messenger" in out and "'fbhub configure'" not in out
    # hidden input: neither secret was echoed
    for secret in (wrong, op.app_secret, op.page_tokens[0]):
        assert secret not in out
    # the config is as it was before the messenger stage; its token was not stored
    assert (isolated_env / "config.yaml").read_text() == before
    assert yaml.safe_load(before)["profiles"]["default"] == {"domain": op.domain, "app_id": op.app_id}
    assert not any(":page-token" in k for k in keyring_data())
    assert keyring_data()["fbhub\x00default:app-secret"] == op.app_secret

    # resume: continues at messenger and runs to the end
    child = spawn(sb)
    child.expect_exact("continuing at stage messenger")
    answer(child, "How do you want to give the Page tokens?", "2")
    answer(child, "Page access token (hidden)", op.page_tokens[0])
    answer(child, "Add another Page token?", "n")
    answer(child, "which verify token it accepts?", "n")
    answer(child, "Copy the Verify Token to the clipboard?", "n")
    answer(child, "Webhook saved", "y")
    child.expect_exact("every configured Page is subscribed")
    answer(child, "Client-id and Client-Secret are saved", "y")
    answer(child, "Add a Tester now?", "n")
    answer(child, "submitted for App Review?", "y")
    answer(child, "The app is Live?", "y")
    code, out = finish(child)
    assert code == 0, out
    assert "every stage ran, but these are still open" in out  # the skipped optional stage is listed
    assert "testers (Testers (optional)): skipped" in out
    assert op.page_tokens[0] not in out
    assert "Stage 1/10" not in out  # completed stages were not asked again
    prof = yaml.safe_load((isolated_env / "config.yaml").read_text())["profiles"]["default"]
    assert prof["pages"] == [{"id": "110000000000001", "name": "CloudCX Support"}]
    assert keyring_data()["fbhub\x00default:page-token:110000000000001"] == op.page_tokens[0]


def test_ctrl_c_at_the_first_prompt_writes_nothing(sb, isolated_env):
    child = spawn(sb)
    child.expect_exact("You have a Facebook account?")
    child.sendintr()
    code, out = finish(child)
    assert code == 130
    assert "continue at stage prerequisites" in out
    assert not (isolated_env / "config.yaml").exists()
