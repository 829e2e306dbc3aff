"""fbhub secrets set | list | delete"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from fbhub.cli import completion
from fbhub.cli.common import JsonOpt, confirm_or_refuse, globals_of, handle_errors, print_json

app = typer.Typer(help="Store secrets in the OS keyring, or a private file where there is none (never in the "
                  "config file). Without a subcommand: which store is in use and what it holds (masked).",
                  invoke_without_command=True)


@app.callback()
def _secrets(ctx: typer.Context) -> None:
    """Store secrets in the OS keyring, or a private file where there is none (never in the config file).

    Without a subcommand: which store is in use and what it holds, masked (as 'fbhub secrets list')."""
    if ctx.invoked_subcommand is None:
        list_(ctx, as_json=False)

KindArg = Annotated[str, typer.Argument(help="app-secret, page-token, verify-token or user-token", metavar="KIND",
                                        autocompletion=completion.secret_kinds)]


def _kind(kind: str) -> str:
    from fbhub.errors import UsageError
    from fbhub.secrets import KINDS

    if kind not in KINDS:
        raise UsageError(f"unknown secret {kind!r}", hint="choose one of: " + ", ".join(KINDS))
    return kind


def read_secret_input(label: str) -> str:
    """A hidden prompt on a terminal; otherwise standard input (one trailing newline is the terminator).

    Never a command-line argument: other users can read those in ``ps``.
    """
    if sys.stdin is not None and sys.stdin.isatty():
        return typer.prompt(label, hide_input=True)
    data = sys.stdin.read() if sys.stdin is not None else ""
    if data.endswith("\r\n"):
        data = data[:-2]
    elif data.endswith("\n"):
        data = data[:-1]
    return data


def _store(ctx: typer.Context, *, creates_profile: bool = False):
    from fbhub.errors import ConfigError
    from fbhub.secrets import SecretStore
    from fbhub.settings import parse_secret_store, resolve, resolve_config_path, resolve_profile

    g = globals_of(ctx)
    try:
        return SecretStore.for_settings(resolve({}, profile=g.profile, config_path=g.config,
                                                known_profile=not creates_profile))
    except ConfigError:
        # A config file that cannot be read does not lock the operator out of their secrets: the store is then
        # chosen by FBHUB_SECRET_STORE (or automatically), next to that file.
        import os

        choice = parse_secret_store(os.environ.get("FBHUB_SECRET_STORE") or "auto")
        return SecretStore(resolve_profile(g.profile), store=choice,
                           directory=resolve_config_path(g.config).parent)


def _page_names(ctx: typer.Context) -> dict[str, str]:
    """Page id -> name from the profile's settings (empty when they cannot be read)."""
    from fbhub.errors import FbhubError
    from fbhub.settings import resolve

    g = globals_of(ctx)
    try:
        pages = resolve({}, profile=g.profile, config_path=g.config).get("pages") or []
    except FbhubError:
        return {}
    return {str(p["id"]): str(p.get("name") or "") for p in pages}


@app.command("set")
@handle_errors
def set_(
    ctx: typer.Context,
    kind: KindArg,
    page: Annotated[str | None, typer.Option("--page", help="Page ID the page token belongs to")] = None,
    generate: Annotated[bool, typer.Option("--generate", help="verify-token: generate a strong random one")] = False,
) -> None:
    """Store a secret, read from a hidden prompt or from standard input."""
    from fbhub.errors import UsageError
    from fbhub.redact import mask
    from fbhub.secrets import KINDS, split_tokens
    from fbhub.settings import parse_page_id

    kind = _kind(kind)
    store = _store(ctx, creates_profile=True)
    if page is not None:
        if kind != "page-token":
            raise UsageError("--page only goes with page-token", hint="fbhub secrets set page-token --page ID")
        page = parse_page_id(page)
    if generate:
        if kind != "verify-token":
            raise UsageError("--generate only goes with verify-token", hint="fbhub secrets set verify-token --generate")
        import secrets as pysecrets

        value = pysecrets.token_urlsafe(32)
    else:
        value = read_secret_input(KINDS[kind].label)
    if kind == "page-token" and not page:
        tokens = split_tokens(value) if value.strip() else [value]
    else:
        tokens = [value]
    if not tokens or tokens == [""]:
        raise UsageError(f"no {KINDS[kind].label} was given", hint="type or pipe the value on standard input")
    # every value is validated before any is stored (one bad token of three stores nothing)
    labels = store.set_many(kind, [(tok, page) for tok in tokens])
    from fbhub.cli.common import console
    from fbhub.wrap import say

    out = console()
    for tok, label in zip(tokens, labels, strict=True):
        where = f" as {label}" if kind == "page-token" else ""
        say(out, f"stored {KINDS[kind].label} {mask(tok.strip())}{where} in {store.backend_where()} "
                 f"(profile {store.profile})")
    if generate:
        say(out, "to paste it into Meta's dashboard and the CX server: fbhub secrets show verify-token --reveal")


