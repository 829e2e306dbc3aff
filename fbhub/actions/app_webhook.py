"""The app-level webhook (``/{app-id}/subscriptions``, object ``page``): read, plan, apply.

``set_app_webhook`` is the whole action (read, plan, confirm, apply), used by ``fbhub subscribe-app`` and the
wizard; ``doctor --fix`` applies its plan through ``fbhub.actions.repair``. Nothing here prints.

Meta verifies the callback the moment it is set: it calls ``GET callback?hub.mode=subscribe&
hub.verify_token=…&hub.challenge=N`` and expects HTTP 200 with exactly ``N`` (code 2200 otherwise).
A POST amends the subscription (fields already there stay); removing fields takes a DELETE with ``fields``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from fbhub.actions.outcome import (
    CHANGED,
    DONE,
    FAILED,
    INCONCLUSIVE,
    PLANNED,
    UNCHANGED,
    Confirm,
    is_inconclusive,
)
from fbhub.errors import FbhubError
from fbhub.meta.subscriptions import (
    PAGE_OBJECT,
    callback_matches,
    field_names,
    find_subscription,
    get,
    is_active,
    succeeded,
)
from fbhub.meta.urls import webhook_url
from fbhub.redact import redact


@dataclass(frozen=True)
class AppPlan:
    """What setting the app's webhook means: where it points now, what changes."""

    object: str
    callback_url: str  # wanted
    desired: list[str]  # wanted fields
    final: list[str]  # the fields after the change (what the POST sends)
    exists: bool  # a subscription for ``object`` exists
    current_callback: str | None = None
    current_fields: list[str] = field(default_factory=list)
    current_active: bool | None = None
    add: list[str] = field(default_factory=list)
    keep: list[str] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)  # dropped (--replace)
    other: list[str] = field(default_factory=list)  # there, not wanted, kept
    callback_changes: bool = False
    activate: bool = False
    forced: bool = False
    changed: bool = False
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "object": self.object, "callback_url": self.callback_url, "exists": self.exists,
            "current": {"callback_url": self.current_callback, "fields": list(self.current_fields),
                        "active": self.current_active},
            "add": list(self.add), "keep": list(self.keep), "remove": list(self.remove), "other": list(self.other),
            "final": list(self.final), "callback_changes": self.callback_changes, "activate": self.activate,
            "changed": self.changed, "reasons": list(self.reasons),
        }


@dataclass
class AppOutcome:
    status: str  # changed | unchanged | planned | failed | inconclusive
    plan: AppPlan
    cause: str = ""
    meaning: str = ""
    fix: str = ""
    code: str = ""

    @property
    def ok(self) -> bool:
        return self.status in DONE

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"status": self.status, "plan": self.plan.to_dict()}
        if not self.ok:
            d.update(cause=self.cause, meaning=self.meaning, fix=self.fix, code=self.code)
        return d


def plan_app(current_subscriptions: Any, domain: str, fields: Sequence[str], *, replace: bool = False,
             force: bool = False, obj: str = PAGE_OBJECT, callback_url: str | None = None) -> AppPlan:
    """Plan the app webhook for ``obj`` to call ``https://DOMAIN/fb/webhook`` with ``fields``.

    Unchanged when the callback, the fields (all wanted ones there; none extra with ``replace``) and
    ``active`` are already right. ``force`` writes anyway (e.g. after changing the verify token, which
    Meta never shows).
    """
    want_url = callback_url or webhook_url(domain)
    want = list(dict.fromkeys(fields))
    row = find_subscription(current_subscriptions, obj)
    if row is None:
        return AppPlan(object=obj, callback_url=want_url, desired=want, final=want, exists=False, add=want,
                       changed=True, reasons=["the app has no webhook for Pages yet"])
    cur_cb = get(row, "callback_url")
    cur_fields = field_names(get(row, "fields"))
    active_b = is_active(row)
    add = [f for f in want if f not in cur_fields]
    keep = [f for f in want if f in cur_fields]
    extra = [f for f in cur_fields if f not in want]
    remove, other = (extra, []) if replace else ([], extra)
    final = want if replace else cur_fields + add
    cb_changes = not callback_matches(cur_cb, want_url)
    activate = active_b is False
    reasons = []
    if cb_changes:
        reasons.append(f"the callback is {cur_cb or '(none)'}, not {want_url}")
    if activate:
        reasons.append("the webhook is inactive")
    if add:
        reasons.append("fields missing: " + ", ".join(add))
    if remove:
        reasons.append("fields to drop (--replace): " + ", ".join(remove))
    if force and not reasons:
        reasons.append("--force: written again (e.g. to send a new verify token)")
    changed = bool(reasons)
    return AppPlan(object=obj, callback_url=want_url, desired=want, final=final, exists=True,
                   current_callback=str(cur_cb) if cur_cb else None, current_fields=cur_fields,
                   current_active=active_b, add=add, keep=keep, remove=remove, other=other,
                   callback_changes=cb_changes, activate=activate, forced=force, changed=changed, reasons=reasons)


