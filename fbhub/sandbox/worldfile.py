"""World files: YAML -> validated ``World`` (+ ``Operator``), with one-line errors naming file and line."""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path
from typing import Any

from fbhub.errors import ConfigError
from fbhub.meta.fields import KNOWN_FIELDS
from fbhub.sandbox.world import (
    APP_FIELDS,
    APP_ROLES,
    DEFAULT_APP_CREATED,
    DEFAULT_VERSION,
    ENDPOINT_BEHAVIOURS,
    PAGE_TASKS,
    TOKEN_TYPES,
    TRANSPORT_FORMS,
    App,
    AppRole,
    Faults,
    Installation,
    Operator,
    Page,
    Scenario,
    Subscription,
    Token,
    User,
    World,
    default_operator,
    now,
)

_VERSION_RE = re.compile(r"^v\d+\.\d+$")
_TOP_KEYS = {"version", "name", "summary", "api_date", "default_version", "reachable_hosts", "apps",
             "users", "pages", "tokens", "faults", "operator", "ignore_transport"}
_DAY = 86400


class _LineDict(dict):
    """A mapping that remembers the line of itself and of each key (1-based)."""

    line: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.key_lines: dict[Any, int] = {}


def _yaml_load(text: str) -> Any:
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def construct_mapping(loader: Any, node: Any) -> _LineDict:
        loader.flatten_mapping(node)
        d = _LineDict()
        d.line = node.start_mark.line + 1
        for k_node, v_node in node.value:
            k = loader.construct_object(k_node, deep=True)
            d[k] = loader.construct_object(v_node, deep=True)
            d.key_lines[k] = k_node.start_mark.line + 1
        return d

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return yaml.load(text, Loader=Loader)  # noqa: S506 - SafeLoader subclass


class _Validator:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, line: int | None, problem: str, fix: str) -> ConfigError:
        where = f"{self.source}, line {line}" if line else self.source
        return ConfigError(f"{where}: {problem}", hint=fix, path=self.source, line=line)

    @staticmethod
    def line_of(d: Any, key: Any = None) -> int | None:
        if isinstance(d, _LineDict):
            if key is not None and key in d.key_lines:
                return d.key_lines[key]
            return d.line or None
        return None

    def mapping(self, value: Any, what: str, line: int | None) -> dict:
        if not isinstance(value, dict):
            raise self.fail(line, f"{what} must be a mapping, got {type(value).__name__}",
                            f"write {what} as 'key: value' lines")
        return value

    def seq(self, value: Any, what: str, line: int | None) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(line, f"{what} must be a list, got {type(value).__name__}",
                            f"write {what} as a YAML list ('- item' lines or [a, b])")
        return value

    def keys(self, d: dict, allowed: set[str], what: str) -> None:
        for k in d:
            if k not in allowed:
                raise self.fail(self.line_of(d, k), f"unknown key {k!r} in {what}",
                                f"use one of: {', '.join(sorted(allowed))}")

    def require(self, d: dict, key: str, what: str) -> Any:
        if key not in d or d[key] is None or d[key] == "":
            raise self.fail(self.line_of(d), f"{what} has no {key!r}", f"add '{key}: …' to {what}")
        return d[key]

    def string(self, d: dict, key: str, what: str, *, required: bool = False, default: Any = None) -> Any:
        if required:
            self.require(d, key, what)
        v = d.get(key, default)
        if v is None:
            return default
        if isinstance(v, bool) or isinstance(v, float):
            raise self.fail(self.line_of(d, key), f"{what}.{key} must be a string, got {v!r}",
                            "quote the value, e.g. key: \"0123abc\"")
        if isinstance(v, (int, _dt.date)):
            return str(v)
        if not isinstance(v, str):
            raise self.fail(self.line_of(d, key), f"{what}.{key} must be a string, got {type(v).__name__}",
                            "write a plain (quoted) string")
        return v

    def ident(self, d: dict, key: str, what: str, *, required: bool = True) -> str | None:
        v = self.string(d, key, what, required=required)
        if v is not None and not v.isdigit():
            raise self.fail(self.line_of(d, key), f"{what}.{key} {v!r} is not a numeric id",
                            "Graph ids are digits only, e.g. \"1234567890123456\"")
        return v

    def need_ident(self, d: dict, key: str, what: str) -> str:
        """A required numeric id (``ident`` has refused a missing one)."""
        v = self.ident(d, key, what)
        assert v is not None
        return v

    def boolean(self, d: dict, key: str, what: str, default: bool) -> bool:
        v = d.get(key, default)
        if not isinstance(v, bool):
            raise self.fail(self.line_of(d, key), f"{what}.{key} must be true or false, got {v!r}",
                            "write true or false (unquoted)")
        return v

    def integer(self, d: dict, key: str, what: str, default: int | None = None, *,
                minimum: int | None = None) -> int | None:
        v = d.get(key, default)
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, int):
            raise self.fail(self.line_of(d, key), f"{what}.{key} must be a whole number, got {v!r}",
                            "write an integer, e.g. 3")
        if minimum is not None and v < minimum:
            raise self.fail(self.line_of(d, key), f"{what}.{key} must be >= {minimum}, got {v}",
                            f"use a number >= {minimum}")
        return v

    def number(self, d: dict, key: str, what: str, default: float | None = None) -> float | None:
        v = d.get(key, default)
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise self.fail(self.line_of(d, key), f"{what}.{key} must be a number, got {v!r}",
                            "write a number, e.g. 0.5")
        return float(v)

    def strings(self, d: dict, key: str, what: str) -> list[str]:
        items = self.seq(d.get(key), f"{what}.{key}", self.line_of(d, key))
        out = []
        for i, v in enumerate(items):
            if isinstance(v, bool) or not isinstance(v, (str, int)):
                raise self.fail(self.line_of(d, key), f"{what}.{key}[{i}] must be a string, got {v!r}",
                                "list plain strings")
            out.append(str(v))
        return out

    def one_of(self, d: dict, key: str, what: str, choices: tuple[str, ...], default: str | None) -> str:
        v = self.string(d, key, what, default=default)
        if v not in choices:
            raise self.fail(self.line_of(d, key), f"{what}.{key} {v!r} is not one of {', '.join(choices)}",
                            f"use one of: {', '.join(choices)}")
        return v


