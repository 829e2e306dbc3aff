"""Stage 7: Connector Hub settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fbhub.redact import mask
from fbhub.wizard.engine import StageOutcome

if TYPE_CHECKING:
    from fbhub.wizard.engine import Wizard


def stage_connector_hub(w: Wizard) -> StageOutcome:
    portal = w.paste_value("admin_portal")
    app_id = w.values.get("app_id") or "(your App ID)"
    secret, _ = w.known_secret("app-secret")
    w.out.steps([
        "Log in to the system administrator portal (below).",
        "Go to Advance > Connector Hub Setting > Facebook.",
        "Paste the App ID as Client-id and the App Secret as Client-Secret, then save.",
        "Check that the portal's Authorized Redirect URL and Webhook URL are the ones below.",
    ])
    w.out.paste(portal.label, portal.value)
    w.out.paste("Client-id (App ID)", app_id)
    w.out.paste("Client-Secret (App Secret)", f"{mask(secret)} — copy it from App settings > Basic > App secret"
                if secret else "copy it from App settings > Basic > App secret")
    for key in ("oauth_redirect_uri", "webhook_callback_url"):
        v = w.paste_value(key)
        w.out.paste(v.label, v.value)
    stopped = w.confirm_all(["Client-id and Client-Secret are saved in the Connector Hub?"],
                            waiting="Client-id / Client-Secret in the Connector Hub")
    if stopped:
        return stopped
    w.out.line("Tenants can now connect their Pages under Inbox > Channels > Facebook.")
    return StageOutcome("done", "confirmed by the operator")


