"""The Application node: settings, ``/subscriptions`` with Meta's callback verification, ``/roles``,
``/permissions`` (reference §2, §3)."""

from __future__ import annotations

import secrets
import ssl
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from fbhub.sandbox.graph.common import (
    APP_TOKEN_REQUIRED,
    GraphError,
    NodeBase,
    _Ctx,
    _fields_param,
    _host_reachable,
    _is_loopback,
    _NeedsVerification,
    _nonexisting,
    _required,
    _split_list,
    _truthy,
    _unsupported,
    _validate_fields,
)
from fbhub.sandbox.world import (
    APP_DEFAULT_FIELDS,
    APP_FIELDS,
    APP_WRITABLE_FIELDS,
    App,
    Subscription,
)


class AppNode(NodeBase):
    # ---- application node (§2, §3)

    def _own_app(self, ctx: _Ctx, app: App) -> None:
        if ctx.caller.kind != "APP" or ctx.caller.app.id != app.id:
            raise GraphError(15, APP_TOKEN_REQUIRED)

    def _app(self, ctx: _Ctx, app: App, edge: str | None) -> Any:
        if edge is None:
            if ctx.method == "GET":
                return self._app_get(ctx, app)
            if ctx.method == "POST":
                self._own_app(ctx, app)
                for k, v in ctx.params.items():
                    if k in APP_WRITABLE_FIELDS:
                        app.settings[k] = _split_list(v) if k == "app_domains" else v
                return {"success": True}
            raise _unsupported(ctx.method, app.id)
        if edge == "subscriptions":
            self._own_app(ctx, app)
            if ctx.method == "GET":
                return {"data": [s.to_graph() for s in app.subscriptions.values()]}
            if ctx.method == "POST":
                return self._app_subscribe(ctx, app)
            if ctx.method == "DELETE":
                return self._app_unsubscribe(ctx, app)
            raise _unsupported(ctx.method, app.id)
        if edge == "roles":
            self._own_app(ctx, app)
            if ctx.method != "GET":
                raise _unsupported(ctx.method, app.id)
            return {"data": [{"app_id": app.id, "user": r.user_id, "role": r.role} for r in app.roles]}
        if edge == "permissions":
            # UNSURE: response shape of /{app-id}/permissions (no recorded response found, §2.3).
            self._own_app(ctx, app)
            if ctx.method != "GET":
                raise _unsupported(ctx.method, app.id)
            want_p, want_s = ctx.params.get("permission"), ctx.params.get("status")
            return {"data": [{"permission": p, "status": s} for p, s in app.permissions.items()
                             if (not want_p or p == want_p) and (not want_s or s == want_s)]}
        raise _nonexisting(edge, "Application")

    def _app_get(self, ctx: _Ctx, app: App) -> dict[str, Any]:
        fields = _fields_param(ctx.params.get("fields")) or list(APP_DEFAULT_FIELDS)
        for f in fields:
            if f not in APP_FIELDS:
                raise _nonexisting(f, "Application")
        c = ctx.caller
        privileged = (c.kind == "APP" and c.app.id == app.id) or (
            c.kind == "USER" and c.app.id == app.id and app.role_of(c.user_id) is not None)
        out: dict[str, Any] = {}
        for f in fields:
            # UNSURE: settings fields asked with a token that is not the app's own are omitted, not refused.
            if f not in APP_DEFAULT_FIELDS and not privileged:
                continue
            val = app.field_value(f)
            if val is not None and val != "" and val != []:
                out[f] = val
        out.setdefault("id", app.id)
        return out

    def _app_subscribe(self, ctx: _Ctx, app: App) -> Any:
        p = ctx.params
        obj = str(p.get("object") or "")
        if not obj:
            raise _required("object")
        if obj not in ("user", "page", "permissions", "payments"):
            raise GraphError(100, f'(#100) Param object must be one of {{user, page, permissions, payments}} '
                                  f'- got "{obj}"')
        fields = _split_list(p.get("fields"))
        if obj == "page":
            _validate_fields(fields, "fields")
        existing = app.subscriptions.get(obj)
        callback = p.get("callback_url")
        vtoken = p.get("verify_token")
        include_values = p.get("include_values")
        if existing is None and not callback:
            raise _required("callback_url")  # UNSURE wording
        if callback and vtoken in (None, ""):
            raise _required("verify_token")  # UNSURE: Meta may accept an empty verify token
        version = ctx.version or self.world.default_version

        def finish() -> dict[str, Any]:
            sub = app.subscriptions.get(obj)
            if sub is None:
                sub = app.subscriptions[obj] = Subscription(object=obj, callback_url=str(callback))
            if callback:
                sub.callback_url = str(callback)
                sub.verify_token = str(vtoken)
            for name in fields:  # amend: existing fields stay
                sub.fields.setdefault(name, version)
            if include_values is not None:
                sub.include_values = _truthy(include_values)
            sub.active = True
            return {"success": True}

        if callback:
            raise _NeedsVerification(finish, {
                "callback_url": str(callback), "verify_token": str(vtoken),
                "behaviour": app.webhook_endpoint_behaviour,
                "reachable": list(self.world.reachable_hosts)})
        return finish()

    def _app_unsubscribe(self, ctx: _Ctx, app: App) -> dict[str, Any]:
        obj = ctx.params.get("object")
        fields = _split_list(ctx.params.get("fields"))
        targets = [obj] if obj else list(app.subscriptions)
        for o in targets:
            sub = app.subscriptions.get(str(o))
            if sub is None:
                continue
            if fields:
                for name in fields:
                    sub.fields.pop(name, None)
                if not sub.fields:
                    del app.subscriptions[str(o)]
            else:
                del app.subscriptions[str(o)]
        return {"success": True}

    # ---- callback verification (§3.2, §3.4) — runs WITHOUT the world lock

    def _verify_callback(self, *, callback_url: str, verify_token: str, behaviour: str,
                         reachable: list[str]) -> GraphError | None:
        prefix = "(#2200) Callback verification failed with the following errors: "
        u = urllib.parse.urlsplit(callback_url)
        host = (u.hostname or "").lower()
        if u.scheme not in ("http", "https") or not host:
            # UNSURE wording
            return GraphError(100, f"(#100) Param callback_url is not a valid URI: {callback_url}")
        challenge = str(secrets.randbelow(9 * 10**9) + 10**9)
        if _is_loopback(host):
            return self._verify_local(callback_url, verify_token, challenge, prefix)
        # Never any outbound request beyond loopback: decide by the world's rule.
        if u.scheme != "https":
            # UNSURE: Meta requires https callbacks; exact error for http URLs not recorded.
            return GraphError(2200, prefix + "HTTP Status Code = 0; HTTP Message = callback_url must be an "
                                             "https URL")
        if not _host_reachable(host, reachable) or behaviour == "not_found":
            return GraphError(2200, prefix + "HTTP Status Code = 404; HTTP Message = Not Found")
        if behaviour == "server_error":
            return GraphError(2200, prefix + "HTTP Status Code = 500; HTTP Message = Internal Server Error")
        if behaviour == "wrong_challenge":
            return GraphError(2200, prefix + f'HTTP Status Code = 200; HTTP Message = OK; Response does not '
                                             f'match challenge, expected value="{challenge}", received="')
        if behaviour == "timeout":
            return GraphError(2200, prefix + "curl_errno = 28; curl_error = Operation timed out after 6001 "
                                             "milliseconds with 0 bytes received; HTTP Status Code = 0; "
                                             "HTTP Message = ")  # UNSURE wording
        return None

    def _verify_local(self, url: str, verify_token: str, challenge: str, prefix: str) -> GraphError | None:
        q = urllib.parse.urlencode({"hub.mode": "subscribe", "hub.challenge": challenge,
                                    "hub.verify_token": verify_token})
        full = url + ("&" if urllib.parse.urlsplit(url).query else "?") + q
        handlers: list[Any] = [urllib.request.ProxyHandler({})]
        if url.startswith("https"):
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE  # local test receivers use self-signed certificates
            handlers.append(urllib.request.HTTPSHandler(context=ctx))
        opener = urllib.request.build_opener(*handlers)
        try:
            with opener.open(urllib.request.Request(full, method="GET"), timeout=self.verify_timeout) as r:
                status, reason, body = r.status, r.reason, r.read(4096)
        except urllib.error.HTTPError as e:
            return GraphError(2200, prefix + f"HTTP Status Code = {e.code}; HTTP Message = {e.reason}")
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            if isinstance(reason, TimeoutError) or "timed out" in str(reason):
                return GraphError(2200, prefix + "curl_errno = 28; curl_error = Operation timed out; "
                                                 "HTTP Status Code = 0; HTTP Message = ")
            return GraphError(2200, prefix + "curl_errno = 7; curl_error = Failed to connect: Connection "
                                             "refused; HTTP Status Code = 0; HTTP Message = ")  # UNSURE wording
        text = body.decode("utf-8", "replace")
        if status != 200:
            return GraphError(2200, prefix + f"HTTP Status Code = {status}; HTTP Message = {reason}")
        # Exact match: Meta compares the body with the challenge it sent.
        if text != challenge:
            return GraphError(2200, prefix + f'HTTP Status Code = 200; HTTP Message = OK; Response does not '
                                             f'match challenge, expected value="{challenge}", '
                                             f'received="{text[:100]}"')
        return None
