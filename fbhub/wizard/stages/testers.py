"""Stage 8: testers (optional)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fbhub.errors import FbhubError
from fbhub.wizard.engine import StageOutcome

if TYPE_CHECKING:
    from fbhub.wizard.engine import Wizard


def stage_testers(w: Wizard) -> StageOutcome:
    try:
        roles = w.client().get_app_roles()
        testers = [r for r in roles if r.get("role") == "testers"]
        w.out.line(f"The app has {len(roles)} role(s), {len(testers)} tester(s).")
    except FbhubError:  # informational only
        pass
    w.out.line("Optional: while the app is in Development mode only people with a role on it can use it. A "
               "Tester with limited access keeps your own developer account out of testing.")
    if not w.interactive:
        return StageOutcome("pending", "optional; not confirmed yet")
    if not w.p.confirm("Add a Tester now?", default=False):
        return StageOutcome("skipped", "optional stage left out")
    w.out.steps([
        "The tester needs a Meta developer account.",
        "Business settings (Meta Business Manager) > the portfolio connected to the app > Users > People > "
        "Invite people: their email, access type, no business assets; Send invitation. They accept it.",
        "On the right of that user: Assign assets > the Meta app, with test access > Assign assets.",
    ])
    stopped = w.confirm_all(["The tester accepted the invitation and has the app assigned?"],
                            waiting="tester invitation")
    return stopped or StageOutcome("done", "confirmed by the operator")


