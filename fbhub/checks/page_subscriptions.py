"""FB6xx: each Page is subscribed to the app with the fields the platform needs."""

from __future__ import annotations

from fbhub.checks.facts import Facts, Inputs, PageFacts, credentials_skip, error_text, page_target
from fbhub.checks.model import CheckResult, CheckSpec, Group, Status, failure_of
from fbhub.meta.fields import REQUIRED_FIELDS
from fbhub.meta.subscriptions import split_subscribed_apps

CHECKS = (
    CheckSpec("FB601", "page-subscription", "Page is subscribed to the app", "page-subscription", per="page"),
    CheckSpec("FB602", "page-subscription", "Page subscription has the fields the platform needs",
              "page-subscription", per="page"),
    CheckSpec("FB603", "page-subscription", "Page subscription has the recommended fields", "page-subscription",
              per="page"),
    CheckSpec("FB604", "page-subscription", "No other app is subscribed to the Page", "page-subscription",
              per="page"),
)

GROUP = Group("page-subscription", "Page subscriptions", CHECKS, graph=True)
result, skip_all = GROUP.result, GROUP.skip


@GROUP.evaluator
def page_subscriptions(inp: Inputs, facts: Facts) -> list[CheckResult]:
    ids = ("FB601", "FB602", "FB603", "FB604")
    out: list[CheckResult] = []
    # the first token (in list order) whose label or Page is this Page's: looked up, not searched per Page
    by_label: dict[str, int] = {}
    by_page: dict[str, int] = {}
    for i, t in enumerate(facts.tokens):
        by_label.setdefault(t.label, i)
        if t.page_id is not None:
            by_page.setdefault(t.page_id, i)
    for pf in facts.pages.values():
        tgt = page_target(pf.page_id, pf.name)
        if not facts.credentials_ok:
            out += skip_all(ids, credentials_skip(facts), target=tgt)
            continue
        if pf.subscribed_apps is None:
            out += skip_all(ids, "no valid Page token of this app for this Page (FB106/FB5xx)", target=tgt)
            continue
        hits = [i for i in (by_label.get(pf.token_label) if pf.token_label is not None else None,
                            by_page.get(pf.page_id)) if i is not None]
        tok = facts.tokens[min(hits)] if hits else None
        rows = _one_page(inp, pf, tgt, blocked=tok.blocking_scopes() if tok is not None else [])
        for r in rows:
            r.details.setdefault("page_id", pf.page_id)
        out += rows
    return out


def _one_page(inp: Inputs, pf: PageFacts, tgt: str, *, blocked: list[str] | None = None) -> list[CheckResult]:
    sa = pf.subscribed_apps
    assert sa is not None
    if not sa.ok:
        st = failure_of(sa)
        return [result("FB601", st, f"could not read the Page's subscribed apps: {error_text(sa.error)}",
                       "the token needs pages_manage_metadata and pages_show_list", target=tgt)] + \
            skip_all(("FB602", "FB603", "FB604"), "subscribed apps unknown (FB601)", target=tgt)
    fields, others = split_subscribed_apps(sa.data, inp.app_id)
    fix = f"run 'fbhub subscribe-page --page {pf.page_id}' (or 'fbhub doctor --fix')"
    if blocked:  # subscribing would fail: the token comes first
        fix = (f"generate this Page's token again with {' and '.join(blocked)} (see FB504) — without it Meta "
               f"refuses the subscription; then 'fbhub secrets set page-token --page {pf.page_id}' and "
               "'fbhub doctor --fix'")
    out = []
    if fields is None:
        out.append(result("FB601", Status.FAIL, "this app is not subscribed to the Page: its messages reach no one",
                          fix, target=tgt))
        out += skip_all(("FB602", "FB603"), "the Page is not subscribed (FB601)", target=tgt)
    else:
        out.append(result("FB601", Status.PASS, f"subscribed with {len(fields)} field(s)", target=tgt,
                          details={"subscribed_fields": fields}))
        missing = [f for f in REQUIRED_FIELDS if f not in fields]
        out.append(result("FB602", Status.PASS, ", ".join(REQUIRED_FIELDS), target=tgt) if not missing else
                   result("FB602", Status.FAIL, f"missing {', '.join(missing)}", fix, target=tgt,
                          details={"missing": missing}))
        rec = [f for f in inp.webhook_fields if f not in fields]
        out.append(result("FB603", Status.PASS, "all recommended fields", target=tgt) if not rec else
                   result("FB603", Status.WARN, f"missing {', '.join(rec)}", fix, target=tgt,
                          details={"missing": rec}))
    if others:
        names = ", ".join(f"{a['name'] or '?'} ({a['id']})" for a in others)
        out.append(result("FB604", Status.WARN, f"also subscribed: {names} — it may be taking the conversations",
                          "if that app is not meant to handle this Page's messages, remove it under Page settings "
                          "> Business integrations, or set up the Handover Protocol", target=tgt,
                          details={"other_apps": others}))
    else:
        out.append(result("FB604", Status.PASS, "no other app", target=tgt))
    return out

