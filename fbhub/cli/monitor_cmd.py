"""fbhub monitor: doctor on a schedule, served to Prometheus (/metrics, /healthz)."""

from __future__ import annotations

from typing import Annotated

import typer

from fbhub.cli.common import (
    AppIdOpt,
    DomainOpt,
    GraphUrlOpt,
    GraphVersionOpt,
    err_line,
    globals_of,
    graph_flags,
    handle_errors,
)


@handle_errors
def monitor(
    ctx: typer.Context,
    listen: Annotated[str, typer.Option("--listen", help="HOST:PORT to serve /metrics and /healthz on")
                      ] = "127.0.0.1:9464",
    interval: Annotated[str, typer.Option("--interval", help="Time between doctor runs: 30s, 5m, 1h")] = "5m",
    all_profiles: Annotated[bool, typer.Option("--all-profiles", help="Check every profile of the config file")
                            ] = False,
    profiles: Annotated[str | None, typer.Option("--profile", "-p", help="Profile, or several: a,b",
                                                 show_default=False)] = None,
    probe: Annotated[bool, typer.Option("--probe", help="Also probe the webhook endpoint (FB8xx)")] = False,
    domain: DomainOpt = None,
    app_id: AppIdOpt = None,
    graph_url: GraphUrlOpt = None,
    graph_version: GraphVersionOpt = None,
) -> None:
    """Serve doctor's results to Prometheus: run doctor every --interval (never per scrape) and serve the last
    result on /metrics; /healthz says whether the schedule keeps time.

    Runs less often while Meta's usage headers are over 75 %. One log line per run on stderr. SIGTERM or
    Ctrl-C stops it at once. Exit 2 when the options, the profiles or the address are wrong.
    """
    from fbhub.cli.checks_cmd import profile_checker
    from fbhub.monitoring.exporter import parse_interval, parse_listen, serve
    from fbhub.profiles import run_profiles, select_profiles
    from fbhub.settings import resolve_config_path, resolve_profile

    seconds = parse_interval(interval)
    host, port = parse_listen(listen)
    g = globals_of(ctx)
    spec = profiles or g.profile
    if all_profiles or (spec and "," in spec):
        names = select_profiles(None if all_profiles and not profiles else spec, all_profiles=all_profiles,
                                config_path=resolve_config_path(g.config))
    else:
        names = [resolve_profile(spec)]
    flags = graph_flags(domain, app_id, graph_url, graph_version)
    check = profile_checker(ctx, flags, probe=probe)
    for name in names:  # settings that cannot be read stop it now, not at the first scrape
        check.app_of(name)

    def run_once() -> list[dict]:
        return [o.as_doc() for o in run_profiles(names, check, app_of=check.app_of)]

    serve(run_once, host=host, port=port, interval=seconds, log=err_line,
          describe=f" for profile{'s' if len(names) > 1 else ''} {', '.join(names)}")
