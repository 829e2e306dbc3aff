
"""/oauth/access_token, version handling, token sources and method override."""

from __future__ import annotations

import json

import httpx

from fbhub.sandbox import app_token_for, build_scenario

from .helpers import app_token, client, error_of


def test_client_credentials_get_and_post(healthy):
    op = healthy.operator
    params = {"client_id": op.app_id, "client_secret": op.app_secret, "grant_type": "client_credentials"}
    with client(healthy) as c:
        r1 = c.get("/v24.0/oauth/access_token", params=params)
        r2 = c.post("/oauth/access_token", data=params)
    assert r1.status_code == r2.status_code == 200
    assert set(r1.json()) == {"access_token", "token_type"}
    assert r1.json()["token_type"] == "bearer"
    tok = r1.json()["access_token"]
    assert tok.startswith(op.app_id + "|") and tok != f"{op.app_id}|{op.app_secret}"
    assert r2.json() == r1.json()  # stable per secret
    assert tok == app_token_for(healthy.world.app(op.app_id))


def test_wrong_secret(sandbox):
    sb = sandbox("wrong-secret")
    op = sb.operator
    with client(sb) as c:
        r = c.get("/v24.0/oauth/access_token", params={"client_id": op.app_id, "client_secret": op.app_secret,
                                                       "grant_type": "client_credentials"})
    assert r.status_code == 400
    err = error_of(r)
    assert err["message"] == "Error validating client secret."
    assert (err["type"], err["code"]) == ("OAuthException", 1)
    assert "error_subcode" not in err


def test_unknown_app_id(sandbox):
    sb = sandbox("unknown-app-id")
    op = sb.operator
    with client(sb) as c:
        r = c.post("/oauth/access_token", data={"client_id": op.app_id, "client_secret": op.app_secret,
                                                "grant_type": "client_credentials"})
    assert r.status_code == 400
    err = error_of(r)
    assert (err["code"], err["message"]) == (101, "Error validating application. Invalid application ID.")


def test_fb_exchange_token(sandbox):
    sb = sandbox()
    op = sb.operator
    with client(sb) as c:
        r = c.get("/v24.0/oauth/access_token", params={
            "grant_type": "fb_exchange_token", "client_id": op.app_id, "client_secret": op.app_secret,
            "fb_exchange_token": op.user_token})
        assert r.status_code == 200
        body = r.json()
        assert set(body) == {"access_token", "token_type", "expires_in"}
        assert body["expires_in"] == 5184000
        me = c.get("/v24.0/me", params={"access_token": body["access_token"]})
    assert me.json() == {"name": "Alex Admin", "id": "100012345678901"}
    assert sb.world.token(body["access_token"]).type == "USER"


def test_version_header_current_unversioned_and_expired(sandbox):
    sc = build_scenario("healthy")
    sc.world.api_date = "2026-11-26"
    sb = sandbox(sc)
    tok = sb.operator.user_token
    with client(sb) as c:
        assert c.get("/v24.0/me", params={"access_token": tok}).headers["facebook-api-version"] == "v24.0"
        assert c.get("/v26.0/me", params={"access_token": tok}).headers["facebook-api-version"] == "v26.0"
        assert c.get("/me", params={"access_token": tok}).headers["facebook-api-version"] == "v24.0"
        for old in ("v20.0", "v19.0", "v2.8"):
            r = c.get(f"/{old}/me", params={"access_token": tok})
            assert r.status_code == 200
            assert r.headers["facebook-api-version"] == "v21.0"  # oldest live version on 2026-11-26
        assert c.get("/v21.0/me", params={"access_token": tok}).headers["facebook-api-version"] == "v21.0"


def test_bad_versions_are_unknown_path_components(healthy):
    with client(healthy) as c:
        for v in ("v99x", "v99.0", "v24"):
            r = c.get(f"/{v}/me", params={"access_token": healthy.operator.user_token})
            assert r.status_code == 400
            err = error_of(r)
            assert err["code"] == 2500
            assert err["message"] == f"Unknown path components: /{v}/me"
            assert "facebook-api-version" in r.headers


def test_token_sources(healthy):
    tok = healthy.operator.user_token
    want = {"name": "Alex Admin", "id": "100012345678901"}
    with client(healthy) as c:
        assert c.get("/v24.0/me", params={"access_token": tok}).json() == want
        assert c.get("/v24.0/me", headers={"Authorization": f"Bearer {tok}"}).json() == want
        assert c.get("/v24.0/me", headers={"Authorization": f"OAuth {tok}"}).json() == want
        r = c.post("/v24.0/", data={"access_token": tok, "batch": '[{"method":"GET","relative_url":"me"}]'})
        assert json.loads(r.json()[0]["body"]) == want
        # the method override: refused to an app created on or after 2026-11-04 (the default world's app) …
        assert error_of(c.post("/v24.0/me", data={"access_token": tok, "method": "GET"}))["code"] == 100
        healthy.world.apps[healthy.operator.app_id].created = "2025-06-01"
        # … and still answered for an older app, form or JSON body
        assert c.post("/v24.0/me", data={"access_token": tok, "method": "GET"}).json() == want
        r = c.post("/v24.0/me", json={"access_token": tok, "method": "GET"})
        assert r.json() == want
        r = c.get("/v24.0/me")
    assert r.status_code == 400
    err = error_of(r)
    assert (err["code"], err["message"]) == (104, "An access token is required to request this resource.")


