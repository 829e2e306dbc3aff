"""The Page node and ``/subscribed_apps`` (reference §4)."""

from __future__ import annotations

from typing import Any

from fbhub.redact import register_secret
from fbhub.sandbox.graph.common import (
    FIELD_PERMISSIONS,
    NON_MESSAGING_FIELDS,
    PAGE_TOKEN_REQUIRED,
    GraphError,
    NodeBase,
    _Ctx,
    _fields_param,
    _nonexisting,
    _page_field,
    _perm_error,
    _split_list,
    _unsupported,
    _validate_fields,
    derive_token,
)
from fbhub.sandbox.world import (
    PAGE_FIELDS,
    Installation,
    Page,
    Token,
    now,
)


class PageNode(NodeBase):
    # ---- page node & /subscribed_apps (§4)

    def _page_token_for(self, page: Page, user_tok: Token) -> Token:
        """The page token /me/accounts hands to (user, app); minted once, stable."""
        w = self.world
        for t in w.tokens.values():
            if (t.type == "PAGE" and t.page_id == page.id and t.user_id == user_tok.user_id
                    and t.app_id == user_tok.app_id and t.valid and not t.is_expired()):
                return t
        app = w.apps[user_tok.app_id]
        long_lived = user_tok.expires_at == 0 or user_tok.expires_at - now() > 2 * 86400
        tok = Token(value=derive_token(f"{app.secret}:page:{page.id}:{user_tok.user_id}:{len(w.tokens)}"),
                    type="PAGE", app_id=app.id, user_id=user_tok.user_id, page_id=page.id,
                    scopes=list(user_tok.scopes), granular={k: list(v) for k, v in user_tok.granular.items()},
                    expires_at=0 if long_lived else int(now()) + 3600,
                    data_access_expires_at=user_tok.data_access_expires_at, issued_at=int(now()))
        w.add_token(tok)
        register_secret(tok.value)
        return tok

    def _page(self, ctx: _Ctx, page: Page, edge: str | None) -> Any:
        c = ctx.caller
        if edge is None:
            if ctx.method != "GET":
                raise _unsupported(ctx.method, page.id)
            fields = _fields_param(ctx.params.get("fields")) or ["name", "id"]
            for f in fields:
                if f not in PAGE_FIELDS:
                    raise _nonexisting(f, "Page")
            tasks = page.roles.get(c.user_id or "") if c.kind in ("USER", "SYSTEM_USER") else None
            out: dict[str, Any] = {}
            for f in fields:
                if f == "access_token":
                    # UNSURE: asked without a managing user token, the field is left out.
                    if c.kind == "PAGE" and c.page_id == page.id:
                        out[f] = c.value
                    elif tasks and c.token is not None:
                        out[f] = self._page_token_for(page, c.token).value
                elif f == "tasks":
                    if tasks:
                        out[f] = list(tasks)
                else:
                    val = _page_field(page, f)
                    if val is not None:
                        out[f] = val
            out.setdefault("id", page.id)
            return out
        if edge == "subscribed_apps":
            return self._subscribed_apps(ctx, page)
        raise _nonexisting(edge, "Page")

    def _subscribed_apps(self, ctx: _Ctx, page: Page) -> Any:
        c = ctx.caller
        if c.kind != "PAGE":
            raise GraphError(210, PAGE_TOKEN_REQUIRED)
        if c.page_id != page.id:
            raise _unsupported(ctx.method, page.id)  # UNSURE: a page token of another page
        tok = c.token
        assert tok is not None
        if not tok.has_scope("pages_manage_metadata", page.id):
            raise _perm_error(200, "(#200) Requires pages_manage_metadata permission to manage the object")
        # The subscribed_apps reference: "A Page access token requested by a person who can perform the
        # CREATE_CONTENT, MANAGE, or MODERATE task on the Page". UNSURE: Meta's wording when the person cannot.
        tasks = page.roles.get(tok.user_id or "", [])
        if not set(tasks) & {"CREATE_CONTENT", "MANAGE", "MODERATE"}:
            raise _perm_error(200, "(#200) The person behind this Page access token needs the MANAGE, MODERATE "
                                   "or CREATE_CONTENT task on the Page to manage its subscribed apps")
        w = self.world
        if ctx.method == "GET":
            rows = []
            for inst in page.installed.values():
                a = w.apps.get(inst.app_id)
                if a is None:
                    continue
                row: dict[str, Any] = {"category": a.category, "link": a.field_value("link"), "name": a.name,
                                       "id": a.id}
                if inst.subscribed_fields:
                    row["subscribed_fields"] = list(inst.subscribed_fields)
                rows.append(row)
            return {"data": rows}
        if ctx.method == "POST":
            fields = _split_list(ctx.params.get("subscribed_fields"))
            if not fields:
                raise GraphError(100, "(#100) The parameter subscribed_fields is required.")
            _validate_fields(fields, "subscribed_fields")
            if any(f not in NON_MESSAGING_FIELDS for f in fields) and not tok.has_scope("pages_messaging",
                                                                                          page.id):
                raise _perm_error(230, "(#230) Requires pages_messaging permission to manage the object")
            # Fields needing a permission beyond pages_manage_metadata (UNSURE which; wording recorded in
            # jgorset/facebook-messenger#280: "(#200) To subscribe to the feed field, one of these permissions is
            # needed: …"), one sentence per refused field.
            refused = [f"To subscribe to the {f} field, one of these permissions is needed: {FIELD_PERMISSIONS[f]}."
                       for f in fields if f in FIELD_PERMISSIONS and not tok.has_scope(FIELD_PERMISSIONS[f], page.id)]
            if refused:
                raise _perm_error(200, "(#200) " + " ".join(refused))
            dedup = list(dict.fromkeys(fields))
            # Meta REPLACES the app's fields on this page; a client keeping fields must send the union.
            page.installed[c.app.id] = Installation(app_id=c.app.id, subscribed_fields=dedup)
            return {"success": True}
        if ctx.method == "DELETE":
            page.installed.pop(c.app.id, None)
            return {"success": True}
        raise _unsupported(ctx.method, page.id)
