"""fbhub verify-app and fbhub doctor: run checks from the catalogue and report them."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from fbhub.cli import completion
from fbhub.cli.common import (
    AppIdOpt,
    DomainOpt,
    GraphUrlOpt,
    GraphVersionOpt,
    JsonOpt,
    confirm_or_refuse,
    globals_of,
    graph_flags,
    handle_errors,
    load_session,
)

if TYPE_CHECKING:
    from fbhub.checks.model import Report
    from fbhub.session import Session



def _meta(command: str, session: Session, run: Any, *, strict: bool = False):
    from fbhub.report import meta_for_run

    return meta_for_run(command, session.settings, run, strict=strict)


def _check_format(fmt: str) -> None:
    from fbhub.errors import UsageError
    from fbhub.report import FORMATS

    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}", hint="use one of: " + ", ".join(FORMATS))


def _spinner(enabled: bool):
    """A spinner on stderr while checks run, only on a terminal."""
    import contextlib

    if not enabled or not sys.stderr.isatty():
        return contextlib.nullcontext(lambda label: None)
    from rich.console import Console

    status = Console(stderr=True).status("checking…")

    @contextlib.contextmanager
    def cm():
        with status:
            yield lambda label: status.update(f"{label}…")

    return cm()


@handle_errors
def verify_app(
    ctx: typer.Context,
    domain: DomainOpt = None,
    app_id: AppIdOpt = None,
    graph_url: GraphUrlOpt = None,
    graph_version: GraphVersionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Prove the App ID, App Secret, app settings, app webhook and page tokens against the Graph API.

    Exit code 0 when nothing fails, 1 when something fails, 3 when something could not be checked.
    """
    from fbhub.checks.registry import VERIFY_APP_GROUPS
    from fbhub.checks.runner import run as run_checks
    from fbhub.report import emit

    session = load_session(ctx, **graph_flags(domain, app_id, graph_url, graph_version))
    _require_credentials(session)
    with _spinner(not as_json) as progress:
        session.on_wait = progress
        run = run_checks(session, VERIFY_APP_GROUPS, progress=progress)
    code = run.exit_code()
    emit(run.results, _meta("verify-app", session, run), fmt="json" if as_json else "text", exit_code=code)
    raise typer.Exit(code)


def _drop_self_hints(results: Any, command: str) -> None:
    """Fixes never send the operator to the command they are reading (after --fix: "or 'fbhub doctor --fix'")."""
    import re

    pattern = re.compile(r"\s*(?:\(or '" + re.escape(command) + r"'\)|and '" + re.escape(command) + r"')")
    for r in results:
        if r.fix and command in r.fix:
            r.fix = pattern.sub("", r.fix).rstrip(";, ")


def _not_set_up(session: Session) -> bool:
    """A machine where nothing is set up yet: doctor says so first, points at configure and exits 2 (missing
    setup, as the README's table says) after the report."""
    from fbhub.cli.common import err_line

    s = session.settings
    if s.get("domain") or s.get("app_id") or session.secrets.get("app-secret") or session.secrets.page_tokens():
        return False
    err_line(f"error: fbhub is not set up for profile {s.profile!r} yet: no CX domain, App ID, App Secret or "
             f"Page token in {s.config_path}, the secret store or the environment")
    err_line("hint: run 'fbhub configure' (in CI: set FBHUB_DOMAIN, FBHUB_APP_ID, FBHUB_APP_SECRET and "
             "FBHUB_PAGE_TOKENS)")
    return True


def _require_credentials(session: Session) -> None:
    session.settings.require("app_id")
    session.secrets.require("app-secret")


def _print_catalogue() -> None:
    from fbhub.checks.registry import groups

    for g in groups():
        typer.echo(f"\n{g.title}")
        for c in g.checks:
            per = {"token": " (per token)", "page": " (per page)"}.get(c.per, "")
            typer.echo(f"  {c.id}  {c.title}{per}  [explain: {c.topic}]")


