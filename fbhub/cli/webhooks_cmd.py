"""fbhub subscribe-page, unsubscribe-page, subscribe-app, probe-webhook.

Options and rendering only; the logic is in ``fbhub.actions`` (page subscriptions, the app webhook) and in
``fbhub.checks.probe`` (the webhook endpoint), which doctor reuses.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from fbhub.actions.outcome import CHANGED, FAILED, INCONCLUSIVE, PLANNED, UNCHANGED
from fbhub.cli.common import (
    AppIdOpt,
    DomainOpt,
    GraphUrlOpt,
    GraphVersionOpt,
    JsonOpt,
    confirm_or_refuse,
    graph_flags,
    handle_errors,
    load_session,
    refuse_unless_terminal,
)

if TYPE_CHECKING:
    from rich.console import Console

    from fbhub.session import Session

# -- shared options --------------------------------------------------------------------------------
PageOpt = Annotated[list[str] | None, typer.Option(
    "--page", help="Only this Page (id, or token label); repeat for several. Default: every configured Page",
    show_default=False)]
FieldsOpt = Annotated[str | None, typer.Option(
    "--fields", help="Webhook fields, comma-separated (default: the profile's webhook_fields)", show_default=False)]
AllFieldsOpt = Annotated[bool, typer.Option("--all-fields", help="Every Messenger webhook field")]
ReplaceOpt = Annotated[bool, typer.Option(
    "--replace", help="Make the field list exactly this (drop fields another tool subscribed)")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Show the plan; write nothing")]
TokenStdinOpt = Annotated[bool, typer.Option(
    "--page-token-stdin", help="Read Page tokens from stdin (comma/whitespace separated) instead of the keyring")]
ConcurrencyOpt = Annotated[int, typer.Option("--concurrency", min=1, max=32, help="Pages handled at once")]


def _desired_fields(session: Session, fields: str | None, all_fields: bool) -> list[str]:
    from fbhub.errors import UsageError
    from fbhub.meta.fields import ALL_FIELDS, parse_fields

    if fields is not None and all_fields:
        raise UsageError("--fields and --all-fields cannot be used together", hint="give one of them")
    if all_fields:
        return list(ALL_FIELDS)
    if fields is not None:
        return parse_fields(fields)
    return list(session.settings["webhook_fields"])


def _page_tokens(session: Session, from_stdin: bool) -> dict[str, str]:
    from fbhub.errors import UsageError
    from fbhub.redact import register_secret
    from fbhub.secrets import VALIDATORS, split_tokens, token_label

    if from_stdin:
        if sys.stdin is None or sys.stdin.isatty():
            raise UsageError("--page-token-stdin reads tokens from stdin, but stdin is a terminal",
                             hint="pipe them in: fbhub subscribe-page --page-token-stdin < tokens.txt")
        out: dict[str, str] = {}
        for tok in split_tokens(sys.stdin.read()):
            tok = VALIDATORS["page-token"](tok, "stdin")
            register_secret(tok)
            out[token_label(tok)] = tok
        if not out:
            raise UsageError("no Page token on stdin", hint="pipe one or more Page tokens, comma or newline separated")
        return out
    tokens = session.secrets.page_tokens()
    if not tokens:
        raise session.secrets.missing("page-token", ", or use --page-token-stdin")
    return tokens


def _names(session: Session) -> dict[str, str]:
    return {p["id"]: p.get("name", "") for p in (session.settings.get("pages") or [])}


def _close(client: Any) -> None:
    close = getattr(client, "close", None)
    if callable(close):
        close()


def _out() -> Console:
    from fbhub.cli.common import console

    return console()


def _line(out: Any, text: str, style: str | None = None) -> None:
    """One line (redacted), wrapped with a hanging indent on a terminal, as is in a pipe."""
    from fbhub.redact import redact
    from fbhub.wrap import say

    say(out, redact(text), style)


def _list(items: list[str]) -> str:
    return ", ".join(items) if items else "—"


# -- page subscriptions ----------------------------------------------------------------------------
_PAGE_WORDS = {
    "subscribe": {CHANGED: "subscribed", UNCHANGED: "already up to date, nothing written",
                  PLANNED: "would be subscribed (dry run)"},
    "unsubscribe": {CHANGED: "unsubscribed", UNCHANGED: "not subscribed, nothing to do",
                    PLANNED: "would be unsubscribed (dry run)"},
}
_FAILED_WORDS = {FAILED: "FAILED", INCONCLUSIVE: "COULD NOT FINISH"}
_FAILED_STYLES = {FAILED: "bold red", INCONCLUSIVE: "bold magenta"}


def _status_word(o: Any, action: str) -> str:
    if o.status in _FAILED_WORDS:
        return _FAILED_WORDS[o.status]
    word = _PAGE_WORDS[action][o.status]
    if action == "subscribe" and o.plan is not None and o.plan.installed and o.status != UNCHANGED:
        word = word.replace("subscribed", "updated")
    return word


def _render_pages(outcomes: list[Any], *, action: str, dry_run: bool, desired: list[str] | None) -> None:
    out = _out()
    if desired is not None:
        _line(out, f"Fields wanted: {_list(desired)}")
    for o in outcomes:
        who = f"Page {o.page_id}" + (f" ({o.name})" if o.name else "")
        if o.plan is None and o.label and o.label == o.page_id and not o.page_id.isdigit():
            who = o.label if o.label.startswith("token ") else f"Token {o.label}"
        style = _FAILED_STYLES.get(o.status)
        _line(out, f"{who}: {_status_word(o, action)}", style)
        p = o.plan
        if p is not None:
            if action == "subscribe":
                if p.add:
                    _line(out, f"  added:                {_list(p.add)}" if o.status == CHANGED
                          else f"  to add:               {_list(p.add)}")
                if p.keep:
                    _line(out, f"  already there:        {_list(p.keep)}")
                if p.remove:
                    _line(out, f"  removed (--replace):  {_list(p.remove)}" if o.status == CHANGED
                          else f"  to remove (--replace): {_list(p.remove)}")
                if p.other:
                    _line(out, f"  kept (not asked for): {_list(p.other)}  (--replace drops them)")
            elif p.remove:
                _line(out, f"  fields it had:        {_list(p.remove)}")
        if o.other_apps:
            apps = ", ".join(f"{a.get('name') or '?'} ({a.get('id')})" for a in o.other_apps)
            _line(out, f"  other apps on this Page: {apps}", "dim")
        if not o.ok:
            _line(out, f"  cause: {o.cause}")
            if o.meaning:
                _line(out, f"  meaning: {o.meaning}")
            if o.fix:
                _line(out, f"  fix: {o.fix}")
        elif o.cause:
            _line(out, f"  note: {o.cause}")
            if o.fix:
                _line(out, f"  fix: {o.fix}")
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    words = _PAGE_WORDS[action]
    parts = [f"{counts[k]} {words[k].split(',')[0].replace(' (dry run)', '')}" for k in (CHANGED, PLANNED, UNCHANGED)
             if counts.get(k)]
    if counts.get(FAILED):
        parts.append(f"{counts[FAILED]} failed")
    if counts.get(INCONCLUSIVE):
        parts.append(f"{counts[INCONCLUSIVE]} could not finish")
    n = len(outcomes)
    _line(out, f"\n{n} page{'s' if n != 1 else ''}: " + (", ".join(parts) or "nothing to do")
          + (". Dry run: nothing was written." if dry_run else "."))


def _pages_json(outcomes: list[Any], *, command: str, dry_run: bool, code: int, **extra: Any) -> None:
    from fbhub.cli.common import print_json

    summary: dict[str, int] = {}
    for o in outcomes:
        summary[o.status] = summary.get(o.status, 0) + 1
    print_json({"command": command, "dry_run": dry_run, **extra, "pages": [o.to_dict() for o in outcomes],
                "summary": summary, "exit_code": code})


@handle_errors
def subscribe_page(
    ctx: typer.Context,
    page: PageOpt = None,
    fields: FieldsOpt = None,
    all_fields: AllFieldsOpt = False,
    replace: ReplaceOpt = False,
    dry_run: DryRunOpt = False,
    page_token_stdin: TokenStdinOpt = False,
    concurrency: ConcurrencyOpt = 8,
    app_id: AppIdOpt = None,
    graph_url: GraphUrlOpt = None,
    graph_version: GraphVersionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Subscribe the configured Pages to the app's webhook (/{page-id}/subscribed_apps).

    Reads each Page's current subscription first and writes only what changes. Fields another tool
    subscribed are kept (Meta replaces the list on each write, so fbhub sends the union) unless --replace.
    Exit codes: 0 done, 1 a Page failed, 2 usage/config, 3 only network/rate-limit problems.
    """
    from fbhub.actions.outcome import exit_code_for_outcomes, proceed
    from fbhub.actions.page_subscriptions import subscribe_pages

    session = load_session(ctx, **graph_flags(None, app_id, graph_url, graph_version))
    desired = _desired_fields(session, fields, all_fields)
    app = session.settings.require("app_id")
    tokens = _page_tokens(session, page_token_stdin)
    has_secret = bool(session.secrets.get("app-secret"))
    client = session.graph_client()
    try:
        # subscribe-page writes without asking (its plan is shown with the outcome; --dry-run shows it first)
        outcomes = subscribe_pages(client, tokens, app_id=app, desired=desired, confirm=proceed, replace=replace,
                                   only=page, names=_names(session), dry_run=dry_run, use_debug_token=has_secret,
                                   workers=concurrency)
    finally:
        _close(client)
    code = exit_code_for_outcomes(outcomes)
    if as_json:
        _pages_json(outcomes, command="subscribe-page", dry_run=dry_run, code=code, fields=desired, replace=replace)
    else:
        _render_pages(outcomes, action="subscribe", dry_run=dry_run, desired=desired)
    raise typer.Exit(code)


