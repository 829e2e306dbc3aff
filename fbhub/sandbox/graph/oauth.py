"""``/oauth/access_token``: app tokens and long-lived user tokens (reference §1, §7.1)."""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from fbhub.redact import register_secret
from fbhub.sandbox.graph.common import (
    CANNOT_DECRYPT,
    CANNOT_PARSE,
    GraphError,
    NodeBase,
    _required,
    app_token_for,
    token_error,
)
from fbhub.sandbox.world import (
    Token,
    now,
)


class OAuthNode(NodeBase):
    # ---- /oauth/access_token (§1, §7.1)

    def _oauth(self, params: dict[str, Any]) -> dict[str, Any]:
        w = self.world
        client_id = str(params.get("client_id") or "")
        if not client_id:
            raise GraphError(101, "Missing client_id parameter.")  # UNSURE wording
        app = w.apps.get(client_id)
        if app is None:
            raise GraphError(101, "Error validating application. Invalid application ID.")
        secret = str(params.get("client_secret") or "")
        if not hmac.compare_digest(secret, app.secret):
            raise GraphError(1, "Error validating client secret.")
        grant = params.get("grant_type")
        if grant == "client_credentials":
            return {"access_token": app_token_for(app), "token_type": "bearer"}
        if grant == "fb_exchange_token":
            short = str(params.get("fb_exchange_token") or "")
            if not short:
                raise _required("fb_exchange_token")
            tok = w.tokens.get(short)
            if tok is None:
                raise GraphError(190, CANNOT_DECRYPT if short.startswith("EAA") else CANNOT_PARSE)
            bad = token_error(tok)
            if bad:
                raise GraphError(190, bad[0], subcode=bad[1])
            if tok.app_id != app.id or tok.type != "USER":
                # UNSURE: Meta's exact answer for a token of another app / non-user token.
                raise GraphError(190, CANNOT_PARSE)
            t = int(now())
            new = Token(value="EAAG" + secrets.token_urlsafe(132).replace("-", "").replace("_", "")[:170],
                        type="USER", app_id=app.id, user_id=tok.user_id, scopes=list(tok.scopes),
                        declined=list(tok.declined), granular={k: list(v) for k, v in tok.granular.items()},
                        expires_at=t + 5184000, data_access_expires_at=t + 90 * 86400, issued_at=t)
            w.add_token(new)
            register_secret(new.value)
            return {"access_token": new.value, "token_type": "bearer", "expires_in": 5184000}
        if not grant:
            raise _required("grant_type")  # UNSURE: the code-exchange flow is not simulated
        raise GraphError(100, f"(#100) Unsupported grant_type: {grant}")  # UNSURE wording