@handle_errors
def doctor(
    ctx: typer.Context,
    domain: DomainOpt = None,
    app_id: AppIdOpt = None,
    graph_url: GraphUrlOpt = None,
    graph_version: GraphVersionOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, json, junit, github, prometheus or nagios",
                                     autocompletion=completion.formats)
                   ] = "text",
    output: Annotated[str | None, typer.Option("--output", "-o", help="Write the report to FILE",
                                               show_default=False)] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too (exit code 1)")] = False,
    only: Annotated[list[str] | None, typer.Option("--only", help="Only these checks (FB501, FB5, or a group)",
                                                   show_default=False)] = None,
    ignore: Annotated[list[str] | None, typer.Option("--ignore", help="Leave out these checks",
                                                     show_default=False)] = None,
    probe: Annotated[bool, typer.Option("--probe", help="Also probe the webhook endpoint (FB8xx)")] = False,
    fix: Annotated[bool, typer.Option("--fix", help="Repair page subscriptions and the app webhook, then "
                                      "check again")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="With --fix: apply without asking")] = False,
    bundle: Annotated[str | None, typer.Option("--bundle", help="Write a support bundle (no secrets) to FILE",
                                               show_default=False)] = None,
    list_: Annotated[bool, typer.Option("--list", help="List the catalogue of checks and exit")] = False,
    all_profiles: Annotated[bool, typer.Option("--all-profiles", help="Check every profile of the config file")
                            ] = False,
    profiles: Annotated[str | None, typer.Option("--profile", "-p", help="Profile, or several: a,b",
                                                 show_default=False)] = None,
) -> None:
    """Run every check at once and say which cause it is and what to do.

    Exit codes: 0 no failure, 1 a failure (or a warning with --strict), 2 usage/config, 3 could not conclude.
    With --format nagios, the plugin exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
    """
    spec = profiles or globals_of(ctx).profile
    if all_profiles or (spec and "," in spec):
        def run() -> None:
            _doctor_profiles(ctx, spec if not all_profiles or profiles else None, all_profiles,
                             graph_flags(domain, app_id, graph_url, graph_version), fmt, output, strict, only, ignore,
                             probe, fix, bundle)
    else:
        if profiles:
            globals_of(ctx).profile = profiles

        def run() -> None:
            _doctor(ctx, domain, app_id, graph_url, graph_version, fmt, output, strict, only, ignore, probe, fix, yes,
                    bundle, list_)
    if fmt == "nagios":
        _as_plugin(run)
    run()


def _doctor_profiles(ctx: typer.Context, spec: str | None, all_profiles: bool, flags: dict[str, Any], fmt: str,
                     output: str | None, strict: bool, only: list[str] | None, ignore: list[str] | None, probe: bool,
                     fix: bool, bundle: str | None) -> None:
    """doctor for several profiles at once: each with its own settings and secrets, one answer, the worst exit."""
    from fbhub.errors import UsageError
    from fbhub.profiles import run_profiles, select_profiles
    from fbhub.report import write_report
    from fbhub.report.multi import render
    from fbhub.settings import resolve_config_path

    _check_format(fmt)
    if fix or bundle:
        raise UsageError(f"{'--fix' if fix else '--bundle'} works on one profile at a time",
                         hint="run it with --profile NAME")
    names = select_profiles(spec, all_profiles=all_profiles, config_path=resolve_config_path(globals_of(ctx).config))
    check = profile_checker(ctx, flags, only=only, ignore=ignore, probe=probe, strict=strict)
    with _spinner(fmt == "text" and output is None) as progress:
        progress(f"checking {len(names)} profiles")
        outcomes = run_profiles(names, check, app_of=check.app_of)
    text, code = render(outcomes, fmt)
    if output:
        write_report(output, text)
        typer.echo(f"report written to {output}", err=True)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    raise typer.Exit(code)


def _as_plugin(run: Any) -> None:
    """Run doctor as a Nagios/Icinga plugin: whatever stops it (a missing setting, a bug, Ctrl-C) is one
    UNKNOWN status line on stdout and exit 3, never another code."""
    from fbhub.errors import FbhubError
    from fbhub.report.nagios import UNKNOWN, unknown

    try:
        run()
    except (typer.Exit, typer.Abort, SystemExit):
        raise
    except FbhubError as exc:
        text, _ = unknown(exc.message + (f" ({exc.hint})" if exc.hint else ""))
    except KeyboardInterrupt:
        text, _ = unknown("interrupted")
    except Exception as exc:  # a bug: still a plugin answer, without a traceback
        text, _ = unknown(f"unexpected {type(exc).__name__} (a bug in fbhub; rerun with FBHUB_DEBUG=1)")
    sys.stdout.write(text)
    sys.stdout.flush()
    raise typer.Exit(UNKNOWN)