def test_method_override_delete_for_an_old_app(sandbox):
    sb = sandbox()
    sb.world.apps[sb.operator.app_id].created = "2026-11-03"  # the day before Meta closed the override
    with client(sb) as c:
        r = c.post(f"/v24.0/{sb.operator.app_id}/subscriptions",
                   data={"access_token": app_token(sb), "method": "DELETE", "object": "page"})
        assert r.json() == {"success": True}
        r = c.post(f"/v24.0/{sb.operator.app_id}/subscriptions",
                   params={"method": "GET"}, data={"access_token": app_token(sb)})
    assert r.json() == {"data": []}
    assert sb.world.app_subscription(sb.operator.app_id) is None


def test_bad_tokens_on_normal_calls(healthy):
    app_id = healthy.operator.app_id
    cases = {
        "garbage": (190, "Invalid OAuth access token - Cannot parse access token"),
        "EAAGnotarealtoken123": (190, "The access token could not be decrypted"),
        f"{app_id}|wrongsecret": (190, "Invalid OAuth access token signature."),
        "999|abc": (190, "Error validating application. Cannot get application info due to a system error."),
    }
    with client(healthy) as c:
        for tok, (code, msg) in cases.items():
            r = c.get(f"/v24.0/{app_id}", params={"access_token": tok})
            assert r.status_code == 400
            err = error_of(r)
            assert (err["code"], err["message"], err["type"]) == (code, msg, "OAuthException")
            assert r.headers["www-authenticate"].startswith('OAuth "Facebook Platform" "invalid_token"')


def test_expired_and_invalidated_tokens_on_calls(sandbox):
    for name, sub in (("token-expired", 463), ("token-invalidated", 460)):
        sb = sandbox(name)
        with client(sb) as c:
            r = c.get("/v24.0/me", params={"access_token": sb.operator.page_tokens[0]})
            ok = c.get("/v24.0/me", params={"access_token": sb.operator.page_tokens[1]})
        assert r.status_code == 400
        err = error_of(r)
        assert (err["code"], err["error_subcode"]) == (190, sub)
        if sub == 463:
            assert err["message"].startswith("Error validating access token: Session has expired on ")
            assert "The current time is" in err["message"]
        else:
            assert err["message"] == (
                "Error validating access token: The session has been invalidated because the user changed their "
                "password or Facebook has changed the session for security reasons.")
        assert ok.status_code == 200


def test_unknown_object_and_edges(healthy):
    op = healthy.operator
    with client(healthy) as c:
        r = c.get("/v24.0/424242", params={"access_token": op.user_token})
        err = error_of(r)
        assert (err["code"], err["error_subcode"], err["type"]) == (100, 33, "GraphMethodException")
        assert err["message"].startswith("Unsupported get request. Object with ID '424242' does not exist")
        r = c.get("/v24.0/me/nothing", params={"access_token": op.user_token})
        assert error_of(r)["message"] == "(#100) Tried accessing nonexisting field (nothing) on node type (User)"
        r = c.get("/v24.0/me/accounts/extra", params={"access_token": op.user_token})
        assert error_of(r)["message"] == "Unknown path components: /extra"


def test_app_token_me_is_2500(healthy):
    with client(healthy) as c:
        r = c.get("/v24.0/me", params={"access_token": app_token(healthy)})
    err = error_of(r)
    assert err["code"] == 2500
    assert err["message"] == "An active access token must be used to query information about the current user."


def test_keepalive_client_many_requests(healthy):
    with httpx.Client(base_url=healthy.url, trust_env=False) as c:
        for _ in range(20):
            assert c.get("/v24.0/me", params={"access_token": healthy.operator.user_token}).status_code == 200


def test_pinning_the_newest_version_is_not_a_warning():
    """v27.0 (released 2026-11-04, end not announced) is in the one version table: FB701 passes."""
    import json as _json

    from fbhub.meta.versions import latest_version
    from fbhub.sandbox import run_sandbox
    from tests.hardening.support import run_cli, sandbox_env

    newest = latest_version()
    with run_sandbox("healthy") as sb:
        run = run_cli("doctor", "--format", "json", "--only", "FB7",
                      env=sandbox_env(sb, FBHUB_GRAPH_VERSION=newest))
    results = {r["id"]: r for r in _json.loads(run.stdout)["results"]}
    assert results["FB701"]["status"] == "pass", results["FB701"]
    assert results["FB702"]["status"] == "pass", results["FB702"]  # the sandbox served what was asked
