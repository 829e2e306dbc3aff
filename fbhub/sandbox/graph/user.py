"""The User node, ``/me/accounts`` and ``/me/permissions`` (reference §7)."""

from __future__ import annotations

import base64
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from fbhub.sandbox.graph.common import (
    USER_FIELDS,
    NodeBase,
    _Ctx,
    _fields_param,
    _nonexisting,
    _page_field,
    _unsupported,
)
from fbhub.sandbox.world import (
    PAGE_FIELDS,
    Token,
)


class UserNode(NodeBase):
    # ---- user node, /me/accounts, /me/permissions (§7)

    def _user(self, ctx: _Ctx, user_id: str, edge: str | None) -> Any:
        w = self.world
        c = ctx.caller
        user = w.users[user_id]
        if edge is None:
            if ctx.method != "GET":
                raise _unsupported(ctx.method, user_id)
            fields = _fields_param(ctx.params.get("fields")) or ["name", "id"]
            for f in fields:
                if f not in USER_FIELDS:
                    raise _nonexisting(f, "User")
            first, _, last = user.name.partition(" ")
            vals = {"id": user.id, "name": user.name, "first_name": first, "last_name": last,
                    "short_name": first}
            out = {f: vals[f] for f in fields}
            out.setdefault("id", user.id)
            return out
        if c.kind not in ("USER", "SYSTEM_USER") or c.user_id != user_id:
            raise _unsupported(ctx.method, user_id)
        tok = c.token
        assert tok is not None
        if edge == "permissions":
            if ctx.method != "GET":
                raise _unsupported(ctx.method, user_id)
            data = [{"permission": s, "status": "granted"} for s in tok.scopes]
            data += [{"permission": s, "status": "declined"} for s in tok.declined]
            return {"data": data}
        if edge == "accounts":
            if ctx.method != "GET":
                raise _unsupported(ctx.method, user_id)
            return self._accounts(ctx, user_id, tok)
        raise _nonexisting(edge, "User")

    def _accounts(self, ctx: _Ctx, user_id: str, tok: Token) -> dict[str, Any]:
        w = self.world
        pages = [p for p in w.pages.values() if user_id in p.roles]
        if "pages_show_list" not in tok.scopes:
            pages = []  # UNSURE: Meta answers an empty list rather than an error
        targets = tok.granular.get("pages_show_list")
        if targets:
            pages = [p for p in pages if p.id in targets]
        try:
            limit = max(1, min(100, int(str(ctx.params.get("limit") or 25))))
        except ValueError:
            limit = 25
        start = 0
        after = ctx.params.get("after")
        if after:
            try:
                aid = base64.b64decode(str(after)).decode()
                start = next(i for i, p in enumerate(pages) if p.id == aid) + 1
            except (ValueError, StopIteration):
                start = len(pages)
        chunk = pages[start:start + limit]
        fields = _fields_param(ctx.params.get("fields")) or ["access_token", "category", "category_list",
                                                             "name", "id", "tasks"]
        data = []
        for p in chunk:
            row: dict[str, Any] = {}
            for f in fields:
                if f == "access_token":
                    row[f] = self._page_token_for(p, tok).value
                elif f == "tasks":
                    row[f] = list(p.roles[user_id])
                elif f in PAGE_FIELDS:
                    val = _page_field(p, f)
                    if val is not None:
                        row[f] = val
                else:
                    raise _nonexisting(f, "Page")
            row.setdefault("id", p.id)
            data.append(row)
        out: dict[str, Any] = {"data": data}
        if data:
            def cur(pid: str) -> str:
                return base64.b64encode(pid.encode()).decode()

            paging: dict[str, Any] = {"cursors": {"before": cur(chunk[0].id), "after": cur(chunk[-1].id)}}
            if start + limit < len(pages):
                q = {k: v for k, v in ctx.params.items() if k in ("access_token", "fields")}
                q.update({"limit": limit, "after": cur(chunk[-1].id)})
                paging["next"] = (f"http://{ctx.host}/{ctx.version}/{user_id}/accounts?"
                                  + urllib.parse.urlencode(q))
            out["paging"] = paging
        return out