def world_from_dict(data: Any, *, source: str = "<world>") -> World:
    world, _ = _parse(data, source)
    return world


def scenario_from_dict(data: Any, *, source: str = "<world>", name: str | None = None) -> Scenario:
    world, extra = _parse(data, source)
    return Scenario(
        name=extra.get("name") or name or "custom",
        summary=extra.get("summary") or f"world file {source}",
        world=world,
        operator=extra.get("operator") or default_operator(world),
    )


def load_world(path: str | Path) -> Scenario:
    """Load a YAML world file into a Scenario; bad files raise ConfigError (a UsageError)."""
    p = Path(path)
    source = str(p)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{source}: world file not found", path=source,
                          hint="check the path, or start from 'fbhub sandbox scenarios' output") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{source}: cannot read world file ({e.__class__.__name__})", path=source,
                          hint="make sure it is a readable UTF-8 text file") from None
    import yaml

    try:
        data = _yaml_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = (getattr(e, "problem", None) or str(e)).strip().replace("\n", " ")
        where = f"{source}, line {line}" if line else source
        raise ConfigError(f"{where}: invalid YAML ({problem})", path=source, line=line,
                          hint="fix the YAML syntax there (indentation, quotes, ':' after keys)") from None
    except (ValueError, OverflowError, RecursionError) as e:  # a value YAML cannot build, e.g. date 2024-13-45
        problem = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise ConfigError(f"{source}: invalid YAML ({problem})", path=source,
                          hint="fix the value there (quote it if it is meant as text)") from None
    return scenario_from_dict(data, source=source, name=p.stem)


