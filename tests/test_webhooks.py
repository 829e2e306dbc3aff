"""subscribe-page, unsubscribe-page and subscribe-app end to end: the real CLI against the sandbox over HTTP."""

from __future__ import annotations

import json

import pytest

from fbhub.actions.app_webhook import plan_app
from fbhub.actions.outcome import CHANGED, FAILED, INCONCLUSIVE, UNCHANGED, exit_code_for_outcomes
from fbhub.actions.page_subscriptions import PageOutcome, plan_page, plan_unsubscribe
from fbhub.meta.fields import ALL_FIELDS, PLATFORM_FIELDS
from fbhub.sandbox import run_sandbox

PAGE1 = "110000000000001"
PAGE2 = "110000000000002"


@pytest.fixture
def run(cli):
    """The CLI with the webhook commands registered (the lead registers them in fbhub.cli)."""
    from fbhub.cli import app, webhooks_cmd

    have = {c.name for c in app.registered_commands}
    for name, fn in (("subscribe-page", webhooks_cmd.subscribe_page),
                     ("unsubscribe-page", webhooks_cmd.unsubscribe_page),
                     ("subscribe-app", webhooks_cmd.subscribe_app),
                     ("probe-webhook", webhooks_cmd.probe_webhook)):
        if name not in have:
            app.command(name)(fn)
    return cli


def page_line(out: str, page_id: str, text: str) -> bool:
    """A line 'Page ID[ (name)]: text' (the Page's name is shown when Meta gave it)."""
    import re

    return re.search(rf"^Page {page_id}( \([^)]*\))?: {re.escape(text)}", out, re.M) is not None


def env_for(sb, **over):
    o = sb.operator
    env = {"FBHUB_GRAPH_URL": sb.url, "FBHUB_APP_ID": o.app_id, "FBHUB_APP_SECRET": o.app_secret,
           "FBHUB_PAGE_TOKENS": ",".join(o.page_tokens), "FBHUB_DOMAIN": o.domain,
           "FBHUB_VERIFY_TOKEN": o.verify_token}
    env.update(over)
    return env


def secrets_of(sb):
    o = sb.operator
    return [s for s in (o.app_secret, o.verify_token, *o.page_tokens) if s]


def assert_no_secrets(sb, *results):
    for r in results:
        for s in secrets_of(sb):
            assert s not in r.stdout and s not in r.stderr


def posts(sb, glob="/*/subscribed_apps", method="POST"):
    """Requests that really were ``method`` (the client tunnels GET/DELETE with secrets as POST method=…)."""
    return [r for r in sb.requests_to(glob) if str(r.params.get("method") or r.method).upper() == method]


def fields_of(sb, page_id):
    return sb.world.subscribed_fields(page_id, sb.operator.app_id)


# -- planning (pure) -----------------------------------------------------------------------------


def test_plan_page_union_replace_and_unsubscribe():
    new = plan_page(PAGE1, None, ["messages", "messages", "message_reads"], replace=False)
    assert (new.add, new.final, new.changed, new.installed) == (["messages", "message_reads"],
                                                                 ["messages", "message_reads"], True, False)
    union = plan_page(PAGE1, ["feed", "messages"], ["messages", "message_reads"], replace=False)
    assert union.final == ["feed", "messages", "message_reads"]
    assert (union.add, union.keep, union.remove, union.other) == (["message_reads"], ["messages"], [], ["feed"])
    repl = plan_page(PAGE1, ["feed", "messages"], ["messages"], replace=True)
    assert (repl.final, repl.remove, repl.changed) == (["messages"], ["feed"], True)
    same = plan_page(PAGE1, ["messages", "feed"], ["messages"], replace=False)
    assert not same.changed and same.final == ["messages", "feed"]
    assert plan_unsubscribe(PAGE1, None).changed is False
    assert plan_unsubscribe(PAGE1, ["messages"]).remove == ["messages"]


def test_exit_code_for_outcomes():
    def o(status):
        return PageOutcome(page_id=PAGE1, status=status)

    assert exit_code_for_outcomes([o(CHANGED), o(UNCHANGED)]) == 0
    assert exit_code_for_outcomes([o(CHANGED), o(INCONCLUSIVE)]) == 3
    assert exit_code_for_outcomes([o(INCONCLUSIVE), o(FAILED)]) == 1


