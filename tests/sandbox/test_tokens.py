"""debug_token and appsecret_proof."""

from __future__ import annotations

import time

from fbhub.sandbox import appsecret_proof, build_scenario

from .helpers import app_token, client, error_of


def debug(sb, input_token, caller=None, **extra):
    with client(sb) as c:
        return c.get("/v24.0/debug_token", params={"input_token": input_token,
                                                   "access_token": caller or app_token(sb), **extra})


def test_debug_page_token(healthy):
    op = healthy.operator
    r = debug(healthy, op.page_tokens[0])
    assert r.status_code == 200
    d = r.json()["data"]
    assert list(d) == ["app_id", "type", "application", "data_access_expires_at", "expires_at", "is_valid",
                       "profile_id", "scopes", "granular_scopes", "user_id"]
    assert d["app_id"] == op.app_id and d["type"] == "PAGE" and d["application"] == "CloudCX Messenger"
    assert d["expires_at"] == 0 and d["is_valid"] is True
    assert d["profile_id"] == op.pages[0]["id"]
    assert d["data_access_expires_at"] > time.time()
    assert set(d["scopes"]) >= {"pages_messaging", "pages_manage_metadata", "pages_show_list"}
    gs = {g["scope"]: g.get("target_ids") for g in d["granular_scopes"]}
    assert gs["pages_messaging"] == [op.pages[0]["id"]]
    assert "public_profile" not in gs


def test_debug_user_token_and_bearer_caller(healthy):
    op = healthy.operator
    with client(healthy) as c:
        r = c.get("/v24.0/debug_token", params={"input_token": op.user_token},
                  headers={"Authorization": f"Bearer {app_token(healthy)}"})
    d = r.json()["data"]
    assert d["type"] == "USER" and d["user_id"] == "100012345678901"
    assert d["expires_at"] > time.time() + 50 * 86400  # long-lived
    assert "issued_at" in d and "profile_id" not in d


def test_debug_app_token(healthy):
    op = healthy.operator
    with client(healthy) as c:
        tok = c.get("/oauth/access_token", params={"client_id": op.app_id, "client_secret": op.app_secret,
                                                   "grant_type": "client_credentials"}).json()["access_token"]
    assert debug(healthy, tok).json() == {"data": {"app_id": op.app_id, "type": "APP",
                                                   "application": "CloudCX Messenger", "is_valid": True,
                                                   "scopes": []}}


def test_debug_garbage_is_http_200(healthy):
    app_id = healthy.operator.app_id
    cases = {
        "xxxx": "Invalid OAuth access token - Cannot parse access token",
        "EAAGtamperedtoken": "The access token could not be decrypted",
        f"{app_id}|abc": "Invalid OAuth access token signature.",
        "123|abc": "Error validating application. Cannot get application info due to a system error.",
    }
    for tok, msg in cases.items():
        r = debug(healthy, tok)
        assert r.status_code == 200
        assert r.json() == {"data": {"error": {"code": 190, "message": msg}, "is_valid": False, "scopes": []}}


def test_debug_token_of_other_app(sandbox):
    sb = sandbox("token-other-app")
    r = debug(sb, sb.operator.page_tokens[0])
    assert r.status_code == 400
    err = error_of(r)
    assert err == err | {"message": "(#100) The App_id in the input_token did not match the Viewing App",
                         "type": "OAuthException", "code": 100}


def test_debug_expired_and_invalidated(sandbox):
    sb = sandbox("token-expired")
    d = debug(sb, sb.operator.page_tokens[0]).json()["data"]
    assert d["is_valid"] is False and 0 < d["expires_at"] < time.time()
    assert d["error"]["code"] == 190 and d["error"]["subcode"] == 463
    assert d["error"]["message"].startswith("Error validating access token: Session has expired on ")
    sb = sandbox("token-invalidated")
    d = debug(sb, sb.operator.page_tokens[0]).json()["data"]
    assert d["is_valid"] is False and d["expires_at"] == 0  # the surprise: "never expires" yet invalid
    assert d["error"]["subcode"] == 460


