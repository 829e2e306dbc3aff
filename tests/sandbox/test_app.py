"""The Application node and its edges: settings, subscriptions (with callback verification), roles."""

from __future__ import annotations

import json

import pytest

from fbhub.meta.fields import PLATFORM_FIELDS

from .helpers import app_token, client, error_of

SETTINGS = ("id,name,category,app_domains,contact_email,privacy_policy_url,terms_of_service_url,website_url,"
            "icon_url,logo_url,restrictions,supported_platforms,app_type,server_ip_whitelist")


def test_default_fields(healthy):
    with client(healthy) as c:
        r = c.get(f"/v24.0/{healthy.operator.app_id}", params={"access_token": app_token(healthy)})
    assert r.status_code == 200
    body = r.json()
    assert list(body) == ["category", "link", "name", "id"]
    assert body["name"] == "CloudCX Messenger" and body["category"] == "Messaging"
    assert "x-app-usage" in r.headers
    usage = json.loads(r.headers["x-app-usage"])
    assert set(usage) == {"call_count", "total_cputime", "total_time"}


def test_settings_fields(healthy):
    op = healthy.operator
    with client(healthy) as c:
        exchanged = c.get("/oauth/access_token", params={
            "client_id": op.app_id, "client_secret": op.app_secret, "grant_type": "client_credentials"}
        ).json()["access_token"]
        r = c.get(f"/v24.0/{op.app_id}", params={"access_token": exchanged, "fields": SETTINGS})
    body = r.json()
    assert body["app_domains"] == ["cx.example.com"]
    assert body["privacy_policy_url"] == "https://cx.example.com/privacy"
    assert body["website_url"] == "https://cx.example.com/"
    assert body["supported_platforms"] == ["WEB"]
    assert "restrictions" not in body and "server_ip_whitelist" not in body  # unset: omitted


def test_unknown_field(healthy):
    with client(healthy) as c:
        r = c.get(f"/v24.0/{healthy.operator.app_id}", params={"access_token": app_token(healthy),
                                                               "fields": "id,xyz"})
    assert r.status_code == 400
    err = error_of(r)
    assert err["message"] == "(#100) Tried accessing nonexisting field (xyz) on node type (Application)"
    assert (err["type"], err["code"]) == ("OAuthException", 100)


def test_settings_incomplete(sandbox):
    sb = sandbox("app-settings-incomplete")
    with client(sb) as c:
        body = c.get(f"/{sb.operator.app_id}", params={"access_token": app_token(sb), "fields": SETTINGS}).json()
    assert body["category"] == "Business"
    for k in ("privacy_policy_url", "terms_of_service_url", "icon_url", "app_domains"):
        assert k not in body
    assert body["contact_email"] == "admin@cx.example.com"


def test_update_app_settings(sandbox):
    sb = sandbox("app-settings-incomplete")
    with client(sb) as c:
        r = c.post(f"/v24.0/{sb.operator.app_id}", data={
            "access_token": app_token(sb), "privacy_policy_url": "https://cx.example.com/privacy",
            "app_domains": '["cx.example.com"]'})
        assert r.json() == {"success": True}
        body = c.get(f"/{sb.operator.app_id}", params={"access_token": app_token(sb),
                                                       "fields": "privacy_policy_url,app_domains"}).json()
    assert body == {"privacy_policy_url": "https://cx.example.com/privacy", "app_domains": ["cx.example.com"],
                    "id": sb.operator.app_id}


def test_subscriptions_get_shape(healthy):
    with client(healthy) as c:
        r = c.get(f"/v24.0/{healthy.operator.app_id}/subscriptions", params={"access_token": app_token(healthy)})
    (sub,) = r.json()["data"]
    assert set(sub) == {"object", "callback_url", "active", "fields"}
    assert sub["object"] == "page" and sub["active"] is True
    assert sub["callback_url"] == "https://cx.example.com/fb/webhook"
    assert [f["name"] for f in sub["fields"]] == list(PLATFORM_FIELDS)
    assert all(f["version"] == "v24.0" for f in sub["fields"])


