import json
import threading
from urllib.parse import parse_qsl, urlencode

import httpx
import pytest

from fbhub.errors import UsageError
from fbhub.graph import APP, BatchItem, GraphAuthError, GraphPermissionError, GraphTransientError

from .conftest import APP_SECRET, APP_TOKEN, PAGE_TOKEN, PAGE_TOKEN_2, body_json, graph_error
from .test_client import hmac_hex


def echo_batch(s):
    """Answer each operation with its own relative_url, so order can be checked."""
    ops = body_json(s)
    return [{"code": 200, "body": json.dumps({"url": op["relative_url"]})} for op in ops]


def test_120_items_three_calls_order_preserved(client, fake):
    fake.on("POST", "/", echo_batch)
    items = [BatchItem("GET", f"{i}?fields=id") for i in range(120)]
    results = client.batch(items)
    assert [r.data["url"] for r in results] == [f"{i}?fields=id" for i in range(120)]
    assert all(r.ok and r.status == 200 and r.error is None for r in results)
    calls = fake.requests(path="/")
    assert sorted(len(body_json(s)) for s in calls) == [20, 50, 50]


def test_top_level_form(client, fake):
    fake.on("POST", "/", echo_batch)
    client.batch([BatchItem("GET", "me", name="first")], token=APP)
    [s] = fake.requests(path="/")
    assert s.http_method == "POST" and s.query == {}
    assert s.form["access_token"] == APP_TOKEN and s.form["appsecret_proof"] == hmac_hex(APP_TOKEN)
    assert s.form["include_headers"] == "false"
    assert body_json(s) == [{"method": "GET", "relative_url": "me", "name": "first"}]


def test_per_item_tokens_with_proof_get_in_relative_url_post_in_body(client, fake):
    """Meta reads an operation's body for POST/PUT only: a GET op carries its token in relative_url (inside the
    batch's POST body, never an HTTP URL), a POST op in its body."""
    fake.on("POST", "/", echo_batch)
    client.batch([BatchItem("GET", "111/subscribed_apps", token=PAGE_TOKEN),
                  BatchItem("POST", "222/subscribed_apps", body={"subscribed_fields": ["messages", "standby"]},
                            token=PAGE_TOKEN_2)])
    [s] = fake.requests(path="/")
    ops = body_json(s)
    assert s.form["access_token"] == APP_TOKEN  # top-level token always present
    path, _, query = ops[0]["relative_url"].partition("?")
    assert path == "111/subscribed_apps" and "body" not in ops[0]
    assert dict(parse_qsl(query)) == {"access_token": PAGE_TOKEN, "appsecret_proof": hmac_hex(PAGE_TOKEN)}
    b1 = dict(parse_qsl(ops[1]["body"]))
    assert b1 == {"access_token": PAGE_TOKEN_2, "appsecret_proof": hmac_hex(PAGE_TOKEN_2),
                  "subscribed_fields": "messages,standby"}
    assert PAGE_TOKEN_2 not in ops[1]["relative_url"]
    assert s.query == {} and PAGE_TOKEN not in str(s.request.url)  # never in the HTTP request's URL
    assert APP_SECRET not in s.request.content.decode()


def test_page_token_as_top_level(client, fake):
    fake.on("POST", "/", echo_batch)
    client.batch([BatchItem("GET", "me")], token=PAGE_TOKEN)
    [s] = fake.requests(path="/")
    assert s.form["access_token"] == PAGE_TOKEN and not fake.requests(path="/oauth/access_token")


def test_per_item_errors(client, fake):
    err_body = json.dumps({"error": {"message": "(#200) Requires pages_manage_metadata permission",
                                     "type": "OAuthException", "code": 200, "fbtrace_id": "T1"}})
    fake.on("POST", "/", [{"code": 200, "body": '{"success":true}'}, {"code": 403, "body": err_body},
                          {"code": 400, "body": "not json"}])
    r = client.batch([BatchItem("POST", "1/subscribed_apps"), BatchItem("POST", "2/subscribed_apps"),
                      BatchItem("GET", "3")])
    assert r[0].ok and r[0].data == {"success": True}
    assert not r[1].ok and isinstance(r[1].error, GraphPermissionError) and r[1].status == 403
    assert r[1].error.topic == "200" and r[1].error.fbtrace_id == "T1"
    assert not r[2].ok and r[2].error.exit_code == 3