def explain_callback_failure(exc: FbhubError, callback_url: str) -> tuple[str, str]:
    """(meaning, fix) for a failed callback verification (code 2200)."""
    meaning = (f"Meta called {callback_url} at once to verify it and did not get the expected answer. "
               "The endpoint must answer GET ?hub.mode=subscribe&hub.verify_token=<token>&hub.challenge=<N> "
               "with HTTP 200 and exactly <N> as the body, over HTTPS with a publicly trusted certificate "
               "(self-signed certificates are refused), within a few seconds.")
    fix = ("check the CX server is reachable at that URL and that its webhook verify token equals fbhub's "
           "('fbhub secrets set verify-token' / FBHUB_VERIFY_TOKEN); then test the endpoint as Meta would: "
           "'fbhub probe-webhook'")
    return meaning, fix


def _is_callback_failure(exc: BaseException) -> bool:
    return getattr(exc, "code", None) == 2200 or type(exc).__name__ == "CallbackVerificationFailed"


def apply_app_plan(client: Any, plan: AppPlan, verify_token: str, *, dry_run: bool = False,
                   include_values: bool = True) -> AppOutcome:
    """Write the plan (nothing when unchanged or ``dry_run``); never raises for Graph errors.

    A POST with the callback, verify token and fields; with ``--replace`` then a DELETE of the dropped fields.
    """
    if not plan.changed:
        return AppOutcome(status=UNCHANGED, plan=plan)
    if dry_run:
        return AppOutcome(status=PLANNED, plan=plan)
    try:
        answer = client.set_app_subscription(plan.object, plan.callback_url, list(plan.final), verify_token,
                                             include_values=include_values)
        if not succeeded(answer):
            return AppOutcome(status=FAILED, plan=plan, cause="Meta answered success: false",
                              fix="run it again; if it repeats, check the app in Meta's dashboard")
        if plan.remove:
            client.delete_app_subscription(plan.object, fields=list(plan.remove))
    except FbhubError as exc:
        info = getattr(exc, "info", None)
        meaning = getattr(info, "meaning", "") if info is not None else ""
        fix = (getattr(info, "fix", "") if info is not None else "") or (exc.hint or "")
        if _is_callback_failure(exc):
            meaning, fix = explain_callback_failure(exc, plan.callback_url)
        return AppOutcome(status=INCONCLUSIVE if is_inconclusive(exc) else FAILED, plan=plan,
                          cause=redact(exc.message), meaning=redact(meaning), fix=redact(fix),
                          code=getattr(exc, "code_label", "") or "")
    return AppOutcome(status=CHANGED, plan=plan)


def set_app_webhook(client: Any, domain: str, fields: Sequence[str], verify_token: str, *,
                    confirm: Confirm[AppPlan], replace: bool = False, force: bool = False,
                    dry_run: bool = False) -> AppOutcome:
    """Point the app's Page webhook at ``https://DOMAIN/fb/webhook`` with ``fields``: read what is set, plan,
    ``confirm(plan)`` (only when something will be written and not in a dry run; it raises or aborts to stop
    before anything is written), then apply. A failed read raises (nothing planned); a failed write is an
    outcome."""
    plan = plan_app(client.get_app_subscriptions(), domain, fields, replace=replace, force=force)
    if plan.changed and not dry_run:
        confirm(plan)
    return apply_app_plan(client, plan, verify_token, dry_run=dry_run)
