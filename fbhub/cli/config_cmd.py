"""fbhub config show | set | unset | path"""

from __future__ import annotations

from typing import Annotated

import typer

from fbhub.cli.common import JsonOpt, globals_of, handle_errors, print_json

app = typer.Typer(help="Show and change settings (profiles in a YAML file; secrets live in the keyring).",
                  no_args_is_help=True)


_VALUE_COLUMN = 40  # characters: the widest value the value column is made for


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
    from rich.text import Text

    from fbhub.cli.common import console
    from fbhub.wrap import say

    table: list[tuple[str, str, str, str]] = []
    for r in rows:
        v = r["value"]
        if isinstance(v, list):
            v = ", ".join(f"{p['id']}:{p['name']}" if isinstance(p, dict) else str(p) for p in v) or "(none)"
        table.append((str(r["name"]), "(not set)" if v is None else str(v), str(r["source"]), str(r["env"])))
    for r in secrets:
        table.append((str(r["name"]), str(r["value"] or "(not set)"), str(r["source"]), str(r["env"])))
    out = console()
    say(out, Text.assemble("profile ", (s.profile, "bold"), f" · config file {s.config_path}"))
    # Columns as a table, each row one line: on a terminal a long row wraps under the value column.
    head = ("setting", "value", "from", "env")
    widths = [max(len(row[i]) for row in [head, *table] if i != 1 or len(row[i]) <= _VALUE_COLUMN)
              for i in range(3)]  # a longer value pushes its row's last columns along instead of all rows'
    indent = widths[0] + 2

    def row_text(cells: tuple[str, str, str, str], style: str = "") -> Text:
        # values are data, never markup: a Page named "[link=…]" or "[/]" is shown as typed
        return Text("  ".join([*(c.ljust(w) for c, w in zip(cells[:3], widths, strict=True)), cells[3]]).rstrip(),
                    style=style)

    say(out, row_text(head, "bold"), indent=indent)
    for cells in table:
        say(out, row_text(cells), indent=indent)
    if session.secrets.keyring_problem:
        say(out, f"note: no usable OS keyring ({session.secrets.keyring_problem}); use the FBHUB_* variables")


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
