"""Stage 4: Facebook Login for Business."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fbhub.wizard.engine import StageOutcome

if TYPE_CHECKING:
    from fbhub.wizard.engine import Wizard


def stage_facebook_login(w: Wizard) -> StageOutcome:
    v = w.paste_value("oauth_redirect_uri")
    w.out.steps([
        "App Dashboard > Add product (or Use cases): Facebook Login for Business > Set up.",
        "Facebook Login for Business > Settings: turn on Client OAuth login and Web OAuth login.",
        "Add this URL to Valid OAuth Redirect URIs, then Save changes:",
    ])
    w.out.paste(v.label, v.value, v.where)
    w.out.line("The Graph API cannot read these settings, so confirm them here.", "dim")
    stopped = w.confirm_all(["Client OAuth login is on?", "Web OAuth login is on?",
                             f"{v.value} is listed under Valid OAuth Redirect URIs?"],
                            waiting="Client OAuth login, Web OAuth login, redirect URI")
    return stopped or StageOutcome("done", "confirmed by the operator (not readable through the Graph API)")