@handle_errors
def unsubscribe_page(
    ctx: typer.Context,
    page: PageOpt = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation")] = False,
    dry_run: DryRunOpt = False,
    page_token_stdin: TokenStdinOpt = False,
    concurrency: ConcurrencyOpt = 8,
    app_id: AppIdOpt = None,
    graph_url: GraphUrlOpt = None,
    graph_version: GraphVersionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Remove the app from the configured Pages (DELETE /{page-id}/subscribed_apps): no more Messenger events.

    Asks for confirmation unless --yes. Exit codes as for subscribe-page.
    """
    from fbhub.actions.outcome import exit_code_for_outcomes
    from fbhub.actions.page_subscriptions import PagePlan, PageTarget, unsubscribe_pages
    from fbhub.errors import UsageError

    refusal = ("refusing to unsubscribe Pages without confirmation (stdin is not a terminal)",
               "add --yes to unsubscribe, or --dry-run to see what would change")
    if not yes and not dry_run:
        if page_token_stdin:
            raise UsageError("--page-token-stdin uses stdin, so it cannot also ask for confirmation",
                             hint="add --yes (or --dry-run to see the plan)")
        refuse_unless_terminal(refusal[0], hint=refusal[1])
    session = load_session(ctx, **graph_flags(None, app_id, graph_url, graph_version))
    app = session.settings.require("app_id")
    tokens = _page_tokens(session, page_token_stdin)
    has_secret = bool(session.secrets.get("app-secret"))
    client = session.graph_client()

    def confirm(changing: list[tuple[PagePlan, PageTarget]]) -> None:
        if yes:
            return
        _line(_out(), "About to remove the app from: " + ", ".join(
            f"{t.page_id}" + (f" ({t.name})" if t.name else "") for _, t in changing))
        confirm_or_refuse(f"Unsubscribe {len(changing)} Page(s)? They stop sending Messenger events",
                          refusal=refusal[0], hint=refusal[1])

    try:
        outcomes = unsubscribe_pages(client, tokens, app_id=app, only=page, names=_names(session), dry_run=dry_run,
                                     use_debug_token=has_secret, workers=concurrency, confirm=confirm)
    finally:
        _close(client)
    code = exit_code_for_outcomes(outcomes)
    if as_json:
        _pages_json(outcomes, command="unsubscribe-page", dry_run=dry_run, code=code)
    else:
        _render_pages(outcomes, action="unsubscribe", dry_run=dry_run, desired=None)
    raise typer.Exit(code)


# -- app webhook -----------------------------------------------------------------------------------


def _render_app(outcome: Any, *, dry_run: bool) -> None:
    out = _out()
    p = outcome.plan
    _line(out, "App webhook (object: page) now:")
    if not p.exists:
        _line(out, "  none")
    else:
        active = {True: "yes", False: "NO", None: "unknown"}[p.current_active]
        _line(out, f"  callback: {p.current_callback or '(none)'}")
        _line(out, f"  fields:   {_list(p.current_fields)}")
        _line(out, f"  active:   {active}")
    _line(out, "Wanted:")
    _line(out, f"  callback: {p.callback_url}")
    _line(out, f"  fields:   {_list(p.desired)}")
    if p.changed:
        _line(out, "Changes:")
        if not p.exists:
            _line(out, f"  + create the Page webhook calling {p.callback_url}")
        elif p.callback_changes:
            _line(out, f"  ~ callback: {p.current_callback or '(none)'} -> {p.callback_url}")
        if p.activate:
            _line(out, "  ~ reactivate the webhook")
        if p.exists and p.add:
            _line(out, f"  + fields: {_list(p.add)}")
        if p.remove:
            _line(out, f"  - fields (--replace): {_list(p.remove)}")
        if p.forced and not (p.add or p.remove or p.callback_changes or p.activate or not p.exists):
            _line(out, "  ~ written again (--force), with the current verify token")
    if p.other:
        _line(out, f"  kept (not asked for): {_list(p.other)}  (--replace drops them)", "dim")
    if outcome.status == UNCHANGED:
        _line(out, "Already right: nothing written.")
    elif outcome.status == PLANNED:
        _line(out, "Dry run: nothing was written.")
    elif outcome.status == CHANGED:
        _line(out, f"Done: Meta verified {p.callback_url} and saved the webhook.")
    else:
        _line(out, _FAILED_WORDS[outcome.status], _FAILED_STYLES[outcome.status])
        _line(out, f"  cause: {outcome.cause}")
        if outcome.meaning:
            _line(out, f"  meaning: {outcome.meaning}")
        if outcome.fix:
            _line(out, f"  fix: {outcome.fix}")


@handle_errors
def subscribe_app(
    ctx: typer.Context,
    fields: FieldsOpt = None,
    all_fields: AllFieldsOpt = False,
    replace: ReplaceOpt = False,
    dry_run: DryRunOpt = False,
    force: Annotated[bool, typer.Option("--force", help="Write even when it looks right (e.g. after changing "
                                        "the verify token, which Meta never shows)")] = False,
    domain: DomainOpt = None,
    app_id: AppIdOpt = None,
    graph_url: GraphUrlOpt = None,
    graph_version: GraphVersionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Point the app's Page webhook (/{app-id}/subscriptions) at https://DOMAIN/fb/webhook with the fields.

    Shows what is set now and the difference; writes only when something changes. Meta verifies the callback
    at once (GET with hub.challenge): test the endpoint first with 'fbhub probe-webhook'.
    """
    from fbhub.actions.app_webhook import set_app_webhook
    from fbhub.actions.outcome import exit_code_for_outcomes, proceed

    session = load_session(ctx, **graph_flags(domain, app_id, graph_url, graph_version))
    desired = _desired_fields(session, fields, all_fields)
    dom = session.settings.require("domain")
    session.settings.require("app_id")
    session.secrets.require("app-secret")
    verify_token = session.secrets.require("verify-token")
    client = session.graph_client()
    try:
        # subscribe-app writes without asking (the plan is shown with the outcome; --dry-run shows it first)
        outcome = set_app_webhook(client, dom, desired, verify_token, confirm=proceed, replace=replace, force=force,
                                  dry_run=dry_run)
    finally:
        _close(client)
    code = exit_code_for_outcomes([outcome])
    if as_json:
        from fbhub.cli.common import print_json

        print_json({"command": "subscribe-app", "dry_run": dry_run, **outcome.to_dict(), "exit_code": code})
    else:
        _render_app(outcome, dry_run=dry_run)
    raise typer.Exit(code)


# -- probe -----------------------------------------------------------------------------------------


def _probe_page_id(session: Session) -> str | None:
    pages = session.settings.get("pages") or []
    if pages:
        return str(pages[0]["id"])
    try:
        labels = list(session.secrets.page_tokens())
    except Exception:  # a page id is optional; never fail the probe for it
        labels = []
    return next((lab for lab in labels if lab.isdigit()), None)


def _find_verify_token(session: Session, target: str, configured: str | None, page_tokens: dict[str, str], *,
                       allow_http: bool, insecure: bool, ca_file: str | None, quiet: bool, store: bool) -> Any:
    """Learn which verify token the endpoint accepts; say it and offer to store it. None when not asked."""
    from fbhub.checks.probe import tls_context
    from fbhub.checks.verifytoken import candidates_for, discover
    from fbhub.cli.common import err_line

    if target.startswith("http://") and not allow_http:
        return None
    ctx = None
    if target.startswith("https://"):
        ctx = tls_context(verify=not insecure, ca_file=None if insecure else ca_file)
    cands = candidates_for(configured, page_tokens, list(session.settings.get("pages") or []))
    finding = discover(target, cands, timeout=session.settings["timeout"], ctx=ctx)
    out = _out()

    def say(text: str) -> None:
        if quiet:
            err_line(text)
        else:
            _line(out, text)

    if not finding.reachable:
        say(f"verify token: {finding.lines()[0]}")
        return finding
    say("Which verify token does the endpoint accept?")
    for line in finding.lines():
        say(f"  {line}")
    acc = finding.accepted
    if acc is None or not finding.checks_token or acc.kind == "verify-token":
        if finding.checks_token is False:
            say("  the guide's choice (the Page access token) or any other value will verify; the CX server "
                "should check it")
        return finding
    from fbhub.redact import mask

    interactive = sys.stdin is not None and sys.stdin.isatty() and not quiet
    if store or (interactive and typer.confirm(f"Store {acc.name} ({mask(acc.value)}) as the verify token of "
                                               f"profile {session.settings.profile!r}?", default=False)):
        session.secrets.set("verify-token", acc.value)
        say(f"  stored {acc.name} ({mask(acc.value)}) as the verify token in {session.secrets.backend_where()}")
    else:
        say("  to use it as the verify token: fbhub probe-webhook --store-verify-token")
    return finding


@handle_errors
def probe_webhook(
    ctx: typer.Context,
    url: Annotated[str | None, typer.Option("--url", help="Webhook URL to probe (default: "
                                            "https://DOMAIN/fb/webhook)", show_default=False)] = None,
    check_signature: Annotated[bool, typer.Option("--check-signature", help="Also send a wrongly signed event: it "
                                                  "should be refused (FB804)")] = False,
    allow_http: Annotated[bool, typer.Option("--allow-http", help="Probe a plain http:// URL (a test server); "
                                             "Meta itself only calls https")] = False,
    insecure: Annotated[bool, typer.Option("--insecure", help="Do not verify the TLS certificate (FB805 "
                                           "skipped)")] = False,
    ca_file: Annotated[str | None, typer.Option("--ca-file", help="Trust this CA bundle (PEM) as well, e.g. a "
                                                "private CA in a test setup", show_default=False)] = None,
    timeout: Annotated[float | None, typer.Option("--timeout", help="Seconds to wait for each answer (default: "
                                                  "the profile's timeout)", show_default=False)] = None,
    store_verify_token: Annotated[bool, typer.Option(
        "--store-verify-token", help="Store the value the endpoint accepts as the verify token without asking "
                                     "(on a terminal fbhub asks)")] = False,
    domain: DomainOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Call the CX server's webhook as Meta would: first find which verify token it accepts (a random one, the
    configured one, each Page token), then the verification handshake, a wrong verify token, a signed
    Messenger event (timed), optionally a forged event, and the TLS certificate (checks FB801-FB805).

    Sends one synthetic 'messages' event (from a made-up sender) that the CX server may log.
    Exit codes: 0 no failure, 1 a check failed, 2 usage/config, 3 the endpoint could not be reached.
    """
    import time

    from fbhub.checks.model import exit_code_for
    from fbhub.checks.probe import probe, shown_url
    from fbhub.errors import UsageError
    from fbhub.meta.urls import webhook_url
    from fbhub.report import ReportMeta, emit

    session = load_session(ctx, **graph_flags(domain, None, None, None, timeout=timeout))  # --timeout is the setting
    target = url or webhook_url(session.settings.require("domain"))
    if insecure and ca_file:
        raise UsageError("--insecure and --ca-file cannot be used together", hint="give one of them")
    configured = session.secrets.get("verify-token")
    page_tokens = session.secrets.page_tokens()
    if not configured and not page_tokens:
        session.secrets.require("verify-token")
    app_secret = session.secrets.get("app-secret")
    t0 = time.monotonic()
    finding = _find_verify_token(session, target, configured, page_tokens, allow_http=allow_http, insecure=insecure,
                                 ca_file=ca_file, quiet=as_json, store=store_verify_token)
    verify_token = configured
    if finding is not None and finding.accepted is not None and finding.checks_token:
        verify_token = finding.accepted.value
    results = probe(target, verify_token=verify_token, app_secret=app_secret, check_signature=check_signature,
                    allow_http=allow_http, timeout=session.settings["timeout"], verify_tls=not insecure,
                    ca_file=ca_file, page_id=_probe_page_id(session))
    code = exit_code_for(results)
    extra: dict[str, Any] = {"url": shown_url(target)}
    if finding is not None:
        extra["verify_token"] = finding.to_dict()
    meta = ReportMeta(command="probe-webhook", profile=session.settings.profile, duration_s=time.monotonic() - t0,
                      extra=extra)
    emit(results, meta, fmt="json" if as_json else "text", exit_code=code)
    raise typer.Exit(code)