def _parse(data: Any, source: str) -> tuple[World, dict[str, Any]]:
    v = _Validator(source)
    if data is None:
        raise v.fail(None, "the world file is empty", "start from a built-in scenario: Scenario.to_yaml()")
    top = v.mapping(data, "the world file", 1)
    v.keys(top, _TOP_KEYS, "the world file")
    fmt = v.integer(top, "version", "the world file", 1)
    if fmt != 1:
        raise v.fail(v.line_of(top, "version"), f"unsupported world file version {fmt}", "use version: 1")

    default_version = v.string(top, "default_version", "the world file", default=DEFAULT_VERSION)
    if not _VERSION_RE.match(default_version):
        raise v.fail(v.line_of(top, "default_version"), f"default_version {default_version!r} is not "
                     "a Graph version", "write it like v24.0")
    api_date = v.string(top, "api_date", "the world file")
    if api_date is not None:
        try:
            _dt.date.fromisoformat(api_date)
        except ValueError:
            raise v.fail(v.line_of(top, "api_date"), f"api_date {api_date!r} is not a date",
                         "write it as YYYY-MM-DD") from None
    reachable = v.strings(top, "reachable_hosts", "the world file")
    raw_ignore = top.get("ignore_transport")
    ignore = [raw_ignore] if isinstance(raw_ignore, str) else v.strings(top, "ignore_transport", "the world file")
    for form in ignore:
        if form not in TRANSPORT_FORMS:
            raise v.fail(v.line_of(top, "ignore_transport"), f"ignore_transport has unknown form {form!r}",
                         f"use some of: {', '.join(TRANSPORT_FORMS)}")

    t0 = int(now())
    apps = [_app(v, a, i) for i, a in enumerate(v.seq(top.get("apps"), "apps", v.line_of(top, "apps")))]
    if not apps:
        raise v.fail(v.line_of(top, "apps") or 1, "the world has no apps", "add an 'apps:' list with one app")
    app_ids = _unique(v, apps, "apps", top)
    users = []
    for i, u in enumerate(v.seq(top.get("users"), "users", v.line_of(top, "users"))):
        what = f"users[{i}]"
        u = v.mapping(u, what, v.line_of(top, "users"))
        v.keys(u, {"id", "name"}, what)
        users.append(User(id=v.need_ident(u, "id", what), name=v.string(u, "name", what, default="Test User")))
    user_ids = _unique(v, users, "users", top)
    for ai, a in enumerate(apps):
        for r in a.roles:
            if r.user_id not in user_ids:
                raise v.fail(v.line_of(top, "apps"), f"apps[{ai}] role for unknown user {r.user_id!r}",
                             "add the user under 'users:' or fix the id")
    pages = [_page(v, p, i, app_ids, user_ids)
             for i, p in enumerate(v.seq(top.get("pages"), "pages", v.line_of(top, "pages")))]
    page_ids = _unique(v, pages, "pages", top)
    tokens = [_token(v, t, i, app_ids, page_ids, user_ids, t0)
              for i, t in enumerate(v.seq(top.get("tokens"), "tokens", v.line_of(top, "tokens")))]
    seen: set[str] = set()
    for i, t in enumerate(tokens):
        if t.value in seen:
            raise v.fail(v.line_of(top, "tokens"), f"tokens[{i}] repeats a token value",
                         "every token value must be unique")
        seen.add(t.value)
    faults = _faults(v, top.get("faults"), v.line_of(top, "faults"))

    world = World(apps=apps, pages=pages, users=users, tokens=tokens, faults=faults,
                  reachable_hosts=reachable, default_version=default_version, api_date=api_date,
                  ignore_transport=ignore)
    extra: dict[str, Any] = {
        "name": v.string(top, "name", "the world file"),
        "summary": v.string(top, "summary", "the world file"),
    }
    if top.get("operator") is not None:
        extra["operator"] = _operator(v, top["operator"], v.line_of(top, "operator"))
    return world, extra


def _unique(v: _Validator, items: list, what: str, top: dict) -> set[str]:
    ids: set[str] = set()
    for i, it in enumerate(items):
        if it.id in ids:
            raise v.fail(v.line_of(top, what), f"{what}[{i}] repeats id {it.id}", "ids must be unique")
        ids.add(it.id)
    return ids


def _created(v: _Validator, a: Any, what: str) -> str:
    """``created: YYYY-MM-DD`` (YAML may hand over a date): when the app was created in Meta's dashboard."""
    raw = a.get("created")
    if raw is None:
        return DEFAULT_APP_CREATED
    text = raw.isoformat() if isinstance(raw, _dt.date) else str(raw)
    try:
        return _dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise v.fail(v.line_of(a, "created"), f"{what}.created {raw!r} is not a date",
                     "write it as YYYY-MM-DD (apps created on or after 2026-11-04 are new apps)") from None


