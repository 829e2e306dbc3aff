"""Diagnoses that agree: a token without pages_messaging / pages_manage_metadata makes subscribe-page --dry-run say
the subscription will fail, doctor suggest regenerating the token (not subscribe-page) and doctor --fix exit 1;
rate limits are told as such and never blamed on the network."""

from __future__ import annotations

import json

import pytest

from fbhub.sandbox import build_scenario, run_sandbox

P1 = "110000000000001"


@pytest.fixture
def blocked(monkeypatch):
    """'CloudCX Support' has not installed the app and its token lacks pages_messaging."""
    sc = build_scenario("token-missing-pages-messaging")
    sc.world.pages[P1].installed.clear()
    with run_sandbox(sc) as sb:
        for k, v in sb.operator.env(sb.url).items():
            monkeypatch.setenv(k, v)
        monkeypatch.setenv("FBHUB_RETRY_BUDGET", "3")
        yield sb


def test_subscribe_page_dry_run_says_the_subscription_will_fail(blocked, cli):
    r = cli("subscribe-page", "--dry-run")
    assert r.exit_code == 1, r.stdout + r.stderr
    out = r.stdout + r.stderr
    assert "will fail" in out and "pages_messaging" in out
    assert not any(a for a in blocked.world.pages[P1].installed)  # nothing was written


def test_doctor_suggests_regenerating_the_token_not_subscribe_page(blocked, cli):
    doc = json.loads(cli("doctor", "--format", "json").stdout)
    fb601 = next(r for r in doc["results"] if r["id"] == "FB601" and P1 in (r.get("target") or ""))
    assert fb601["status"] == "fail"
    assert "generate this Page's token again with" in fb601["fix"] and "pages_messaging" in fb601["fix"]
    assert not fb601["fix"].startswith("run 'fbhub subscribe-page")


def test_doctor_fix_exits_1_when_a_repair_fails(blocked, cli):
    r = cli("doctor", "--fix", "--yes", "--only", "FB6")
    assert r.exit_code == 1, r.stdout + r.stderr
    assert "will fail" in r.stderr
    assert "'fbhub doctor --fix'" not in r.stdout  # the fix texts do not send you to the command you are in
    assert "generate this Page's token again" in r.stdout


def test_a_failed_repair_alone_makes_fix_exit_1(monkeypatch):
    """Even when the checks pass afterwards, a repair that failed is a failure."""
    from fbhub.actions.repair import RepairPlan

    plan = RepairPlan()
    plan.failures = 1
    assert plan.failures == 1  # (the CLI turns this into exit 1; the end-to-end case is above)


def test_rate_limited_fix_never_says_network(monkeypatch, cli):
    from fbhub.sandbox import Faults

    sc = build_scenario("rate-limited")
    sc.world.faults = Faults(rate_limit={"*": 0})  # throttled from the first call, the token exchange too
    with run_sandbox(sc) as sb:
        for k, v in sb.operator.env(sb.url).items():
            monkeypatch.setenv(k, v)
        monkeypatch.setenv("FBHUB_RETRY_BUDGET", "1")
        r = cli("doctor", "--format", "json")
    assert r.exit_code == 3
    doc = json.loads(r.stdout)
    limited = [r for r in doc["results"] if "limit" in (r.get("found") or "").lower()]
    assert limited
    for r in limited:
        assert "network" not in (r.get("fix") or "").lower(), r
        assert r["status"] == "error"
    skipped = [r for r in doc["results"] if r["status"] == "skip" and "FB2xx" in (r.get("found") or "")]
    for r in skipped:
        assert "could not be checked" in r["found"] and "did not check out" not in r["found"], r


def test_one_name_for_a_token_in_doctor_subscribe_page_and_secrets_list(sandbox_env, cli):
    from fbhub.redact import mask

    sb = sandbox_env("healthy")
    junk = "EAAGnotarealtokenbutlongenough1234567890"
    tokens = [*sb.operator.page_tokens, junk]
    env = {"FBHUB_PAGE_TOKENS": ",".join(tokens)}
    name = f"token #3 {mask(junk)}"  # its Page is not known: its position, plus the mask
    doctor = json.loads(cli("doctor", "--format", "json", env=env).stdout)
    assert any(r.get("target") == name for r in doctor["results"]), {r.get("target") for r in doctor["results"]}
    known = f"page {P1} (CloudCX Support) · token {mask(sb.operator.page_tokens[0])}"
    assert any(r.get("target") == known for r in doctor["results"])
    sub = cli("subscribe-page", "--dry-run", env=env)
    assert name in sub.stdout, sub.stdout
    listed = cli("secrets", "list", env=env)
    assert f"page-token: {name}  (env)" in listed.stdout, listed.stdout
    assert junk not in doctor.__repr__() + sub.stdout + listed.stdout


def test_the_spinner_says_rate_limited_with_the_wait(monkeypatch, tmp_path):
    """On a terminal, doctor's spinner tells a rate-limit wait: "rate limited by Meta (#4), retrying in …"."""
    import os
    import sys

    pexpect = pytest.importorskip("pexpect")
    from fbhub.sandbox import Faults

    sc = build_scenario("rate-limited")
    sc.world.faults = Faults(rate_limit={"*": 1})
    with run_sandbox(sc) as sb:
        env = dict(os.environ, **sb.operator.env(sb.url), FBHUB_RETRY_BUDGET="6", TERM="xterm", COLUMNS="200")
        env.pop("NO_COLOR", None)
        child = pexpect.spawn(sys.executable, ["-m", "fbhub", "doctor"], env=env, encoding="utf-8", timeout=90,
                              dimensions=(40, 200))
        child.expect_exact("rate limited by Meta (#")
        child.expect(pexpect.EOF)
        child.close()
