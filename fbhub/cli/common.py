"""What every command shares: global options, the context, option declarations, error rendering.

Kept light: importing this module must not import httpx, keyring, yaml or rich.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from fbhub.errors import EXIT_FAILED, FbhubError

if TYPE_CHECKING:
    from rich.console import Console

    from fbhub.session import Session

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class GlobalOptions:
    config: str | None = None
    profile: str | None = None
    verbose: bool = False
    graph_transport: str | None = None


def globals_of(ctx: typer.Context) -> GlobalOptions:
    root = ctx.find_root()
    obj = root.obj
    return obj if isinstance(obj, GlobalOptions) else GlobalOptions()


def err_line(text: str) -> None:
    """One line on stderr, secrets redacted."""
    from fbhub.redact import redact

    sys.stderr.write(redact(text) + "\n")
    sys.stderr.flush()


def load_session(ctx: typer.Context, *, profile: str | None = None, creates_profile: bool = False,
                 **flags: Any) -> Session:
    """Resolve settings (flag > env > file > default) and open the secret store for this command.

    ``profile`` overrides the global one (doctor --all-profiles). Profile-scoped variables
    (``FBHUB_<PROFILE>_APP_SECRET`` …) win over plain ones (``fbhub.profiles.scoped_env``).
    The profile must exist in the config file unless the command creates it (``creates_profile``)."""
    from fbhub.profiles import scoped_env
    from fbhub.session import Session
    from fbhub.settings import resolve_profile

    g = globals_of(ctx)
    if g.graph_transport is not None:
        flags = {"graph_transport": g.graph_transport, **flags}
    name = resolve_profile(profile or g.profile)
    origin = "--profile" if (profile or g.profile) else "FBHUB_PROFILE"
    tag = "[fbhub]" if profile is None else f"[fbhub {name}]"
    return Session.open(flags, profile=name, config_path=g.config, env=scoped_env(name), verbose=g.verbose,
                        log=lambda line: err_line(f"{tag} {line}"),
                        known_profile=None if creates_profile else origin)


def _changes_made_before_stopping() -> None:
    """After an error: what the command had already changed (so "error" never reads as "nothing happened")."""
    from fbhub import changes

    rec = changes.snapshot()
    if rec.done or rec.uncertain:
        for line in rec.lines(verb="stopped"):
            err_line(line)


def stdin_is_terminal() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def refuse_unless_terminal(refusal: str, *, hint: str) -> None:
    """A change that needs a person's yes is refused, with ``refusal`` and ``hint``, when stdin is no terminal."""
    if not stdin_is_terminal():
        from fbhub.errors import UsageError

        raise UsageError(refusal, hint=hint)


def confirm_or_refuse(question: str, *, refusal: str, hint: str, err: bool = True) -> None:
    """The one confirmation before a change: ask on a terminal (no = abort, nothing changed), refuse elsewhere."""
    refuse_unless_terminal(refusal, hint=hint)
    typer.confirm(question, abort=True, err=err)


def handle_errors(fn: F) -> F:
    """Render expected failures as one line (plus hint) with their exit code; never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from fbhub import changes
        from fbhub.graph.limits import interrupts

        changes.reset()

        try:
            with interrupts():  # Ctrl-C stops worker threads too (their requests end within a second)
                return fn(*args, **kwargs)
        except FbhubError as exc:
            err_line(f"error: {exc.message}")
            if exc.hint:
                err_line(f"hint: {exc.hint}")
            _changes_made_before_stopping()
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            for line in changes.snapshot().lines():
                err_line(line)
            raise typer.Exit(130) from None
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except BrokenPipeError:  # output piped into e.g. `head`: stop quietly
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(EXIT_FAILED) from None
        except Exception as exc:  # a bug: still no traceback (secrets could be in locals/args)
            if os.environ.get("FBHUB_DEBUG"):
                raise
            err_line(f"error: unexpected {type(exc).__name__}: {exc}")
            err_line("hint: this is a bug in fbhub; rerun with FBHUB_DEBUG=1 to see the traceback")
            _changes_made_before_stopping()
            raise typer.Exit(EXIT_FAILED) from None

    return wrapper  # type: ignore[return-value]


# -- option declarations shared by commands (one place each) -------------------------------------
DomainOpt = Annotated[str | None, typer.Option("--domain", help="CX domain (env FBHUB_DOMAIN)", show_default=False)]
AppIdOpt = Annotated[str | None, typer.Option("--app-id", help="Meta App ID (env FBHUB_APP_ID)", show_default=False)]
GraphUrlOpt = Annotated[
    str | None, typer.Option("--graph-url", help="Graph API base URL (env FBHUB_GRAPH_URL)", show_default=False)
]
GraphVersionOpt = Annotated[
    str | None,
    typer.Option("--graph-version", help="Graph API version, e.g. v24.0 (env FBHUB_GRAPH_VERSION)",
                 show_default=False),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout")]


def graph_flags(domain: str | None = None, app_id: str | None = None, graph_url: str | None = None,
                graph_version: str | None = None, **more: Any) -> dict[str, Any]:
    return {"domain": domain, "app_id": app_id, "graph_url": graph_url, "graph_version": graph_version, **more}


def console(*, stderr: bool = False) -> Console:
    """A rich Console: colour on a terminal, plain when piped or NO_COLOR is set."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def print_json(data: Any) -> None:
    import json

    from fbhub.redact import redact

    sys.stdout.write(redact(json.dumps(data, indent=2, ensure_ascii=False, default=str)) + "\n")
