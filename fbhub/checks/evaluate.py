"""Turning facts into results: pure functions, no I/O. One function per group, one place per check."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from fbhub.checks.catalogue import BY_ID, EXPIRY_WARN_DAYS, VERSION_EOL_WARN_DAYS
from fbhub.checks.facts import Facts, Outcome, PageFacts, TokenFacts
from fbhub.graph.versions import DEFAULT_GRAPH_VERSION
from fbhub.meta.fields import PLATFORM_FIELDS, REQUIRED_FIELDS
from fbhub.meta.scopes import REQUIRED_SCOPES, WARN_SCOPES
from fbhub.meta.subscriptions import callback_matches, field_names, find_subscription, is_active, split_subscribed_apps
from fbhub.meta.urls import webhook_url
from fbhub.results import CheckResult, Status


@dataclass
class Inputs:
    """What the operator configured (no secret values, only whether they are present)."""

    profile: str
    domain: str | None
    domain_warnings: tuple[str, ...] = ()
    app_id: str | None = None
    has_app_secret: bool = False
    has_verify_token: bool = False
    token_labels: list[str] = field(default_factory=list)
    pages: list[dict[str, str]] = field(default_factory=list)
    graph_version: str = DEFAULT_GRAPH_VERSION
    webhook_fields: list[str] = field(default_factory=lambda: list(PLATFORM_FIELDS))
    keyring_problem: str | None = None
    now: float = field(default_factory=time.time)
    today: date = field(default_factory=date.today)


def result(check_id: str, status: Status, found: str = "", fix: str = "", *, target: str = "app",
           details: dict[str, Any] | None = None) -> CheckResult:
    spec = BY_ID[check_id]
    return CheckResult(id=check_id, title=spec.title, status=status, found=found, fix=fix, target=target,
                       group=spec.group, topic=spec.topic, details=details or {})


def _error_text(err: Any) -> str:
    msg = getattr(err, "message", None) or str(err)
    code = getattr(err, "code", None)
    return f"{msg} (code {code})" if code and f"#{code}" not in msg and f"code {code}" not in msg else msg


def _status_for(outcome: Outcome) -> Status:
    return Status.ERROR if outcome.inconclusive else Status.FAIL


def skip_all(ids: Iterable[str], why: str, *, target: str = "app") -> list[CheckResult]:
    return [result(i, Status.SKIP, why, target=target) for i in ids]


# -- FB1xx local setup ---------------------------------------------------------------------------
def local(inp: Inputs) -> list[CheckResult]:
    out = []
    store_note = f" (the OS keyring is unusable: {inp.keyring_problem})" if inp.keyring_problem else ""
    if not inp.domain:
        out.append(result("FB101", Status.FAIL, "no domain is set",
                          "run 'fbhub config set domain cx.example.com' or set FBHUB_DOMAIN"))
    elif inp.domain_warnings:
        out.append(result("FB101", Status.WARN, f"{inp.domain}: {inp.domain_warnings[0]}",
                          "use the CX server's public host name with a valid HTTPS certificate"))
    else:
        out.append(result("FB101", Status.PASS, inp.domain))
    out.append(result("FB102", Status.PASS, inp.app_id) if inp.app_id else
               result("FB102", Status.FAIL, "no App ID is set",
                      "copy it from App settings > Basic; run 'fbhub config set app_id <id>' or set FBHUB_APP_ID"))
    out.append(result("FB103", Status.PASS, "present") if inp.has_app_secret else
               result("FB103", Status.FAIL, "no App Secret is stored" + store_note,
                      "run 'fbhub secrets set app-secret' or set FBHUB_APP_SECRET"))
    n = len(inp.token_labels)
    out.append(result("FB104", Status.PASS, f"{n} token(s)") if n else
               result("FB104", Status.FAIL, "no page access token is stored" + store_note,
                      "generate one in Messenger > Messenger API Settings > Generate access tokens, then "
                      "'fbhub secrets set page-token --page ID' (or FBHUB_PAGE_TOKENS)"))
    out.append(result("FB105", Status.PASS, "present") if inp.has_verify_token else
               result("FB105", Status.WARN, "no webhook verify token is stored" + store_note,
                      "run 'fbhub secrets set verify-token --generate' (or set FBHUB_VERIFY_TOKEN); "
                      "subscribe-app and --probe need it"))
    return out


def configured_pages_have_tokens(inp: Inputs, facts: Facts) -> list[CheckResult]:
    token_pages = {t.page_id for t in facts.tokens if t.page_id} | set(inp.token_labels)
    out = []
    for p in inp.pages:
        tgt = page_target(p["id"], p.get("name", ""))
        if p["id"] in token_pages:
            out.append(result("FB106", Status.PASS, "token found", target=tgt))
        elif not facts.tokens:
            out.append(result("FB106", Status.FAIL, "no token stored for this page",
                              f"run 'fbhub secrets set page-token --page {p['id']}'", target=tgt))
        elif not any(t.inspected for t in facts.tokens):
            out.append(result("FB106", Status.SKIP, "the tokens' Pages are unknown until the credentials check out "
                              "(FB2xx)", target=tgt))
        elif any(not t.page_id for t in facts.tokens):
            out.append(result("FB106", Status.SKIP, "some tokens could not be matched to a Page (see FB5xx)",
                              target=tgt))
        else:
            out.append(result("FB106", Status.FAIL, "none of the stored tokens is for this page",
                              f"generate a token for it and run 'fbhub secrets set page-token --page {p['id']}'",
                              target=tgt))
    return out


def page_target(page_id: str | None, name: str | None = "") -> str:
    if not page_id:
        return "page (unknown)"
    return f"page {page_id} ({name})" if name else f"page {page_id}"


# -- FB2xx credentials ---------------------------------------------------------------------------
def credentials(inp: Inputs, facts: Facts) -> list[CheckResult]:
    from fbhub.graph.errors import InvalidAppId, InvalidAppSecret

    if not inp.app_id or not inp.has_app_secret:
        return skip_all(("FB201", "FB202"), "App ID or App Secret is not set (see FB102/FB103)")
    cred = facts.credentials
    if cred is None:
        return skip_all(("FB201", "FB202"), "not checked")
    if cred.ok:
        return [result("FB201", Status.PASS, f"App ID {inp.app_id}"),
                result("FB202", Status.PASS, "Meta issued an app access token")]
    err = cred.error
    if isinstance(err, InvalidAppId):
        return [result("FB201", Status.FAIL, f"Meta does not know App ID {inp.app_id}: {_error_text(err)}",
                       "copy the App ID from App settings > Basic of the right app; then the same value into "
                       "the Connector Hub (Advance > Connector Hub Setting > Facebook > Client-id)"),
                result("FB202", Status.SKIP, "the App ID is unknown (FB201)")]
    if isinstance(err, InvalidAppSecret):
        return [result("FB201", Status.PASS, f"App ID {inp.app_id}"),
                result("FB202", Status.FAIL, "Meta refused the App Secret: it does not belong to this App ID, or "
                       "it was reset", "App settings > Basic > App secret > Show; store it with 'fbhub secrets set "
                       "app-secret' and paste it as Client-Secret in the Connector Hub")]
    if getattr(err, "code", None) == 2500:  # "Unknown path components": the version in the URL does not exist
        return [result("FB201", Status.FAIL, f"Meta does not know the path asked for: {_error_text(err)}",
                       f"the Graph API version {inp.graph_version} does not exist; pin one Meta serves, e.g. "
                       f"'fbhub config set graph_version {DEFAULT_GRAPH_VERSION}'"),
                result("FB202", Status.SKIP, "credentials could not be checked (FB201)")]
    st = _status_for(cred)
    if st is Status.ERROR and _rate_limited(err):
        fix = ("Meta is rate limiting this app: wait (usually minutes; the usage headers say how long) and run "
               "it again — see 'fbhub explain rate-limit'")
    elif st is Status.ERROR:
        fix = "retry later; check the network path to the Graph API"
    else:
        fix = "see 'fbhub explain app-credentials'"
    return [result("FB201", st, f"could not get an app access token: {_error_text(err)}", fix),
            result("FB202", Status.SKIP, "credentials could not be checked (FB201)")]


def _rate_limited(err: Any) -> bool:
    from fbhub.graph.errors import RATE_LIMIT_CODES

    text = str(getattr(err, "message", "") or err or "")
    return getattr(err, "code", None) in RATE_LIMIT_CODES or "(#4)" in text or "request limit" in text.lower() \
        or "rate limit" in text.lower()


def credentials_ok(facts: Facts) -> bool:
    return facts.credentials is not None and facts.credentials.ok


def credentials_skip(facts: Facts) -> str:
    """Why checks that need the app's credentials were not made: they failed, or could not be checked."""
    cred = facts.credentials
    if cred is not None and not cred.ok and _status_for(cred) is Status.ERROR:
        return "not checked: the app's credentials could not be checked (FB2xx)"
    return "the app's credentials did not check out (FB2xx)"


