"""Field reports become tests: a run's recorded Graph exchanges (secrets as placeholders) are replayed by the
sandbox, and fbhub reaches the same answers against the replay as against the original Graph API."""

from __future__ import annotations

import json

import pytest

from fbhub.graph import APP, GraphClient
from fbhub.graph.errors import GraphPermissionError
from fbhub.sandbox import build_scenario, run_sandbox
from fbhub.sandbox.replay import load_exchanges, run_replay


def _calls(c: GraphClient, page_id: str, page_token: str) -> list:
    return [c.get_app(["id", "name", "app_domains"]), c.get_app_subscriptions(),
            c.get_page_subscribed_apps(page_id, page_token), c.debug_token(page_token)["type"],
            c.get_all(f"/{c.app_id}/roles", token=APP)]


def test_replayed_bundle_answers_as_recorded(tmp_path):
    sc = build_scenario("healthy")
    op = sc.operator
    page_id = op.pages[0]["id"]
    with run_sandbox(sc) as sb:
        with GraphClient(graph_url=sb.url, app_id=op.app_id, app_secret=op.app_secret) as c:
            first = _calls(c, page_id, op.page_tokens[0])
            exchanges = c.exchanges.as_list()
    text = json.dumps({"bundle": "fbhub-support", "graph_exchanges": exchanges})
    for secret in (op.app_secret, *op.page_tokens):
        assert secret not in text
    bundle = tmp_path / "bundle.json"
    bundle.write_text(text)
    with run_replay(bundle) as rp:
        # any credentials: the maintainer does not have the operator's
        with GraphClient(graph_url=rp.url, app_id=op.app_id, app_secret="maintainer-secret-xyz") as c:
            again = _calls(c, page_id, "EAAGmaintainerplaceholdertoken12345")
    assert again == first
    assert rp.graph.misses == []


def test_replayed_failure_is_the_same_failure(tmp_path):
    sc = build_scenario("token-missing-pages-messaging")
    op = sc.operator
    page_id = op.pages[0]["id"]
    with run_sandbox(sc) as sb, GraphClient(graph_url=sb.url, app_id=op.app_id, app_secret=op.app_secret) as c:
        with pytest.raises(GraphPermissionError) as original:
            c.subscribe_page(page_id, op.page_tokens[0], ["messages"])
        exchanges = c.exchanges.as_list()
    bundle = tmp_path / "b.json"
    bundle.write_text(json.dumps({"graph_exchanges": exchanges}))
    with run_replay(bundle) as rp, GraphClient(graph_url=rp.url, app_id=op.app_id, app_secret="x" * 32) as c:
        with pytest.raises(GraphPermissionError) as replayed:
            c.subscribe_page(page_id, "EAAGsomeothertoken-0000000000", ["messages"])
    assert replayed.value.code == original.value.code == 230


def test_bad_bundles_are_one_line_errors(tmp_path):
    from fbhub.errors import UsageError

    for content in ("not json", json.dumps({"bundle": "fbhub-support"})):
        p = tmp_path / "x.json"
        p.write_text(content)
        with pytest.raises(UsageError):
            load_exchanges(p)
    with pytest.raises(UsageError, match="cannot read"):
        load_exchanges(tmp_path / "missing.json")


def test_cli_replay_option_refuses_a_missing_bundle(tmp_path):
    from tests.hardening.support import run_cli

    run = run_cli("sandbox", "serve", "--replay", str(tmp_path / "nope.json"), "--port", "0")
    assert run.exit_code == 2 and "cannot read the bundle" in run.stderr and "Traceback" not in run.stderr
    run = run_cli("sandbox", "serve", "--replay", str(tmp_path / "nope.json"), "--scenario", "flaky")
    assert run.exit_code == 2 and "either --replay" in run.stderr


def _doctor_ids(stdout: str) -> set[tuple[str, str, str]]:
    # targets name the token masked: the maintainer's tokens differ, the Pages do not
    return {(r["id"], r["status"], (r.get("target") or "").split(" · ")[0]) for r in json.loads(stdout)["results"]}


@pytest.mark.parametrize("scenario", ["app-webhook-inactive", "token-missing-pages-messaging"])
def test_doctor_bundle_replayed_reproduces_the_diagnosis(scenario, tmp_path):
    """An operator's doctor --bundle, replayed on a maintainer's machine with other credentials, gives the same
    diagnosis; the bundle holds no secret of the operator."""
    from tests.hardening.support import run_cli, sandbox_env

    bundle = tmp_path / "bundle.json"
    with run_sandbox(scenario) as sb:
        env = sandbox_env(sb)
        first = run_cli("doctor", "--format", "json", "--bundle", str(bundle), env=env)
        secrets = [sb.operator.app_secret, *sb.operator.page_tokens, sb.operator.verify_token]
    text = bundle.read_text()
    assert not any(s and s in text for s in secrets)
    doc = json.loads(text)
    assert doc["graph_exchanges"] and all("request" in e and "response" in e for e in doc["graph_exchanges"])
    with run_replay(bundle) as rp:
        other = dict(env, FBHUB_GRAPH_URL=rp.url, FBHUB_APP_SECRET="0f1e2d3c4b5a69788796a5b4c3d2e1f0",
                     FBHUB_PAGE_TOKENS=",".join(f"EAAGmaintainer{i}placeholdertoken0123456789"
                                                for i in range(len(sb.operator.page_tokens))))
        again = run_cli("doctor", "--format", "json", env=other)
    assert again.exit_code == first.exit_code
    assert _doctor_ids(again.stdout) == _doctor_ids(first.stdout)


def test_committed_field_report_still_diagnosed_the_same():
    """A support bundle committed as a regression test (tests/sandbox/bundles/demo.json, recorded from the
    'demo' scenario: one Page not subscribed, webhook on the old staging host, no privacy policy): replayed,
    today's doctor reaches the diagnosis the bundle reported."""
    from pathlib import Path

    from tests.hardening.support import run_cli

    path = Path(__file__).parent / "bundles" / "demo.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    s = doc["settings"]
    pages = ",".join(f"{p['id']}:{p.get('name', '')}" for p in s["pages"]["value"])
    n_tokens = sum(1 for e in doc["graph_exchanges"]
                   for op in e["request"].get("batch") or [] if op["relative_url"].startswith("debug_token"))
    with run_replay(path) as rp:
        env = {"FBHUB_GRAPH_URL": rp.url, "FBHUB_APP_ID": s["app_id"]["value"], "FBHUB_DOMAIN": s["domain"]["value"],
               "FBHUB_PAGES": pages, "FBHUB_APP_SECRET": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
               "FBHUB_PAGE_TOKENS": ",".join(f"EAAGreplay{i}placeholdertoken0123456789" for i in range(n_tokens))}
        if doc["secrets_present"].get("verify-token"):
            env["FBHUB_VERIFY_TOKEN"] = "replay-verify-token-4f9a2c7e1b"
        run = run_cli("doctor", "--format", "json", env=env)
    assert run.exit_code == doc["report"]["exit_code"], run.stderr[-2000:]
    want = _doctor_ids(json.dumps(doc["report"]))
    assert _doctor_ids(run.stdout) == want
    assert any(i == "FB601" and st == "fail" for i, st, _ in want)  # the unsubscribed Page
