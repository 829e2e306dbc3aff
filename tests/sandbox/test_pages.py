"""Page node, /subscribed_apps, /me, /me/accounts, /me/permissions."""

from __future__ import annotations

import base64
import json

from fbhub.meta.fields import PLATFORM_FIELDS

from .helpers import app_token, client, error_of


def sub_apps(sb, page_index=0, token=None, method="GET", **params):
    op = sb.operator
    page_id = op.pages[page_index]["id"]
    with client(sb) as c:
        return c.request(method, f"/v24.0/{page_id}/subscribed_apps",
                         params={"access_token": token or op.page_tokens[page_index], **params})


def test_me_with_page_token(healthy):
    with client(healthy) as c:
        r = c.get("/v24.0/me", params={"access_token": healthy.operator.page_tokens[1]})
    assert r.json() == {"name": "CloudCX Sales", "id": "110000000000002"}
    buc = json.loads(r.headers["x-business-use-case-usage"])
    (entry,) = buc["110000000000002"]
    assert entry["type"] == "pages"
    assert set(entry) >= {"call_count", "total_cputime", "total_time", "estimated_time_to_regain_access"}


def test_page_node_fields(healthy):
    op = healthy.operator
    pid = op.pages[0]["id"]
    with client(healthy) as c:
        r = c.get(f"/v24.0/{pid}", params={"access_token": op.user_token,
                                           "fields": "id,name,category,access_token,tasks"})
        bad = c.get(f"/v24.0/{pid}", params={"access_token": op.user_token, "fields": "xyz"})
        by_app = c.get(f"/v24.0/{pid}", params={"access_token": app_token(healthy), "fields": "name,access_token"})
    body = r.json()
    assert body["id"] == pid and body["name"] == "CloudCX Support" and body["category"] == "Software"
    assert body["access_token"] == op.page_tokens[0]
    assert "MESSAGING" in body["tasks"]
    assert error_of(bad)["message"] == "(#100) Tried accessing nonexisting field (xyz) on node type (Page)"
    assert by_app.json() == {"name": "CloudCX Support", "id": pid}


def test_subscribed_apps_get_shape(healthy):
    r = sub_apps(healthy)
    assert r.status_code == 200
    (row,) = r.json()["data"]
    assert list(row) == ["category", "link", "name", "id", "subscribed_fields"]
    assert row["id"] == healthy.operator.app_id
    assert row["subscribed_fields"] == list(PLATFORM_FIELDS)


def test_subscribe_page_is_stateful(sandbox):
    sb = sandbox("page-not-subscribed")
    assert sub_apps(sb).json() == {"data": []}
    r = sub_apps(sb, method="POST", subscribed_fields=",".join(PLATFORM_FIELDS))
    assert r.json() == {"success": True}
    assert sub_apps(sb).json()["data"][0]["subscribed_fields"] == list(PLATFORM_FIELDS)
    assert sb.world.subscribed_fields(sb.operator.pages[0]["id"], sb.operator.app_id) == list(PLATFORM_FIELDS)


def test_post_replaces_fields(sandbox):
    sb = sandbox()
    assert sub_apps(sb, method="POST", subscribed_fields="messages,standby").json() == {"success": True}
    assert sub_apps(sb).json()["data"][0]["subscribed_fields"] == ["messages", "standby"]


def test_post_json_body_and_delete(sandbox):
    sb = sandbox("page-missing-fields")
    op = sb.operator
    assert sub_apps(sb).json()["data"][0]["subscribed_fields"] == ["messages"]
    with client(sb) as c:
        r = c.post(f"/v24.0/{op.pages[0]['id']}/subscribed_apps",
                   json={"access_token": op.page_tokens[0], "subscribed_fields": list(PLATFORM_FIELDS)})
    assert r.json() == {"success": True}
    assert sb.world.subscribed_fields(op.pages[0]["id"], op.app_id) == list(PLATFORM_FIELDS)
    assert sub_apps(sb, method="DELETE").json() == {"success": True}
    assert sb.world.subscribed_fields(op.pages[0]["id"], op.app_id) is None


