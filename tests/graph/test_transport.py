"""Transport forms of token-bearing reads and deletes: no method override, fallback when Meta refuses a form,
memory of what worked, pinned forms, and permanent deprecated-parameter errors."""

from __future__ import annotations

from urllib.parse import parse_qsl

import httpx
import pytest

from fbhub.graph import APP, GraphInvalidRequest
from fbhub.graph.errors import GraphAuthError, error_from_payload
from fbhub.graph.transport import AUTO_ORDER, forms_for, is_refusal, parse_choice

from .conftest import APP_ID, APP_TOKEN, PAGE_ID, PAGE_TOKEN, USER_TOKEN, graph_error

BATCH_REFUSED = graph_error(100, "(#100) Batch requests are not supported for this app")


def no_override(fake) -> None:
    for req in fake.wire:
        form = dict(parse_qsl(req.content.decode())) if req.content else {}
        assert not (req.method == "POST" and "method" in form), req


def test_auto_order_and_pins():
    assert AUTO_ORDER == ("batch", "header")
    assert forms_for("auto", "app", secret_params=False) == ["batch", "header"]
    assert forms_for("auto", "token", secret_params=False, remembered="header") == ["header", "batch"]
    assert forms_for("auto", "app", secret_params=True) == ["batch"]  # input_token never in a URL
    assert forms_for("query", "app", secret_params=True) == ["query"]  # the operator opted in
    assert forms_for("header", "app", secret_params=True) == ["batch"]
    assert parse_choice(" Header ") == "header"
    with pytest.raises(Exception, match="graph_transport"):
        parse_choice("carrier-pigeon")


@pytest.mark.parametrize("code,message,status,refused", [
    (104, "An access token is required to request this resource.", 400, True),
    (2500, "An active access token must be used to query information about the current user.", 400, True),
    (100, "(#100) Batch requests are not supported for this app", 400, True),
    (100, "(#100) The HTTP method override (method=) is not available for apps created on or after …", 400, True),
    (190, "Invalid OAuth access token - Cannot parse access token", 400, False),
    (200, "(#200) Requires pages_manage_metadata permission to manage the object", 403, False),
    (2500, "Unknown path components: /v99.0", 400, False),
])
def test_is_refusal(code, message, status, refused):
    err = error_from_payload({"code": code, "message": message}, http_status=status)
    assert is_refusal(err) is refused


def test_reads_fall_back_from_batch_to_header_and_remember(client, fake, log_lines):
    fake.on("POST", "/", BATCH_REFUSED)
    fake.on("GET", f"/{PAGE_ID}/subscribed_apps", {"data": [{"id": APP_ID, "name": "CX"}]})
    assert client.get_page_subscribed_apps(PAGE_ID, PAGE_TOKEN) == [{"id": APP_ID, "name": "CX"}]
    batch, get = fake.wire
    assert batch.method == "POST" and get.method == "GET"
    assert get.headers["authorization"] == f"Bearer {PAGE_TOKEN}" and PAGE_TOKEN not in str(get.url)
    assert "appsecret_proof" in get.url.params  # no header form for the proof (an HMAC, not the token)
    assert client.transport_memory == {"token": "header"}
    [note] = client.transport_notes
    assert "one-operation batch" in note and "Authorization header" in note and "#100" in note
    assert sum("graph transport:" in line for line in log_lines) == 1
    # the next call starts with the form that worked: one request, no second note
    client.get_page_subscribed_apps(PAGE_ID, PAGE_TOKEN)
    assert len(fake.wire) == 3 and fake.wire[2].method == "GET" and len(client.transport_notes) == 1
    no_override(fake)


def test_delete_falls_back_to_a_real_delete(client, fake):
    fake.on("POST", "/", BATCH_REFUSED)
    fake.on("DELETE", f"/{APP_ID}/subscriptions", {"success": True})
    assert client.delete_app_subscription("page") is True
    req = fake.wire[-1]
    assert req.method == "DELETE" and req.url.params["object"] == "page"
    assert req.headers["authorization"] == f"Bearer {APP_TOKEN}"
    no_override(fake)


