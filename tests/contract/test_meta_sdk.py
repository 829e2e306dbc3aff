"""Meta's own Python SDK (facebook-business, test-only dependency) pointed at the sandbox: a client nobody here
wrote sends Meta's canonical forms (real GET and DELETE, ``access_token`` and ``appsecret_proof`` in the query
string, POST parameters in the body), and the sandbox must accept them as Graph does."""

from __future__ import annotations

import pytest

from fbhub.sandbox import run_sandbox

facebook_business = pytest.importorskip("facebook_business")


def _api(sb, token: str):
    from facebook_business.api import FacebookAdsApi
    from facebook_business.session import FacebookSession

    session = FacebookSession(sb.operator.app_id, sb.operator.app_secret, token)
    session.GRAPH = sb.url  # FacebookSession.GRAPH is the SDK's base URL
    session.requests.trust_env = False  # no proxy from the environment: the sandbox is on 127.0.0.1
    session.requests.verify = False
    return FacebookAdsApi(session, api_version="v24.0")


def test_meta_sdk_reads_writes_and_deletes_against_the_sandbox():
    with run_sandbox("healthy") as sb:
        op = sb.operator
        app_token = f"{op.app_id}|{op.app_secret}"
        api = _api(sb, app_token)
        app = api.call("GET", (op.app_id,), params={"fields": "id,name,category"}).json()
        assert app["id"] == op.app_id and app["category"] == "Messaging"
        subs = api.call("GET", (op.app_id, "subscriptions")).json()["data"]
        assert subs and subs[0]["object"] == "page"
        assert api.call("DELETE", (op.app_id, "subscriptions"), params={"object": "page"}).json() == {"success": True}
        assert api.call("GET", (op.app_id, "subscriptions")).json() == {"data": []}

        page_id = op.pages[0]["id"]
        page_api = _api(sb, op.page_tokens[0])
        apps = page_api.call("GET", (page_id, "subscribed_apps")).json()["data"]
        assert any(a["id"] == op.app_id for a in apps)
        answer = page_api.call("POST", (page_id, "subscribed_apps"),
                               params={"subscribed_fields": "messages,messaging_postbacks"}).json()
        assert answer == {"success": True}
        seen = [r for r in sb.requests if not r.batch_op]
    # what the SDK sent: real methods, the token in the query string, never the method override
    assert {r.method for r in seen} == {"GET", "DELETE", "POST"}
    assert all("method" not in r.params for r in seen)
    assert all("access_token=" in r.query for r in seen if r.method in ("GET", "DELETE"))
