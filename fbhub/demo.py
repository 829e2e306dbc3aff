"""fbhub demo: a rehearsal of the whole diagnosis against the local Graph API simulator.

Runs in-process with a throw-away profile: settings and secrets come from the scenario, never from (or to)
the user's config file or keyring.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from fbhub.results import Status


def demo_context(sb: Any, *, log=None):
    """An AppContext for the sandbox's operator values; nothing read from or written to the real config."""
    from fbhub.cli.common import AppContext
    from fbhub.secrets import SecretStore
    from fbhub.settings import resolve

    env = {**sb.operator.env(sb.url), "FBHUB_RETRY_BUDGET": "5"}
    scratch = Path(tempfile.gettempdir()) / "fbhub-demo-does-not-exist" / "config.yaml"
    settings = resolve({}, profile="demo", config_path=scratch, env=env)
    return AppContext(settings=settings, secrets=SecretStore("demo", env=env), verbose=log is not None,
                      log=log or (lambda line: None))


def run_demo(console: Any, *, scenario: str = "demo", latency: float = 0.0, fix: bool = True) -> int:
    """Show what a user sees on a setup with a few realistic problems, then how to fix them."""
    from rich.rule import Rule

    from fbhub.checks import DOCTOR_GROUPS, run_checks
    from fbhub.checks.repair import plan_repairs
    from fbhub.report import meta_for_run, render_terminal, summary_line
    from fbhub.safetext import markup
    from fbhub.sandbox import run_sandbox
    from fbhub.urls import paste_values

    with run_sandbox(scenario, latency=latency) as sb:
        actx = demo_context(sb)
        domain = actx.settings["domain"]
        console.print(f"[bold]fbhub demo[/] — scenario [bold]{scenario}[/] on a local Graph API simulator at {sb.url}")
        console.print("Nothing leaves this machine; your own config and keyring are not touched.\n")

        console.print(Rule("1. The values to paste (fbhub urls)"))
        for v in paste_values(domain):
            console.print(f"[bold]{v.label}[/]: {markup(v.value)}", soft_wrap=True)
            console.print(f"  [dim]→ {v.where}[/]", soft_wrap=True)

        console.print(Rule("2. What is wrong (fbhub doctor)"))
        run = run_checks(actx, DOCTOR_GROUPS)
        meta = meta_for_run("doctor", actx.settings, run)
        render_terminal(run.results, meta, console)

        console.print(Rule("3. How to fix it"))
        problems = [r for r in run.results if r.status in (Status.FAIL, Status.WARN)]
        for r in problems:
            console.print(f"[bold]{r.id}[/] {markup(r.title)} [dim]({markup(r.target)})[/]", soft_wrap=True)
            console.print(f"  fix: {markup(r.fix, lines=True)}", soft_wrap=True)
            console.print(f"  more: fbhub explain {r.topic}", soft_wrap=True)
        if not problems:
            console.print("Nothing to fix.")
        if fix:
            plan = plan_repairs(actx, run)
            if not plan.empty:
                console.print("\n[bold]fbhub doctor --fix[/] can repair some of it through the Graph API:")
                for line in plan.lines():
                    console.print(f"  - {line}", soft_wrap=True)
                for line in plan.apply(actx):
                    console.print(f"  ✓ {line}", soft_wrap=True)
                after = run_checks(actx, DOCTOR_GROUPS)
                meta.duration_s, meta.requests = after.duration_s, after.facts.requests
                console.print(f"\nAfter the repair, doctor says: {summary_line(after.results, meta)}")
                left = [r for r in after.results if r.status in (Status.FAIL, Status.WARN)]
                if left:
                    console.print("Left for you in Meta's dashboard: "
                                  + ", ".join(f"{r.id} ({r.title})" for r in left), soft_wrap=True)
        console.print("\nNext: 'fbhub configure' to set up your real app, then 'fbhub doctor'.")
    return 0
