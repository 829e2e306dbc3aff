"""``/debug_token`` (reference §6)."""

from __future__ import annotations

from typing import Any

from fbhub.sandbox.graph.common import (
    APP_ID_MISMATCH,
    BAD_SIGNATURE,
    CANNOT_DECRYPT,
    CANNOT_PARSE,
    DEBUG_CALLER,
    NO_APP_INFO,
    NON_GRANULAR_SCOPES,
    GraphError,
    NodeBase,
    _Ctx,
    _debug_invalid,
    _required,
    _unsupported,
    app_token_for,
    token_error,
)


class DebugTokenNode(NodeBase):
    # ---- /debug_token (§6)

    def _debug_token(self, ctx: _Ctx) -> dict[str, Any]:
        w = self.world
        caller = ctx.caller
        if ctx.method != "GET":
            raise _unsupported(ctx.method, "debug_token")
        if caller.kind not in ("APP", "USER"):
            raise GraphError(100, DEBUG_CALLER)
        inp = str(ctx.params.get("input_token") or "")
        if not inp:
            raise _required("input_token")  # UNSURE wording
        tok = w.tokens.get(inp)
        if tok is None and "|" in inp:
            app_id, _, rest = inp.partition("|")
            app = w.apps.get(app_id)
            if app is None:
                return _debug_invalid(NO_APP_INFO)
            if app.id != caller.app.id:
                raise GraphError(100, APP_ID_MISMATCH)
            if rest != app.secret and inp != app_token_for(app):
                return _debug_invalid(BAD_SIGNATURE)
            return {"data": {"app_id": app.id, "type": "APP", "application": app.name, "is_valid": True,
                             "scopes": []}}
        if tok is None:
            return _debug_invalid(CANNOT_DECRYPT if inp.startswith("EAA") else CANNOT_PARSE)
        if tok.app_id != caller.app.id:
            raise GraphError(100, APP_ID_MISMATCH)
        if caller.kind == "USER" and caller.app.role_of(caller.user_id) not in ("administrators", "developers"):
            raise GraphError(100, DEBUG_CALLER)
        app = w.apps[tok.app_id]
        d: dict[str, Any] = {"app_id": app.id, "type": tok.type, "application": app.name}
        if tok.type != "APP":
            d["data_access_expires_at"] = tok.data_access_expires_at
        bad = token_error(tok)
        if bad:
            d["error"] = {"code": 190, "message": bad[0], "subcode": bad[1]}
        # An invalidated token keeps its expires_at (often 0 = "never") — always check is_valid (§6.3).
        d["expires_at"] = tok.expires_at
        d["is_valid"] = bad is None
        if tok.issued_at is not None:
            d["issued_at"] = tok.issued_at
        if tok.type == "PAGE":
            d["profile_id"] = tok.page_id
        d["scopes"] = list(tok.scopes)
        gran = []
        for s in tok.scopes:
            if s in NON_GRANULAR_SCOPES:
                continue
            ids = tok.granular.get(s)
            if not ids and tok.type == "PAGE" and s.startswith("pages_") and tok.page_id:
                ids = [tok.page_id]
            gran.append({"scope": s, "target_ids": list(ids)} if ids else {"scope": s})
        if gran:
            d["granular_scopes"] = gran
        if tok.user_id:
            d["user_id"] = tok.user_id
        return {"data": d}
