"""Batch requests, injected faults, usage headers, request recording and log redaction."""

from __future__ import annotations

import json
import threading
import time

import httpx
import pytest

from fbhub.sandbox import Faults, appsecret_proof, build_scenario

from .helpers import app_token, client, error_of


def batch(sb, ops, token=None, **extra):
    with client(sb) as c:
        data = {"batch": json.dumps(ops), **extra}
        if token is not False:
            data["access_token"] = token or app_token(sb)
        return c.post("/v24.0/", data=data)


def test_batch_per_item_tokens_and_errors(healthy):
    op = healthy.operator
    ops = [
        {"method": "GET", "relative_url": f"{op.app_id}?fields=id,name"},
        {"method": "GET", "relative_url": f"me?access_token={op.page_tokens[0]}"},
        {"method": "GET", "relative_url": f"{op.pages[1]['id']}/subscribed_apps?access_token={op.page_tokens[1]}"},
        {"method": "GET", "relative_url": f"{op.pages[0]['id']}/subscribed_apps"},  # app token: error
    ]
    r = batch(healthy, ops)
    assert r.status_code == 200
    items = r.json()
    assert len(items) == 4
    assert [i["code"] for i in items[:3]] == [200, 200, 200]
    for i in items:
        assert set(i) == {"code", "headers", "body"}
        assert {"name": "Content-Type", "value": "text/javascript; charset=UTF-8"} in i["headers"]
    assert json.loads(items[0]["body"]) == {"id": op.app_id, "name": "CloudCX Messenger"}
    assert json.loads(items[1]["body"])["id"] == op.pages[0]["id"]
    assert json.loads(items[2]["body"])["data"][0]["id"] == op.app_id
    assert items[3]["code"] == 400
    assert json.loads(items[3]["body"])["error"]["code"] == 210


def test_batch_include_headers_false_and_post_op(sandbox):
    sb = sandbox("page-missing-fields")
    op = sb.operator
    ops = [{"method": "POST", "relative_url": f"v24.0/{op.pages[0]['id']}/subscribed_apps",
            "body": f"subscribed_fields=messages,messaging_postbacks&access_token={op.page_tokens[0]}"}]
    items = batch(sb, ops, include_headers="false").json()
    assert items == [{"code": 200, "body": '{"success":true}'}]
    assert sb.world.subscribed_fields(op.pages[0]["id"], op.app_id) == ["messages", "messaging_postbacks"]


def test_batch_limit_and_missing_token(healthy):
    ops = [{"method": "GET", "relative_url": "me"}] * 51
    r = batch(healthy, ops)
    assert r.status_code == 400
    assert error_of(r)["message"] == "(#100) Too many requests in batch message. Maximum batch size is 50"
    assert batch(healthy, ops[:50], token=healthy.operator.user_token).status_code == 200
    r = batch(healthy, ops[:1], token=False)
    assert r.status_code == 400 and error_of(r)["code"] == 104


def test_batch_timeouts_and_omit(sandbox):
    sc = build_scenario("healthy")
    sc.world.faults = Faults(batch_timeout_indices=[1], batch_timeout_every=4)
    sb = sandbox(sc)
    ops = [{"method": "GET", "relative_url": f"me?access_token={sb.operator.user_token}"}] * 8
    ops[2] = {**ops[2], "omit_response_on_success": True}
    items = batch(sb, ops).json()
    assert [i is None for i in items] == [False, True, True, True, False, False, False, True]


def test_batch_top_level_proof(sandbox):
    sb = sandbox("require-app-secret")
    op = sb.operator
    ops = [{"method": "GET", "relative_url": "me"}]
    tok = op.page_tokens[0]
    r = batch(sb, ops, token=tok)
    assert r.status_code == 400
    assert error_of(r)["message"] == "API calls from the server require an appsecret_proof argument"
    items = batch(sb, ops, token=tok, appsecret_proof=appsecret_proof(op.app_secret, tok)).json()
    assert items[0]["code"] == 200


def test_flaky_first_two_per_path(sandbox):
    sb = sandbox("flaky")
    op = sb.operator
    with client(sb) as c:
        codes = [c.get("/v24.0/me", params={"access_token": op.user_token}) for _ in range(3)]
        other = c.get(f"/v24.0/{op.app_id}", params={"access_token": app_token(sb)})
    assert [r.status_code for r in codes] == [503, 503, 200]
    err = error_of(codes[0])
    assert (err["code"], err["is_transient"]) == (2, True)
    assert other.status_code == 503  # each path has its own count