def _app(v: _Validator, a: Any, i: int) -> App:
    what = f"apps[{i}]"
    a = v.mapping(a, what, None)
    v.keys(a, {"id", "secret", "name", "category", "settings", "require_app_secret",
               "webhook_endpoint_behaviour", "subscriptions", "roles", "permissions", "created",
               "appsecret_proof_form"}, what)
    secret = v.string(a, "secret", what, required=True)
    app = App(
        id=v.need_ident(a, "id", what),
        secret=secret,
        name=v.string(a, "name", what, default="Test App"),
        category=v.string(a, "category", what, default="Messaging"),
        require_app_secret=v.boolean(a, "require_app_secret", what, False),
        webhook_endpoint_behaviour=v.one_of(a, "webhook_endpoint_behaviour", what, ENDPOINT_BEHAVIOURS, "ok"),
        created=_created(v, a, what),
        appsecret_proof_form=v.one_of(a, "appsecret_proof_form", what, ("any", "timestamped"), "any"),
    )
    settings = a.get("settings") or {}
    settings = v.mapping(settings, f"{what}.settings", v.line_of(a, "settings"))
    for k in settings:
        if k not in APP_FIELDS or k in ("id", "name", "category"):
            raise v.fail(v.line_of(settings, k), f"{what}.settings has unknown Application field {k!r}",
                         "use Application fields such as app_domains, privacy_policy_url, "
                         "terms_of_service_url, icon_url, contact_email, website_url")
    app.settings = {k: _plain(val) for k, val in settings.items()}
    for j, s in enumerate(v.seq(a.get("subscriptions"), f"{what}.subscriptions", v.line_of(a, "subscriptions"))):
        sw = f"{what}.subscriptions[{j}]"
        s = v.mapping(s, sw, v.line_of(a, "subscriptions"))
        v.keys(s, {"object", "callback_url", "fields", "active", "verify_token", "include_values"}, sw)
        obj = v.one_of(s, "object", sw, ("page", "user", "permissions", "payments"), "page")
        fields: dict[str, str] = {}
        for k, f in enumerate(v.seq(s.get("fields"), f"{sw}.fields", v.line_of(s, "fields"))):
            if isinstance(f, dict):
                fields[v.string(f, "name", f"{sw}.fields[{k}]", required=True)] = v.string(
                    f, "version", f"{sw}.fields[{k}]", default=DEFAULT_VERSION)
            elif isinstance(f, str):
                fields[f] = DEFAULT_VERSION
            else:
                raise v.fail(v.line_of(s, "fields"), f"{sw}.fields[{k}] must be a name or {{name, version}}",
                             "write e.g. - messages")
        app.subscriptions[obj] = Subscription(
            object=obj,
            callback_url=v.string(s, "callback_url", sw, required=True),
            fields=fields,
            active=v.boolean(s, "active", sw, True),
            verify_token=v.string(s, "verify_token", sw, default=""),
            include_values=v.boolean(s, "include_values", sw, False),
        )
    for j, r in enumerate(v.seq(a.get("roles"), f"{what}.roles", v.line_of(a, "roles"))):
        rw = f"{what}.roles[{j}]"
        r = v.mapping(r, rw, v.line_of(a, "roles"))
        v.keys(r, {"user", "role"}, rw)
        app.roles.append(AppRole(user_id=v.need_ident(r, "user", rw), role=v.one_of(r, "role", rw, APP_ROLES, None)))
    for j, p in enumerate(v.seq(a.get("permissions"), f"{what}.permissions", v.line_of(a, "permissions"))):
        pw = f"{what}.permissions[{j}]"
        if isinstance(p, str):
            app.permissions[p] = "live"
            continue
        p = v.mapping(p, pw, v.line_of(a, "permissions"))
        v.keys(p, {"permission", "status"}, pw)
        app.permissions[v.string(p, "permission", pw, required=True)] = v.one_of(
            p, "status", pw, ("live", "unapproved"), "live")
    return app


def _plain(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_plain(v) for v in x]
    if isinstance(x, _dt.date):
        return str(x)
    return x