def test_subscriptions_need_own_app_token(healthy):
    with client(healthy) as c:
        r = c.get(f"/v24.0/{healthy.operator.app_id}/subscriptions",
                  params={"access_token": healthy.operator.user_token})
    err = error_of(r)
    assert (err["code"], err["message"]) == (15, "(#15) This method must be called with an app access_token.")


def test_subscribe_creates_then_amends(sandbox):
    sb = sandbox("app-webhook-missing")
    op, app_id = sb.operator, sb.operator.app_id
    with client(sb) as c:
        assert c.get(f"/v24.0/{app_id}/subscriptions", params={"access_token": app_token(sb)}).json() == {"data": []}
        r = c.post(f"/v24.0/{app_id}/subscriptions", data={
            "access_token": app_token(sb), "object": "page", "callback_url": "https://cx.example.com/fb/webhook",
            "verify_token": op.verify_token, "fields": "messages,messaging_postbacks", "include_values": "true"})
        assert r.status_code == 200 and r.json() == {"success": True}
        # amend: a POST with new fields keeps the existing ones
        r = c.post(f"/v23.0/{app_id}/subscriptions", data={
            "access_token": app_token(sb), "object": "page", "fields": "message_reads"})
        assert r.json() == {"success": True}
        (sub,) = c.get(f"/v24.0/{app_id}/subscriptions", params={"access_token": app_token(sb)}).json()["data"]
    assert sub["fields"] == [{"name": "messages", "version": "v24.0"},
                             {"name": "messaging_postbacks", "version": "v24.0"},
                             {"name": "message_reads", "version": "v23.0"}]
    s = sb.world.app_subscription(app_id)
    assert s.include_values is True and s.verify_token == op.verify_token


def test_subscribe_requires_callback_for_new_object(sandbox):
    sb = sandbox("app-webhook-missing")
    with client(sb) as c:
        r = c.post(f"/v24.0/{sb.operator.app_id}/subscriptions",
                   data={"access_token": app_token(sb), "object": "page", "fields": "messages"})
    assert error_of(r)["message"] == "(#100) The parameter callback_url is required."


def test_callback_unreachable_host_fails_and_world_unchanged(sandbox):
    sb = sandbox("callback-wrong-domain")
    with client(sb) as c:
        r = c.post(f"/v24.0/{sb.operator.app_id}/subscriptions", data={
            "access_token": app_token(sb), "object": "page", "callback_url": "https://elsewhere.example.org/hook",
            "verify_token": "x", "fields": "messages"})
    assert r.status_code == 400
    assert r.json()["error"] | {"fbtrace_id": "X"} == {
        "message": "(#2200) Callback verification failed with the following errors: HTTP Status Code = 404; "
                   "HTTP Message = Not Found",
        "type": "OAuthException", "code": 2200, "fbtrace_id": "X"}
    assert sb.world.app_subscription(sb.operator.app_id).callback_url == "https://old-cx.example.net/fb/webhook"


def test_callback_mend_on_reachable_domain(sandbox):
    sb = sandbox("callback-wrong-domain")
    with client(sb) as c:
        r = c.post(f"/v24.0/{sb.operator.app_id}/subscriptions", data={
            "access_token": app_token(sb), "object": "page", "callback_url": "https://cx.example.com/fb/webhook",
            "verify_token": sb.operator.verify_token, "fields": ",".join(PLATFORM_FIELDS)})
    assert r.json() == {"success": True}
    assert sb.world.app_subscription(sb.operator.app_id).callback_url == "https://cx.example.com/fb/webhook"


@pytest.mark.parametrize("behaviour, fragment", [
    ("not_found", "HTTP Status Code = 404; HTTP Message = Not Found"),
    ("server_error", "HTTP Status Code = 500; HTTP Message = Internal Server Error"),
    ("wrong_challenge", "Response does not match challenge"),
    ("timeout", "curl_errno = 28"),
])
def test_endpoint_behaviours(sandbox, behaviour, fragment):
    sb = sandbox()
    sb.world.app(sb.operator.app_id).webhook_endpoint_behaviour = behaviour
    with client(sb) as c:
        r = c.post(f"/v24.0/{sb.operator.app_id}/subscriptions", data={
            "access_token": app_token(sb), "object": "page", "callback_url": "https://cx.example.com/fb/webhook",
            "verify_token": "x"})
    err = error_of(r)
    assert err["code"] == 2200 and fragment in err["message"]
    assert err["message"].startswith("(#2200) Callback verification failed with the following errors: ")


