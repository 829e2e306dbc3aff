"""The scenario registry: every scenario builds fresh, serves, and breaks what it says."""

from __future__ import annotations

import pytest

from fbhub.errors import UsageError
from fbhub.sandbox import SCENARIOS, Scenario, build_scenario, build_world, run_sandbox

from .helpers import app_token, client

REQUIRED = ["healthy", "wrong-secret", "unknown-app-id", "token-other-app", "token-missing-pages-messaging",
            "token-expired", "token-invalidated", "page-not-subscribed", "app-webhook-missing",
            "callback-wrong-domain", "app-settings-incomplete", "user-token-as-page-token", "flaky",
            "rate-limited", "require-app-secret", "token-expiring-soon", "other-app-subscribed",
            "page-missing-fields", "demo", "many-pages"]


def test_registry():
    names = list(SCENARIOS)
    assert set(REQUIRED) <= set(names)
    assert names[0] == "healthy"
    for name in names:
        sc = SCENARIOS[name]
        assert isinstance(sc, Scenario) and sc.name == name
        assert sc.summary and "\n" not in sc.summary
    assert SCENARIOS["healthy"].world is not SCENARIOS["healthy"].world
    assert SCENARIOS.summaries()["flaky"].startswith("the first 2 requests")


def test_unknown_scenario():
    with pytest.raises(UsageError) as ei:
        build_scenario("helthy")
    assert "'helthy'" in ei.value.message and "healthy, wrong-secret" in ei.value.message
    assert "did you mean 'healthy'" in ei.value.hint
    with pytest.raises(UsageError):
        build_scenario("healthy", pages=3)


def test_deterministic():
    a, b = build_scenario("healthy"), build_scenario("healthy")
    assert a.operator.page_tokens == b.operator.page_tokens
    assert a.operator.app_secret == b.operator.app_secret
    assert len(a.operator.app_secret) == 32 and all(ch in "0123456789abcdef" for ch in a.operator.app_secret)
    assert a.operator.app_id.isdigit()
    assert all(t.startswith("EAAG") and len(t) > 100 for t in a.operator.page_tokens)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_every_scenario_serves(name):
    with run_sandbox(name) as sb:
        app = next(iter(sb.world.apps.values()))
        with client(sb) as c:
            for _ in range(3):  # flaky answers 503 twice first
                r = c.get(f"/v24.0/{app.id}", params={"access_token": f"{app.id}|{app.secret}"})
                if r.status_code != 503:
                    break
        assert r.status_code == 200, r.text
        assert r.headers["facebook-api-version"] == "v24.0"
        assert sb.url.startswith("http://127.0.0.1:")
        assert sb.operator.pages and sb.operator.domain == "cx.example.com"


def test_many_pages_builder():
    w = build_world(pages=7, latency=0.01)
    assert len(w.pages) == 7 and w.faults.latency == 0.01
    assert len(w.page_tokens()) == 7
    sc = build_scenario("many-pages", pages=5)
    assert len(sc.operator.page_tokens) == 5 and len({*sc.operator.page_tokens}) == 5
    with run_sandbox(sc) as sb, client(sb) as c:
        for i, tok in enumerate(sb.operator.page_tokens):
            r = c.get(f"/v24.0/{sb.operator.pages[i]['id']}/subscribed_apps", params={"access_token": tok})
            assert r.json()["data"][0]["id"] == sb.operator.app_id


def test_demo_problems():
    with run_sandbox("demo") as sb, client(sb) as c:
        op = sb.operator
        subs = c.get(f"/{op.app_id}/subscriptions", params={"access_token": app_token(sb)}).json()["data"]
        assert subs[0]["callback_url"] == "https://staging.cx.example.com/fb/webhook"
        app = c.get(f"/{op.app_id}", params={"access_token": app_token(sb), "fields": "privacy_policy_url"}).json()
        assert "privacy_policy_url" not in app
        p2 = c.get(f"/{op.pages[1]['id']}/subscribed_apps", params={"access_token": op.page_tokens[1]}).json()
        assert p2 == {"data": []}
        tok = c.get("/oauth/access_token", params={"client_id": op.app_id, "client_secret": op.app_secret,
                                                   "grant_type": "client_credentials"})
        assert tok.status_code == 200


def test_bare_world_and_path_accepted():
    w = build_world(pages=2)
    with run_sandbox(w) as sb:
        assert sb.world is w
        assert len(sb.operator.page_tokens) == 2
        assert sb.operator.app_secret == w.app(sb.operator.app_id).secret
