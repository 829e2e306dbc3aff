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
