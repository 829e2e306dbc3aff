import hashlib
import hmac
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qsl

import httpx
import pytest

from fbhub.errors import UsageError
from fbhub.graph import (
    APP,
    AppSecretProofError,
    CallbackVerificationFailed,
    GraphAuthError,
    GraphBadResponse,
    GraphClient,
    GraphPermissionError,
    GraphTransientError,
    InvalidAppId,
    InvalidAppSecret,
    TokenOfOtherApp,
    appsecret_proof,
    parse_success,
)

from .conftest import (
    APP_ID,
    APP_SECRET,
    APP_TOKEN,
    LONG_USER_TOKEN,
    PAGE_ID,
    PAGE_TOKEN,
    USER_TOKEN,
    graph_error,
)


def hmac_hex(token: str) -> str:
    return hmac.new(APP_SECRET.encode(), token.encode(), hashlib.sha256).hexdigest()


def test_base_url_and_defaults():
    c = GraphClient(transport=httpx.MockTransport(lambda r: httpx.Response(200, json={})))
    assert c.base_url == "https://graph.facebook.com/v24.0"
    assert c.retry.max_attempts == 4 and c.retry.total_timeout == 30.0
    c.close()
    with GraphClient(graph_url="http://127.0.0.1:9/", graph_version="21.0",
                     transport=httpx.MockTransport(lambda r: httpx.Response(200, json={}))) as c2:
        assert c2.base_url == "http://127.0.0.1:9/v21.0"
    with pytest.raises(UsageError):
        GraphClient(graph_version="latest")


def test_app_token_exchange_is_a_form_post_and_cached(client, fake):
    assert client.app_token() == APP_TOKEN
    assert client.app_token() == APP_TOKEN
    [s] = fake.requests(path="/oauth/access_token")
    assert s.http_method == "POST" and s.query == {}
    assert s.form == {"client_id": APP_ID, "client_secret": APP_SECRET, "grant_type": "client_credentials"}
    assert client.request_count == 1


def test_app_token_thread_safe(client, fake):
    with ThreadPoolExecutor(8) as pool:
        tokens = list(pool.map(lambda _: client.app_token(), range(32)))
    assert set(tokens) == {APP_TOKEN}
    assert len(fake.requests(path="/oauth/access_token")) == 1


def test_invalid_app_id(client, fake):
    fake.on("POST", "/oauth/access_token",
            graph_error(101, "Error validating application. Invalid application ID."))
    with pytest.raises(InvalidAppId) as ei:
        client.app_token()
    assert ei.value.code == 101 and ei.value.exit_code == 1 and "App ID" in ei.value.hint
    assert client.request_count == 1  # not retried
    with pytest.raises(InvalidAppId):
        client.get_app()
    assert client.request_count == 1  # a definite "no" is remembered, not asked again


def test_inconclusive_app_token_failure_is_not_remembered(client, fake):
    fake.on("POST", "/oauth/access_token", httpx.Response(503, text="down"))
    with pytest.raises(GraphTransientError):
        client.app_token()
    fake.on("POST", "/oauth/access_token", {"access_token": APP_TOKEN})
    assert client.app_token() == APP_TOKEN


def test_invalid_app_secret_not_retried(client, fake, clock):
    fake.on("POST", "/oauth/access_token", graph_error(1, "Error validating client secret."))
    with pytest.raises(InvalidAppSecret) as ei:
        client.app_token()
    assert ei.value.topic == "app-secret" and "secrets set app-secret" in ei.value.hint
    assert client.request_count == 1 and clock.sleeps == []
    assert APP_SECRET not in str(ei.value)


def test_missing_credentials_are_usage_errors(make_client):
    with pytest.raises(UsageError, match="App Secret"):
        make_client(app_secret=None).app_token()
    with pytest.raises(UsageError, match="App ID"):
        make_client(app_id=None).get_app()


def test_old_query_string_token_answer(client, fake):
    fake.on("POST", "/oauth/access_token", httpx.Response(200, text=f"access_token={APP_TOKEN}"))
    assert client.app_token() == APP_TOKEN


