"""No secret in any URL, log line or exception message — checked with planted values."""

import json
from urllib.parse import parse_qsl, unquote

import httpx
import pytest

from fbhub.graph import BatchItem, GraphAuthError
from fbhub.graph.client import SECRET_PARAMS

from .conftest import (
    APP_ID,
    APP_SECRET,
    PAGE_ID,
    PAGE_TOKEN,
    PAGE_TOKEN_2,
    SECRETS,
    USER_TOKEN,
    VERIFY_TOKEN,
    FakeGraph,
    Seen,
    body_json,
    graph_error,
)


def world(s: Seen):
    """A tiny Graph: enough for every convenience method."""
    p, m = s.path, s.method
    if p == "/oauth/access_token":
        return FakeGraph.default(FakeGraph(), s)
    if p == "/":
        return [{"code": 200, "body": "{}"} for _ in body_json(s)]
    if p == f"/{APP_ID}":
        return {"id": APP_ID, "name": "CX"}
    if p == "/debug_token":
        return {"data": {"app_id": APP_ID, "type": "PAGE", "is_valid": True}}
    if p.endswith(("/subscriptions", "/subscribed_apps")) and m in ("POST", "DELETE"):
        return {"success": True}
    if p == "/me/accounts":
        return {"data": [{"id": PAGE_ID, "name": "S", "access_token": PAGE_TOKEN_2}]}
    if p in ("/me", f"/{PAGE_ID}"):
        return {"id": PAGE_ID}
    return {"data": []}


def run_everything(client):
    client.app_token()
    client.exchange_user_token(USER_TOKEN)
    client.get_app(["id", "name", "app_domains"])
    client.get_app_subscriptions()
    client.set_app_subscription("page", "https://cx.example.com/fb", ["messages"], VERIFY_TOKEN)
    client.delete_app_subscription("page", ["messages"])
    client.delete_app_subscription("page")
    client.get_app_roles()
    client.get_app_permissions()
    client.debug_token(PAGE_TOKEN)
    client.get_page(PAGE_ID, PAGE_TOKEN, ["id", "name"])
    client.get_page_subscribed_apps(PAGE_ID, PAGE_TOKEN)
    client.subscribe_page(PAGE_ID, PAGE_TOKEN, ["messages", "messaging_postbacks"])
    client.unsubscribe_page(PAGE_ID, PAGE_TOKEN)
    client.me(USER_TOKEN)
    client.me_accounts(USER_TOKEN)
    client.me_permissions(USER_TOKEN)
    client.batch([BatchItem("GET", f"{PAGE_ID}/subscribed_apps", token=PAGE_TOKEN), BatchItem("GET", "me"),
                  BatchItem("GET", f"debug_token?input_token={USER_TOKEN}")])


@pytest.fixture
def ran(client, fake):
    fake.default = world  # type: ignore[method-assign]
    run_everything(client)
    return fake


def test_no_secret_or_token_in_any_url(ran):
    assert len(ran.seen) >= 18
    for s in ran.seen:
        url = str(s.request.url)
        for secret in SECRETS:
            assert secret not in url and secret not in unquote(url), url
        for key, _ in parse_qsl(s.request.url.query.decode()):
            assert key not in SECRET_PARAMS, url
        assert "authorization" not in s.request.headers
        if s.path == "/":
            # A batch operation's relative_url travels inside the batch's POST body, never as an HTTP URL;
            # Meta reads an op's body for POST/PUT only, so only GET ops carry their token in relative_url.
            for op in body_json(s):
                if op["method"] != "GET":
                    assert not any(secret in op["relative_url"] for secret in SECRETS), op


def test_secrets_only_in_bodies(ran):
    bodies = "\n".join(s.request.content.decode() for s in ran.seen)
    for secret in (APP_SECRET, PAGE_TOKEN, USER_TOKEN, VERIFY_TOKEN):
        assert secret in unquote(bodies)  # they did travel … in bodies


def test_verbose_log_has_details_but_no_secrets(ran, log_lines):
    text = "\n".join(log_lines)
    for secret in SECRETS:
        assert secret not in text and secret not in unquote(text)
    req = [line for line in log_lines if line.startswith("graph → ")]
    resp = [line for line in log_lines if line.startswith("graph ← ")]
    assert len(req) == len(resp) == len(ran.wire)
    assert any("POST /v24.0/111222333/subscribed_apps" in line for line in req)
    assert any("GET me/accounts?fields=id,name,access_token,tasks" in line for line in req)
    assert any("batch=[3 operations: GET 111222333/subscribed_apps?access_token=" in line for line in req)
    assert all(" ms (api v24.0" in line for line in resp)
    assert all(line.split()[2].isdigit() for line in resp)  # status


def test_verbose_log_shows_usage(client, fake, log_lines):
    fake.extra_headers["x-app-usage"] = json.dumps({"call_count": 42, "total_time": 1, "total_cputime": 1})
    fake.on("GET", "/me", {"id": "1"})
    client.me(USER_TOKEN)
    assert any("usage 42%" in line for line in log_lines)


def test_errors_echoing_secrets_are_redacted(client, fake, log_lines):
    fake.on("GET", "/me", graph_error(190, f"Session key {USER_TOKEN} is malformed (proof for {APP_SECRET})",
                                      error_user_msg=f"token {USER_TOKEN}"))
    with pytest.raises(GraphAuthError) as ei:
        client.me(USER_TOKEN)
    e = ei.value
    for text in (str(e), e.hint or "", e.graph_message or "", e.error_user_msg or "", repr(e.as_dict())):
        assert USER_TOKEN not in text and APP_SECRET not in text


def test_give_up_and_unreachable_messages_redacted(client, fake):
    def refuse(s):
        raise httpx.ConnectError(f"refused access_token={PAGE_TOKEN} secret {APP_SECRET}", request=s.request)

    fake.on("GET", "/me", refuse)
    with pytest.raises(Exception) as ei:
        client.me(PAGE_TOKEN)
    assert ei.value.exit_code == 3
    assert PAGE_TOKEN not in str(ei.value) and APP_SECRET not in str(ei.value)
