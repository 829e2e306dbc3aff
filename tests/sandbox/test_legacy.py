"""Today's rules: the legacy features Meta removed (v26.0) or closed to apps created on or after 2026-11-04
(v27.0 blog post), per app creation date, and the world option that ignores one transport form."""

from __future__ import annotations

import json

import pytest

from fbhub.sandbox import build_scenario

from .helpers import app_token, client, error_of


def _old(sb) -> None:
    sb.world.apps[sb.operator.app_id].created = "2026-11-03"


def test_default_scenarios_model_a_new_app():
    sc = build_scenario("healthy")
    assert sc.world.apps[sc.operator.app_id].is_new


def test_method_override_refused_to_a_new_app_kept_for_an_old_one(sandbox):
    sb = sandbox()
    sub = f"/v24.0/{sb.operator.app_id}/subscriptions"
    with client(sb) as c:
        for method in ("GET", "DELETE"):
            r = c.post(sub, data={"access_token": app_token(sb), "method": method, "object": "page"})
            assert r.status_code == 400 and "method override" in error_of(r)["message"]
        assert sb.world.app_subscription(sb.operator.app_id) is not None  # nothing was deleted
        # the same calls as real GET / DELETE work
        assert c.get(sub, params={"access_token": app_token(sb)}).json()["data"]
        _old(sb)
        r = c.post(sub, data={"access_token": app_token(sb), "method": "GET"})
        assert r.status_code == 200 and r.json()["data"]


def test_ids_is_a_permanent_500_for_every_app(sandbox):
    sb = sandbox()
    _old(sb)
    with client(sb) as c:
        r = c.get("/v24.0/", params={"ids": sb.operator.app_id, "access_token": app_token(sb)})
    assert r.status_code == 500
    err = error_of(r)
    assert err["code"] == 100 and err["message"] == "The ids query parameter is deprecated in v26.0+"


@pytest.mark.parametrize("params,headers", [
    ({"pretty": "1"}, {}), ({"debug": "all"}, {}), ({"callback": "cb"}, {}), ({"fields": "id,name.as(n)"}, {}),
    ({}, {"If-None-Match": '"abc"'}), ({"date_format": "U"}, {}),
])
def test_legacy_features_refused_to_a_new_app(sandbox, params, headers):
    sb = sandbox()
    with client(sb) as c:
        r = c.get(f"/v24.0/{sb.operator.app_id}", params={"access_token": app_token(sb), **params}, headers=headers)
        assert r.status_code in (400, 500) and error_of(r)["code"] == 100
        if "date_format" in params:
            return  # removed for every app (v26.0)
        _old(sb)
        r = c.get(f"/v24.0/{sb.operator.app_id}", params={"access_token": app_token(sb), **params}, headers=headers)
        assert r.status_code == 200 and r.json()["id"] == sb.operator.app_id


def test_async_batch_refused_to_a_new_app(sandbox):
    sb = sandbox()
    with client(sb) as c:
        r = c.post(f"/v24.0/{sb.operator.app_id}/async_batch_requests", data={"access_token": app_token(sb)})
    assert r.status_code == 400 and "Asynchronous batch" in error_of(r)["message"]


def test_world_ignoring_the_authorization_header(sandbox):
    sc = build_scenario("healthy")
    sc.world.ignore_transport = ["header"]
    sb = sandbox(sc)
    with client(sb) as c:
        r = c.get("/v24.0/me", headers={"Authorization": f"Bearer {sb.operator.user_token}"})
        assert r.status_code == 400 and error_of(r)["code"] == 104  # the token was evidently not seen
        assert c.get("/v24.0/me", params={"access_token": sb.operator.user_token}).status_code == 200