def test_plan_app_diff():
    current = [{"object": "page", "callback_url": "https://old.example.net/fb/webhook", "active": False,
                "fields": [{"name": "messages", "version": "v24.0"}, {"name": "feed", "version": "v24.0"}]}]
    p = plan_app(current, "cx.example.com", ["messages", "message_reads"])
    assert p.changed and p.callback_changes and p.activate
    assert (p.add, p.keep, p.other, p.final) == (["message_reads"], ["messages"], ["feed"],
                                                 ["messages", "feed", "message_reads"])
    assert p.callback_url == "https://cx.example.com/fb/webhook"
    right = [{"object": "page", "callback_url": "https://cx.example.com/fb/webhook", "active": True,
              "fields": [{"name": "messages", "version": "v24.0"}]}]
    assert not plan_app({"data": right}, "cx.example.com", ["messages"]).changed
    assert plan_app(right, "cx.example.com", ["messages"], force=True).changed
    assert not plan_app([], "cx.example.com", ["messages"]).exists


# -- subscribe-page ------------------------------------------------------------------------------


def test_subscribe_page_subscribes_then_is_idempotent(run):
    with run_sandbox("page-not-subscribed") as sb:
        env = env_for(sb)
        assert fields_of(sb, PAGE1) is None

        dry = run("subscribe-page", "--dry-run", env=env)
        assert dry.exit_code == 0, dry.stderr
        assert "dry run" in dry.stdout.lower() and "nothing was written" in dry.stdout
        assert posts(sb) == [] and fields_of(sb, PAGE1) is None

        first = run("subscribe-page", env=env)
        assert first.exit_code == 0, first.stdout + first.stderr
        assert fields_of(sb, PAGE1) == list(PLATFORM_FIELDS)
        assert page_line(first.stdout, PAGE1, "subscribed")
        assert page_line(first.stdout, PAGE2, "already up to date")
        assert len(posts(sb)) == 1  # only the page that needed it

        sb.clear_requests()
        second = run("subscribe-page", env=env)
        assert second.exit_code == 0
        assert posts(sb) == []
        assert "2 pages: 2 already up to date" in second.stdout
        assert_no_secrets(sb, dry, first, second)


def test_subscribe_page_json_and_all_fields(run):
    with run_sandbox("page-not-subscribed") as sb:
        r = run("subscribe-page", "--all-fields", "--json", "--page", PAGE1, env=env_for(sb))
        assert r.exit_code == 0, r.stderr
        doc = json.loads(r.stdout)
        assert doc["exit_code"] == 0 and doc["fields"] == list(ALL_FIELDS)
        [page] = doc["pages"]
        assert page["page_id"] == PAGE1 and page["status"] == "changed"
        assert page["plan"]["final"] == list(ALL_FIELDS)
        assert fields_of(sb, PAGE1) == list(ALL_FIELDS)
        assert fields_of(sb, PAGE2) == list(PLATFORM_FIELDS)  # not named: untouched
        assert_no_secrets(sb, r)


def test_subscribe_page_unknown_field_is_usage_error(run):
    with run_sandbox("page-not-subscribed") as sb:
        r = run("subscribe-page", "--fields", "messages,mesages_reads", env=env_for(sb))
        assert r.exit_code == 2
        assert "mesages_reads" in r.stderr
        assert sb.requests == []
        both = run("subscribe-page", "--fields", "messages", "--all-fields", env=env_for(sb))
        assert both.exit_code == 2


def test_subscribe_page_keeps_other_fields_unless_replace(run):
    with run_sandbox("healthy") as sb:
        with sb.world.lock:
            sb.world.pages[PAGE1].installed[sb.operator.app_id].subscribed_fields = ["feed", "messages"]
        env = env_for(sb)
        r = run("subscribe-page", "--page", PAGE1, env=env)
        assert r.exit_code == 0, r.stderr
        assert fields_of(sb, PAGE1) == ["feed", "messages", *[f for f in PLATFORM_FIELDS if f != "messages"]]
        assert "kept (not asked for): feed" in r.stdout

        sb.clear_requests()
        dry = run("subscribe-page", "--page", PAGE1, "--replace", "--dry-run", env=env)
        assert dry.exit_code == 0 and posts(sb) == []
        assert "to remove (--replace): feed" in dry.stdout

        repl = run("subscribe-page", "--page", PAGE1, "--replace", env=env)
        assert repl.exit_code == 0, repl.stderr
        assert fields_of(sb, PAGE1) == list(PLATFORM_FIELDS)
        assert "removed (--replace):  feed" in repl.stdout