# -- FB3xx app settings --------------------------------------------------------------------------
def _host(url: str | None) -> str:
    from urllib.parse import urlsplit

    try:
        return (urlsplit(url or "").hostname or "").lower()
    except ValueError:
        return ""


def app_settings(inp: Inputs, facts: Facts) -> list[CheckResult]:
    ids = ("FB301", "FB302", "FB303", "FB304", "FB305", "FB306", "FB307", "FB308")
    if not credentials_ok(facts):
        return skip_all(ids, credentials_skip(facts))
    app = facts.app
    if app is None or not app.ok:
        st = _status_for(app) if app else Status.SKIP
        return [result(i, st, f"could not read the app's settings: {_error_text(app.error) if app else ''}")
                for i in ids[:-1]] + _roles(facts)
    a = app.data or {}
    where = "App settings > Basic"
    out = []
    cat = a.get("category") or ""
    out.append(result("FB301", Status.PASS, cat) if cat.lower() == "messaging" else
               result("FB301", Status.WARN, f"category is {cat or 'not set'!r}",
                      f"{where} > Category: select Messaging (the guide asks for it)"))
    domains = [str(d).lower() for d in a.get("app_domains") or []]
    d = inp.domain
    if d and any(d == x or d.endswith("." + x) for x in domains):
        out.append(result("FB302", Status.PASS, ", ".join(domains)))
    else:
        out.append(result("FB302", Status.FAIL if d else Status.WARN,
                          f"App Domains are {', '.join(domains) or 'empty'}"
                          + (f"; {d} is not among them" if d else ""),
                          f"{where} > App domains: add {d or 'your CX domain'}"))
    for cid, key, label in (("FB303", "privacy_policy_url", "Privacy Policy URL"),
                            ("FB304", "terms_of_service_url", "Terms of Service URL")):
        v = a.get(key)
        out.append(result(cid, Status.PASS, v) if v else
                   result(cid, Status.WARN, f"no {label}", f"{where} > {label}: your organisation's page "
                          "(App Review rejects apps without it)"))
    icon = a.get("icon_url")
    out.append(result("FB305", Status.PASS, "uploaded") if icon else
               result("FB305", Status.WARN, "no app icon", f"{where} > App icon: upload your organisation's icon"))
    email = a.get("contact_email")
    out.append(result("FB306", Status.PASS, email) if email else
               result("FB306", Status.WARN, "no contact email", f"{where} > Contact email"))
    site = a.get("website_url")
    if site and d and _host(site) == d:
        out.append(result("FB307", Status.PASS, site))
    elif site:
        out.append(result("FB307", Status.WARN, f"Site URL is {site}, not on {d}",
                          f"{where} > Website > Site URL: https://{d}/"))
    else:
        out.append(result("FB307", Status.WARN, "no Website platform / Site URL",
                          f"{where} > Add platform > Website > Site URL: https://{d or 'your-cx-domain'}/"))
    return out + _roles(facts)


