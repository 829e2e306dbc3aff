"""fbhub configure (the guided, resumable checklist) and fbhub review-kit (the App Review kit)."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from fbhub.cli.common import (
    AppIdOpt,
    DomainOpt,
    GraphUrlOpt,
    GraphVersionOpt,
    err_line,
    graph_flags,
    handle_errors,
    load_session,
    print_json,
)


def _check_secret(kind: str, value: str, where: str) -> str:
    from fbhub.redact import register_secret
    from fbhub.secrets import VALIDATORS, split_tokens

    if kind == "page-token":
        toks = [VALIDATORS[kind](t, where) for t in split_tokens(value)]
        register_secret(*toks)
        return " ".join(toks)
    value = VALIDATORS[kind](value, where)
    register_secret(value)
    return value


def _given(pages: list[str] | None, secrets_stdin: bool, store: Any) -> Any:
    """Values handed over up front: --page, FBHUB_* secrets (or their _FILE), and NAME=value lines on stdin."""
    from fbhub.errors import UsageError
    from fbhub.secrets import KINDS
    from fbhub.settings import parse_page_id
    from fbhub.wizard import Given

    given = Given(pages=[parse_page_id(p.strip()) for item in pages or [] for p in item.split(",") if p.strip()])
    for kind in KINDS:
        got = store.env_raw(kind)
        if got and got[0].strip():
            if kind == "page-token":
                given.secrets[kind] = " ".join(store.page_tokens().values())
            else:
                given.secrets[kind] = _check_secret(kind, got[0], got[1])
            given.secret_sources[kind] = got[1].split(" ")[0]
    if secrets_stdin:
        from fbhub.secrets import secret_names

        names = secret_names()
        for n, line in enumerate(sys.stdin.read().splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            name, eq, value = line.partition("=")
            named = names.get(name.strip())
            if not eq or named is None:
                raise UsageError(f"--secrets-stdin line {n}: expected NAME=value with NAME one of FBHUB_APP_SECRET, "
                                 "FBHUB_PAGE_TOKENS, FBHUB_USER_TOKEN, FBHUB_VERIFY_TOKEN",
                                 hint="one secret per line, e.g. FBHUB_APP_SECRET=0123…")
            given.secrets[named] = _check_secret(named, value, f"stdin line {n}")
            given.secret_sources[named] = "stdin"
    return given


def _render_status(out: Any, state: Any, profile: str) -> None:
    from fbhub.wizard.engine import ORDER, STAGES, resume_line

    out.line(f"configure checklist for profile {profile!r} ({state.path})")
    idw, tw = max(len(s.id) for s in STAGES), max(len(s.title) for s in STAGES)
    for i, s in enumerate(STAGES, 1):
        rec = state.record(s.id)
        when = f"  {rec.at}" if rec.at else ""
        note = f"  {rec.note}" if rec.note else ""
        style = {"verified": "green", "done": "green", "skipped": "dim", "pending": "yellow"}[rec.status]
        out.line(f"{i:>2}. {s.id:<{idw}}  {rec.status:<8}  {s.title:<{tw}}{when}{note}", style)
    nxt = state.next_stage(ORDER)
    out.line("")
    out.line("next: " + resume_line(nxt) if nxt else resume_line(None))


def _missing(w: Any, plan: list[Any]) -> list[str]:
    """Everything a non-interactive run lacks, listed at once."""
    ids = {s.id for s in plan}
    missing = []
    if ids & {"domain", "create-app", "messenger", "webhooks"} and not w.values.get("domain"):
        missing.append("CX domain: --domain cx.example.com or FBHUB_DOMAIN")
    if ids & {"create-app", "messenger", "webhooks"}:
        if not w.values.get("app_id"):
            missing.append("App ID: --app-id 1234567890123456 or FBHUB_APP_ID")
        if not w.known_secret("app-secret")[0]:
            missing.append("App Secret: FBHUB_APP_SECRET, or FBHUB_APP_SECRET=… on stdin with --secrets-stdin")
    if "messenger" in ids:
        stored = w.stored_page_tokens()
        configured = [p["id"] for p in w.values.get("pages") or []]
        keep = bool(configured) and all(p in stored for p in configured)
        if not (w.given.secrets.get("page-token") or w.given.secrets.get("user-token") or keep):
            missing.append("Page access tokens: FBHUB_PAGE_TOKENS, or FBHUB_USER_TOKEN to discover the Pages "
                           "(pick them with --page ID)")
    return missing


def _require_store(settings: Any) -> None:
    """Fail before the first question when the secrets typed in could not be stored; say once where they go."""
    from fbhub.errors import SecretStoreError
    from fbhub.secrets import SecretStore

    store = SecretStore.for_settings(settings, env={})
    try:
        store.get("app-secret", quiet=False)
    except SecretStoreError as exc:
        raise SecretStoreError(f"{exc.message}; configure stores the secrets you type there", hint=exc.hint) from None
    store.announce()


@handle_errors
def configure(
    ctx: typer.Context,
    domain: DomainOpt = None,
    app_id: AppIdOpt = None,
    page: Annotated[list[str] | None, typer.Option(
        "--page", help="Page ID to connect (repeatable); with a user token, picks among the discovered Pages",
        show_default=False)] = None,
    graph_url: GraphUrlOpt = None,
    graph_version: GraphVersionOpt = None,
    status: Annotated[bool, typer.Option("--status", help="Show the checklist (done / verified / pending per "
                                                           "stage) and exit")] = False,
    restart: Annotated[bool, typer.Option("--restart", help="Forget the progress of this profile and start over "
                                                             "(config and keyring are kept as defaults)")] = False,
    stage: Annotated[str | None, typer.Option("--stage", help="Run only this stage again (see --status for ids)",
                                              show_default=False)] = None,
    interactive: Annotated[bool | None, typer.Option(
        "--interactive/--non-interactive",
        help="Ask questions, or never ask (values from flags, FBHUB_* variables, --secrets-stdin; exit 2 listing "
             "what is missing). Default: ask when stdin is a terminal", show_default=False)] = None,
    secrets_stdin: Annotated[bool, typer.Option(
        "--secrets-stdin", help="Read NAME=value lines from stdin: FBHUB_APP_SECRET, FBHUB_PAGE_TOKENS, "
                                "FBHUB_USER_TOKEN, FBHUB_VERIFY_TOKEN (implies --non-interactive)")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="With --status: the checklist as JSON")] = False,
) -> None:
    """Walk through the Meta app setup step by step, verifying what the Graph API can verify.

    Progress is kept per profile; run it again to continue where it stopped. Ctrl-C keeps everything as it
    was before the current stage (exit 130).
    """
    from fbhub.cli.common import console
    from fbhub.errors import FbhubError, UsageError
    from fbhub.wizard import BY_ID, NonInteractivePrompter, RichPrompter, Wizard, WizardState, state_path
    from fbhub.wizard.engine import ORDER, VALUE_STAGES, resume_line
    from fbhub.wizard.output import Out

    session = load_session(ctx, creates_profile=True, **graph_flags(domain, app_id, graph_url, graph_version))
    profile = session.settings.profile
    state = WizardState.load(state_path(session.settings.config_path), profile)
    con = console()
    out = Out(con)
    if status:
        if as_json:
            from fbhub.wizard.engine import status_rows

            print_json({"profile": profile, "state_file": str(state.path), "next": state.next_stage(ORDER),
                        "stages": status_rows(state)})
        else:
            _render_status(out, state, profile)
        return
    if as_json:
        raise UsageError("--json goes with --status", hint="fbhub configure --status --json")
    if stage is not None and stage not in BY_ID:
        raise UsageError(f"unknown stage {stage!r}", hint="choose one of: " + ", ".join(ORDER))
    if interactive and secrets_stdin:
        raise UsageError("--secrets-stdin reads stdin, so configure cannot also ask questions there",
                         hint="drop --interactive, or give secrets through FBHUB_* variables")
    if interactive is None:
        interactive = not secrets_stdin and sys.stdin is not None and sys.stdin.isatty()
        if not interactive and not secrets_stdin:
            err_line("stdin is not a terminal: running non-interactively (values from flags, FBHUB_* variables or "
                     "--secrets-stdin)")
    if not interactive and stage is not None and stage not in VALUE_STAGES:
        raise UsageError(f"stage {stage!r} needs the operator's confirmation",
                         hint="run it in a terminal, where it can ask")
    given = _given(page, secrets_stdin, session.secrets)
    if interactive:
        _require_store(session.settings)
    if restart:
        state.reset()
        state.save()
        out.line(f"progress of profile {profile!r} cleared; the stored values are offered as defaults")
    prompter = RichPrompter(con) if interactive else NonInteractivePrompter()
    w = Wizard(session, prompter, con, given=given, state=state, stdout_is_tty=sys.stdout.isatty())
    try:
        plan = w.plan(stage=stage)
        if interactive:
            done = [s for s in ORDER if state.record(s).complete]
            if not plan:
                _render_status(out, state, profile)
                return
            out.line(f"fbhub configure · profile {profile!r} · config {session.settings.config_path}")
            if done and stage is None:
                out.line(f"{len(done)} of {len(ORDER)} stages complete; continuing at stage {plan[0].id} "
                         f"({plan[0].title}).")
        else:
            missing = _missing(w, plan)
            if missing:
                from fbhub.wizard import NeedsInput

                raise NeedsInput(missing)
        w.run(stage=stage)
    except KeyboardInterrupt:
        here = w.running.id if w.running else state.next_stage(ORDER)
        from fbhub import changes

        err_line("")
        rec = changes.snapshot()
        if rec.done or rec.uncertain:  # stopped while saving the stage: say exactly what was stored
            err_line(f"interrupted{f' at stage {here}' if here else ''} while saving it:")
            for line in rec.lines()[1:]:
                err_line(line)
        else:
            err_line(f"interrupted{f' at stage {here}' if here else ''}: nothing of this stage was saved; the "
                     "config is as it was before it")
        err_line(resume_line(here, here=True))
        raise typer.Exit(130) from None
    except FbhubError as exc:
        from fbhub.wizard.output import in_wizard

        err_line(f"error: {exc.message}")
        if exc.hint:
            err_line(f"hint: {in_wizard(exc.hint)}")
        if w.running is not None:
            err_line(resume_line(w.running.id, here=True))
        raise typer.Exit(exc.exit_code) from None
    finally:
        w.close()
    nxt = state.next_stage(ORDER)
    if interactive:
        from fbhub.wizard.engine import still_open

        out.line("")
        open_items = still_open(state, w)
        if nxt:
            out.line(resume_line(nxt, here=True))
        elif open_items:
            out.line("every stage ran, but these are still open:", "yellow")
            for item in open_items:
                out.line(f"  - {item}", "yellow")
        else:
            out.line("every stage is complete and verified where the Graph API can tell ('fbhub configure --status' "
                     "shows the checklist)")
        return
    pending_manual = [s for s in ORDER if s not in VALUE_STAGES and not state.record(s).complete]
    unverified = [s for s in VALUE_STAGES if (stage is None or s == stage) and not state.record(s).complete]
    out.line("")
    out.line(f"saved profile {profile!r}: " + ", ".join(
        f"{s} {state.record(s).status}" for s in VALUE_STAGES if stage is None or s == stage))
    from fbhub.secrets import SecretStore, token_name

    store = SecretStore.for_settings(session.settings, env={})  # what was stored, not what the environment says
    stored = store.page_tokens()
    if stored:
        names = {p["id"]: p.get("name") or "" for p in w.values.get("pages") or []}
        out.line(f"secrets in {store.describe()}; Page tokens: " + ", ".join(
            token_name(t, page_id=lab if lab.isdigit() else None, page_name=names.get(lab), position=n)
            for n, (lab, t) in enumerate(stored.items(), 1)))
    for s in unverified:
        out.line(f"! stage {s} is not verified yet: {state.record(s).note}", "yellow")
    if pending_manual:
        out.line("still to confirm by running it in a terminal: " + ", ".join(pending_manual))


@handle_errors
def review_kit(
    ctx: typer.Context,
    output: Annotated[str | None, typer.Option("--output", "-o", help="Markdown file to write "
                                               "(default: app-review-<profile>.md)", show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the output file if it exists")] = False,
    domain: DomainOpt = None,
    app_id: AppIdOpt = None,
    graph_url: GraphUrlOpt = None,
    graph_version: GraphVersionOpt = None,
) -> None:
    """Write the App Review kit: required app settings (checked live), permission texts, test instructions."""
    from pathlib import Path

    from fbhub import reviewkit
    from fbhub.errors import UsageError

    session = load_session(ctx, **graph_flags(domain, app_id, graph_url, graph_version))
    s = session.settings
    from fbhub.configfile import is_special_output

    path = Path(output or f"app-review-{s.profile}.md")
    if path.exists() and not force and not is_special_output(path):
        raise UsageError(f"{path} already exists", hint="pass --force to overwrite it, or --output another file")
    live = reviewkit.read_live_settings(session)
    if live.warning:
        err_line(f"warning: {live.warning}")
    rows, app_name, inconclusive = live.rows, live.app_name, live.inconclusive
    text = reviewkit.render(profile=s.profile, domain=s.get("domain"), app_id=s.get("app_id"), app_name=app_name,
                            rows=rows, pages=list(s.get("pages") or []))
    reviewkit.write(path, text, force=force)
    missing = [r.label for r in rows if r.state == "missing"]
    from fbhub.cli.common import console
    from fbhub.wrap import say

    say(console(), f"wrote {path}" + (f" ({len(missing)} app setting(s) missing: {', '.join(missing)})"
                                      if missing else ""))
    if inconclusive:
        from fbhub.errors import EXIT_INCONCLUSIVE

        raise typer.Exit(EXIT_INCONCLUSIVE)