@app.command("show")
@handle_errors
def show(
    ctx: typer.Context,
    kind: KindArg,
    reveal: Annotated[bool, typer.Option("--reveal", help="Print the value itself (only on a terminal), e.g. "
                                         "to paste the verify token into Meta's dashboard")] = False,
) -> None:
    """Show one secret, masked; with --reveal the value itself, on a terminal only (never into a pipe or file)."""
    from fbhub.errors import UsageError
    from fbhub.redact import mask

    kind = _kind(kind)
    store = _store(ctx)
    if kind == "page-token":
        raise UsageError("page tokens are listed by 'fbhub secrets list'", hint="fbhub secrets list")
    value = store.require(kind)
    if not reveal:
        typer.echo(f"{kind}: {mask(value)} ({store.source(kind)})")
        return
    if not sys.stdout.isatty():
        raise UsageError("refusing to print a secret into a pipe or a file",
                         hint="run it on a terminal, or read the value from where it was set")
    sys.stdout.write(value + "\n")  # deliberately unredacted: the operator asked to see it


@app.command("list")
@handle_errors
def list_(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Show which secrets are set (masked) and where they come from."""
    from fbhub.redact import mask
    from fbhub.secrets import KINDS

    store = _store(ctx)
    rows = []
    for kind, k in KINDS.items():
        if kind == "page-token":
            from fbhub.secrets import token_name

            names = _page_names(ctx)
            for n, (label, tok) in enumerate(store.page_tokens().items(), 1):
                pid = label if label.isdigit() else None
                rows.append({"secret": kind, "label": label, "value": mask(tok), "source": store.source(kind),
                             "name": token_name(tok, page_id=pid, page_name=names.get(label), position=n)})
            if not any(r["secret"] == kind for r in rows):
                rows.append({"secret": kind, "label": "", "value": None, "source": "not set", "env": k.env})
            continue
        v = store.get(kind)
        rows.append({"secret": kind, "label": "", "value": mask(v) if v else None,
                     "source": store.source(kind) if v else "not set", "env": k.env})
    in_use = store.store_info()
    if as_json:
        print_json({"profile": store.profile, "store": in_use, "secrets": rows,
                    "keyring_problem": store.keyring_problem})
        return
    from fbhub.cli.common import console
    from fbhub.wrap import say

    out = console()
    say(out, f"store: {store.describe()}")
    for r in rows:
        if r.get("name"):  # a Page token: its one name (Page, or position) with the mask
            say(out, f"{r['secret']}: {r['name']}  ({r['source']})")
            continue
        label = f" [{r['label']}]" if r["label"] else ""
        say(out, f"{r['secret']}{label}: {r['value'] or '(not set)'}  ({r['source']})")
    if store.keyring_problem:
        say(out, f"note: the secret store cannot be used ({store.keyring_problem}); "
                 "set FBHUB_APP_SECRET, FBHUB_PAGE_TOKENS and FBHUB_VERIFY_TOKEN (or their _FILE) instead")


@app.command("delete")
@handle_errors
def delete(
    ctx: typer.Context,
    kind: KindArg,
    page: Annotated[str | None, typer.Option("--page", help="Only this page token (label or page ID)")] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation")] = False,
) -> None:
    """Delete a secret from the store (the OS keyring or the private file)."""
    from fbhub.secrets import KINDS

    kind = _kind(kind)
    store = _store(ctx)
    what = KINDS[kind].label + (f" {page}" if page else "s" if kind == "page-token" else "")
    if not yes:
        confirm_or_refuse(f"Delete the {what} of profile {store.profile}?",
                          refusal=f"refusing to delete the {what} without confirmation", hint="add --yes", err=False)
    n = store.delete(kind, label=page)
    typer.echo(f"deleted {n} secret(s): {what} (profile {store.profile})" if n else f"no {what} was stored")
