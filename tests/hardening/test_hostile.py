"""A hostile or broken server between fbhub and Meta: the real CLI against ``hostile.HostileServer``.

Every scenario asserts the exit code, a wall-time bound (generous: CI machines are shared) and that no
8-character piece of any secret (App Secret, Page token, verify token, the ``appsecret_proof`` fbhub sent) is in
stdout, stderr or any file written. The memory-heavy scenarios run ``fbhub`` in a child process under an
address-space limit (``hostile.MEMORY_LIMIT``) and check its peak resident memory.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest

from .hostile import HostileServer, leaked, run_fbhub
from .support import run_cli

APP_ID = "1234567890123456"
APP_SECRET = "9c1f0e6b3a7d4e2f8b5a6c7d1e0f2a3b"
PAGE_TOKEN = "EAAGq7XkP2mZr9LwT4vB8nYc3sHd6Jf1Ua5Qe0IoGhJkLmNpQrStUvWxYz"
VERIFY_TOKEN = "vt-Hq3Zr8LmXw2Kp7Nb5Tc9Yd4"
SECRETS = [APP_SECRET, PAGE_TOKEN, VERIFY_TOKEN]
# appsecret_proof of the calls fbhub makes: with the Page token, and with the app token APPID|SECRET
PROOFS = [hmac.new(APP_SECRET.encode(), t.encode(), hashlib.sha256).hexdigest()
          for t in (PAGE_TOKEN, f"{APP_ID}|{APP_SECRET}")]
FORMATS = ("text", "json", "junit", "github")


def env_for(url: str, **extra: str) -> dict[str, str]:
    env = {"FBHUB_GRAPH_URL": url, "FBHUB_APP_ID": APP_ID, "FBHUB_APP_SECRET": APP_SECRET,
           "FBHUB_PAGE_TOKENS": PAGE_TOKEN, "FBHUB_VERIFY_TOKEN": VERIFY_TOKEN, "FBHUB_DOMAIN": "cx.example.com",
           "FBHUB_TIMEOUT": "3", "FBHUB_RETRY_BUDGET": "2"}
    env.update(extra)
    return env


def files_text(*paths: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in paths if p.exists())


# -- deep JSON -------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["doctor"], ["subscribe-page"], ["verify-app", "--json"]])
def test_deep_json_is_an_unreadable_answer(command):
    """100,000 levels of nesting: exit 3 naming an unreadable answer, not 'unexpected RecursionError … bug'."""
    with HostileServer("deep-json") as srv:
        r = run_fbhub(command, env_for(srv.url), kill_after=60)
    out = r.stdout + r.stderr
    assert r.exit_code == 3, out[-2000:]
    assert "unreadable answer" in out and "nested" in out, out[-2000:]
    assert "RecursionError" not in out and "bug" not in out and "Traceback" not in out
    assert r.seconds < 30
    assert not leaked(SECRETS + PROOFS, out)


# -- secrets quoted by an error page ---------------------------------------------------------------


@pytest.mark.parametrize("offset", range(0, 100))
def test_error_page_quoting_a_secret_at_any_offset_leaks_nothing(offset, tmp_path):
    """A non-JSON error page (a WAF, a proxy) quotes a secret after ``offset`` characters: whatever the offset,
    no 8 characters of it reach any format or the support bundle (bug: the snippet was cut to 80 characters
    before redaction, so a cut secret no longer matched and 31 of 32 characters leaked)."""
    secret = SECRETS[offset % 3]
    fmt = FORMATS[offset % len(FORMATS)]
    report, bundle = tmp_path / "report.out", tmp_path / "bundle.json"
    with HostileServer("quote", quote=secret + " and " + SECRETS[(offset + 1) % 3], offset=offset) as srv:
        r = run_cli("--verbose", "doctor", "--format", fmt, "--output", str(report), "--bundle", str(bundle),
                    env=env_for(srv.url, FBHUB_RETRY_BUDGET="0"), fresh_redactor=True)
    assert r.exit_code == 3, (r.stdout[-1500:], r.stderr[-1500:])
    assert "Traceback" not in r.stdout + r.stderr
    assert bundle.exists() and report.exists()
    assert not leaked(SECRETS + PROOFS, r.stdout, r.stderr, files_text(report, bundle)), (fmt, offset)


# -- appsecret_proof echoed back -------------------------------------------------------------------


@pytest.mark.parametrize("command", [["doctor"], ["doctor", "--format", "json"], ["subscribe-page"],
                                     ["subscribe-page", "--json"]])
def test_echoed_appsecret_proof_is_masked(command):
    """A server that quotes the appsecret_proof it received: masked like a secret (the verbose log already
    did; doctor and subscribe-page errors showed it in full)."""
    with HostileServer("echo-proof") as srv:
        r = run_cli(*command, env=env_for(srv.url), fresh_redactor=True)
    out = r.stdout + r.stderr
    assert r.exit_code in (1, 3), out[-1500:]
    assert "Invalid appsecret_proof" in out  # the finding is still shown
    assert not leaked(SECRETS + PROOFS, out), out[-1500:]
