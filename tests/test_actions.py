"""The write actions as functions: what is planned goes to the confirm callback, what comes back is an outcome.

Against the sandbox over HTTP (real Graph client); the confirm callback is a fake that records what it was
shown, or stops the action by raising.
"""

from __future__ import annotations

from typing import Any

import pytest

from fbhub.actions.app_webhook import AppPlan, set_app_webhook
from fbhub.actions.outcome import CHANGED, FAILED, PLANNED, UNCHANGED, proceed
from fbhub.actions.page_subscriptions import PagePlan, PageTarget, subscribe_pages, unsubscribe_pages
from fbhub.graph import GraphClient
from fbhub.meta.fields import ALL_FIELDS, PLATFORM_FIELDS
from fbhub.sandbox import run_sandbox

PAGE1 = "110000000000001"
PAGE2 = "110000000000002"


class Stop(Exception):
    """What a confirm callback raises to say no."""


class FakeConfirm:
    def __init__(self, answer: bool = True) -> None:
        self.answer = answer
        self.seen: list[Any] = []

    def __call__(self, changes: object) -> None:
        self.seen.append(changes)
        if not self.answer:
            raise Stop()


def client_for(sb):
    o = sb.operator
    return GraphClient(graph_url=sb.url, app_id=o.app_id, app_secret=o.app_secret)


def tokens_of(sb):
    return {f"token{i}": t for i, t in enumerate(sb.operator.page_tokens)}


# -- subscribe-app: set_app_webhook ----------------------------------------------------------------

APP_CASES = [
    # scenario, fields, dry_run, answer, expected status (None: the callback stops it), confirm called, written
    ("app-webhook-missing", PLATFORM_FIELDS, False, True, CHANGED, True, True),
    ("app-webhook-missing", PLATFORM_FIELDS, True, True, PLANNED, False, False),
    ("app-webhook-missing", PLATFORM_FIELDS, False, False, None, True, False),
    ("callback-wrong-domain", PLATFORM_FIELDS, False, True, CHANGED, True, True),
    ("healthy", PLATFORM_FIELDS, False, True, UNCHANGED, False, False),
    ("healthy", ALL_FIELDS, False, True, CHANGED, True, True),
]


@pytest.mark.parametrize(("scenario", "fields", "dry_run", "answer", "status", "asked", "written"), APP_CASES)
def test_set_app_webhook(scenario, fields, dry_run, answer, status, asked, written):
    with run_sandbox(scenario) as sb, client_for(sb) as client:
        o = sb.operator
        confirm = FakeConfirm(answer)
        before = sb.world.app_subscription(o.app_id)
        before_cb = before.callback_url if before else None
        if status is None:
            with pytest.raises(Stop):
                set_app_webhook(client, o.domain, list(fields), o.verify_token, confirm=confirm, dry_run=dry_run)
        else:
            out = set_app_webhook(client, o.domain, list(fields), o.verify_token, confirm=confirm, dry_run=dry_run)
            assert out.status == status and out.ok
            assert out.plan.callback_url == f"https://{o.domain}/fb/webhook"
        assert len(confirm.seen) == (1 if asked else 0)
        if asked:
            plan = confirm.seen[0]
            assert isinstance(plan, AppPlan) and plan.changed
        after = sb.world.app_subscription(o.app_id)
        if written:
            assert after is not None and after.callback_url == f"https://{o.domain}/fb/webhook"
            assert set(fields) <= set(after.fields)
        else:
            assert (after.callback_url if after else None) == before_cb


def test_set_app_webhook_failed_write_is_an_outcome():
    with run_sandbox("app-webhook-missing") as sb, client_for(sb) as client:
        o = sb.operator
        with sb.world.lock:
            sb.world.apps[o.app_id].webhook_endpoint_behaviour = "wrong_challenge"
        confirm = FakeConfirm(True)
        out = set_app_webhook(client, o.domain, list(PLATFORM_FIELDS), o.verify_token, confirm=confirm)
        assert out.status == FAILED and not out.ok and len(confirm.seen) == 1
        assert "2200" in out.code and "hub.challenge" in out.meaning and "probe-webhook" in out.fix
        assert o.verify_token not in out.cause + out.meaning + out.fix
        assert sb.world.app_subscription(o.app_id) is None


# -- subscribe-page / unsubscribe-page: subscribe_pages, unsubscribe_pages --------------------------

PAGE_CASES = [
    # scenario, dry_run, answer, statuses by Page (None: the callback stops it), Pages shown to confirm
    ("page-not-subscribed", False, True, {PAGE1: CHANGED, PAGE2: UNCHANGED}, [PAGE1]),
    ("page-not-subscribed", True, True, {PAGE1: PLANNED, PAGE2: UNCHANGED}, None),
    ("page-not-subscribed", False, False, None, [PAGE1]),
    ("healthy", False, True, {PAGE1: UNCHANGED, PAGE2: UNCHANGED}, None),
]


@pytest.mark.parametrize(("scenario", "dry_run", "answer", "statuses", "shown"), PAGE_CASES)
def test_subscribe_pages(scenario, dry_run, answer, statuses, shown):
    with run_sandbox(scenario) as sb, client_for(sb) as client:
        o = sb.operator
        confirm = FakeConfirm(answer)
        before = sb.world.subscribed_fields(PAGE1, o.app_id)

        def go():
            return subscribe_pages(client, tokens_of(sb), app_id=o.app_id, desired=list(PLATFORM_FIELDS),
                                   confirm=confirm, dry_run=dry_run, workers=2)

        if statuses is None:
            with pytest.raises(Stop):
                go()
        else:
            outs = go()
            assert {x.page_id: x.status for x in outs} == statuses
        if shown is None:
            assert confirm.seen == []
        else:
            (changes,) = confirm.seen
            assert [t.page_id for _, t in changes] == shown
            assert all(isinstance(p, PagePlan) and p.changed and isinstance(t, PageTarget)
                       for p, t in changes)
        after = sb.world.subscribed_fields(PAGE1, o.app_id)
        if statuses and statuses[PAGE1] == CHANGED:
            assert after == list(PLATFORM_FIELDS)
        else:
            assert after == before  # dry run, or stopped by the callback: nothing written


def test_subscribe_pages_outcomes_keep_page_order_and_name_token_problems():
    with run_sandbox("page-not-subscribed") as sb, client_for(sb) as client:
        o = sb.operator
        tokens = tokens_of(sb)
        outs = subscribe_pages(client, tokens, app_id=o.app_id, desired=list(PLATFORM_FIELDS), confirm=proceed,
                               only=[PAGE2, PAGE1, "999"], workers=2)
        assert [x.page_id for x in outs][-1] == "999" and outs[-1].status == FAILED
        assert {x.page_id for x in outs[:-1]} == {PAGE1, PAGE2}


def test_unsubscribe_pages_confirm_sees_the_plans_and_can_stop():
    with run_sandbox("healthy") as sb, client_for(sb) as client:
        o = sb.operator
        no = FakeConfirm(False)
        with pytest.raises(Stop):
            unsubscribe_pages(client, tokens_of(sb), app_id=o.app_id, confirm=no, workers=2)
        assert sorted(t.page_id for _, t in no.seen[0]) == [PAGE1, PAGE2]
        assert sb.world.subscribed_fields(PAGE1, o.app_id) is not None

        yes = FakeConfirm(True)
        outs = unsubscribe_pages(client, tokens_of(sb), app_id=o.app_id, confirm=yes, workers=2)
        assert {x.status for x in outs} == {CHANGED}
        assert sb.world.subscribed_fields(PAGE1, o.app_id) is None