def test_exchange_user_token(client, fake):
    assert client.exchange_user_token(USER_TOKEN) == (LONG_USER_TOKEN, 5183944)
    [s] = fake.requests(path="/oauth/access_token")
    assert s.form["grant_type"] == "fb_exchange_token" and s.form["fb_exchange_token"] == USER_TOKEN
    assert s.query == {}


def no_method_override(fake) -> None:
    for req in fake.wire:
        form = dict(parse_qsl(req.content.decode())) if req.content else {}
        assert not (req.method == "POST" and "method" in form), req


def test_get_with_token_is_a_one_operation_batch_with_proof(client, fake):
    fake.on("GET", f"/{PAGE_ID}", {"id": PAGE_ID, "name": "Support"})
    r = client.get(f"/{PAGE_ID}", params={"fields": ["id", "name"]}, token=PAGE_TOKEN)
    assert r.data == {"id": PAGE_ID, "name": "Support"} and r.status == 200 and r.api_version == "v24.0"
    [s] = fake.requests(path=f"/{PAGE_ID}")
    assert s.http_method == "BATCH" and s.method == "GET"
    assert s.query == {"fields": "id,name"}
    assert s.form["access_token"] == PAGE_TOKEN  # the batch's top-level token (the operation's fallback)
    assert s.form["appsecret_proof"] == hmac_hex(PAGE_TOKEN) == appsecret_proof(PAGE_TOKEN, APP_SECRET)
    [req] = fake.wire
    assert req.method == "POST" and req.url.query == b"" and "authorization" not in req.headers
    no_method_override(fake)
    assert client.transport_memory == {"token": "batch"}


def test_secret_params_stay_out_of_urls(client, fake):
    fake.on("GET", "/x", {})
    client.get("/x", params={"fields": "id", "input_token": USER_TOKEN}, token=APP)
    [s] = fake.requests(path="/x")
    assert s.http_method == "BATCH" and s.query == {"fields": "id", "input_token": USER_TOKEN}
    assert all(USER_TOKEN not in str(req.url) for req in fake.wire)
    with pytest.raises(UsageError):  # a secret parameter without any token: nothing can carry it
        client.get("/x", params={"input_token": USER_TOKEN}, token=None)


def test_proof_optional_and_absent_without_secret(make_client, fake):
    fake.on("GET", "/me", {"id": "1"})
    make_client().get("/me", token=USER_TOKEN, proof=False)
    make_client(app_secret=None).get("/me", token=USER_TOKEN)
    assert all("appsecret_proof" not in s.form for s in fake.requests(path="/me"))


def test_app_token_calls_carry_proof(client, fake):
    fake.on("GET", f"/{APP_ID}", {"id": APP_ID, "name": "CX"})
    assert client.get_app(["id", "name"]) == {"id": APP_ID, "name": "CX"}
    [s] = fake.requests(path=f"/{APP_ID}")
    assert s.form["access_token"] == APP_TOKEN and s.form["appsecret_proof"] == hmac_hex(APP_TOKEN)
    assert s.query == {"fields": "id,name"}


def test_plain_get_without_token(client, fake):
    fake.on("GET", "/public", {"ok": 1})
    client.get("/public", params={"fields": "id"}, token=None)
    [s] = fake.requests(path="/public")
    assert s.http_method == "GET" and s.form == {} and s.query == {"fields": "id"}


def test_delete_is_post_method_delete(client, fake):
    fake.on("DELETE", f"/{APP_ID}/subscriptions", {"success": True})
    assert client.delete_app_subscription("page", ["messages", "message_reads"]) is True
    [s] = fake.requests(path=f"/{APP_ID}/subscriptions")
    assert s.http_method == "BATCH" and s.method == "DELETE"
    # Meta reads a DELETE operation's parameters from its relative_url (reference §0.4)
    assert s.query == {"object": "page", "fields": "messages,message_reads"}
    no_method_override(fake)


@pytest.mark.parametrize("data,want", [({"success": True}, True), ({"success": "true"}, True), (True, True),
                                       ({"success": False}, False), ({"success": "false"}, False), ({}, False),
                                       (None, False)])
def test_parse_success(data, want):
    assert parse_success(data) is want