def test_rate_limited(sandbox):
    sb = sandbox("rate-limited")
    op = sb.operator
    with client(sb) as c:
        ok = [c.get(f"/v24.0/{op.app_id}", params={"access_token": app_token(sb)}) for _ in range(3)]
        over = c.get(f"/v24.0/{op.app_id}", params={"access_token": app_token(sb)})
        page = c.get("/v24.0/me", params={"access_token": op.page_tokens[0]})
    assert all(r.status_code == 200 for r in ok)
    assert json.loads(ok[-1].headers["x-app-usage"])["call_count"] == 100
    err = error_of(over)
    assert (err["code"], err["message"], err["is_transient"]) == (4, "(#4) Application request limit reached", True)
    assert json.loads(over.headers["x-app-usage"])["call_count"] > 100
    perr = error_of(page)
    assert perr["code"] == 80001 and perr["message"].startswith("(#80001) There have been too many calls")
    buc = json.loads(page.headers["x-business-use-case-usage"])
    assert buc[op.pages[0]["id"]][0]["call_count"] > 100


def test_malformed_and_reset_and_latency(sandbox):
    sc = build_scenario("healthy")
    sc.world.faults = Faults(malformed=["/me"], reset_connections={"/*/roles": 1})
    sb = sandbox(sc, latency=0.05)
    op = sb.operator
    with client(sb) as c:
        t0 = time.monotonic()
        r = c.get("/v24.0/me", params={"access_token": op.user_token})
        assert time.monotonic() - t0 >= 0.05
        with pytest.raises(ValueError):
            r.json()
        with pytest.raises(httpx.TransportError):
            c.get(f"/v24.0/{op.app_id}/roles", params={"access_token": app_token(sb)})
        assert c.get(f"/v24.0/{op.app_id}/roles", params={"access_token": app_token(sb)}).status_code == 200
    assert sb.requests_to("/*/roles")[0].status == 0


def test_recorded_requests_and_redacted_log(sandbox):
    lines: list[str] = []
    sb = sandbox(log=lines.append)
    op = sb.operator
    with client(sb) as c:
        c.post(f"/v24.0/{op.app_id}?fields=id", data={"access_token": app_token(sb), "contact_email": "a@b.c"})
        c.get("/v24.0/me", params={"access_token": op.page_tokens[0]})
    rec = sb.requests[0]
    assert rec.method == "POST" and rec.path == f"/v24.0/{op.app_id}"
    assert rec.query == "fields=id" and rec.params["access_token"] == app_token(sb)
    assert rec.status == 200 and rec.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert len(lines) == 2
    assert all(op.page_tokens[0] not in line and op.app_secret not in line for line in lines)
    assert lines[1].startswith("GET /v24.0/me?access_token=") and "-> 200" in lines[1]


def test_concurrent_mutations_are_consistent(sandbox):
    sb = sandbox("app-webhook-missing")
    op = sb.operator
    fields = ["messages", "messaging_postbacks", "message_deliveries", "message_reads", "message_echoes",
              "messaging_optins", "messaging_referrals", "standby"]

    def work(f):
        with client(sb) as c:
            c.post(f"/v24.0/{op.app_id}/subscriptions", data={
                "access_token": app_token(sb), "object": "page", "callback_url": "https://cx.example.com/fb/webhook",
                "verify_token": "v", "fields": f})

    threads = [threading.Thread(target=work, args=(f,)) for f in fields]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(sb.world.app_subscription(op.app_id).fields) == set(fields)
    assert len(sb.requests) == len(fields)


def test_flaky_batch_http_request(sandbox):
    sb = sandbox("flaky")
    ops = [{"method": "GET", "relative_url": "me"}]
    codes = [batch(sb, ops, token=sb.operator.user_token).status_code for _ in range(3)]
    assert codes == [503, 503, 200]


def test_serve_forever_until_shutdown():
    from fbhub.sandbox import serve_forever

    ready: list = []
    lines: list[str] = []
    t = threading.Thread(target=serve_forever, args=("healthy",),
                         kwargs={"port": 0, "log": lines.append, "on_ready": ready.append}, daemon=True)
    t.start()
    for _ in range(100):
        if ready:
            break
        time.sleep(0.01)
    sb = ready[0]
    with client(sb) as c:
        assert c.get("/v24.0/me", params={"access_token": sb.operator.user_token}).status_code == 200
    sb.httpd.shutdown()
    t.join(timeout=5)
    assert not t.is_alive()
    assert len(lines) == 1 and sb.operator.user_token not in lines[0]


def test_batch_get_operation_body_is_ignored(healthy):
    """Meta reads an operation's body for POST/PUT only (reference §11): a token in a GET op's body is not used."""
    op = healthy.operator
    r = batch(healthy, [{"method": "GET", "relative_url": f"{op.pages[0]['id']}/subscribed_apps",
                         "body": f"access_token={op.page_tokens[0]}"}])
    item = r.json()[0]
    assert json.loads(item["body"])["error"]["code"] == 210  # answered with the top-level app token