def _doctor(ctx: typer.Context, domain: str | None, app_id: str | None, graph_url: str | None,
            graph_version: str | None, fmt: str, output: str | None, strict: bool, only: list[str] | None,
            ignore: list[str] | None, probe: bool, fix: bool, yes: bool, bundle: str | None, list_: bool) -> None:
    from fbhub.checks.registry import doctor_groups, parse_ids, select_groups
    from fbhub.checks.runner import run as run_checks
    from fbhub.report import emit, write_bundle

    if list_:
        _print_catalogue()
        return
    _check_format(fmt)
    only_ids, ignore_ids = parse_ids(only), parse_ids(ignore)
    session = load_session(ctx, **graph_flags(domain, app_id, graph_url, graph_version))
    unset = _not_set_up(session)
    groups = select_groups(doctor_groups() + (["webhook-endpoint"] if probe else []), only=only_ids,
                           ignore=ignore_ids)
    interactive_text = fmt == "text" and output is None
    repair_failures = 0
    with _spinner(interactive_text) as progress:
        session.on_wait = progress
        run = run_checks(session, groups, only=only_ids, ignore=ignore_ids, progress=progress)
    if fix:
        from fbhub.actions.repair import RepairPlan, repair

        def show(plan: RepairPlan) -> None:
            typer.echo("doctor --fix will:", err=True)
            for line in plan.lines():
                typer.echo(f"  - {line}", err=True)

        def confirm(plan: RepairPlan) -> None:
            if not yes:
                confirm_or_refuse("Apply these changes?", refusal="refusing to change Meta's settings without "
                                  "confirmation", hint="add --yes to apply the plan shown above")

        def recheck() -> Report:
            with _spinner(interactive_text) as progress:
                return run_checks(session, groups, only=only_ids, ignore=ignore_ids, progress=progress)

        repaired = repair(session, run, show=show, confirm=confirm, told=lambda line: typer.echo(line, err=True),
                          recheck=recheck)
        if not repaired.applied:
            typer.echo("doctor --fix: nothing fbhub can repair.", err=True)
        run, repair_failures = repaired.report, repaired.plan.failures
        _drop_self_hints(run.results, "fbhub doctor --fix")
    code = run.exit_code(strict)
    if fix and repair_failures and code == 0:
        from fbhub.errors import EXIT_FAILED

        code = EXIT_FAILED  # a repair that failed is a failure even when the checks now pass
    if unset:
        from fbhub.errors import EXIT_USAGE

        code = EXIT_USAGE
    meta = _meta("doctor", session, run, strict=strict)
    emit(run.results, meta, fmt=fmt, output=output, exit_code=code)
    if fmt == "nagios":
        from fbhub.report import to_json_doc
        from fbhub.report.nagios import state_of

        code = state_of(to_json_doc(run.results, meta, exit_code=code))
    if output and output != "-":
        typer.echo(f"report written to {output}", err=True)
    if bundle:
        from fbhub.secrets import KINDS

        secrets_present = {kind: bool(session.secrets.page_tokens() if kind == "page-token"
                                      else session.secrets.get(kind)) for kind in KINDS}
        write_bundle(bundle, run.results, meta, session.settings, secrets_present,
                     exchanges=session.graph_exchanges, transport_notes=session.transport_notes)
        if bundle != "-":
            typer.echo(f"support bundle written to {bundle} (no secret values)", err=True)
    raise typer.Exit(code)


class ProfileChecker:
    """doctor's run for one profile at a time (doctor --all-profiles, fbhub monitor): its own settings, secrets and
    Graph client; ``app_of`` says which Meta app a profile uses (profiles sharing one run one after the other)."""

    def __init__(self, ctx: typer.Context, flags: dict[str, Any], *, only: list[str] | None,
                 ignore: list[str] | None, probe: bool, strict: bool) -> None:
        from fbhub.checks.registry import doctor_groups, parse_ids, select_groups

        self.ctx, self.flags, self.strict = ctx, flags, strict
        self.only, self.ignore = parse_ids(only), parse_ids(ignore)
        self.groups = select_groups(doctor_groups() + (["webhook-endpoint"] if probe else []), only=self.only,
                                    ignore=self.ignore)

    def app_of(self, profile: str) -> tuple[str, str]:
        from fbhub.profiles import scoped_env
        from fbhub.settings import resolve

        s = resolve(self.flags, profile=profile, config_path=globals_of(self.ctx).config, env=scoped_env(profile))
        return str(s["graph_url"]), str(s.get("app_id"))

    def __call__(self, profile: str) -> Any:
        from fbhub.checks.runner import run as run_checks
        from fbhub.profiles import ProfileOutcome
        from fbhub.report import to_json_doc

        session = load_session(self.ctx, profile=profile, **self.flags)
        run = run_checks(session, self.groups, only=self.only, ignore=self.ignore)
        code = run.exit_code(self.strict)
        meta = _meta("doctor", session, run, strict=self.strict)
        return ProfileOutcome(profile=profile, exit_code=code, doc=to_json_doc(run.results, meta, exit_code=code),
                              results=run.results, meta=meta)


def profile_checker(ctx: typer.Context, flags: dict[str, Any], *, only: list[str] | None = None,
                    ignore: list[str] | None = None, probe: bool = False, strict: bool = False) -> ProfileChecker:
    return ProfileChecker(ctx, flags, only=only, ignore=ignore, probe=probe, strict=strict)

