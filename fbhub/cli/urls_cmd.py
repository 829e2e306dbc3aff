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
    from fbhub.cli.common import err_line, load_context
    from fbhub.domain import parse_domain
    from fbhub.urls import paste_values

    if domain is None:
        domain = load_context(ctx).settings.require("domain")
    d = parse_domain(domain)
    for w in d.warnings:
        err_line(f"warning: {w}")
    values = paste_values(d.host)
    if as_json:
        print_json({"domain": d.host, "warnings": list(d.warnings),
                    "urls": {v.key: {"label": v.label, "value": v.value, "where": v.where} for v in values}})
        return
    from fbhub.cli.common import console

    out = console()
    out.print(f"Values for [bold]{d.host}[/]\n")
    for v in values:
        out.print(f"[bold]{v.label}[/]")
        out.print(f"  {v.value}", soft_wrap=True)
        out.print(f"  [dim]→ {v.where}[/]", soft_wrap=True)
