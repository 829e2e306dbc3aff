"""Stage 5: Messenger: connect Pages, Page access tokens (checked by the page-token checks of
``fbhub.checks``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fbhub.checks.model import CheckResult, Status
from fbhub.errors import FbhubError, InconclusiveError, UsageError
from fbhub.meta.scopes import DISCOVERY_SCOPES, REQUIRED_SCOPES
from fbhub.redact import mask
from fbhub.wizard.engine import SecretWrite, StageOutcome
from fbhub.wizard.output import in_wizard
from fbhub.wizard.prompter import NeedsInput, Option

if TYPE_CHECKING:
    from fbhub.checks.facts import TokenFacts
    from fbhub.wizard.engine import Wizard

SHORT_LIVED_SECONDS = 2 * 3600  # a user token expiring sooner than this is a short-lived one


@dataclass
class PageToken:
    page_id: str
    name: str
    token: str
    warnings: list[str] = field(default_factory=list)


def _inspect_page_tokens(w: Wizard, tokens: dict[str, str]) -> dict[str, tuple[TokenFacts, list[CheckResult]]]:
    """label -> (TokenFacts, results) using the page-token checks of ``fbhub.checks`` (one check, one place)."""
    from fbhub.checks.facts import token_target
    from fbhub.checks.runner import check

    report = check(w.client(), w.inputs(), tokens, ["credentials", "page-token"])
    bad = [r for r in report.results if r.group == "credentials" and r.failed]
    if bad and bad[0].status is Status.ERROR:  # could not check (network, rate limit): exit 3, not bad input
        raise InconclusiveError(f"could not check the app's credentials: {bad[0].found}",
                                hint="try again in a while: the progress so far is kept")
    if bad:
        raise UsageError(f"the app's credentials did not check out: {bad[0].found}", hint=bad[0].fix or None)
    out = {}
    for t in report.facts.tokens:
        tgt = token_target(t)
        out[t.label] = (t, [r for r in report.results if r.group == "page-token" and r.target == tgt])
    return out


def _page_token_from(w: Wizard, label: str, facts_results: tuple[TokenFacts, list[CheckResult]], token: str,
                     expect_page: str | None = None) -> PageToken:
    t, results = facts_results
    problems = [r for r in results if r.failed]
    unsure = [r for r in problems if r.status is Status.ERROR]
    if unsure:  # could not check (network, rate limit): exit 3, not bad input
        raise InconclusiveError(f"could not check page token {mask(token)}: {unsure[0].found}",
                                hint="try again in a while: the progress so far is kept")
    if problems:
        r = problems[0]
        more = "; ".join(p.found for p in problems[1:])
        raise UsageError(f"page token {mask(token)}: {r.found}" + (f"; {more}" if more else ""),
                         hint=r.fix or None)
    if not t.page_id:
        raise UsageError(f"page token {mask(token)}: Meta did not say which Page it is for",
                         hint="generate it again in Messenger > Messenger API Settings > Generate access tokens")
    if expect_page and t.page_id != expect_page:
        raise UsageError(f"page token {mask(token)} is for Page {t.page_id}, not {expect_page}",
                         hint="take the token of the right Page")
    warnings = [f"{r.title}: {r.found}" + (f" ({in_wizard(r.fix)})" if r.fix else "") for r in results
                if r.status is Status.WARN]
    return PageToken(page_id=t.page_id, name=t.page_name or "", token=token, warnings=warnings)


def _check_one_page_token(w: Wizard, value: str, expect_page: str | None = None) -> PageToken:
    from fbhub.secrets import validate_token

    value = validate_token(value, "input", "page access token")
    res = _inspect_page_tokens(w, {"input": value})
    return _page_token_from(w, "input", res["input"], value, expect_page)


def _verify_many(w: Wizard, chosen: list[tuple[str, str, str]]) -> list[PageToken]:
    """Verify (page_id, name, token) triples in one gather; raises UsageError on the first problem."""
    res = _inspect_page_tokens(w, {pid: tok for pid, _, tok in chosen})
    out = []
    for pid, name, tok in chosen:
        pt = _page_token_from(w, pid, res[pid], tok, expect_page=pid)
        pt.name = pt.name or name
        out.append(pt)
    return out


def _check_user_token(w: Wizard, value: str) -> tuple[str, dict[str, Any]]:
    from fbhub.graph.errors import TokenOfOtherApp
    from fbhub.secrets import validate_token

    value = validate_token(value, "input", "user access token")
    app_id = w.values.get("app_id")
    try:
        d = w.client().debug_token(value)
    except TokenOfOtherApp:
        raise UsageError(f"user token {mask(value)} was issued for another app, not App ID {app_id}",
                         hint="in Graph API Explorer select this app under Meta App before Generate Access "
                         "Token") from None
    except InconclusiveError:
        raise
    except FbhubError as exc:
        raise UsageError(f"Meta would not inspect user token {mask(value)}: {exc.message}",
                         hint="copy a fresh user access token of this app") from None
    if not d.get("is_valid", False):
        e = d.get("error") or {}
        raise UsageError(f"user token {mask(value)} is not valid: {e.get('message', 'Meta says it is not valid')}",
                         hint="log in again and copy a fresh user access token")
    if d.get("type") != "USER":
        raise UsageError(f"{mask(value)} is a {d.get('type')} token, not a user access token",
                         hint="for Page tokens choose 'paste Page access tokens'; a user token comes from Graph "
                         "API Explorer (User Token) or your Facebook Login")
    if str(d.get("app_id", "")) != str(app_id):
        raise UsageError(f"user token {mask(value)} was issued for app {d.get('application', '')!r} "
                         f"({d.get('app_id')}), not App ID {app_id}",
                         hint="select this app under Meta App in Graph API Explorer and generate the token again")
    missing = [s for s in REQUIRED_SCOPES if s not in (d.get("scopes") or [])]
    if missing:
        raise UsageError(f"user token {mask(value)} lacks {', '.join(missing)}",
                         hint="generate it again and add the permissions " + ", ".join(DISCOVERY_SCOPES)
                         + ", business_management")
    return value, d


def _short_lived(w: Wizard, d: dict[str, Any]) -> float | None:
    """Seconds left when the user token is short-lived, else None."""
    try:
        exp = int(d.get("expires_at") or 0)
    except (TypeError, ValueError):
        return None
    left = exp - w.now()
    return left if exp and left < SHORT_LIVED_SECONDS else None


def _discover(w: Wizard, token: str, d: dict[str, Any]) -> list[dict[str, str]]:
    """The Pages this user token manages, with their Page tokens: /me/accounts, else granular_scopes."""
    client = w.client()
    rows = [r for r in client.me_accounts(token, ("id", "name", "access_token", "tasks"))
            if isinstance(r, dict) and r.get("id") and r.get("access_token")]
    if rows:
        from fbhub.meta.scopes import page_task_problems
        from fbhub.safetext import name as safe_name

        w.out.line(f"/me/accounts lists {len(rows)} Page(s).")
        for r in rows:
            for problem in page_task_problems(r.get("tasks")):
                label = safe_name(str(r.get("name") or r["id"]))
                w.out.warn(f"Page {label}: the person behind this token {problem}")
        return [{"id": str(r["id"]), "name": str(r.get("name") or ""), "token": r["access_token"]} for r in rows]
    ids: list[str] = []
    for g in d.get("granular_scopes") or []:
        if isinstance(g, dict) and g.get("scope") in DISCOVERY_SCOPES:
            for pid in g.get("target_ids") or []:
                if str(pid) not in ids:
                    ids.append(str(pid))
    if ids:
        w.out.line(f"/me/accounts is empty (Facebook Login for Business); the token grants {len(ids)} Page(s) "
                   "by id, reading each one.")
    out = []
    for pid in ids:
        try:
            page = client.get_page(pid, token, ("id", "name", "access_token"))
        except InconclusiveError:
            raise
        except FbhubError as exc:
            w.out.warn(f"Page {pid}: {exc.message}")
            continue
        if page.get("access_token"):
            from fbhub.redact import register_secret

            register_secret(page["access_token"])
            out.append({"id": str(page.get("id") or pid), "name": str(page.get("name") or ""),
                        "token": page["access_token"]})
        else:
            w.out.warn(f"Page {pid}: Meta gave no Page token (does this person have a task on the Page?)")
    return out


def _user_route(w: Wizard) -> list[PageToken]:
    given, src = w.given.secrets.get("user-token"), w.given.secret_sources.get("user-token", "FBHUB_USER_TOKEN")
    token = d = None
    if given:
        try:
            token, d = _check_user_token(w, given)
            w.out.line(f"User token: {mask(token)} (from {src})")
        except UsageError as exc:
            if not w.interactive:
                raise
            w.out.bad(exc.message, exc.hint)
    if token is None:
        if not w.interactive:
            raise NeedsInput(["User access token: FBHUB_USER_TOKEN"])
        w.out.line("Get one in Graph API Explorer (https://developers.facebook.com/tools/explorer): Meta App = this "
                   "app, User Token, permissions " + ", ".join(DISCOVERY_SCOPES) + ", business_management; "
                   "Generate Access Token, pick your Pages, copy.")
        token, d = w.p.secret("User access token", validate=lambda v: _check_user_token(w, v))
    assert d is not None
    left = _short_lived(w, d)
    if left is not None:
        w.out.warn(f"this user token is short-lived: it expires in {max(left, 0) / 60:.0f} min; Page tokens taken "
                   "from it expire with it")
        exchange = True
        if w.interactive:
            exchange = w.p.confirm("Exchange it for a long-lived user token (about 60 days; its Page tokens do "
                                   "not expire)?", default=True)
        else:
            w.out.line("exchanging it for a long-lived user token (the App Secret is known)")
        if exchange:
            long_tok, expires_in = w.client().exchange_user_token(token)
            token, d = _check_user_token(w, long_tok)
            days = f" (expires in {expires_in / 86400:.0f} days)" if expires_in else ""
            w.out.ok(f"exchanged for a long-lived user token{days}")
        else:
            w.out.warn("keeping the short-lived token: its Page tokens stop working within the hour; run "
                       "'fbhub configure --stage messenger' again with a long-lived token")
    found = _discover(w, token, d)
    if not found:
        raise UsageError("no Pages found for this user token",
                         hint="this person needs a task on the Page, and the token needs pages_show_list; with "
                         "Facebook Login for Business select the Pages in the login dialog")
    by_id = {p["id"]: p for p in found}
    if w.given.pages:
        unknown = [p for p in w.given.pages if p not in by_id]
        if unknown:
            listed = ", ".join(f"{p['name']} {p['id']}" for p in found)
            raise UsageError(f"--page {', '.join(unknown)}: not among this user's Pages ({listed})",
                             hint="check the Page IDs, or log in as a person who manages those Pages")
        chosen = list(w.given.pages)
    elif w.interactive:
        chosen = w.p.choose_many("Pages to connect", [Option(p["id"], f"{p['name']} ({p['id']})") for p in found])
    else:
        chosen = list(by_id)
    return _verify_many(w, [(pid, by_id[pid]["name"], by_id[pid]["token"]) for pid in chosen])


def _page_route(w: Wizard) -> list[PageToken]:
    from fbhub.secrets import split_tokens

    got: dict[str, PageToken] = {}
    given = w.given.secrets.get("page-token")
    if given:
        for tok in split_tokens(given):
            try:
                pt = _check_one_page_token(w, tok)
            except UsageError as exc:
                if not w.interactive:
                    raise
                w.out.bad(exc.message, exc.hint)
                continue
            got[pt.page_id] = pt
        if w.given.pages:
            missing = [p for p in w.given.pages if p not in got]
            if missing:
                raise UsageError(f"--page {', '.join(missing)}: no Page token given for it",
                                 hint="add its Page token to FBHUB_PAGE_TOKENS (Messenger API Settings > Generate)")
            got = {k: v for k, v in got.items() if k in w.given.pages}
    if not w.interactive:
        if not got:
            raise NeedsInput(["Page access tokens: FBHUB_PAGE_TOKENS (or FBHUB_USER_TOKEN to discover Pages)"])
        return list(got.values())
    while not got or w.p.confirm("Add another Page token?", default=False):
        pt = w.p.secret("Page access token", validate=lambda v: _check_one_page_token(w, v))
        if pt.page_id in got:
            w.out.warn(f"Page {pt.name} ({pt.page_id}) was given already; keeping the newer token")
        got[pt.page_id] = pt
        w.out.ok(f"Page {pt.name} ({pt.page_id}): a token of this app with the permissions the platform needs")
    return list(got.values())


def _keep_route(w: Wizard, stored: dict[str, str]) -> list[PageToken]:
    pages = {p["id"]: p.get("name", "") for p in w.values.get("pages") or []}
    return _verify_many(w, [(pid, pages[pid], stored[pid]) for pid in pages if pid in stored])


def stage_messenger(w: Wizard) -> StageOutcome:
    w.out.steps([
        "App Dashboard > Add product: Messenger > Set up.",
        "Messenger > Messenger API Settings > 2. Generate access tokens: click Connect and add your Page(s).",
        "Then either click Generate and Copy for each Page, or give fbhub a user access token and it finds your "
        "Pages and their tokens.",
    ])
    stored = w.stored_page_tokens()
    configured = [p["id"] for p in w.values.get("pages") or []]
    can_keep = bool(configured) and all(pid in stored for pid in configured)
    if w.interactive:
        opts = [Option("user", "Give a user access token: fbhub lists the Pages you manage and takes their tokens"),
                Option("page", "Paste the Page access token(s) you generated")]
        if can_keep:
            opts.append(Option("keep", f"Keep the stored tokens of {len(configured)} configured Page(s) "
                                       "and check them again"))
        default = "user" if w.given.secrets.get("user-token") else (
            "page" if w.given.secrets.get("page-token") else ("keep" if can_keep else "user"))
        route = w.p.choose("How do you want to give the Page tokens?", opts, default=default)
    elif w.given.secrets.get("page-token"):
        route = "page"
    elif w.given.secrets.get("user-token"):
        route = "user"
    elif can_keep:
        route = "keep"
    else:
        raise NeedsInput(["Page access tokens: FBHUB_PAGE_TOKENS, or FBHUB_USER_TOKEN to discover the Pages "
                          "(--page ID to pick some)"])
    pages = {"user": _user_route, "page": _page_route}.get(route, lambda w: _keep_route(w, stored))(w)
    before = list(w.values.get("pages") or [])
    new_ids = [p.page_id for p in pages]
    kept: list[dict[str, str]] = []
    if route != "keep" and any(p["id"] not in new_ids for p in before):
        others = [p for p in before if p["id"] not in new_ids]
        names = ", ".join(f"{p.get('name') or p['id']} ({p['id']})" for p in others)
        how = "add"
        if w.interactive:
            how = w.p.choose(f"{len(others)} other Page(s) are configured already ({names}). Add the new ones to "
                             "them, or replace them?", [
                                 Option("add", "Add: keep them and their tokens"),
                                 Option("replace", "Replace: the configured Pages become exactly these")],
                             default="add")
        if how == "add":
            kept = others
            w.out.line(f"kept {len(others)} configured Page(s): {names}")
        else:
            w.out.warn(f"removed {len(others)} Page(s) from the profile: {names} (their tokens stay in the store; "
                       "'fbhub secrets delete page-token --page ID' removes one)")
    added = [p for p in pages if p.page_id not in {b["id"] for b in before}]
    if added and before:
        w.out.line("added: " + ", ".join(f"{p.name} ({p.page_id})" for p in added))
    for pt in pages:
        w.out.ok(f"Page {pt.name} ({pt.page_id}): token of this app, for this Page, with pages_messaging, "
                 "pages_manage_metadata, pages_show_list")
        for warning in pt.warnings:
            w.out.warn(f"Page {pt.page_id}: {warning}")
    from_env = route == "page" and bool(w.given.secrets.get("page-token"))
    return StageOutcome(
        "verified", f"{len(pages) + len(kept)} Page(s): " + ", ".join(
            [f"{p.get('name')} ({p['id']})" for p in kept] + [f"{p.name} ({p.page_id})" for p in pages]),
        settings={"pages": kept + [{"id": p.page_id, "name": p.name} for p in pages]},
        secrets=[SecretWrite("page-token", p.token, label=p.page_id, from_env=from_env) for p in pages])


