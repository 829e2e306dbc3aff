"""Stage 9: App Review."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fbhub.checks.model import Status
from fbhub.wizard.engine import StageOutcome

if TYPE_CHECKING:
    from fbhub.wizard.engine import Wizard


def stage_app_review(w: Wizard) -> StageOutcome:
    from fbhub.checks.runner import check

    report = check(w.client(), w.inputs(), {}, ["app-settings"])
    results = [r for r in report.results if r.id != "FB308"]
    w.out.line("App settings Meta requires (App settings > Basic), read from the live app:")
    for r in results:
        if r.status is Status.PASS:
            w.out.ok(f"{r.title}: {r.found}")
        else:
            w.out.bad(f"{r.title}: {r.found}", r.fix or None)
    w.out.line("Then, in this order:")
    w.out.steps([
        "Test message delivery between the Page and the CX system (a Page connected in a tenant).",
        "Record five screencasts: pages_show_list, pages_manage_metadata, business_management, Business Asset "
        "User Profile Access, pages_messaging.",
        "App Review > Permissions and Features: public_profile > Request advanced access.",
        "Request advanced access for pages_manage_metadata, pages_messaging, pages_show_list, Business Asset "
        "User Profile Access and business_management; Continue request.",
        "Messenger API Settings > 3. Complete App Review > Request Permission: unselect pages_read_engagement.",
        "App Review > Requests: answer the data handling questions.",
        "For each permission: description, screencast, test instructions; then Submit for Review.",
    ])
    w.out.line(f"'fbhub review-kit' writes the descriptions, screencast checklist and test instructions "
               f"(app-review-{w.profile}.md).", "dim")
    stopped = w.confirm_all(["The app is submitted for App Review?"], waiting="App Review submission")
    return stopped or StageOutcome("done", "submitted (confirmed by the operator)")