def test_set_app_subscription_form(client, fake):
    fake.on("POST", f"/{APP_ID}/subscriptions", {"success": "true"})
    assert client.set_app_subscription("page", "https://cx.example.com/fb/webhook", ["messages", "messaging_postbacks"],
                                       "PLANTEDverify-token-42", include_values=True)
    [s] = fake.requests(path=f"/{APP_ID}/subscriptions")
    assert s.query == {}
    assert s.form["object"] == "page" and s.form["fields"] == "messages,messaging_postbacks"
    assert s.form["include_values"] == "true" and s.form["verify_token"] == "PLANTEDverify-token-42"
    assert s.form["callback_url"] == "https://cx.example.com/fb/webhook"


def test_subscribe_and_unsubscribe_page(client, fake):
    fake.on("POST", f"/{PAGE_ID}/subscribed_apps", {"success": True})
    fake.on("DELETE", f"/{PAGE_ID}/subscribed_apps", {"success": "true"})
    assert client.subscribe_page(PAGE_ID, PAGE_TOKEN, ["messages", "messaging_postbacks"])
    assert client.unsubscribe_page(PAGE_ID, PAGE_TOKEN)
    post, delete = fake.requests(path=f"/{PAGE_ID}/subscribed_apps")
    assert post.form["subscribed_fields"] == "messages,messaging_postbacks"
    assert post.form["appsecret_proof"] == hmac_hex(PAGE_TOKEN)
    assert delete.method == "DELETE" and delete.token == PAGE_TOKEN
    no_method_override(fake)


def test_me_accounts_follows_cursor_paging_not_next_url(client, fake):
    pages = [
        {"data": [{"id": "1", "name": "A", "access_token": PAGE_TOKEN, "tasks": ["MESSAGING"]}],
         "paging": {"cursors": {"before": "b", "after": "c1"},
                    "next": f"https://graph.facebook.com/v24.0/me/accounts?access_token={USER_TOKEN}&after=c1"}},
        {"data": [{"id": "2", "name": "B", "access_token": "EAAGsecondpagetoken-123456"}],
         "paging": {"cursors": {"before": "c1", "after": "c2"}}},
    ]
    fake.on("GET", "/me/accounts", *pages)
    rows = client.me_accounts(USER_TOKEN)
    assert [r["id"] for r in rows] == ["1", "2"]
    first, second = fake.requests(path="/me/accounts")
    assert "after" not in first.query and second.query["after"] == "c1"
    assert second.query["fields"] == "id,name,access_token,tasks"


def test_debug_token(client, fake):
    fake.on("GET", "/debug_token", {"data": {"app_id": APP_ID, "type": "PAGE", "is_valid": True, "expires_at": 0}})
    d = client.debug_token(PAGE_TOKEN)
    assert d["type"] == "PAGE" and d["is_valid"] is True
    [s] = fake.requests(path="/debug_token")
    assert s.http_method == "BATCH" and s.method == "GET" and s.query == {"input_token": PAGE_TOKEN}
    assert s.token == APP_TOKEN
    assert all(PAGE_TOKEN not in str(req.url) for req in fake.wire)


def test_debug_token_of_other_app(client, fake):
    fake.on("GET", "/debug_token",
            graph_error(100, "(#100) The App_id in the input_token did not match the Viewing App"))
    with pytest.raises(TokenOfOtherApp) as ei:
        client.debug_token(PAGE_TOKEN)
    assert ei.value.code == 100 and ei.value.topic == "token-of-other-app"
    assert len(fake.requests(path="/debug_token")) == 1


