"""Table tests of every group's evaluator: facts in, results out (no network, no CLI)."""

from __future__ import annotations

from datetime import date

import pytest

from fbhub.checks import (
    app_settings,
    app_webhook,
    credentials,
    dashboard,
    graph_version,
    local,
    page_subscriptions,
    page_tokens,
    probe,
)
from fbhub.checks.facts import Answer, Facts, Inputs, PageFacts, TokenFacts
from fbhub.checks.model import Group, Status
from fbhub.graph.errors import GraphPermissionError, GraphUnreachable, InvalidAppId, InvalidAppSecret
from fbhub.meta.fields import PLATFORM_FIELDS

APP = "1234567890123456"
PAGE = "110000000000001"
NOW = 1_800_000_000.0
DAY = 86400
P, W, F, S, E, C = Status.PASS, Status.WARN, Status.FAIL, Status.SKIP, Status.ERROR, Status.MANUAL


def inputs(**kw) -> Inputs:
    base = dict(profile="default", domain="cx.example.com", app_id=APP, has_app_secret=True,
                has_verify_token=True, token_labels=[PAGE], pages=[{"id": PAGE, "name": "Support"}],
                now=NOW, today=date(2026, 11, 30))
    base.update(kw)
    return Inputs(**base)


def ok(data=None) -> Answer:
    return Answer(data=data if data is not None else {})


def statuses(group: Group, inp: Inputs, facts: Facts) -> dict[str, Status]:
    assert group.evaluate is not None
    results = group.evaluate(inp, facts)
    assert all(r.group == group.name for r in results)
    return {r.id: r.status for r in results}


# -- FB1xx -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("inp,facts,want", [
    (inputs(), Facts(tokens=[TokenFacts(PAGE, "EAA…xyz", page_id=PAGE)]),
     {"FB101": P, "FB102": P, "FB103": P, "FB104": P, "FB105": P, "FB106": P}),
    (inputs(domain=None, app_id=None, has_app_secret=False, has_verify_token=False, token_labels=[], pages=[]),
     Facts(), {"FB101": F, "FB102": F, "FB103": F, "FB104": F, "FB105": W}),
    (inputs(domain_warnings=("localhost is only for rehearsal",)), Facts(), {"FB101": W, "FB106": P}),
    (inputs(token_labels=[]), Facts(), {"FB104": F, "FB106": F}),
    (inputs(token_labels=["token-1"]), Facts(tokens=[TokenFacts("token-1", "EAA…1")]), {"FB106": S}),
    (inputs(token_labels=["token-1"]), Facts(tokens=[TokenFacts("token-1", "EAA…1", debug=ok({}), page_id="9")]),
     {"FB106": F}),
])
def test_local(inp, facts, want):
    got = statuses(local.GROUP, inp, facts)
    assert {k: got[k] for k in want} == want


# -- FB2xx -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("inp,cred,want", [
    (inputs(), ok({"access_token": "x"}), {"FB201": P, "FB202": P}),
    (inputs(), Answer(error=InvalidAppId("unknown app", code=101)), {"FB201": F, "FB202": S}),
    (inputs(), Answer(error=InvalidAppSecret("bad secret", code=1)), {"FB201": P, "FB202": F}),
    (inputs(), Answer(error=GraphUnreachable("timed out")), {"FB201": E, "FB202": S}),
    (inputs(), Answer(error=GraphPermissionError("Unknown path components", code=2500)), {"FB201": F, "FB202": S}),
    (inputs(has_app_secret=False), None, {"FB201": S, "FB202": S}),
    (inputs(), None, {"FB201": S, "FB202": S}),
])
def test_credentials(inp, cred, want):
    assert statuses(credentials.GROUP, inp, Facts(credentials=cred)) == want


CRED_OK = ok({"access_token": "x"})
GOOD_APP = {"category": "Messaging", "app_domains": ["example.com"], "privacy_policy_url": "https://x/p",
            "terms_of_service_url": "https://x/t", "icon_url": "https://x/i", "contact_email": "a@x",
            "website_url": "https://cx.example.com/"}


# -- FB3xx -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("app,roles,want", [
    (ok(GOOD_APP), ok([{"user": "1", "role": "administrators"}]),
     {"FB301": P, "FB302": P, "FB303": P, "FB304": P, "FB305": P, "FB306": P, "FB307": P, "FB308": P}),
    (ok({"category": "Business"}), None,
     {"FB301": W, "FB302": F, "FB303": W, "FB304": W, "FB305": W, "FB306": W, "FB307": W}),
    (ok({**GOOD_APP, "website_url": "https://old.example.org/"}), None, {"FB307": W}),
    (Answer(error=GraphUnreachable("reset")), Answer(error=GraphPermissionError("no", code=200)),
     {"FB301": E, "FB307": E, "FB308": W}),
])
def test_app_settings(app, roles, want):
    got = statuses(app_settings.GROUP, inputs(), Facts(credentials=CRED_OK, app=app, roles=roles))
    assert {k: got[k] for k in want} == want