def test_subscribed_fields_required_and_validated(healthy):
    r = sub_apps(healthy, method="POST")
    assert error_of(r)["message"] == "(#100) The parameter subscribed_fields is required."
    r = sub_apps(healthy, method="POST", subscribed_fields="messages,xyz")
    err = error_of(r)
    assert err["code"] == 100
    assert err["message"].startswith("(#100) Param subscribed_fields[1] must be one of {")
    assert err["message"].endswith('} - got "xyz"')


def test_user_or_app_token_instead_of_page_token(sandbox):
    sb = sandbox("user-token-as-page-token")
    for tok in (sb.operator.page_tokens[0], app_token(sb)):
        r = sub_apps(sb, token=tok)
        err = error_of(r)
        assert (err["code"], err["message"]) == (210, "(#210) A page access token is required to request this "
                                                      "resource.")


def test_page_token_of_other_page(healthy):
    r = sub_apps(healthy, token=healthy.operator.page_tokens[1])
    assert error_of(r)["error_subcode"] == 33


def test_missing_pages_messaging(sandbox):
    sb = sandbox("token-missing-pages-messaging")
    assert sub_apps(sb).status_code == 200  # reading still works
    r = sub_apps(sb, method="POST", subscribed_fields="messages")
    assert r.status_code == 403
    err = error_of(r)
    assert (err["code"], err["message"]) == (230, "(#230) Requires pages_messaging permission to manage the object")
    assert sub_apps(sb, method="POST", subscribed_fields="feed").json() == {"success": True}


def test_missing_pages_manage_metadata(sandbox):
    sb = sandbox()
    tok = sb.world.token(sb.operator.page_tokens[0])
    with sb.world.lock:
        tok.scopes.remove("pages_manage_metadata")
    r = sub_apps(sb)
    assert r.status_code == 403
    err = error_of(r)
    assert (err["code"], err["message"]) == (200, "(#200) Requires pages_manage_metadata permission to manage the "
                                                  "object")


def test_other_app_listed(sandbox):
    sb = sandbox("other-app-subscribed")
    rows = sub_apps(sb).json()["data"]
    assert [r["name"] for r in rows] == ["CloudCX Messenger", "Legacy Chatbot"]
    assert rows[1]["subscribed_fields"] == ["messages", "messaging_postbacks"]


def test_me_accounts_paging(healthy):
    op = healthy.operator
    with client(healthy) as c:
        p1 = c.get("/v24.0/me/accounts", params={"access_token": op.user_token, "limit": 1}).json()
        after = p1["paging"]["cursors"]["after"]
        p2 = c.get("/v24.0/me/accounts", params={"access_token": op.user_token, "limit": 1, "after": after}).json()
        full = c.get("/v24.0/me/accounts", params={"access_token": op.user_token}).json()
    (a,) = p1["data"]
    assert list(a) == ["access_token", "category", "category_list", "name", "id", "tasks"]
    assert a["access_token"] == op.page_tokens[0]
    assert "next" in p1["paging"]
    assert base64.b64decode(after).decode() == a["id"]
    assert p2["data"][0]["id"] == op.pages[1]["id"] and "next" not in p2["paging"]
    assert [p["id"] for p in full["data"]] == [p["id"] for p in op.pages]


def test_me_accounts_mints_page_token(sandbox):
    sb = sandbox()
    op = sb.operator
    with sb.world.lock:
        for t in op.page_tokens:
            del sb.world.tokens[t]
    with client(sb) as c:
        data = c.get("/v24.0/me/accounts", params={"access_token": op.user_token, "fields": "id,access_token"}).json()
        minted = data["data"][0]["access_token"]
        again = c.get("/v24.0/me/accounts", params={"access_token": op.user_token}).json()["data"][0]["access_token"]
        me = c.get("/v24.0/me", params={"access_token": minted}).json()
    assert minted.startswith("EAAG") and minted == again
    assert me["id"] == op.pages[0]["id"]
    assert sb.world.token(minted).expires_at == 0


def test_me_permissions(sandbox):
    sb = sandbox("token-missing-pages-messaging")
    with client(sb) as c:
        data = c.get("/v24.0/me/permissions", params={"access_token": sb.operator.user_token}).json()["data"]
    assert {"permission": "pages_messaging", "status": "declined"} in data
    assert {"permission": "pages_show_list", "status": "granted"} in data