def test_null_items_retried(client, fake, clock):
    first = [{"code": 200, "body": '{"n":0}'}, None, {"code": 200, "body": '{"n":2}'}, None]
    second = [{"code": 200, "body": '{"n":1}'}, {"code": 200, "body": '{"n":3}'}]
    fake.on("POST", "/", first, second)
    r = client.batch([BatchItem("GET", str(i)) for i in range(4)])
    assert [x.data["n"] for x in r] == [0, 1, 2, 3]
    resend = fake.requests(path="/")[1]
    assert [op["relative_url"] for op in body_json(resend)] == ["1", "3"]


def test_null_items_still_null_become_transient_errors(client, fake, clock):
    fake.on("POST", "/", lambda s: [None if op["relative_url"] == "1" else {"code": 200, "body": "{}"}
                                    for op in body_json(s)])
    r = client.batch([BatchItem("GET", "0"), BatchItem("GET", "1")])
    assert r[0].ok
    assert not r[1].ok and r[1].status is None and isinstance(r[1].error, GraphTransientError)
    assert r[1].error.exit_code == 3
    assert len(fake.requests(path="/")) == 4  # first try + 3 bounded re-sends


def test_transient_item_errors_retried(client, fake, clock):
    busy = json.dumps({"error": {"message": "Service temporarily unavailable", "code": 2}})
    fake.on("POST", "/", [{"code": 500, "body": busy}], [{"code": 200, "body": '{"ok":1}'}])
    [r] = client.batch([BatchItem("GET", "x")])
    assert r.ok and r.data == {"ok": 1}


def test_whole_batch_transient_failure_retried(client, fake, clock):
    fake.on("POST", "/", httpx.Response(503, text="down"), echo_batch)
    r = client.batch([BatchItem("GET", "me")])
    assert r[0].ok and len(fake.requests(path="/")) == 2


def test_whole_batch_definite_failure_raised(client, fake):
    fake.on("POST", "/", graph_error(190, "Invalid OAuth access token."))
    with pytest.raises(GraphAuthError):
        client.batch([BatchItem("GET", "me")])


def test_wrong_length_answer_is_bad_response(client, fake):
    fake.on("POST", "/", [{"code": 200, "body": "{}"}])
    with pytest.raises(Exception) as ei:
        client.batch([BatchItem("GET", "a"), BatchItem("GET", "b")])
    assert ei.value.exit_code == 3


def test_absolute_url_refused(client):
    with pytest.raises(UsageError):
        client.batch([BatchItem("GET", "https://graph.facebook.com/me")])


def test_secret_query_params_stay_encoded_in_get_relative_url(client, fake):
    fake.on("POST", "/", echo_batch)
    tricky = PAGE_TOKEN + "+/#"  # characters a naive URL would mangle
    client.batch([BatchItem("GET", "debug_token?" + urlencode({"input_token": tricky, "fields": "is_valid"})),
                  BatchItem("GET", f"me?access_token={PAGE_TOKEN_2}")])
    ops = body_json(fake.requests(path="/")[0])
    q0 = dict(parse_qsl(ops[0]["relative_url"].partition("?")[2]))
    assert q0["input_token"] == tricky and q0["fields"] == "is_valid"
    assert dict(parse_qsl(ops[1]["relative_url"].partition("?")[2]))["access_token"] == PAGE_TOKEN_2
    assert all("body" not in op for op in ops)


def test_chunks_run_concurrently(client, fake):
    barrier = threading.Barrier(3, timeout=5)

    def wait_for_all(s):
        barrier.wait()  # breaks (and fails the test) unless 3 chunks are in flight together
        return echo_batch(s)

    fake.on("POST", "/", wait_for_all)
    client.app_token()
    r = client.batch([BatchItem("GET", str(i)) for i in range(150)])
    assert len(r) == 150 and all(x.ok for x in r)


def test_empty_batch(client, fake):
    assert client.batch([]) == [] and fake.seen == []