def _page(v: _Validator, p: Any, i: int, app_ids: set[str], user_ids: set[str]) -> Page:
    what = f"pages[{i}]"
    p = v.mapping(p, what, None)
    v.keys(p, {"id", "name", "category", "roles", "installed_apps", "about", "username"}, what)
    page = Page(
        id=v.need_ident(p, "id", what),
        name=v.string(p, "name", what, default="Test Page"),
        category=v.string(p, "category", what, default="Business service"),
        about=v.string(p, "about", what),
        username=v.string(p, "username", what),
    )
    for j, r in enumerate(v.seq(p.get("roles"), f"{what}.roles", v.line_of(p, "roles"))):
        rw = f"{what}.roles[{j}]"
        r = v.mapping(r, rw, v.line_of(p, "roles"))
        v.keys(r, {"user", "tasks"}, rw)
        uid = v.ident(r, "user", rw)
        if uid not in user_ids:
            raise v.fail(v.line_of(r, "user"), f"{rw}.user {uid!r} is not a known user",
                         "add the user under 'users:' or fix the id")
        tasks = v.strings(r, "tasks", rw) or list(PAGE_TASKS)
        for t in tasks:
            if t not in PAGE_TASKS:
                raise v.fail(v.line_of(r, "tasks"), f"{rw}.tasks has unknown task {t!r}",
                             f"use: {', '.join(PAGE_TASKS)}")
        page.roles[uid] = tasks
    for j, inst in enumerate(v.seq(p.get("installed_apps"), f"{what}.installed_apps",
                                   v.line_of(p, "installed_apps"))):
        iw = f"{what}.installed_apps[{j}]"
        inst = v.mapping(inst, iw, v.line_of(p, "installed_apps"))
        v.keys(inst, {"app_id", "subscribed_fields"}, iw)
        aid = v.ident(inst, "app_id", iw)
        if aid not in app_ids:
            raise v.fail(v.line_of(inst, "app_id"), f"{iw}.app_id {aid} is not an app of this world",
                         "add the app under 'apps:' (other apps too) or fix the id")
        fields = None
        if inst.get("subscribed_fields") is not None:
            fields = v.strings(inst, "subscribed_fields", iw)
            for f in fields:
                if f not in KNOWN_FIELDS:
                    raise v.fail(v.line_of(inst, "subscribed_fields"), f"{iw}.subscribed_fields has unknown "
                                 f"field {f!r}", "use Page webhook fields such as messages, messaging_postbacks")
        page.installed[aid] = Installation(app_id=aid, subscribed_fields=fields)
    return page


def _token(v: _Validator, t: Any, i: int, app_ids: set[str], page_ids: set[str], user_ids: set[str],
           t0: int) -> Token:
    what = f"tokens[{i}]"
    t = v.mapping(t, what, None)
    v.keys(t, {"value", "type", "app_id", "user_id", "page_id", "scopes", "declined", "granular_scopes",
               "valid", "invalid_subcode", "expires_at", "expires_in_days", "data_access_expires_at",
               "data_access_expires_in_days", "issued_at"}, what)
    ttype = v.one_of(t, "type", what, TOKEN_TYPES, None)
    aid = v.ident(t, "app_id", what)
    if aid not in app_ids:
        raise v.fail(v.line_of(t, "app_id"), f"{what}.app_id {aid} is not an app of this world",
                     "add the app under 'apps:' or fix the id")
    page_id = v.ident(t, "page_id", what, required=ttype == "PAGE")
    if page_id is not None and page_id not in page_ids:
        raise v.fail(v.line_of(t, "page_id"), f"{what}.page_id {page_id} is not a page of this world",
                     "add the page under 'pages:' or fix the id")
    user_id = v.ident(t, "user_id", what, required=ttype in ("USER", "SYSTEM_USER"))
    if user_id is not None and user_id not in user_ids:
        raise v.fail(v.line_of(t, "user_id"), f"{what}.user_id {user_id} is not a user of this world",
                     "add the user under 'users:' or fix the id")
    if "expires_at" in t and "expires_in_days" in t:
        raise v.fail(v.line_of(t, "expires_in_days"), f"{what} has both expires_at and expires_in_days",
                     "keep one of them")
    expires_at = v.integer(t, "expires_at", what, 0, minimum=0) or 0
    days = v.number(t, "expires_in_days", what)
    if days is not None:
        expires_at = 0 if days == 0 else int(t0 + days * _DAY)
    da = v.integer(t, "data_access_expires_at", what, None, minimum=0)
    da_days = v.number(t, "data_access_expires_in_days", what)
    if da is None:
        da = int(t0 + (da_days if da_days is not None else 90) * _DAY)
        if ttype == "SYSTEM_USER" and da_days is None:
            da = 0
        if ttype == "APP":
            da = 0
    granular: dict[str, list[str]] = {}
    g = t.get("granular_scopes")
    if isinstance(g, dict):
        for s, ids in g.items():
            granular[str(s)] = [str(x) for x in v.seq(ids, f"{what}.granular_scopes.{s}", v.line_of(g, s))]
    elif g is not None:
        for j, item in enumerate(v.seq(g, f"{what}.granular_scopes", v.line_of(t, "granular_scopes"))):
            gw = f"{what}.granular_scopes[{j}]"
            item = v.mapping(item, gw, v.line_of(t, "granular_scopes"))
            granular[v.string(item, "scope", gw, required=True)] = v.strings(item, "target_ids", gw)
    subcode = v.integer(t, "invalid_subcode", what, None)
    valid = v.boolean(t, "valid", what, subcode is None)
    if not valid and subcode is None:
        subcode = 460
    value = v.string(t, "value", what, required=True)
    if len(value) < 8:
        raise v.fail(v.line_of(t, "value"), f"{what}.value is too short", "use a realistic token (EAAG…)")
    return Token(
        value=value, type=ttype, app_id=aid, user_id=user_id, page_id=page_id,
        scopes=v.strings(t, "scopes", what), declined=v.strings(t, "declined", what), granular=granular,
        valid=valid, invalid_subcode=subcode if not valid else None, expires_at=expires_at,
        data_access_expires_at=da, issued_at=v.integer(t, "issued_at", what, None),
    )