def test_subscribe_page_one_page_failing_does_not_stop_others(run):
    with run_sandbox("healthy") as sb:
        app_id = sb.operator.app_id
        with sb.world.lock:
            for p in sb.world.pages.values():
                p.installed.pop(app_id, None)
            tok = next(t for t in sb.world.tokens.values() if t.type == "PAGE" and t.page_id == PAGE1)
            tok.scopes.remove("pages_manage_metadata")
        r = run("subscribe-page", env=env_for(sb))
        assert r.exit_code == 1
        assert fields_of(sb, PAGE1) is None
        assert fields_of(sb, PAGE2) == list(PLATFORM_FIELDS)
        assert page_line(r.stdout, PAGE1, "FAILED")
        assert "pages_manage_metadata" in r.stdout and "(#200)" in r.stdout
        assert "fix:" in r.stdout
        assert page_line(r.stdout, PAGE2, "subscribed")
        assert_no_secrets(sb, r)


def test_subscribe_page_missing_pages_messaging_explained(run):
    with run_sandbox("token-missing-pages-messaging") as sb:
        with sb.world.lock:
            sb.world.pages[PAGE1].installed.clear()
        r = run("subscribe-page", "--json", env=env_for(sb))
        assert r.exit_code == 1
        pages = {p["page_id"]: p for p in json.loads(r.stdout)["pages"]}
        assert pages[PAGE1]["status"] == "failed" and pages[PAGE1]["code"] == "#230"
        assert "pages_messaging" in pages[PAGE1]["meaning"]
        assert pages[PAGE2]["status"] == "unchanged"


def test_subscribe_page_unknown_page_and_tokens_from_stdin(run):
    with run_sandbox("page-not-subscribed") as sb:
        env = env_for(sb, FBHUB_PAGE_TOKENS=None)
        r = run("subscribe-page", "--page-token-stdin", "--page", PAGE1, "--page", "999999999",
                input="\n".join(sb.operator.page_tokens) + "\n", env=env)
        assert r.exit_code == 1
        assert fields_of(sb, PAGE1) == list(PLATFORM_FIELDS)
        assert "no Page token for Page 999999999" in r.stdout
        assert_no_secrets(sb, r)
        none = run("subscribe-page", env=env)
        assert none.exit_code == 2 and "fbhub secrets set page-token" in none.stderr


def test_subscribe_page_bad_token_reported_with_cause(run):
    with run_sandbox("token-invalidated") as sb:
        r = run("subscribe-page", env=env_for(sb))
        assert r.exit_code == 1
        assert page_line(r.stdout, PAGE1, "FAILED") and "invalidated" in r.stdout and "fix:" in r.stdout
        assert page_line(r.stdout, PAGE2, "already up to date")


# -- unsubscribe-page ----------------------------------------------------------------------------


def test_unsubscribe_page_needs_confirmation(run):
    with run_sandbox("healthy") as sb:
        env = env_for(sb)
        r = run("unsubscribe-page", env=env)
        assert r.exit_code == 2 and "--yes" in r.stderr
        assert sb.requests == []
        assert fields_of(sb, PAGE1) == list(PLATFORM_FIELDS)


def test_unsubscribe_page_with_yes(run):
    with run_sandbox("healthy") as sb:
        env = env_for(sb)
        dry = run("unsubscribe-page", "--dry-run", "--page", PAGE1, env=env)
        assert dry.exit_code == 0 and fields_of(sb, PAGE1) is not None
        r = run("unsubscribe-page", "--yes", "--page", PAGE1, env=env)
        assert r.exit_code == 0, r.stderr
        assert fields_of(sb, PAGE1) is None
        assert fields_of(sb, PAGE2) == list(PLATFORM_FIELDS)
        assert len(posts(sb, method="DELETE")) == 1
        again = run("unsubscribe-page", "--yes", "--page", PAGE1, env=env)
        assert again.exit_code == 0 and "not subscribed, nothing to do" in again.stdout
        assert len(posts(sb, method="DELETE")) == 1
        assert_no_secrets(sb, dry, r, again)


