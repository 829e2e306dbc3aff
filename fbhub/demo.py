"""fbhub demo: a rehearsal of the whole diagnosis against the local Graph API simulator.

Runs in-process with a throw-away profile: settings and secrets come from the scenario, never from (or to)
the user's config file or keyring.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fbhub.session import Session

if TYPE_CHECKING:
    from fbhub.sandbox.server import Sandbox


def demo_session(sb: Sandbox) -> Session:
    """A session on the sandbox's operator values; nothing read from or written to the real config."""
    env = {**sb.operator.env(sb.url), "FBHUB_RETRY_BUDGET": "5"}
    scratch = Path(tempfile.gettempdir()) / "fbhub-demo-does-not-exist" / "config.yaml"
    return Session.open({}, profile="demo", config_path=scratch, env=env)


def run_demo(console: Any, *, scenario: str = "demo", latency: float = 0.0, fix: bool = True) -> int:
    """Show what a user sees on a setup with a few realistic problems, then how to fix them."""
    from rich.rule import Rule

    from fbhub.actions.repair import RepairPlan, repair
    from fbhub.checks.registry import doctor_groups
    from fbhub.checks.runner import run as run_checks
    from fbhub.meta.urls import paste_values
    from fbhub.report import meta_for_run, render_terminal, summary_line
    from fbhub.safetext import markup
    from fbhub.sandbox import run_sandbox

    with run_sandbox(scenario, latency=latency) as sb:
        session = demo_session(sb)
        domain = session.settings["domain"]
        console.print(f"[bold]fbhub demo[/] — scenario [bold]{scenario}[/] on a local Graph API simulator at {sb.url}")
        console.print("Nothing leaves this machine; your own config and keyring are not touched.\n")

        console.print(Rule("1. The values to paste (fbhub urls)"))
        for v in paste_values(domain):
            console.print(f"[bold]{v.label}[/]: {markup(v.value)}", soft_wrap=True)
            console.print(f"  [dim]→ {v.where}[/]", soft_wrap=True)

        console.print(Rule("2. What is wrong (fbhub doctor)"))
        run = run_checks(session, doctor_groups())
        meta = meta_for_run("doctor", session.settings, run)
        render_terminal(run.results, meta, console)

        console.print(Rule("3. How to fix it"))
        problems = run.problems()
        for r in problems:
            console.print(f"[bold]{r.id}[/] {markup(r.title)} [dim]({markup(r.target)})[/]", soft_wrap=True)
            console.print(f"  fix: {markup(r.fix, lines=True)}", soft_wrap=True)
            console.print(f"  more: fbhub explain {r.topic}", soft_wrap=True)
        if not problems:
            console.print("Nothing to fix.")
        if fix:
            def show(plan: RepairPlan) -> None:
                console.print("\n[bold]fbhub doctor --fix[/] can repair some of it through the Graph API:")
                for line in plan.lines():
                    console.print(f"  - {line}", soft_wrap=True)

            repaired = repair(session, run, show=show, confirm=lambda plan: None,  # a rehearsal: always yes
                              told=lambda line: console.print(f"  ✓ {line}", soft_wrap=True),
                              recheck=lambda: run_checks(session, doctor_groups()))
            if repaired.applied:
                after = repaired.report
                meta.duration_s, meta.requests = after.duration_s, after.facts.requests
                console.print(f"\nAfter the repair, doctor says: {summary_line(after.results, meta)}")
                left = after.problems()
                if left:
                    console.print("Left for you in Meta's dashboard: "
                                  + ", ".join(f"{r.id} ({r.title})" for r in left), soft_wrap=True)
        console.print("\nNext: 'fbhub configure' to set up your real app, then 'fbhub doctor'.")
    return 0