def test_debug_expiring_soon(sandbox):
    sb = sandbox("token-expiring-soon")
    d = debug(sb, sb.operator.page_tokens[0]).json()["data"]
    assert d["is_valid"] is True
    assert 2.9 * 86400 < d["expires_at"] - time.time() < 3.1 * 86400


def test_debug_caller_rules(healthy):
    op = healthy.operator
    with client(healthy) as c:
        r = c.get("/v24.0/debug_token", params={"input_token": op.page_tokens[0]})
    msg = ("(#100) You must provide an app access token, or a user access token that is an owner or developer "
           "of the app")
    assert r.status_code == 400 and error_of(r)["message"] == msg
    r = debug(healthy, op.page_tokens[0], caller=op.page_tokens[1])
    assert r.status_code == 400 and error_of(r)["message"] == msg
    # an admin's user token may debug tokens of its app
    r = debug(healthy, op.page_tokens[0], caller=op.user_token)
    assert r.json()["data"]["is_valid"] is True


def test_debug_scopes_missing_messaging(sandbox):
    sb = sandbox("token-missing-pages-messaging")
    d = debug(sb, sb.operator.page_tokens[0]).json()["data"]
    assert "pages_messaging" not in d["scopes"]


def test_appsecret_proof_required(sandbox):
    sb = sandbox("require-app-secret")
    op = sb.operator
    tok = op.page_tokens[0]
    with client(sb) as c:
        r = c.get("/v24.0/me", params={"access_token": tok})
        assert r.status_code == 400
        err = error_of(r)
        assert (err["type"], err["code"], err["message"]) == (
            "GraphMethodException", 100, "API calls from the server require an appsecret_proof argument")
        ok = c.get("/v24.0/me", params={"access_token": tok, "appsecret_proof": appsecret_proof(op.app_secret, tok)})
        assert ok.status_code == 200 and ok.json()["id"] == op.pages[0]["id"]
        t = int(time.time())
        ok2 = c.get("/v24.0/me", params={"access_token": tok, "appsecret_time": str(t),
                                         "appsecret_proof": appsecret_proof(op.app_secret, tok, t)})
        assert ok2.status_code == 200
        stale = t - 600
        r = c.get("/v24.0/me", params={"access_token": tok, "appsecret_time": str(stale),
                                       "appsecret_proof": appsecret_proof(op.app_secret, tok, stale)})
        assert error_of(r)["message"] == "Invalid appsecret_proof provided in the API argument"
        # app-token calls do not need a proof
        assert c.get(f"/v24.0/{op.app_id}", params={"access_token": app_token(sb)}).status_code == 200


def test_wrong_proof_rejected_even_when_not_required(healthy):
    op = healthy.operator
    with client(healthy) as c:
        r = c.get("/v24.0/me", params={"access_token": op.user_token,
                                       "appsecret_proof": appsecret_proof("0" * 32, op.user_token)})
    assert r.status_code == 400
    err = error_of(r)
    assert (err["type"], err["code"], err["message"]) == (
        "GraphMethodException", 100, "Invalid appsecret_proof provided in the API argument")


def test_proof_with_other_apps_token(sandbox):
    sb = sandbox("token-other-app")
    op = sb.operator
    tok = op.page_tokens[0]
    with client(sb) as c:
        r = c.get("/v24.0/me", params={"access_token": tok, "appsecret_proof": appsecret_proof(op.app_secret, tok)})
    assert error_of(r)["message"] == "Invalid appsecret_proof provided in the API argument"


def test_operator_secret_matches_world_only_when_healthy():
    healthy = build_scenario("healthy")
    assert healthy.operator.app_secret == healthy.world.app(healthy.operator.app_id).secret
    wrong = build_scenario("wrong-secret")
    assert wrong.operator.app_secret != wrong.world.app(wrong.operator.app_id).secret


def test_app_node_of_the_token():
    """GET /app answers the app a token belongs to (used to name the app behind a foreign page token)."""
    import httpx

    from fbhub.sandbox import run_sandbox

    with run_sandbox("token-other-app") as sb:
        tok = sb.operator.page_tokens[0]
        r = httpx.get(f"{sb.url}/v24.0/app", headers={"Authorization": f"Bearer {tok}"})
        assert r.status_code == 200
        body = r.json()
        assert body["id"] != sb.operator.app_id and body["name"]
