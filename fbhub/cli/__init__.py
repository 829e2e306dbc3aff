"""The fbhub command line. This module parses options and renders results; logic lives below it.

Start-up stays fast: commands are registered from a table, and ``main()`` imports and builds only the
command being run (like pip's lazy command table); no httpx, keyring, yaml or rich import happens until a
command needs it. ``fbhub.cli.app`` (all commands) is built on first access, for tests and ``--help``.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterable
from typing import Annotated, Any

import typer

from fbhub import __version__
from fbhub.cli.common import GlobalOptions

# name -> (module, attribute, kind); "group" attributes are Typer apps with subcommands. Order = help order.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "demo": ("fbhub.cli.sandbox_cmd", "demo", "command"),
    "configure": ("fbhub.cli.configure_cmd", "configure", "command"),
    "urls": ("fbhub.cli.urls_cmd", "urls", "command"),
    "verify-app": ("fbhub.cli.checks_cmd", "verify_app", "command"),
    "doctor": ("fbhub.cli.checks_cmd", "doctor", "command"),
    "monitor": ("fbhub.cli.monitor_cmd", "monitor", "command"),
    "explain": ("fbhub.cli.explain_cmd", "explain", "command"),
    "subscribe-page": ("fbhub.cli.webhooks_cmd", "subscribe_page", "command"),
    "unsubscribe-page": ("fbhub.cli.webhooks_cmd", "unsubscribe_page", "command"),
    "subscribe-app": ("fbhub.cli.webhooks_cmd", "subscribe_app", "command"),
    "probe-webhook": ("fbhub.cli.webhooks_cmd", "probe_webhook", "command"),
    "review-kit": ("fbhub.cli.configure_cmd", "review_kit", "command"),
    "config": ("fbhub.cli.config_cmd", "app", "group"),
    "secrets": ("fbhub.cli.secrets_cmd", "app", "group"),
    "sandbox": ("fbhub.cli.sandbox_cmd", "app", "group"),
}

# Global options that take a value (skipped when looking for the command name in argv).
_VALUE_OPTIONS = {"--config", "--profile", "-p", "--graph-transport"}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"fbhub {__version__}")
        raise typer.Exit()


def root(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit")] = False,
    config: Annotated[str | None, typer.Option("--config", help="Config file (env FBHUB_CONFIG)",
                                               show_default=False)] = None,
    profile: Annotated[str | None, typer.Option("--profile", "-p", help="Profile (env FBHUB_PROFILE; default: default)",
                                                show_default=False)] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log each Graph request (secrets redacted)")] = False,
    graph_transport: Annotated[str | None, typer.Option(
        "--graph-transport", metavar="auto|batch|header|query",
        help="How token-bearing Graph reads travel (env FBHUB_GRAPH_TRANSPORT; default: auto)",
        show_default=False)] = None,
) -> None:
    """Set up and diagnose a CloudCX platform's Facebook Messenger integration."""
    ctx.obj = GlobalOptions(config=config, profile=profile, verbose=verbose, graph_transport=graph_transport)
    from fbhub import notices

    notices.reset()


def _plain_help_types() -> None:
    """Help shows no Python types: recent typer prints ``<bool>``, ``<str>``, ``<list[str]>`` in the type column.
    Flags get nothing there, values an upper-case name (``--domain DOMAIN``), as click and gh do."""
    import typer.core as tc

    def option_type(self: Any, ctx: Any) -> str | None:
        if getattr(self, "is_flag", False) or getattr(self, "count", False):
            return None
        if self.metavar:
            return str(self.metavar)
        longest = max(self.opts, key=len).lstrip("-") if self.opts else (self.name or "value")
        return longest.upper().replace("-", "_") + ("..." if getattr(self, "multiple", False) else "")

    def argument_type(self: Any, ctx: Any) -> str | None:
        return None  # the argument's name is shown already

    if hasattr(tc, "TyperOption") and hasattr(tc.TyperOption, "display_type_rich"):
        tc.TyperOption.display_type_rich = option_type  # type: ignore[method-assign]
    if hasattr(tc, "TyperArgument") and hasattr(tc.TyperArgument, "display_type_rich"):
        tc.TyperArgument.display_type_rich = argument_type  # type: ignore[method-assign]