def test_app_settings_wait_for_the_credentials():
    got = statuses(app_settings.GROUP, inputs(), Facts(credentials=Answer(error=InvalidAppSecret("x"))))
    assert set(got.values()) == {S}


# -- FB4xx -----------------------------------------------------------------------------------------
def sub(callback="https://cx.example.com/fb/webhook", fields=PLATFORM_FIELDS, active=True):
    return ok({"data": [{"object": "page", "callback_url": callback, "active": active,
                         "fields": [{"name": f, "version": "v24.0"} for f in fields]}]})


@pytest.mark.parametrize("subs,want", [
    (sub(), {"FB401": P, "FB402": P, "FB403": P, "FB404": P, "FB405": P}),
    (ok({"data": []}), {"FB401": F, "FB402": S, "FB403": S, "FB404": S, "FB405": S}),
    (sub(active="false"), {"FB402": F}),
    (sub(callback="https://staging.example.com/fb/webhook"), {"FB403": F}),
    (sub(callback="https://cx.example.com/other"), {"FB403": F}),
    (sub(fields=["messages"]), {"FB404": F, "FB405": W}),
    (sub(fields=["messages", "messaging_postbacks"]), {"FB404": P, "FB405": W}),
    (Answer(error=GraphUnreachable("down")), {"FB401": E, "FB405": E}),
])
def test_app_webhook(subs, want):
    got = statuses(app_webhook.GROUP, inputs(), Facts(credentials=CRED_OK, subscriptions=subs))
    assert {k: got[k] for k in want} == want


def test_app_webhook_without_a_domain_skips_the_callback_check():
    assert statuses(app_webhook.GROUP, inputs(domain=None), Facts(credentials=CRED_OK, subscriptions=sub()))[
        "FB403"] is S


# -- FB5xx -----------------------------------------------------------------------------------------
SCOPES = ["pages_messaging", "pages_manage_metadata", "pages_show_list", "business_management"]


def token(**debug) -> TokenFacts:
    d = {"is_valid": True, "type": "PAGE", "app_id": APP, "application": "CX", "profile_id": PAGE,
         "scopes": SCOPES, "expires_at": 0}
    d.update(debug)
    return TokenFacts(PAGE, "EAA…xyz", debug=ok(d), page_id=PAGE if d.get("type") == "PAGE" else None)


@pytest.mark.parametrize("t,want", [
    (token(), {"FB501": P, "FB502": P, "FB503": P, "FB504": P, "FB505": P, "FB506": P}),
    (token(is_valid=False, error={"code": 190, "subcode": 460, "message": "changed password"}),
     {"FB501": F, "FB502": S, "FB506": S}),
    (token(type="USER"), {"FB501": P, "FB502": F}),
    (token(app_id="999", application="Other"), {"FB503": F, "FB504": S}),
    (token(scopes=["pages_messaging"]), {"FB504": F}),
    (token(scopes=SCOPES[:3]), {"FB504": W}),
    (token(granular_scopes=[{"scope": "pages_messaging", "target_ids": ["222"]}]), {"FB505": F}),
    (token(expires_at=int(NOW + 3 * DAY)), {"FB506": W}),
    (token(expires_at=int(NOW + 60 * DAY), data_access_expires_at=int(NOW + 80 * DAY)), {"FB506": P}),
    (TokenFacts(PAGE, "EAA…xyz", debug=Answer(error=GraphUnreachable("reset"))), {"FB501": E, "FB502": S}),
    (TokenFacts(PAGE, "EAA…xyz", debug=Answer(error=GraphPermissionError("x")), other_app={"id": "9", "name": "X"}),
     {"FB501": S, "FB503": F, "FB506": S}),
])
def test_page_tokens(t, want):
    got = statuses(page_tokens.GROUP, inputs(), Facts(credentials=CRED_OK, tokens=[t]))
    assert {k: got[k] for k in want} == want


def test_page_tokens_name_the_token_masked_never_raw():
    results = page_tokens.GROUP.evaluate(inputs(), Facts(credentials=CRED_OK, tokens=[token()]))
    assert {r.target for r in results} == {f"page {PAGE} · token EAA…xyz"}


