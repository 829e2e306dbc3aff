"""Stage 2: the CX domain."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fbhub.wizard.engine import StageOutcome
from fbhub.wizard.prompter import NeedsInput

if TYPE_CHECKING:
    from fbhub.wizard.engine import Wizard


def stage_domain(w: Wizard) -> StageOutcome:
    from fbhub.meta.domain import parse_domain

    current = w.values.get("domain")
    w.out.line("The public host name of your CloudCX server; every URL you paste is built from it.")
    if current and (w.from_flag("domain") or not w.interactive):
        dom = parse_domain(current)
        w.out.line(f"CX domain: {dom.host} (from {w.settings.sources.get('domain')})")
    elif not w.interactive:
        raise NeedsInput(["CX domain: --domain cx.example.com or FBHUB_DOMAIN"])
    else:
        while True:
            dom = w.p.ask("CX domain (e.g. cx.example.com)", default=current, validate=parse_domain)
            if not dom.warnings:
                break
            for warning in dom.warnings:
                w.out.warn(warning)
            if w.p.confirm("Use it anyway?", default=False):
                break
            current = None
    for warning in dom.warnings if not w.interactive else ():
        w.out.warn(warning)
    w.out.ok(f"CX domain {dom.host}")
    return StageOutcome("done", dom.host, settings={"domain": dom.host})