def build_app(names: Iterable[str] | None = None) -> typer.Typer:
    """A Typer app with the named commands (all when None)."""
    _plain_help_types()
    new = typer.Typer(
        name="fbhub",
        help="Set up and diagnose a CloudCX platform's Facebook Messenger integration.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        pretty_exceptions_show_locals=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    new.callback()(root)
    for name in COMMANDS if names is None else names:
        module, attr, kind = COMMANDS[name]
        obj = getattr(importlib.import_module(module), attr)
        if kind == "group":
            new.add_typer(obj, name=name)
        else:
            new.command(name)(obj)
    return new


def command_in(argv: list[str]) -> str | None:
    """The command name in argv (after the global options), or None."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in _VALUE_OPTIONS:
            skip = True
            continue
        if arg.startswith("-"):
            continue
        return arg
    return None


def _plugin_format(argv: list[str]) -> bool:
    """True when the command line asks for Nagios plugin output (``--format nagios`` in any spelling)."""
    for i, arg in enumerate(argv):
        if arg in ("--format", "-f") and argv[i + 1:i + 2] == ["nagios"]:
            return True
        if arg in ("--format=nagios", "-fnagios"):
            return True
    return False


_GLOBAL_FLAGS = {"--verbose", "-v"}


def hoist_globals(argv: list[str]) -> list[str]:
    """Global options given after the subcommand (``fbhub doctor --profile prod``) moved before it, as gh and
    kubectl accept them anywhere. Nothing after ``--`` is touched; no subcommand uses these names."""
    cmd = command_in(argv)
    if cmd is None:
        return argv
    i = argv.index(cmd) if cmd in argv else len(argv)
    head, tail = list(argv[:i]), list(argv[i:])
    moved: list[str] = []
    rest: list[str] = []
    j = 0
    while j < len(tail):
        arg = tail[j]
        if arg == "--":
            rest.extend(tail[j:])
            break
        if arg in _VALUE_OPTIONS and j + 1 < len(tail):
            moved += [arg, tail[j + 1]]
            j += 2
            continue
        if arg in _GLOBAL_FLAGS or any(arg.startswith(o + "=") for o in _VALUE_OPTIONS if o.startswith("--")):
            moved.append(arg)
            j += 1
            continue
        rest.append(arg)
        j += 1
    return head + moved + rest


def __getattr__(name: str) -> Any:
    if name == "app":
        full = build_app()
        globals()["app"] = full
        return full
    raise AttributeError(name)


def main() -> None:
    argv = hoist_globals(sys.argv[1:])
    cmd = command_in(argv)
    if cmd in COMMANDS:
        names: list[str] | None = [cmd]
    elif cmd is None and "--version" in argv and not {"-h", "--help"} & set(argv):
        names = []
    else:
        names = None  # --help, no arguments, or an unknown command: the full app lists every command
    try:
        code = build_app(names)(args=argv, prog_name="fbhub", standalone_mode=False)
    except KeyboardInterrupt:  # Ctrl-C outside a command's own handling (start-up, option parsing)
        from fbhub.cli.common import err_line

        err_line("interrupted")
        code = 130
    except Exception as exc:
        # Click's usage errors (unknown command or option, bad option value): one line and a hint, exit 2.
        if not (hasattr(exc, "format_message") and hasattr(exc, "exit_code")):
            raise
        from fbhub.cli.common import err_line

        if type(exc).__name__ == "Abort":
            if isinstance(exc.__cause__, KeyboardInterrupt):  # Ctrl-C while click parsed the command line
                err_line("interrupted")
                sys.stderr.flush()
                os._exit(130)
            err_line("aborted; nothing was changed")
            sys.exit(1)
        if _plugin_format(argv):  # doctor as a Nagios/Icinga plugin: a bad command line is UNKNOWN (3) too
            from fbhub.report.nagios import unknown

            text, code = unknown(f"{exc.format_message()} (see 'fbhub {cmd or ''} --help')")
            sys.stdout.write(text)
            sys.exit(code)
        err_line(f"error: {exc.format_message()}")
        where = f"fbhub {cmd} --help" if cmd in COMMANDS else "fbhub --help"
        err_line(f"hint: see '{where}'")
        sys.exit(exc.exit_code)
    if code == 130:
        # Interrupted: leave now, without waiting for worker threads still blocked in the network (they hold
        # nothing that needs saving; files are written atomically by the main thread).
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)
    sys.exit(code if isinstance(code, int) else 0)
