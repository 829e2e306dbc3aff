"""The fbhub command line. This module parses options and renders results; logic lives below it.

Start-up stays fast: no httpx, keyring, yaml or rich import happens until a command needs it.
"""

from __future__ import annotations

from typing import Annotated

import typer

from fbhub import __version__
from fbhub.cli import (
    checks_cmd,
    config_cmd,
    configure_cmd,
    explain_cmd,
    sandbox_cmd,
    secrets_cmd,
    urls_cmd,
    webhooks_cmd,
)
from fbhub.cli.common import GlobalOptions

app = typer.Typer(
    name="fbhub",
    help="Set up and diagnose a CloudCX platform's Facebook Messenger integration.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"fbhub {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit")] = False,
    config: Annotated[str | None, typer.Option("--config", help="Config file (env FBHUB_CONFIG)",
                                               show_default=False)] = None,
    profile: Annotated[str | None, typer.Option("--profile", "-p", help="Profile (env FBHUB_PROFILE; default: default)",
                                                show_default=False)] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log each Graph request (secrets redacted)")] = False,
) -> None:
    ctx.obj = GlobalOptions(config=config, profile=profile, verbose=verbose)


app.add_typer(config_cmd.app, name="config")
app.add_typer(secrets_cmd.app, name="secrets")
app.add_typer(sandbox_cmd.app, name="sandbox")
app.command("demo")(sandbox_cmd.demo)
app.command("configure")(configure_cmd.configure)
app.command("review-kit")(configure_cmd.review_kit)
app.command("urls")(urls_cmd.urls)
app.command("verify-app")(checks_cmd.verify_app)
app.command("doctor")(checks_cmd.doctor)
app.command("explain")(explain_cmd.explain)
app.command("subscribe-page")(webhooks_cmd.subscribe_page)
app.command("unsubscribe-page")(webhooks_cmd.unsubscribe_page)
app.command("subscribe-app")(webhooks_cmd.subscribe_app)
app.command("probe-webhook")(webhooks_cmd.probe_webhook)


def main() -> None:
    app(prog_name="fbhub")
