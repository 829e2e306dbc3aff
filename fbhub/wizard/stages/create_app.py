"""Stage 3: create the Business app; App ID and App Secret, checked against the Graph API."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fbhub.errors import FbhubError, UsageError
from fbhub.redact import mask
from fbhub.wizard.engine import SecretWrite, StageOutcome
from fbhub.wizard.prompter import NeedsInput

if TYPE_CHECKING:
    from fbhub.wizard.engine import Wizard

DEVELOPERS_APPS = "https://developers.facebook.com/apps"


class _AppIdRejected(Exception):
    """Meta does not know the App ID: the App ID (not the secret) must be asked again."""

    def __init__(self, error: UsageError) -> None:
        super().__init__(error.message)
        self.error = error


def _verify_credentials(w: Wizard, app_id: str, secret: str) -> str:
    """Ask Meta for an app token with these credentials; returns the app's name. UsageError if refused."""
    from fbhub.graph.errors import InvalidAppId, InvalidAppSecret

    client = w.client(app_id, secret)
    try:
        client.app_token()
    except InvalidAppSecret:
        raise UsageError(f"Meta refused this App Secret ({mask(secret)}) for App ID {app_id}: it belongs to "
                         "another app, or it was reset",
                         hint="App settings > Basic > App secret > Show, then copy it again") from None
    except InvalidAppId as exc:
        raise _AppIdRejected(UsageError(f"Meta does not know App ID {app_id} ({exc.graph_message or exc.message})",
                                        hint="copy the App ID from App settings > Basic of the app you "
                                        "created")) from None
    try:
        app = client.get_app(["id", "name"])
    except FbhubError:  # the name is only for display
        return ""
    return str(app.get("name") or "")


def stage_create_app(w: Wizard) -> StageOutcome:
    from fbhub.secrets import validate_app_secret
    from fbhub.settings import parse_app_id

    w.out.line("Create the Meta app:")
    w.out.steps([
        f"Open {DEVELOPERS_APPS} and click Create App.",
        "Business portfolio: select your verified Meta business portfolio, then Next.",
        "Use cases: select Other, then Next.",
        "App type: select Business, then Next.",
        "App details: app name, contact email, and your verified Business Manager account; click Create app.",
        "App settings > Basic: copy the App ID, and the App Secret (click Show).",
    ])
    app_id: str | None = w.values.get("app_id")
    ask_id = w.interactive and not w.from_flag("app_id")
    cand, cand_src = w.known_secret("app-secret")
    while True:
        if ask_id:
            app_id = w.p.ask("App ID", default=app_id, validate=parse_app_id)
        elif not app_id:
            raise NeedsInput(["App ID: --app-id or FBHUB_APP_ID"])
        secret = name = secret_src = None
        try:
            if cand:
                try:
                    name = _verify_credentials(w, app_id, validate_app_secret(cand, cand_src or "input"))
                    secret, secret_src = cand, cand_src
                    w.out.line(f"App Secret: {mask(cand)} (from {cand_src})")
                except UsageError as exc:
                    if not w.interactive:
                        raise
                    w.out.bad(exc.message, exc.hint)
                    cand = None
            if secret is None:
                if not w.interactive:
                    raise NeedsInput(["App Secret: FBHUB_APP_SECRET, or APP_SECRET=… on stdin with --secrets-stdin"])

                def check(value: str, app_id: str = app_id) -> tuple[str, str]:
                    value = validate_app_secret(value)
                    return value, _verify_credentials(w, app_id, value)

                secret, name = w.p.secret("App Secret", validate=check)
        except _AppIdRejected as rej:
            if not w.interactive or not ask_id:
                raise rej.error from None
            w.out.bad(rej.error.message, rej.error.hint)
            app_id = None
            continue
        break
    w.out.ok(f"App ID {app_id}" + (f" ({name})" if name else "") + ": Meta issued an app access token, so the "
             "App Secret matches")
    return StageOutcome("verified", f"App ID {app_id}" + (f" ({name})" if name else "") + "; App Secret accepted",
                        settings={"app_id": app_id},
                        secrets=[SecretWrite("app-secret", secret,
                                             from_env=secret_src not in (None, "the keyring", "this run"))])


