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
FORMATS = ("text", "json", "junit", "github", "prometheus", "nagios")


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


# -- bodies too large, deadlines -------------------------------------------------------------------
# Each runs the real fbhub in a child process under hostile.MEMORY_LIMIT (address space), with a 1 s timeout
# and a 1 s retry budget (short, to keep the suite fast; the timing tests below use longer values): the run
# must end with exit 3 within the deadline plus the budget plus start-up and slack, and its peak resident
# memory stays far below what the server tried to make it hold.

T, B = 1, 1
# start-up of a loaded CI machine + the deadline + the retry budget + generous slack
WALL = 1.0 * T + B + 25
PEAK_MIB = 400  # the answers cap at 8 MiB each (a few in parallel) on top of ~50 MiB of interpreter


HOSTILE = [("huge", "larger than 8 MiB"), ("endless", "larger than 8 MiB"), ("gzip-bomb", "larger than 8 MiB"),
           ("drip", f"within {T} s"), ("drip-head", f"within {T} s"), ("never", f"within {T} s")]


@pytest.mark.parametrize("mode,says,command",
                         [(m, s, ["doctor"]) for m, s in HOSTILE]
                         + [(m, s, ["subscribe-page", "--json"]) for m, s in HOSTILE if m in ("gzip-bomb", "drip")])
def test_hostile_answer_ends_in_bounded_time_and_memory(mode, says, command, tmp_path):
    bundle = tmp_path / "bundle.json"
    args = command + (["--bundle", str(bundle)] if command == ["doctor"] else [])
    with HostileServer(mode) as srv:
        r = run_fbhub(args, env_for(srv.url, FBHUB_TIMEOUT=str(T), FBHUB_RETRY_BUDGET=str(B)), kill_after=90)
    out = r.stdout + r.stderr
    assert r.exit_code == 3, (mode, r.exit_code, out[-2000:])
    assert says in out, (mode, out[-2000:])
    assert "Traceback" not in out and "MemoryError" not in out and "bug" not in out
    assert r.seconds < WALL, (mode, r.seconds)
    assert r.peak_rss_mib < PEAK_MIB, (mode, r.peak_rss_mib)
    assert not leaked(SECRETS + PROOFS, out, files_text(bundle))


@pytest.mark.parametrize("mode", ["drip", "huge"])
def test_probe_webhook_timeout_is_a_total_deadline(mode):
    """probe-webhook --timeout against an endpoint that drips, never answers or never stops: bounded (bug:
    a dripping endpoint hung it for ever); an answer over 64 KiB is an error result, not a bigger buffer."""
    with HostileServer(mode) as srv:
        r = run_fbhub(["probe-webhook", "--allow-http", "--timeout", str(T), "--url", srv.url + "/fb/webhook"],
                      env_for(srv.url), kill_after=90)
    out = r.stdout + r.stderr
    # FB801 + FB802 at most T each, FB803 at most max(T, 5 + 1) (Meta's 5 s limit for events, plus one)
    assert r.seconds < 2 * T + 6 + 25, r.seconds
    assert r.exit_code in (1, 3), out[-2000:]
    assert (f"within {T} s" in out) if mode in ("drip", "never") else ("larger than 64 KiB" in out), out[-2000:]
    assert r.peak_rss_mib < PEAK_MIB
    assert not leaked(SECRETS + PROOFS, out)


def test_timeout_and_budget_are_honoured_to_the_second():
    """One call against a server that never answers: with no retry budget it ends after the timeout; with a
    budget it ends when the budget is spent (never later than max(timeout, budget) + 1 s)."""
    import time

    from fbhub.graph import GraphClient
    from fbhub.graph.retry import RetryPolicy

    with HostileServer("never") as srv:
        for timeout, budget in ((2.0, 0.0), (1.0, 3.0)):
            client = GraphClient(graph_url=srv.url, app_id=APP_ID, app_secret=APP_SECRET, timeout=timeout,
                                 retry=RetryPolicy(total_timeout=budget, max_attempts=4 if budget else 1))
            t0 = time.monotonic()
            with pytest.raises(Exception) as exc:
                client.get(f"/{APP_ID}", token=PAGE_TOKEN)
            took = time.monotonic() - t0
            client.close()
            assert getattr(exc.value, "exit_code", None) == 3, exc.value
            assert timeout - 0.1 <= took <= max(timeout, budget) + 1.0, (timeout, budget, took)


def test_the_retry_budget_bounds_the_whole_run():
    """While the Graph API keeps failing, a run spends at most the retry budget after the first failure: calls
    made after that fail at once instead of each waiting its own timeout and budget."""
    import time

    from fbhub.graph import GraphClient
    from fbhub.graph.retry import RetryPolicy

    with HostileServer("never") as srv:
        client = GraphClient(graph_url=srv.url, app_id=APP_ID, app_secret=APP_SECRET, timeout=1.0,
                             retry=RetryPolicy(total_timeout=2.0))
        t0 = time.monotonic()
        for _ in range(5):
            with pytest.raises(Exception) as exc:
                client.get(f"/{APP_ID}", token=PAGE_TOKEN)
            assert getattr(exc.value, "exit_code", None) == 3
        took = time.monotonic() - t0
        client.close()
    assert took <= 1.0 + 2.0 + 1.5, took  # not 5 × (timeout + budget)
    assert "retry budget" in str(exc.value)


# -- Ctrl-C ----------------------------------------------------------------------------------------


CTRL_C = [(mode, cmd) for mode in ("never", "drip")
          for cmd in (["doctor"], ["subscribe-page"], ["verify-app", "--json"],
                      ["probe-webhook", "--allow-http", "--url", "{url}/fb/webhook"])]
CTRL_C += [("never", cmd) for cmd in (["subscribe-app"], ["unsubscribe-page", "--yes"],
                                      ["doctor", "--probe", "--format", "json"],
                                      ["review-kit", "--force", "--output", "{tmp}/kit.md"])]


@pytest.mark.parametrize("mode,command", CTRL_C, ids=[f"{m}-{' '.join(c[:2])}" for m, c in CTRL_C])
def test_ctrl_c_ends_any_command_within_a_second(mode, command, tmp_path):
    """SIGINT while requests hang (in worker threads too): exit 130 within a second (bug: 28 s against a server
    that never answers, never against a dripping one). Timeout and budget are long, so only Ctrl-C ends it."""
    with HostileServer(mode) as srv:
        args = [a.replace("{url}", srv.url).replace("{tmp}", str(tmp_path)) for a in command]
        env = env_for(srv.url, FBHUB_TIMEOUT="60", FBHUB_RETRY_BUDGET="60")
        r = run_fbhub(args, env, kill_after=30, interrupt_after=None, sigint_when=lambda: srv.requests > 0)
    assert r.exit_code == 130, (r.exit_code, r.stderr[-1500:])
    assert r.seconds < 1.0 + 1.0, r.seconds  # a second, plus a second for a loaded machine
    assert "interrupted" in r.stderr and "Traceback" not in r.stderr
    assert not leaked(SECRETS + PROOFS, r.stdout, r.stderr)