def _roles(facts: Facts) -> list[CheckResult]:
    roles = facts.roles
    if roles is None:
        return []
    if not roles.ok:
        return [result("FB308", _status_for(roles) if roles.inconclusive else Status.WARN,
                       f"could not list the app's roles: {_error_text(roles.error)}")]
    by_role: dict[str, list[str]] = {}
    for r in roles.data or []:
        by_role.setdefault(str(r.get("role", "?")), []).append(str(r.get("user", "?")))
    found = "; ".join(f"{k}: {', '.join(v)}" for k, v in sorted(by_role.items())) or "no roles"
    fix = ("while the app is in Development mode only these people can use it; add testers under "
           "App roles > Roles (the guide's optional Tester step)")
    return [result("FB308", Status.PASS, found, fix, details={"roles": by_role})]


# -- FB4xx app webhook ---------------------------------------------------------------------------
def app_webhook(inp: Inputs, facts: Facts) -> list[CheckResult]:
    ids = ("FB401", "FB402", "FB403", "FB404", "FB405")
    if not credentials_ok(facts):
        return skip_all(ids, credentials_skip(facts))
    subs = facts.subscriptions
    if subs is None or not subs.ok:
        st = _status_for(subs) if subs else Status.SKIP
        return [result(i, st, f"could not read the app's webhooks: {_error_text(subs.error) if subs else ''}")
                for i in ids]
    expected = webhook_url(inp.domain) if inp.domain else None
    sub = find_subscription(subs.data)
    fix_cmd = "run 'fbhub subscribe-app' (or Messenger > Messenger API Settings > Configure webhooks)"
    if sub is None:
        return [result("FB401", Status.FAIL, "the app has no webhook for Pages: Meta sends no messages anywhere",
                       f"{fix_cmd}; Callback URL {expected or 'https://DOMAIN/fb/webhook'}")] + \
            skip_all(ids[1:], "no Page webhook (FB401)")
    out = [result("FB401", Status.PASS, f"object page → {sub.get('callback_url')}")]
    out.append(result("FB402", Status.PASS, "active") if is_active(sub) is not False else
               result("FB402", Status.FAIL, "the webhook is inactive (Meta disables it after an hour of failures)",
                      f"fix the endpoint ('fbhub probe-webhook'), then {fix_cmd} to reactivate it"))
    cb = str(sub.get("callback_url") or "")
    if expected is None:
        out.append(result("FB403", Status.SKIP, "no domain is set (FB101)"))
    elif callback_matches(cb, expected):
        out.append(result("FB403", Status.PASS, cb))
    else:
        host, want = _host(cb), inp.domain
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


