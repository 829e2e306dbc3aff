"""fbhub sandbox serve | scenarios, and fbhub demo."""

from __future__ import annotations

from typing import Annotated

import typer

from fbhub.cli import completion
from fbhub.cli.common import handle_errors

app = typer.Typer(help="A local Graph API simulator, so everything can be tried without Meta.",
                  no_args_is_help=True)


@app.command("serve")
@handle_errors
def serve(
    scenario: Annotated[str, typer.Option("--scenario", "-s", autocompletion=completion.scenarios,
                                          help="Built-in scenario (see 'fbhub sandbox "
                                          "scenarios')")] = "healthy",
    world: Annotated[str | None, typer.Option("--world", help="A world file (YAML) instead of a scenario",
                                              show_default=False)] = None,
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1 (0 = any free port)")] = 8000,
    latency: Annotated[float, typer.Option("--latency", help="Seconds added to every answer")] = 0.0,
    replay: Annotated[str | None, typer.Option("--replay", help="Answer with the Graph exchanges a support "
                                               "bundle recorded (doctor --bundle FILE)", show_default=False)] = None,
) -> None:
    """Serve a simulated Graph API on 127.0.0.1 until Ctrl-C, logging each request (redacted)."""
    from fbhub.errors import UsageError
    from fbhub.sandbox import resolve_scenario, serve_forever

    if world and scenario != "healthy":
        raise UsageError("give either --scenario or --world, not both", hint="fbhub sandbox serve --world FILE")
    if replay and (world or scenario != "healthy"):
        raise UsageError("give either --replay or a scenario / world, not both",
                         hint="fbhub sandbox serve --replay FILE")
    if not 0 <= port <= 65535:
        raise UsageError(f"invalid port {port}", hint="use 0 to 65535 (0 picks a free port)")
    if not 0 <= latency <= 60:
        raise UsageError(f"invalid latency {latency}", hint="give seconds between 0 and 60, e.g. 0.1")
    if replay:
        _serve_replay(replay, port)
        return
    sc = resolve_scenario(world or scenario)

    def ready(sb) -> None:
        op = sb.operator
        typer.echo(f"fbhub sandbox: scenario {sc.name!r} — {sc.summary}")
        typer.echo(f"serving the Graph API simulator at {sb.url} (Ctrl-C to stop)\n")
        typer.echo("Sandbox-only credentials (not real secrets); to point fbhub at it:")
        typer.echo(f"  export FBHUB_GRAPH_URL={sb.url}")
        typer.echo(f"  export FBHUB_APP_ID={op.app_id}")
        typer.echo(f"  export FBHUB_APP_SECRET={op.app_secret}")
        if op.page_tokens:
            typer.echo(f"  export FBHUB_PAGE_TOKENS={','.join(op.page_tokens)}")
        if op.verify_token:
            typer.echo(f"  export FBHUB_VERIFY_TOKEN={op.verify_token}")
        typer.echo(f"  export FBHUB_DOMAIN={op.domain}")
        if op.user_token:
            typer.echo(f"  export FBHUB_USER_TOKEN={op.user_token}")
        typer.echo("then: fbhub doctor\n", nl=True)

    import errno

    try:
        serve_forever(sc, port=port, latency=latency, log=lambda line: typer.echo(line, err=True), on_ready=ready)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(f"port {port} on 127.0.0.1 is already in use (another sandbox or server)",
                             hint="pick another with --port N, or --port 0 for any free port") from None
        if exc.errno == errno.EACCES:
            raise UsageError(f"port {port} needs privileges this user does not have",
                             hint="use a port above 1023 with --port N, or --port 0 for any free port") from None
        raise
    typer.echo("sandbox stopped", err=True)


def _serve_replay(bundle: str, port: int) -> None:
    import threading

    from fbhub.sandbox.replay import run_replay

    with run_replay(bundle, port=port, log=lambda line: typer.echo(line, err=True)) as sb:
        n = len(sb.graph.exchanges)
        typer.echo(f"fbhub sandbox: replaying {n} recorded Graph exchanges of {bundle}")
        typer.echo(f"serving at {sb.url} (Ctrl-C to stop); point fbhub at it with any credentials:")
        typer.echo(f"  export FBHUB_GRAPH_URL={sb.url}")
        typer.echo("then run the command of the bundle (e.g. fbhub doctor)\n")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    typer.echo("sandbox stopped", err=True)


@app.command("scenarios")
@handle_errors
def scenarios() -> None:
    """List the built-in scenarios, one line each."""
    from fbhub.sandbox import SCENARIOS

    for name, summary in SCENARIOS.summaries().items():
        typer.echo(f"{name:32} {summary}")


@handle_errors
def demo(
    scenario: Annotated[str, typer.Option("--scenario", "-s", help="Scenario to rehearse",
                                          autocompletion=completion.scenarios)] = "demo",
    latency: Annotated[float, typer.Option("--latency", help="Seconds added to every simulated answer")] = 0.0,
    no_fix: Annotated[bool, typer.Option("--no-fix", help="Only diagnose, do not show the repair")] = False,
) -> None:
    """See fbhub work in one command: diagnose a simulated setup with realistic problems, then fix it."""
    from fbhub.cli.common import console
    from fbhub.demo import run_demo

    raise typer.Exit(run_demo(console(), scenario=scenario, latency=latency, fix=not no_fix))