def test_header_ignored_falls_back_to_batch(make_client, fake):
    def header_blind(s):  # this Graph API does not read the Authorization header
        if s.http_method == "GET" and not s.params.get("access_token"):
            return graph_error(104, "An access token is required to request this resource.")
        return {"id": "1", "name": "Alex"}

    fake.on("GET", "/me", header_blind)
    c = make_client(transport_memory={"token": "header"})
    assert c.me(USER_TOKEN) == {"id": "1", "name": "Alex"}
    assert [r.method for r in fake.wire] == ["GET", "POST"]
    assert c.transport_memory == {"token": "batch"}


def test_secret_parameters_never_take_the_header_form(make_client, fake):
    fake.on("POST", "/", BATCH_REFUSED)
    c = make_client(graph_transport="header")
    with pytest.raises(GraphInvalidRequest):  # batch is the only form that keeps input_token out of URLs
        c.debug_token(PAGE_TOKEN)
    assert all(PAGE_TOKEN not in str(r.url) for r in fake.wire)


def test_pinned_query_form_is_meta_canonical(make_client, fake):
    fake.on("GET", "/me", {"id": "1"})
    c = make_client(graph_transport="query")
    c.me(USER_TOKEN)
    [req] = fake.wire
    assert req.method == "GET" and req.url.params["access_token"] == USER_TOKEN
    assert "appsecret_proof" in req.url.params


def test_pinned_form_does_not_fall_back(make_client, fake):
    fake.on("GET", "/me", graph_error(104, "An access token is required to request this resource."))
    c = make_client(graph_transport="header")
    with pytest.raises(GraphAuthError):
        c.me(USER_TOKEN)
    assert len(fake.wire) == 1


def test_app_and_token_memory_are_separate(make_client, fake):
    fake.on("GET", f"/{APP_ID}", {"id": APP_ID})
    fake.on("GET", "/me", {"id": "1"})
    c = make_client(transport_memory={"app": "header", "token": "batch", "junk": "smoke"})
    c.get_app(["id"])
    c.me(USER_TOKEN)
    assert [r.method for r in fake.wire] == ["POST", "GET", "POST"]  # app token exchange, header, batch
    assert c.transport_memory == {"app": "header", "token": "batch"}


def test_deprecated_parameter_500_is_permanent(client, fake, clock):
    fake.on("GET", "/me", httpx.Response(500, json={"error": {
        "message": "The ids query parameter is deprecated in v26.0+", "type": "OAuthException", "code": 100,
        "fbtrace_id": "AbC"}}))
    with pytest.raises(GraphInvalidRequest) as ei:
        client.me(USER_TOKEN)
    assert ei.value.topic == "deprecated-parameter" and ei.value.exit_code == 1
    assert clock.sleeps == [] and len(fake.wire) == 1


def test_app_token_reads_use_the_app_slot(client, fake):
    fake.on("GET", f"/{APP_ID}/roles", {"data": []})
    client.get_all(f"/{APP_ID}/roles", token=APP)
    assert client.transport_memory == {"app": "batch"}


