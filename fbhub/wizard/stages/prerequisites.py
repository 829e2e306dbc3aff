"""Stage 1: prerequisites (a Facebook account, a Business portfolio, Pages)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fbhub.wizard.engine import StageOutcome

if TYPE_CHECKING:
    from fbhub.wizard.engine import Wizard


def stage_prerequisites(w: Wizard) -> StageOutcome:
    w.out.line("Before you create the Meta app you need:")
    w.out.steps([
        "A valid Facebook account (it becomes the app's administrator).",
        "A Business Manager account (Meta business portfolio) whose business is verified: "
        "Business settings > Security Center > Business verification. An app outside a verified "
        "Business Manager cannot be submitted for App Review.",
        "A valid Facebook Page that your customers message.",
    ])
    stopped = w.confirm_all(["You have a Facebook account?", "Your Business Manager account is verified?",
                             "You manage the Facebook Page(s) to connect?"],
                            waiting="Facebook account, verified Business Manager, a Page")
    return stopped or StageOutcome("done", "confirmed by the operator")


