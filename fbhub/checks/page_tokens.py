"""FB5xx: each page token is a valid Page token of this app with the permissions it needs."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from fbhub.checks.facts import Facts, Inputs, TokenFacts, credentials_skip, error_text, page_target, token_target
from fbhub.checks.model import EXPIRY_WARN_DAYS, CheckResult, CheckSpec, Group, Status, failure_of
from fbhub.meta.scopes import REQUIRED_SCOPES, WARN_SCOPES

CHECKS = (
    CheckSpec("FB501", "page-token", "Token is valid", "token-expired", per="token"),
    CheckSpec("FB502", "page-token", "Token is a Page token", "token-type", per="token"),
    CheckSpec("FB503", "page-token", "Token was issued for this app", "token-other-app", per="token"),
    CheckSpec("FB504", "page-token", "Token carries the permissions the platform needs", "token-scopes", per="token"),
    CheckSpec("FB505", "page-token", "Token's granted Pages include its Page", "token-scopes", per="token"),
    CheckSpec("FB506", "page-token", "Token and data access are not about to expire", "token-expired", per="token"),
)

GROUP = Group("page-token", "Page tokens", CHECKS, graph=True)
result, skip_all = GROUP.result, GROUP.skip


def _days(ts: Any, now: float) -> float | None:
    try:
        ts = int(ts)
    except (TypeError, ValueError):
        return None
    return None if ts <= 0 else (ts - now) / 86400


def _when(ts: int) -> str:
    return datetime.fromtimestamp(int(ts), tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


@GROUP.evaluator
def page_tokens(inp: Inputs, facts: Facts) -> list[CheckResult]:
    ids = ("FB501", "FB502", "FB503", "FB504", "FB505", "FB506")
    out: list[CheckResult] = []
    if not facts.tokens:
        return []
    for t in facts.tokens:
        tgt = token_target(t)
        if not facts.credentials_ok:
            out += skip_all(ids, credentials_skip(facts), target=tgt)
            continue
        out += _one_token(inp, t, tgt)
    return out


def _one_token(inp: Inputs, t: TokenFacts, tgt: str) -> list[CheckResult]:
    from fbhub.meta.error_codes import lookup_error

    regen = ("generate a new one in Messenger > Messenger API Settings > Generate access tokens (from a long-lived "
             "login, so it does not expire), then 'fbhub secrets set page-token'")
    if t.other_app is not None:
        who = t.other_app.get("name") or ""
        app_text = f"app {who!r} ({t.other_app.get('id')})" if who else "another app"
        return [result("FB501", Status.SKIP, "the token belongs to another app (FB503)", target=tgt),
                result("FB502", Status.SKIP, "the token belongs to another app (FB503)", target=tgt),
                result("FB503", Status.FAIL, f"the token was issued for {app_text}, not this app {inp.app_id} — "
                       "the classic cause of 'invalid Meta application'",
                       f"generate the Page token under THIS app: {regen}", target=tgt,
                       details={"other_app": t.other_app})] + \
            skip_all(("FB504", "FB505", "FB506"), "the token belongs to another app (FB503)", target=tgt)
    if not t.debug.ok:
        st = failure_of(t.debug)
        return [result("FB501", st, f"could not inspect the token: {error_text(t.debug.error)}", target=tgt)] + \
            skip_all(("FB502", "FB503", "FB504", "FB505", "FB506"), "the token could not be inspected (FB501)",
                     target=tgt)
    d = t.debug.data or {}
    out = []
    if not d.get("is_valid", False):
        e = d.get("error") or {}
        info = lookup_error(int(e.get("code") or 190), e.get("subcode"))
        found = f"invalid: {e.get('message', 'Meta says the token is not valid')}"
        if d.get("expires_at") == 0 and e.get("subcode") in (460, 466, 467, 492):
            found += " (it still reports 'never expires': invalidated tokens do)"
        out.append(result("FB501", Status.FAIL, found, f"{info.meaning} {regen}".strip(), target=tgt,
                          details={"subcode": e.get("subcode")}))
        return out + skip_all(("FB502", "FB503", "FB504", "FB505", "FB506"), "the token is not valid (FB501)",
                              target=tgt)
    out.append(result("FB501", Status.PASS, "valid", target=tgt))
    typ = d.get("type")
    if typ != "PAGE":
        hint = ("a User token was pasted where a Page token belongs" if typ == "USER" else f"a {typ} token")
        out.append(result("FB502", Status.FAIL, f"{hint}",
                          "get the Page token: 'fbhub configure' discovers Pages from a user token "
                          "(/me/accounts), or Messenger > Messenger API Settings > Generate", target=tgt,
                          details={"type": typ}))
    else:
        out.append(result("FB502", Status.PASS, f"Page token for {page_target(t.page_id, t.page_name)}", target=tgt))
    app_id = str(d.get("app_id", ""))
    if inp.app_id and app_id and app_id != inp.app_id:
        out.append(result("FB503", Status.FAIL, f"issued for app {d.get('application', '')!r} ({app_id}), not "
                          f"{inp.app_id}", f"generate the Page token under THIS app: {regen}", target=tgt,
                          details={"other_app": {"id": app_id, "name": d.get("application", "")}}))
        return out + skip_all(("FB504", "FB505", "FB506"), "the token belongs to another app (FB503)", target=tgt)
    out.append(result("FB503", Status.PASS, f"app {d.get('application', '')} ({app_id})", target=tgt))
    scopes = set(d.get("scopes") or [])
    missing = [s for s in REQUIRED_SCOPES if s not in scopes]
    soft = [s for s in WARN_SCOPES if s not in scopes]
    if missing:
        out.append(result("FB504", Status.FAIL, f"missing {', '.join(missing)}",
                          "generate the token again and grant every permission the login dialog asks for; for "
                          "people without a role on the app, Advanced Access (App Review) is needed",
                          target=tgt, details={"missing": missing}))
    elif soft:
        out.append(result("FB504", Status.WARN, f"missing {', '.join(soft)} (needed for Business-owned Pages)",
                          "grant business_management when generating the token", target=tgt,
                          details={"missing": soft}))
    else:
        out.append(result("FB504", Status.PASS, ", ".join(s for s in REQUIRED_SCOPES + WARN_SCOPES), target=tgt))
    out.append(_granular(t, d, tgt))
    out.append(_expiry(inp, d, tgt))
    return out


def _granular(t: TokenFacts, d: dict[str, Any], tgt: str) -> CheckResult:
    gs = d.get("granular_scopes") or []
    if not gs or not t.page_id:
        return result("FB505", Status.PASS, "no per-Page restriction", target=tgt)
    lacking = []
    for g in gs:
        if g.get("scope") in REQUIRED_SCOPES and g.get("target_ids") is not None:
            if t.page_id not in [str(x) for x in g.get("target_ids") or []]:
                lacking.append(g.get("scope"))
    if lacking:
        return result("FB505", Status.FAIL, f"{', '.join(lacking)} granted for other Pages only",
                      "log in again (Facebook Login for Business) and select this Page in the Page picker",
                      target=tgt, details={"scopes": lacking})
    return result("FB505", Status.PASS, "this Page is among the granted Pages", target=tgt)


def _expiry(inp: Inputs, d: dict[str, Any], tgt: str) -> CheckResult:
    exp = _days(d.get("expires_at"), inp.now)
    dax = _days(d.get("data_access_expires_at"), inp.now)
    notes, warn = [], False
    if exp is None:
        notes.append("never expires")
    else:
        notes.append(f"expires {_when(d['expires_at'])} (in {exp:.0f} days)")
        warn |= exp <= EXPIRY_WARN_DAYS
    if dax is not None:
        notes.append(f"data access until {_when(d['data_access_expires_at'])} (in {dax:.0f} days)")
        warn |= dax <= EXPIRY_WARN_DAYS
    fix = ("generate a long-lived Page token (from a long-lived user token it never expires); data access is "
           "renewed when an admin uses the app again")
    details = {"expires_at": d.get("expires_at"), "data_access_expires_at": d.get("data_access_expires_at")}
    if warn:
        return result("FB506", Status.WARN, "; ".join(notes), fix, target=tgt, details=details)
    return result("FB506", Status.PASS, "; ".join(notes), target=tgt, details=details)