def test_plain_http_callback_rejected(sandbox):
    sb = sandbox()
    with client(sb) as c:
        r = c.post(f"/v24.0/{sb.operator.app_id}/subscriptions", data={
            "access_token": app_token(sb), "object": "page", "callback_url": "http://cx.example.com/fb/webhook",
            "verify_token": "x"})
    assert error_of(r)["code"] == 2200


@pytest.mark.parametrize("mode, fragment", [
    ("ok", None),
    ("forbidden", "HTTP Status Code = 403; HTTP Message = Forbidden"),
    ("notfound", "HTTP Status Code = 404; HTTP Message = Not Found"),
    ("wrong", 'received="not-the-challenge"'),
])
def test_local_receiver_really_verified(sandbox, receiver, mode, fragment):
    url = receiver(mode, verify_token="vt-123")
    sb = sandbox("app-webhook-missing")
    with client(sb) as c:
        r = c.post(f"/v24.0/{sb.operator.app_id}/subscriptions", data={
            "access_token": app_token(sb), "object": "page", "callback_url": url,
            "verify_token": "vt-123" if mode != "forbidden" else "other", "fields": "messages"})
    if fragment is None:
        assert r.json() == {"success": True}
        assert sb.world.app_subscription(sb.operator.app_id).callback_url == url
    else:
        err = error_of(r)
        assert err["code"] == 2200 and fragment in err["message"]
        assert sb.world.app_subscription(sb.operator.app_id) is None


def test_local_receiver_down(sandbox):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    sb = sandbox()
    with client(sb) as c:
        r = c.post(f"/v24.0/{sb.operator.app_id}/subscriptions", data={
            "access_token": app_token(sb), "object": "page", "callback_url": f"http://127.0.0.1:{port}/x",
            "verify_token": "v"})
    err = error_of(r)
    assert err["code"] == 2200 and "curl_errno = 7" in err["message"]


def test_unsubscribe_fields_then_object(sandbox):
    sb = sandbox()
    app_id = sb.operator.app_id
    with client(sb) as c:
        r = c.request("DELETE", f"/v24.0/{app_id}/subscriptions",
                      params={"access_token": app_token(sb), "object": "page", "fields": "message_reads"})
        assert r.json() == {"success": True}
        assert "message_reads" not in sb.world.app_subscription(app_id).fields
        assert "messages" in sb.world.app_subscription(app_id).fields
        c.delete(f"/v24.0/{app_id}/subscriptions", params={"access_token": app_token(sb)})
    assert sb.world.app_subscription(app_id) is None


def test_inactive_webhook(sandbox):
    sb = sandbox("app-webhook-inactive")
    with client(sb) as c:
        (sub,) = c.get(f"/{sb.operator.app_id}/subscriptions", params={"access_token": app_token(sb)}).json()["data"]
    assert sub["active"] is False


def test_roles_and_permissions(healthy):
    app_id = healthy.operator.app_id
    with client(healthy) as c:
        roles = c.get(f"/v24.0/{app_id}/roles", params={"access_token": app_token(healthy)}).json()
        perms = c.get(f"/v24.0/{app_id}/permissions", params={"access_token": app_token(healthy)}).json()
        live = c.get(f"/v24.0/{app_id}/permissions",
                     params={"access_token": app_token(healthy), "permission": "pages_messaging"}).json()
    assert roles == {"data": [
        {"app_id": app_id, "user": "100012345678901", "role": "administrators"},
        {"app_id": app_id, "user": "100012345678902", "role": "testers"}]}
    assert {"permission": "pages_messaging", "status": "live"} in perms["data"]
    assert live == {"data": [{"permission": "pages_messaging", "status": "live"}]}