# -- subscribe-app -------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", ["app-webhook-missing", "callback-wrong-domain"])
def test_subscribe_app_sets_callback_and_is_idempotent(run, scenario):
    with run_sandbox(scenario) as sb:
        o = sb.operator
        env = env_for(sb)
        dry = run("subscribe-app", "--dry-run", env=env)
        assert dry.exit_code == 0 and "nothing was written" in dry.stdout
        assert posts(sb, "/*/subscriptions") == []

        r = run("-v", "subscribe-app", env=env)
        assert r.exit_code == 0, r.stdout + r.stderr
        sub = sb.world.app_subscription(o.app_id)
        assert sub is not None and sub.active
        assert sub.callback_url == f"https://{o.domain}/fb/webhook"
        assert sub.verify_token == o.verify_token
        assert set(PLATFORM_FIELDS) <= set(sub.fields)
        assert "now:" in r.stdout and "Done" in r.stdout
        if scenario == "callback-wrong-domain":
            assert "old-cx.example.net" in r.stdout

        sb.clear_requests()
        again = run("subscribe-app", env=env)
        assert again.exit_code == 0 and "nothing written" in again.stdout
        assert posts(sb, "/*/subscriptions") == []
        assert_no_secrets(sb, dry, r, again)


def test_subscribe_app_adds_fields_json(run):
    with run_sandbox("healthy") as sb:
        r = run("subscribe-app", "--all-fields", "--json", env=env_for(sb))
        assert r.exit_code == 0, r.stderr
        doc = json.loads(r.stdout)
        assert doc["status"] == "changed" and "standby" in doc["plan"]["add"]
        assert set(ALL_FIELDS) <= set(sb.world.app_subscription(sb.operator.app_id).fields)


def test_subscribe_app_callback_verification_failure_explained(run):
    with run_sandbox("app-webhook-missing") as sb:
        with sb.world.lock:
            sb.world.apps[sb.operator.app_id].webhook_endpoint_behaviour = "wrong_challenge"
        r = run("subscribe-app", env=env_for(sb))
        assert r.exit_code == 1
        assert "2200" in r.stdout
        assert "hub.challenge" in r.stdout and "fbhub probe-webhook" in r.stdout
        assert sb.world.app_subscription(sb.operator.app_id) is None
        assert_no_secrets(sb, r)


def test_subscribe_app_needs_verify_token(run):
    with run_sandbox("app-webhook-missing") as sb:
        r = run("subscribe-app", env=env_for(sb, FBHUB_VERIFY_TOKEN=None))
        assert r.exit_code == 2
        assert "fbhub secrets set verify-token --generate" in r.stderr and "FBHUB_VERIFY_TOKEN" in r.stderr
        assert sb.requests == []


def test_subscribe_page_many_pages_concurrently(run):
    import time

    from fbhub.sandbox import build_scenario

    sc = build_scenario("many-pages", pages=20)
    with sc.world.lock:
        for p in sc.world.pages.values():
            p.installed.clear()
    with run_sandbox(sc, latency=0.04) as sb:
        t0 = time.monotonic()
        r = run("subscribe-page", "--json", env=env_for(sb))
        elapsed = time.monotonic() - t0
        assert r.exit_code == 0, r.stderr
        doc = json.loads(r.stdout)
        assert doc["summary"] == {"changed": 20}
        assert all(fields_of(sb, pid) == list(PLATFORM_FIELDS) for pid in sb.world.pages)
        # 60 requests at 40 ms each take 2.4 s one by one; bounded concurrency makes it well under that
        assert elapsed < 2.0, elapsed


def test_subscribe_page_network_failure_is_inconclusive(run, monkeypatch):
    from fbhub.graph.retry import NO_RETRY
    from fbhub.session import Session

    real = Session.graph_client

    def no_retry(self, **kw):
        client = real(self, **kw)
        client.retry = NO_RETRY  # keep the test fast: one attempt per call
        return client

    monkeypatch.setattr(Session, "graph_client", no_retry)
    with run_sandbox("page-not-subscribed") as sb:
        with sb.world.lock:
            sb.world.faults.reset_connections = {f"/{PAGE1}/subscribed_apps": 100}
        r = run("subscribe-page", "--json", env=env_for(sb))
        assert r.exit_code == 3, r.stdout + r.stderr
        pages = {p["page_id"]: p for p in json.loads(r.stdout)["pages"]}
        assert pages[PAGE1]["status"] == "inconclusive"
        assert pages[PAGE2]["status"] == "unchanged"


def test_subscribe_page_without_app_secret_uses_me(run):
    with run_sandbox("page-not-subscribed") as sb:
        r = run("subscribe-page", env=env_for(sb, FBHUB_APP_SECRET=None))
        assert r.exit_code == 0, r.stdout + r.stderr
        assert fields_of(sb, PAGE1) == list(PLATFORM_FIELDS)
        assert sb.requests_to("/debug_token") == []