# -- FB6xx -----------------------------------------------------------------------------------------
def page(answer: Answer | None) -> dict[str, PageFacts]:
    return {PAGE: PageFacts(PAGE, "Support", token_label=PAGE, subscribed_apps=answer)}


def apps(*rows) -> Answer:
    return ok({"data": list(rows)})


MINE = {"id": APP, "name": "CX", "subscribed_fields": list(PLATFORM_FIELDS)}


@pytest.mark.parametrize("pages,want", [
    (page(apps(MINE)), {"FB601": P, "FB602": P, "FB603": P, "FB604": P}),
    (page(apps()), {"FB601": F, "FB602": S, "FB603": S, "FB604": P}),
    (page(apps({**MINE, "subscribed_fields": ["messages"]})), {"FB602": F, "FB603": W}),
    (page(apps(MINE, {"id": "5", "name": "Other bot"})), {"FB604": W}),
    (page(Answer(error=GraphUnreachable("x"))), {"FB601": E, "FB602": S}),
    (page(None), {"FB601": S, "FB604": S}),
])
def test_page_subscriptions(pages, want):
    got = statuses(page_subscriptions.GROUP, inputs(), Facts(credentials=CRED_OK, pages=pages))
    assert {k: got[k] for k in want} == want


# -- FB7xx -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("version,served,today,want", [
    ("v24.0", {"v24.0"}, date(2026, 11, 30), {"FB701": P, "FB702": P}),
    ("v24.0", set(), date(2026, 11, 30), {"FB701": P, "FB702": S}),
    ("v20.0", {"v21.0"}, date(2026, 11, 30), {"FB701": F, "FB702": W}),
    ("v24.0", {"v24.0"}, date(2027, 12, 1), {"FB701": W}),
    ("v99.0", {"v99.0"}, date(2026, 11, 30), {"FB701": W, "FB702": P}),
    ("v1.0", set(), date(2026, 11, 30), {"FB701": F}),
])
def test_graph_version(version, served, today, want):
    got = statuses(graph_version.GROUP, inputs(graph_version=version, today=today), Facts(versions_served=served))
    assert {k: got[k] for k in want} == want


# -- FB8xx and FB9xx -------------------------------------------------------------------------------
def test_dashboard_is_never_a_pass():
    assert statuses(dashboard.GROUP, inputs(), Facts()) == {"FB901": C, "FB902": C, "FB903": C, "FB904": C}


def test_the_endpoint_group_reports_what_its_probe_gathered():
    found = probe.GROUP.skip(probe.PROBE_IDS, "no domain is set (FB101)")
    assert probe.GROUP.evaluate(inputs(), Facts(extra={"webhook-endpoint": found})) == found
    assert probe.GROUP.evaluate(inputs(), Facts()) == []


T = probe._Target("https://cx.example.com/fb/webhook")


@pytest.mark.parametrize("judge,answer,want", [
    (lambda a: probe._handshake(T, a, "123", ""), probe._Answer(status=200, body=b"123"), P),
    (lambda a: probe._handshake(T, a, "123", ""), probe._Answer(status=200, body=b"123\n"), W),
    (lambda a: probe._handshake(T, a, "123", ""), probe._Answer(status=200, body=b"ok"), F),
    (lambda a: probe._handshake(T, a, "123", ""), probe._Answer(status=403), F),
    (lambda a: probe._handshake(T, a, "123", ""), probe._Answer(error="connection refused"), E),
    (lambda a: probe._wrong_token(T, a, "9", ""), probe._Answer(status=403), P),
    (lambda a: probe._wrong_token(T, a, "9", ""), probe._Answer(status=200, body=b"9"), F),
    (lambda a: probe._event(T, a, "", warn_after=2, fail_after=5, page_note=""),
     probe._Answer(status=200, elapsed=0.1), P),
    (lambda a: probe._event(T, a, "", warn_after=2, fail_after=5, page_note=""),
     probe._Answer(status=200, elapsed=3.0), W),
    (lambda a: probe._event(T, a, "", warn_after=2, fail_after=5, page_note=""),
     probe._Answer(status=200, elapsed=6.0), F),
    (lambda a: probe._event(T, a, "", warn_after=2, fail_after=5, page_note=""), probe._Answer(status=500), F),
    (lambda a: probe._forged(T, a, ""), probe._Answer(status=403), P),
    (lambda a: probe._forged(T, a, ""), probe._Answer(status=200), F),
])
def test_probe_judges(judge, answer, want):
    assert judge(answer).status is want