def _faults(v: _Validator, f: Any, line: int | None) -> Faults:
    if f is None:
        return Faults()
    what = "faults"
    f = v.mapping(f, what, line)
    v.keys(f, {"latency", "fail_first", "malformed", "rate_limit", "batch_timeout_items",
               "reset_connections"}, what)
    out = Faults(latency=v.number(f, "latency", what, 0.0) or 0.0)
    if out.latency < 0:
        raise v.fail(v.line_of(f, "latency"), "faults.latency is negative", "use seconds >= 0")

    def globs(key: str) -> dict[str, int]:
        val = f.get(key)
        if val is None:
            return {}
        if isinstance(val, int) and not isinstance(val, bool):
            return {"*": val}
        m = v.mapping(val, f"faults.{key}", v.line_of(f, key))
        return {str(g): v.integer(m, g, f"faults.{key}", minimum=0) or 0 for g in m}

    out.fail_first = globs("fail_first")
    out.reset_connections = globs("reset_connections")
    out.malformed = v.strings(f, "malformed", what)
    rl = f.get("rate_limit")
    if rl is not None:
        m = v.mapping(rl, "faults.rate_limit", v.line_of(f, "rate_limit"))
        for g, spec in m.items():
            if isinstance(spec, dict):
                v.keys(spec, {"after"}, f"faults.rate_limit.{g}")
                out.rate_limit[str(g)] = v.integer(spec, "after", f"faults.rate_limit.{g}", 0, minimum=0) or 0
            else:
                out.rate_limit[str(g)] = v.integer(m, g, "faults.rate_limit", minimum=0) or 0
    bt = f.get("batch_timeout_items")
    if bt is not None:
        if isinstance(bt, list):
            bt = {"indices": bt}
        m = v.mapping(bt, "faults.batch_timeout_items", v.line_of(f, "batch_timeout_items"))
        v.keys(m, {"indices", "every"}, "faults.batch_timeout_items")
        idx = v.seq(m.get("indices"), "faults.batch_timeout_items.indices", v.line_of(m, "indices"))
        for x in idx:
            if isinstance(x, bool) or not isinstance(x, int):
                raise v.fail(v.line_of(m, "indices"), "faults.batch_timeout_items.indices must be integers",
                             "list 0-based item indices, e.g. [1, 3]")
        out.batch_timeout_indices = list(idx)
        out.batch_timeout_every = v.integer(m, "every", "faults.batch_timeout_items", 0, minimum=0) or 0
    return out


def _operator(v: _Validator, o: Any, line: int | None) -> Operator:
    what = "operator"
    o = v.mapping(o, what, line)
    v.keys(o, {"app_id", "app_secret", "page_tokens", "user_token", "domain", "verify_token", "pages"}, what)
    pages = []
    for j, p in enumerate(v.seq(o.get("pages"), "operator.pages", v.line_of(o, "pages"))):
        pw = f"operator.pages[{j}]"
        p = v.mapping(p, pw, v.line_of(o, "pages"))
        pages.append({"id": v.string(p, "id", pw, required=True), "name": v.string(p, "name", pw, default="")})
    return Operator(
        app_id=v.string(o, "app_id", what, default=""),
        app_secret=v.string(o, "app_secret", what, default=""),
        page_tokens=v.strings(o, "page_tokens", what),
        user_token=v.string(o, "user_token", what),
        domain=v.string(o, "domain", what, default="cx.example.com"),
        verify_token=v.string(o, "verify_token", what, default=""),
        pages=pages,
    )
