"""fbhub urls [DOMAIN]"""

from __future__ import annotations

from typing import Annotated

import typer

from fbhub.cli.common import JsonOpt, handle_errors, print_json


@handle_errors
def urls(
    ctx: typer.Context,
    domain: Annotated[str | None, typer.Argument(help="CX domain (default: the profile's domain)",
                                                 show_default=False)] = None,
    as_json: JsonOpt = False,
) -> None:
    """The redirect, webhook and admin URLs for a domain, each labelled with where it is pasted."""
    from fbhub.checks.verifytoken import current_choice
    from fbhub.cli.common import err_line, load_session
    from fbhub.errors import FbhubError
    from fbhub.meta.domain import parse_domain
    from fbhub.meta.urls import VERIFY_TOKEN_WHERE, paste_values
    from fbhub.redact import mask

    session = None
    if domain is None:
        session = load_session(ctx)
        domain = session.settings.require("domain")
    d = parse_domain(domain)
    for w in d.warnings:
        err_line(f"warning: {w}")
    values = paste_values(d.host)
    choice = None
    try:
        session = session or load_session(ctx)
        choice = current_choice(session.secrets, list(session.settings.get("pages") or []))
    except FbhubError as exc:  # the URLs do not depend on it: say why the line is missing, still print them
        err_line(f"note: the verify token could not be read ({exc.message})")
    if as_json:
        doc = {"domain": d.host, "warnings": list(d.warnings),
               "urls": {v.key: {"label": v.label, "value": v.value, "where": v.where} for v in values}}
        if choice is not None:
            doc["verify_token"] = {"label": "Verify Token", "value": mask(choice.value) if choice.value else None,
                                   "source": choice.source, "kind": choice.kind, "where": VERIFY_TOKEN_WHERE}
        print_json(doc)
        return
    from fbhub.cli.common import console
    from fbhub.safetext import markup

    out = console()

    def say(text: str) -> None:
        from rich.text import Text

        from fbhub.wrap import say as wrapped  # with a hanging indent on a terminal, not in a pipe

        wrapped(out, Text.from_markup(text))

    say(f"Values for [bold]{markup(d.host)}[/]\n")
    for v in values:
        say(f"[bold]{v.label}[/]")
        say(f"  {markup(v.value)}")
        say(f"  [dim]→ {v.where}[/]")
        if v.key == "webhook_callback_url" and choice is not None:
            say("[bold]Verify Token[/]")
            say(f"  {mask(choice.value) if choice.value else '(not set)'}  [dim]({markup(choice.source)})[/]")
            if choice.value:
                say(f"  [dim]→ {VERIFY_TOKEN_WHERE}; the value itself: fbhub secrets show verify-token --reveal[/]"
                    if choice.kind == "verify-token" else f"  [dim]→ {VERIFY_TOKEN_WHERE}[/]")