def test_world_ignoring_query_tokens_and_refusing_batches(sandbox):
    sc = build_scenario("healthy")
    sc.world.ignore_transport = ["query", "batch"]
    sb = sandbox(sc)
    tok = sb.operator.user_token
    with client(sb) as c:
        assert error_of(c.get("/v24.0/me", params={"access_token": tok}))["code"] == 104
        assert c.get("/v24.0/me", headers={"Authorization": f"Bearer {tok}"}).status_code == 200
        batch = json.dumps([{"method": "GET", "relative_url": "me"}])
        r = c.post("/v24.0/", data={"access_token": tok, "batch": batch})
        assert r.status_code == 400 and "Batch requests are not supported" in error_of(r)["message"]


def test_batch_operations_are_recorded_and_delete_reads_its_relative_url(sandbox):
    sb = sandbox()
    op = sb.operator
    ops = [{"method": "DELETE", "relative_url": f"{op.app_id}/subscriptions?object=page"},
           {"method": "GET", "relative_url": f"{op.app_id}/subscriptions"}]
    with client(sb) as c:
        r = c.post("/v24.0/", data={"access_token": app_token(sb), "batch": json.dumps(ops)})
    assert [e["code"] for e in r.json()] == [200, 200] and json.loads(r.json()[1]["body"]) == {"data": []}
    outer, d, g = sb.requests
    assert outer.path == "/v24.0/" and not outer.batch_op
    assert (d.method, d.unversioned_path, d.batch_op) == ("DELETE", f"/{op.app_id}/subscriptions", True)
    assert g.method == "GET" and g.status == 200


def test_world_file_keys(tmp_path):
    from fbhub.sandbox.world import World

    sc = build_scenario("healthy")
    d = sc.world.to_dict()
    d["ignore_transport"] = "header"
    d["apps"][0]["created"] = "2024-05-01"
    w = World.from_dict(d)
    assert w.ignore_transport == ["header"] and not next(iter(w.apps.values())).is_new
    d["apps"][0]["created"] = "yesterday"
    with pytest.raises(Exception, match="created"):
        World.from_dict(d)
    d["apps"][0]["created"] = "2024-05-01"
    d["ignore_transport"] = ["smoke-signals"]
    with pytest.raises(Exception, match="ignore_transport"):
        World.from_dict(d)


def test_app_accepting_only_timestamped_proofs(sandbox):
    import time

    from fbhub.sandbox import appsecret_proof

    sc = build_scenario("healthy")
    sc.world.apps[sc.operator.app_id].appsecret_proof_form = "timestamped"
    sb = sandbox(sc)
    tok, secret = sb.operator.user_token, sb.operator.app_secret
    with client(sb) as c:
        r = c.get("/v24.0/me", params={"access_token": tok, "appsecret_proof": appsecret_proof(secret, tok)})
        assert r.status_code == 400 and "Invalid appsecret_proof" in error_of(r)["message"]
        t = int(time.time())
        r = c.get("/v24.0/me", params={"access_token": tok, "appsecret_proof": appsecret_proof(secret, tok, t),
                                       "appsecret_time": t})
        assert r.status_code == 200
        stale = t - 301  # time-stamped proofs expire after 5 minutes
        r = c.get("/v24.0/me", params={"access_token": tok, "appsecret_proof": appsecret_proof(secret, tok, stale),
                                       "appsecret_time": stale})
        assert r.status_code == 400


def test_subscribed_apps_needs_a_managing_task(sandbox):
    sb = sandbox()
    page_id = next(iter(sb.world.pages))
    tok = next(t for t in sb.world.page_tokens(sb.operator.app_id) if t.page_id == page_id)
    with client(sb) as c:
        assert c.get(f"/v24.0/{page_id}/subscribed_apps", params={"access_token": tok.value}).status_code == 200
        sb.world.pages[page_id].roles[tok.user_id] = ["MESSAGING", "ANALYZE"]
        r = c.get(f"/v24.0/{page_id}/subscribed_apps", params={"access_token": tok.value})
    assert r.status_code == 403 and error_of(r)["code"] == 200 and "MANAGE, MODERATE" in error_of(r)["message"]
