"""fbhub config show | set | unset | path"""

from __future__ import annotations

from typing import Annotated

import typer

from fbhub.cli.common import JsonOpt, globals_of, handle_errors, print_json

app = typer.Typer(help="Show and change settings (profiles in a YAML file; secrets live in the keyring).",
                  no_args_is_help=True)


@app.command("show")
@handle_errors
def show(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Every setting of the profile, where its value came from (flag/env/file/default), and secrets masked."""
    from fbhub.cli.common import load_session
    from fbhub.redact import mask
    from fbhub.secrets import KINDS
    from fbhub.settings import SETTINGS

    session = load_session(ctx)
    s = session.settings
    rows = []
    for name, setting in SETTINGS.items():
        rows.append({"name": name, "value": s.get(name), "source": s.sources[name], "env": setting.env})
    secrets = []
    for kind, k in KINDS.items():
        if kind == "page-token":
            tokens = session.secrets.page_tokens()
            value = ", ".join(f"{lab}={mask(t)}" for lab, t in tokens.items()) if tokens else None
        else:
            v = session.secrets.get(kind)
            value = mask(v) if v else None
        secrets.append({"name": kind, "value": value, "source": session.secrets.source(kind) if value else "not set",
                        "env": k.env})
    if as_json:
        print_json({"profile": s.profile, "config_path": str(s.config_path), "settings": rows, "secrets": secrets,
                    "keyring_problem": session.secrets.keyring_problem})
        return
    from rich.table import Table

    from fbhub.cli.common import console
    from fbhub.safetext import markup

    out = console()
    out.print(f"profile [bold]{markup(s.profile)}[/] · config file {markup(s.config_path)}")
    t = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for col in ("setting", "value", "from", "env"):
        t.add_column(col)
    for r in rows:
        v = r["value"]
        if isinstance(v, list):
            v = ", ".join(f"{p['id']}:{p['name']}" if isinstance(p, dict) else str(p) for p in v) or "(none)"
        # values are data, never markup: a Page named "[link=…]" or "[/]" is shown as typed
        t.add_row(r["name"], "(not set)" if v is None else markup(v), markup(r["source"]), r["env"])
    for r in secrets:
        t.add_row(r["name"], markup(r["value"] or "(not set)"), markup(r["source"]), r["env"])
    out.print(t)
    if session.secrets.keyring_problem:
        out.print(f"note: no usable OS keyring ({markup(session.secrets.keyring_problem)}); use the FBHUB_* variables")


@app.command("set")
@handle_errors
def set_(ctx: typer.Context, key: Annotated[str, typer.Argument(help="Setting name, e.g. domain")],
         value: Annotated[str, typer.Argument(help="New value")]) -> None:
    """Set a setting in the profile (validated; the file is written atomically)."""
    from fbhub.configfile import ConfigFile
    from fbhub.errors import UsageError
    from fbhub.settings import SECRET_FILE_KEYS, SETTINGS, resolve_config_path, resolve_profile, to_file_value

    key = key.replace("-", "_")
    if key in SECRET_FILE_KEYS:
        raise UsageError(f"{key!r} is a secret and is not stored in the config file",
                         hint="use 'fbhub secrets set app-secret' (or page-token / verify-token)")
    if key not in SETTINGS:
        raise UsageError(f"unknown setting {key!r}", hint="known settings: " + ", ".join(SETTINGS))
    g = globals_of(ctx)
    path, profile = resolve_config_path(g.config), resolve_profile(g.profile)
    parsed = SETTINGS[key].parse(value)
    with ConfigFile.edit(path) as cfg:  # one writer at a time; raises (and writes nothing) on a bad file
        cfg.set(profile, key, to_file_value(key, parsed))
    typer.echo(f"{key} = {parsed if not isinstance(parsed, list) else value} (profile {profile}, {path})")


@app.command("unset")
@handle_errors
def unset(ctx: typer.Context, key: Annotated[str, typer.Argument(help="Setting name")]) -> None:
    """Remove a setting from the profile (it falls back to env or default)."""
    from fbhub.configfile import ConfigFile
    from fbhub.errors import UsageError
    from fbhub.settings import SETTINGS, resolve_config_path, resolve_profile

    key = key.replace("-", "_")
    if key not in SETTINGS:
        raise UsageError(f"unknown setting {key!r}", hint="known settings: " + ", ".join(SETTINGS))
    g = globals_of(ctx)
    path, profile = resolve_config_path(g.config), resolve_profile(g.profile)
    with ConfigFile.edit(path) as cfg:
        removed = cfg.unset(profile, key)
    if removed:
        typer.echo(f"{key} removed from profile {profile}")
    else:
        typer.echo(f"{key} was not set in profile {profile}; nothing changed")


@app.command("path")
@handle_errors
def path(ctx: typer.Context) -> None:
    """Print the config file's path."""
    from fbhub.settings import resolve_config_path

    typer.echo(str(resolve_config_path(globals_of(ctx).config)))