@pytest.mark.parametrize("resp,cls,topic", [
    (graph_error(190, "Error validating access token: Session has expired", subcode=463), GraphAuthError, "190/463"),
    (graph_error(190, "invalid", subcode=492), GraphAuthError, "190/492"),
    (graph_error(200, "(#200) Requires pages_manage_metadata permission", status=403), GraphPermissionError, "200"),
    (graph_error(230, "(#230) Requires pages_messaging permission"), GraphPermissionError, "230"),
    (graph_error(210, "(#210) A page access token is required"), GraphPermissionError, "210"),
    (graph_error(100, "Invalid appsecret_proof provided in the API argument"), AppSecretProofError,
     "appsecret-proof-invalid"),
    (graph_error(2200, "(#2200) Callback verification failed with the following errors: HTTP Status Code = 404"),
     CallbackVerificationFailed, "2200"),
])
def test_definite_errors_not_retried(client, fake, clock, resp, cls, topic):
    fake.on("POST", f"/{PAGE_ID}/subscribed_apps", resp)
    with pytest.raises(cls) as ei:
        client.subscribe_page(PAGE_ID, PAGE_TOKEN, ["messages"])
    e = ei.value
    assert e.topic == topic and e.exit_code == 1 and e.meaning
    sent = fake.requests(path=f"/{PAGE_ID}/subscribed_apps")
    # an invalid appsecret_proof gets exactly one more try, with the time-stamped proof (appsecret_time)
    assert len(sent) == (2 if topic == "appsecret-proof-invalid" else 1) and clock.sleeps == []
    assert PAGE_TOKEN not in str(e) and APP_SECRET not in str(e)


@pytest.mark.parametrize("resp", [
    httpx.Response(200, text="<html>captive portal</html>"),
    httpx.Response(404, text="<html>Not Found</html>"),
    httpx.Response(200, text=""),
    httpx.Response(404, json={"detail": "nope"}),
])
def test_bad_response(client, fake, clock, resp):
    fake.on("GET", "/me", resp)
    with pytest.raises(GraphBadResponse) as ei:
        client.me(USER_TOKEN)
    assert ei.value.exit_code == 3 and len(fake.requests(path="/me")) == 1


def test_unexpected_shape_is_bad_response(client, fake):
    fake.on("GET", "/me", ["not", "an", "object"])
    with pytest.raises(GraphBadResponse):
        client.me(USER_TOKEN)
    fake.on("GET", "/debug_token", {"nodata": 1})
    with pytest.raises(GraphBadResponse):
        client.debug_token(USER_TOKEN)


def test_versions_seen_and_usage(client, fake):
    fake.served_version = "v25.0"
    fake.extra_headers["x-app-usage"] = '{"call_count":28,"total_time":25,"total_cputime":25}'
    fake.on("GET", "/me", {"id": "1"})
    r = client.get("/me", token=USER_TOKEN)
    assert r.api_version == "v25.0" and r.usage["app"]["call_count"] == 28 and r.usage["max_percent"] == 28
    assert client.api_versions_seen == {"v25.0"} and client.version_mismatch == {"v25.0"}


def test_counters_thread_safe(client, fake):
    fake.on("GET", "/me", {"id": "1"})
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: client.me(USER_TOKEN), range(40)))
    assert client.request_count == 40 == len(fake.seen)


def test_convenience_reads(client, fake):
    fake.on("GET", f"/{APP_ID}/subscriptions", {"data": [{"object": "page", "callback_url": "https://x/y",
                                                          "active": True, "fields": [{"name": "messages"}]}]})
    fake.on("GET", f"/{APP_ID}/roles", {"data": [{"app_id": APP_ID, "user": "9", "role": "administrators"}]})
    fake.on("GET", f"/{PAGE_ID}/subscribed_apps", {"data": [{"id": APP_ID, "subscribed_fields": ["messages"]}]})
    fake.on("GET", "/me/permissions", {"data": [{"permission": "pages_messaging", "status": "granted"}]})
    fake.on("GET", f"/{PAGE_ID}", {"id": PAGE_ID, "name": "Support"})
    assert client.get_app_subscriptions()[0]["object"] == "page"
    assert client.get_app_roles()[0]["role"] == "administrators"
    assert client.get_page_subscribed_apps(PAGE_ID, PAGE_TOKEN)[0]["id"] == APP_ID
    assert client.me_permissions(USER_TOKEN)[0]["permission"] == "pages_messaging"
    assert client.get_page(PAGE_ID, PAGE_TOKEN)["name"] == "Support"


def test_absolute_paths_rejected(client):
    with pytest.raises(UsageError):
        client.get("https://evil.example/x", token=APP)


def test_bad_token_value(client):
    with pytest.raises(UsageError):
        client.get("/me", token="")


def test_no_threads_left(client, fake):
    before = threading.active_count()
    fake.on("GET", "/me", {"id": "1"})
    client.me(USER_TOKEN)
    assert threading.active_count() <= before