def test_refused_batch_runs_its_operations_one_by_one(client, fake):
    from fbhub.graph import BatchItem

    fake.on("POST", "/", BATCH_REFUSED)
    fake.on("GET", "/me", {"id": "1"})
    fake.on("GET", f"/{PAGE_ID}/subscribed_apps", {"data": []})
    fake.on("POST", f"/{PAGE_ID}/subscribed_apps", {"success": True})
    r = client.batch([BatchItem("GET", "me", token=USER_TOKEN), BatchItem("GET", f"{PAGE_ID}/subscribed_apps"),
                      BatchItem("POST", f"{PAGE_ID}/subscribed_apps", body={"subscribed_fields": "messages"})],
                     token=PAGE_TOKEN)
    assert [x.ok for x in r] == [True, True, True] and r[0].data == {"id": "1"}
    calls = {(q.method, q.url.path.split("/v24.0")[-1]): q for q in fake.wire[1:]}
    assert calls[("GET", "/me")].headers["authorization"] == f"Bearer {USER_TOKEN}"
    assert calls[("GET", f"/{PAGE_ID}/subscribed_apps")].headers["authorization"] == f"Bearer {PAGE_TOKEN}"
    post = calls[("POST", f"/{PAGE_ID}/subscribed_apps")]
    assert dict(parse_qsl(post.content.decode()))["access_token"] == PAGE_TOKEN
    assert client.transport_memory["batch"] == "refused"
    n = len(fake.wire)
    client.batch([BatchItem("GET", "me", token=USER_TOKEN)], token=PAGE_TOKEN)  # no second refused batch
    assert len(fake.wire) == n + 1 and fake.wire[-1].method == "GET"
    no_override(fake)


def test_timestamped_proof_when_the_classic_one_is_refused(client, fake, log_lines):
    import hashlib
    import hmac

    from .conftest import APP_SECRET

    def needs_time(s):
        if "appsecret_time" not in s.params:
            return graph_error(100, "Invalid appsecret_proof provided in the API argument")
        t = s.params["appsecret_time"]
        want = hmac.new(APP_SECRET.encode(), f"{PAGE_TOKEN}|{t}".encode(), hashlib.sha256).hexdigest()
        assert s.params["appsecret_proof"] == want
        return {"data": []}

    fake.on("GET", f"/{PAGE_ID}/subscribed_apps", needs_time)
    assert client.get_page_subscribed_apps(PAGE_ID, PAGE_TOKEN) == []
    assert client.timestamped_proof is True
    assert any("time-stamped proof (appsecret_time) worked" in n for n in client.transport_notes)
    client.get_page_subscribed_apps(PAGE_ID, PAGE_TOKEN)  # from now on time-stamped at once
    assert len(fake.requests(path=f"/{PAGE_ID}/subscribed_apps")) == 3


def test_exchanges_recorded_with_stable_placeholders(client, fake):
    import json as _json

    from .conftest import APP_SECRET

    fake.on("GET", "/me/accounts", {"data": [{"id": PAGE_ID, "access_token": "EAAGreturnedpagetoken-77777"}]})
    fake.on("GET", f"/{PAGE_ID}/subscribed_apps", {"data": []})
    fake.on("GET", "/debug_token", {"data": {"app_id": APP_ID, "type": "USER", "is_valid": True}})
    client.me_accounts(USER_TOKEN)
    client.get_page_subscribed_apps(PAGE_ID, "EAAGreturnedpagetoken-77777")
    client.debug_token(USER_TOKEN)
    ex = client.exchanges.as_list()
    text = _json.dumps(ex)
    for secret in (USER_TOKEN, APP_SECRET, APP_TOKEN, "EAAGreturnedpagetoken-77777"):
        assert secret not in text
    assert len(ex) == 4  # accounts, subscribed_apps, app token exchange, debug_token
    accounts, subscribed, oauth, debug = ex
    assert oauth["request"]["path"] == "/oauth/access_token"
    assert oauth["request"]["form"]["client_secret"] == "<…app-secret>"
    # the Page token Meta handed out keeps one placeholder: in the answer and in the next request
    answer = _json.loads(accounts["response"]["body"][0]["body"])
    page_ph = answer["data"][0]["access_token"]
    assert page_ph.startswith("<…token-") and subscribed["request"]["form"]["access_token"] == page_ph
    assert debug["request"]["batch"][0]["relative_url"].startswith("debug_token?input_token=<…token-")
    assert accounts["response"]["status"] == 200 and accounts["request"]["batch"][0]["method"] == "GET"
