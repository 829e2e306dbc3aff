"""FB4xx: the app's Page webhook calls this CX server with the fields it needs."""

from __future__ import annotations

from fbhub.checks.app_settings import host_of
from fbhub.checks.facts import Facts, Inputs, credentials_skip, error_text
from fbhub.checks.model import CheckResult, CheckSpec, Group, Status, failure_of
from fbhub.meta.fields import REQUIRED_FIELDS
from fbhub.meta.subscriptions import callback_matches, field_names, find_subscription, is_active
from fbhub.meta.urls import webhook_url

CHECKS = (
    CheckSpec("FB401", "app-webhook", "App has a webhook subscription for Pages", "app-webhook"),
    CheckSpec("FB402", "app-webhook", "App webhook is active", "app-webhook"),
    CheckSpec("FB403", "app-webhook", "App webhook calls this CX server", "app-webhook"),
    CheckSpec("FB404", "app-webhook", "App webhook has the fields the platform needs", "app-webhook"),
    CheckSpec("FB405", "app-webhook", "App webhook has the recommended fields", "app-webhook"),
)

GROUP = Group("app-webhook", "App webhook", CHECKS, graph=True)
result, skip_all = GROUP.result, GROUP.skip


@GROUP.evaluator
def app_webhook(inp: Inputs, facts: Facts) -> list[CheckResult]:
    ids = ("FB401", "FB402", "FB403", "FB404", "FB405")
    if not facts.credentials_ok:
        return skip_all(ids, credentials_skip(facts))
    subs = facts.subscriptions
    if subs is None or not subs.ok:
        st = failure_of(subs) if subs else Status.SKIP
        return [result(i, st, f"could not read the app's webhooks: {error_text(subs.error) if subs else ''}")
                for i in ids]
    expected = webhook_url(inp.domain) if inp.domain else None
    sub = find_subscription(subs.data)
    fix_cmd = "run 'fbhub subscribe-app' (or Messenger > Messenger API Settings > Configure webhooks)"
    if sub is None:
        return [result("FB401", Status.FAIL, "the app has no webhook for Pages: Meta sends no messages anywhere",
                       f"{fix_cmd}; Callback URL {expected or 'https://DOMAIN/fb/webhook'}")] + \
            skip_all(ids[1:], "no Page webhook (FB401)")
    out = [result("FB401", Status.PASS, f"object page → {sub.get('callback_url')}")]
    # Meta disables an app-level subscription after its callback failed for 7 days straight; a POST to
    # /{app-id}/subscriptions re-enables it (Graph API upgrade guide, v2.5 notes; reference §0.7). Messenger's
    # unsubscribing of the app from a Page after failed deliveries is a separate rule: FB601 sees that one.
    out.append(result("FB402", Status.PASS, "active") if is_active(sub) is not False else
               result("FB402", Status.FAIL, "the app's webhook is inactive: Meta disables it after 7 days of failed "
                      "deliveries to the callback URL",
                      f"fix the endpoint ('fbhub probe-webhook'), then {fix_cmd}: posting the subscription again "
                      "re-enables it"))
    cb = str(sub.get("callback_url") or "")
    if expected is None:
        out.append(result("FB403", Status.SKIP, "no domain is set (FB101)"))
    elif callback_matches(cb, expected):
        out.append(result("FB403", Status.PASS, cb))
    else:
        host, want = host_of(cb), inp.domain
        what = "another host" if host != want else "another path"
        out.append(result("FB403", Status.FAIL, f"calls {cb} ({what}), not {expected}",
                          f"{fix_cmd} to point it at {expected}", details={"callback_url": cb, "expected": expected}))
    names = field_names(sub.get("fields"))
    missing = [f for f in REQUIRED_FIELDS if f not in names]
    out.append(result("FB404", Status.PASS, ", ".join(REQUIRED_FIELDS)) if not missing else
               result("FB404", Status.FAIL, f"missing {', '.join(missing)}", f"{fix_cmd} to add them",
                      details={"missing": missing}))
    rec = [f for f in inp.webhook_fields if f not in names]
    out.append(result("FB405", Status.PASS, f"{len(names)} fields") if not rec else
               result("FB405", Status.WARN, f"missing {', '.join(rec)}", f"{fix_cmd} to add them",
                      details={"missing": rec}))
    return out

