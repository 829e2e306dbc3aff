"""FB9xx: what only Meta's dashboard shows (never a pass: confirm by hand)."""

from __future__ import annotations

from fbhub.checks.facts import Facts, Inputs
from fbhub.checks.model import CheckResult, CheckSpec, Group, Status

CHECKS = (
    CheckSpec("FB901", "dashboard", "App Mode is Live", "dev-mode"),
    CheckSpec("FB902", "dashboard", "Advanced Access for the permissions the platform uses", "dev-mode"),
    CheckSpec("FB903", "dashboard", "Facebook Login for Business: OAuth logins on, redirect URI listed",
              "redirect-uri"),
    CheckSpec("FB904", "dashboard", "Connector Hub holds this App ID and App Secret", "invalid-app"),
)

GROUP = Group("dashboard", "Dashboard-only (confirm by hand)", CHECKS)
result, skip_all = GROUP.result, GROUP.skip


@GROUP.evaluator
def dashboard(inp: Inputs, facts: Facts) -> list[CheckResult]:
    d = inp.domain or "your-cx-domain"
    cant = "the Graph API cannot tell; confirm in the dashboard"
    return [
        result("FB901", Status.MANUAL, cant,
               "App Dashboard, top bar: App Mode must say Live (in Development only people with a role on the app "
               "can connect Pages and send messages)"),
        result("FB902", Status.MANUAL, cant,
               "App Review > Permissions and Features: Advanced Access for pages_show_list, pages_manage_metadata, "
               "pages_messaging, business_management, Business Asset User Profile Access and public_profile"),
        result("FB903", Status.MANUAL, cant,
               "Facebook Login for Business > Settings: Client OAuth login and Web OAuth login on, and "
               f"https://{d}/api/v1.0/facebook/integration/callback in Valid OAuth Redirect URIs"),
        result("FB904", Status.MANUAL, cant,
               f"https://{d}:9006 > Advance > Connector Hub Setting > Facebook: Client-id = "
               + (f"App ID {inp.app_id}" if inp.app_id else "the App ID (App settings > Basic)")
               + " and Client-Secret = the App Secret fbhub checked"),
    ]

