"""fbhub explain [TOPIC | CODE | CHECK-ID] [--list] [--json]"""

from __future__ import annotations

from typing import Annotated

import typer

from fbhub.cli import completion
from fbhub.cli.common import JsonOpt, handle_errors

CODES_NOTE = ("Graph error codes work too (fbhub explain 190, fbhub explain 190/463), "
              "and doctor check ids (fbhub explain FB201).")


@handle_errors
def explain(
    topic: Annotated[str | None, typer.Argument(help="Topic name, Graph error code (190, 190/463) or check id",
                                                show_default=False, metavar="TOPIC",
                                                autocompletion=completion.explain_topics)] = None,
    list_: Annotated[bool, typer.Option("--list", "-l", help="List every topic with its summary")] = False,
    as_json: JsonOpt = False,
) -> None:
    """What a warning or error means, how to confirm its cause and how to fix it."""
    from fbhub.knowledge import list_topics, resolve

    if list_ or topic is None:
        topics = list_topics()
        if as_json:
            from fbhub.cli.common import print_json

            print_json({"topics": [{"name": t.name, "title": t.title, "summary": t.summary} for t in topics],
                        "note": CODES_NOTE})
            return
        _print_list(topics)
        return
    found = resolve(topic)
    if as_json:
        from fbhub.cli.common import print_json

        print_json(found.as_dict())
        return
    if found.resolved_from is not None and found.kind == "topic":
        from fbhub.cli.common import err_line

        err_line(f"note: showing '{found.name}' for {found.resolved_from!r}")
    _print_markdown(found.markdown)


_UNWRAPPED = 4000  # columns: wider than any line of a topic


def _rich_ok(out) -> bool:
    """Render with rich only on a real terminal that accepts styling; piped output stays plain Markdown."""
    return bool(out.is_terminal and not out.no_color and not out.is_dumb_terminal)


def _print_markdown(text: str) -> None:
    """Piped: the Markdown itself. On a terminal: rendered (styled when colour is allowed), then wrapped to its
    width with a hanging indent by ``fbhub.wrap`` like all terminal text, so no word or URL is cut."""
    import sys

    from fbhub.cli.common import console
    from fbhub.wrap import say

    out = console()
    if not out.is_terminal:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    if not _rich_ok(out):
        say(out, text.rstrip("\n"))
        return
    from typing import ClassVar

    from rich.console import JustifyMethod
    from rich.markdown import Heading, Markdown
    from rich.text import Text

    class _LeftHeading(Heading):  # rendered unwrapped below: a centred title would be centred in that width
        LEVEL_ALIGN: ClassVar[dict[str, JustifyMethod]] = {}

    class _Markdown(Markdown):
        elements: ClassVar = {**Markdown.elements, "heading_open": _LeftHeading}

    # Rendered as long lines first (rich would cut a URL wider than the terminal), then wrapped as all text is.
    for segments in out.render_lines(_Markdown(text), out.options.update(width=_UNWRAPPED), pad=False):
        line = Text()
        for seg in segments:
            if not seg.control:
                line.append(seg.text, seg.style)
        line.rstrip()
        say(out, line)


def _print_list(topics) -> None:
    import sys

    from fbhub.cli.common import console

    out = console()
    width = max(len(t.name) for t in topics) + 2
    if not _rich_ok(out):
        for t in topics:
            sys.stdout.write(f"{t.name.ljust(width)}{t.summary}\n")
        sys.stdout.write(f"\n{CODES_NOTE}\n")
        return
    from rich.markup import escape

    for t in topics:
        out.print(f"[bold]{escape(t.name.ljust(width))}[/]{escape(t.summary)}", soft_wrap=True)
    out.print(f"\n[dim]{escape(CODES_NOTE)}[/]", soft_wrap=True)
