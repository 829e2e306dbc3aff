"""Stage 10: Live mode."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fbhub.wizard.engine import StageOutcome

if TYPE_CHECKING:
    from fbhub.wizard.engine import Wizard


def stage_live(w: Wizard) -> StageOutcome:
    w.out.steps([
        "Wait until App Review grants Advanced Access for the permissions.",
        "App Dashboard top bar: switch App Mode from Development to Live.",
    ])
    w.out.line("The Graph API cannot read the App Mode, so confirm it here.", "dim")
    stopped = w.confirm_all(["The app is Live?"], waiting="App Mode Live")
    if stopped:
        return stopped
    w.out.ok("the configuration on Facebook is finished; run 'fbhub doctor' to check the whole setup")
    return StageOutcome("done", "confirmed by the operator")