# -- FB5xx page tokens ---------------------------------------------------------------------------
def token_target(t: TokenFacts) -> str:
    from fbhub.secrets import token_name

    page_id = t.page_id or (t.label if t.label.isdigit() else None)
    return token_name(t.token, page_id=page_id, page_name=t.page_name, position=t.position)


def _days(ts: Any, now: float) -> float | None:
    try:
        ts = int(ts)
    except (TypeError, ValueError):
        return None
    return None if ts <= 0 else (ts - now) / 86400


def _when(ts: int) -> str:
    return datetime.fromtimestamp(int(ts), tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def page_tokens(inp: Inputs, facts: Facts) -> list[CheckResult]:
    ids = ("FB501", "FB502", "FB503", "FB504", "FB505", "FB506")
    out: list[CheckResult] = []
    if not facts.tokens:
        return []
    for t in facts.tokens:
        tgt = token_target(t)
        if not credentials_ok(facts):
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
        st = _status_for(t.debug)
        return [result("FB501", st, f"could not inspect the token: {_error_text(t.debug.error)}", target=tgt)] + \
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


# -- FB6xx page subscriptions --------------------------------------------------------------------
def page_subscriptions(inp: Inputs, facts: Facts) -> list[CheckResult]:
    ids = ("FB601", "FB602", "FB603", "FB604")
    out: list[CheckResult] = []
    for pf in facts.pages.values():
        tgt = page_target(pf.page_id, pf.name)
        if not credentials_ok(facts):
            out += skip_all(ids, credentials_skip(facts), target=tgt)
            continue
        if pf.subscribed_apps is None:
            out += skip_all(ids, "no valid Page token of this app for this Page (FB106/FB5xx)", target=tgt)
            continue
        tok = next((t for t in facts.tokens if t.label == pf.token_label or t.page_id == pf.page_id), None)
        rows = _one_page(inp, pf, tgt, blocked=tok.blocking_scopes() if tok is not None else [])
        for r in rows:
            r.details.setdefault("page_id", pf.page_id)
        out += rows
    return out


def _one_page(inp: Inputs, pf: PageFacts, tgt: str, *, blocked: list[str] | None = None) -> list[CheckResult]:
    sa = pf.subscribed_apps
    assert sa is not None
    if not sa.ok:
        st = _status_for(sa)
        return [result("FB601", st, f"could not read the Page's subscribed apps: {_error_text(sa.error)}",
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


# -- FB7xx Graph API version ---------------------------------------------------------------------
def graph_version(inp: Inputs, facts: Facts) -> list[CheckResult]:
    from fbhub.graph.versions import is_known, latest_version, version_eol, version_key

    v = inp.graph_version
    eol = version_eol(v)
    out = []
    if not is_known(v):
        newer = version_key(v) > version_key(latest_version())
        out.append(result("FB701", Status.WARN if newer else Status.FAIL,
                          f"{v} is {'newer than any version fbhub knows' if newer else 'not a Graph API version'}",
                          "check https://developers.facebook.com/docs/graph-api/changelog/versions/ and pin a "
                          f"version Meta serves, e.g. 'fbhub config set graph_version {DEFAULT_GRAPH_VERSION}'"))
    elif eol is None:
        out.append(result("FB701", Status.PASS, f"{v} (no end-of-life date announced)"))
    else:
        left = (eol - inp.today).days
        if left < 0:
            out.append(result("FB701", Status.FAIL, f"{v} reached its end of life on {eol}; Meta silently serves a "
                              "newer version",
                              f"pin a current version: 'fbhub config set graph_version {DEFAULT_GRAPH_VERSION}'"))
        elif left <= VERSION_EOL_WARN_DAYS:
            out.append(result("FB701", Status.WARN, f"{v} ends on {eol} (in {left} days)",
                              "plan the upgrade: 'fbhub config set graph_version <newer>' after testing"))
        else:
            out.append(result("FB701", Status.PASS, f"{v}, supported until {eol}"))
    served = sorted(facts.versions_served)
    other = [s for s in served if s != v]
    if not served:
        out.append(result("FB702", Status.SKIP, "no Graph response was seen"))
    elif other:
        out.append(result("FB702", Status.WARN, f"asked for {v}, Meta answered with {', '.join(other)}",
                          "the pinned version has expired or is unknown; pin a supported version",
                          details={"served": served}))
    else:
        out.append(result("FB702", Status.PASS, f"served {v}"))
    return out


# -- FB9xx dashboard-only ------------------------------------------------------------------------
def dashboard(inp: Inputs) -> list[CheckResult]:
    d = inp.domain or "your-cx-domain"
    cant = "the Graph API cannot tell; confirm in the dashboard"
    return [
        result("FB901", Status.MANUAL, cant,
               "App Dashboard, top bar: App Mode must say Live (in Development only people with a role on the app "
               "can connect Pages and send messages)"),
        result("FB902", Status.MANUAL, cant,
               "App Review > Permissions and Features: Advanced Access for pages_show_list, pages_manage_metadata, "
               "pages_messaging, business_management, Business Asset User Profile Access and public_profile"),
        result("FB903", Status.MANUAL, cant,
               "Facebook Login for Business > Settings: Client OAuth login and Web OAuth login on, and "
               f"https://{d}/api/v1.0/facebook/integration/callback in Valid OAuth Redirect URIs"),
        result("FB904", Status.MANUAL, cant,
               f"https://{d}:9006 > Advance > Connector Hub Setting > Facebook: Client-id = "
               + (f"App ID {inp.app_id}" if inp.app_id else "the App ID (App settings > Basic)")
               + " and Client-Secret = the App Secret fbhub checked"),
    ]
