"""The sandbox's world: what Meta has (apps, pages, users, tokens, faults) plus the operator's config.

A ``World`` is mutable and thread-safe through one re-entrant lock (``world.lock``); the HTTP
server takes it for every request, and tests may take it while they inspect or change the world.

World files are YAML (see ``fbhub/sandbox/README.md`` for the format); ``World.to_yaml()`` writes
the same format, so ``World.from_dict(yaml.safe_load(w.to_yaml()))`` round-trips.
"""

from __future__ import annotations

import copy
import datetime as _dt
import fnmatch
import threading
import time
from dataclasses import dataclass, field
from typing import Any

TOKEN_TYPES = ("USER", "PAGE", "APP", "SYSTEM_USER")
APP_ROLES = ("administrators", "developers", "testers", "insights users")
PAGE_TASKS = ("ANALYZE", "ADVERTISE", "MESSAGING", "MODERATE", "CREATE_CONTENT", "MANAGE")
ENDPOINT_BEHAVIOURS = ("ok", "not_found", "server_error", "wrong_challenge", "timeout")
DEFAULT_VERSION = "v24.0"
# Meta closed the HTTP method override, multi-ID requests, date/time formatting, field aliases, JSONP and async
# batches to apps created on or after this day, on every Graph version ("Introducing Graph API v27.0 and
# Marketing API v27.0", https://developers.facebook.com/blog/post/2026/11/04/introducing-graph-api-v27-and-marketing-api-v27/).
LEGACY_CLOSED_FOR_APPS_CREATED = "2026-11-04"
# A world's app is a new app unless the world file says otherwise: an operator following the guide today
# creates one.
DEFAULT_APP_CREATED = "2026-11-20"
# Transport forms a world can be told to ignore (``ignore_transport``), so a client's fallback is exercised.
TRANSPORT_FORMS = ("header", "batch", "query")

# Readable Application fields (reference §2.2). Values the world does not set are omitted from
# responses, as Graph omits empty fields.
APP_DEFAULT_FIELDS = ("category", "link", "name", "id")
APP_FIELDS = frozenset(
    {
        "id", "name", "category", "subcategory", "link", "namespace", "description", "company",
        "app_domains", "contact_email", "user_support_email", "user_support_url",
        "privacy_policy_url", "terms_of_service_url", "website_url", "icon_url", "logo_url",
        "photo_url", "app_type", "app_name", "restrictions", "migrations", "supported_platforms",
        "server_ip_whitelist", "deauth_callback_url", "created_time", "creator_uid",
        "daily_active_users", "weekly_active_users", "monthly_active_users", "business",
        "owner_business", "has_messenger_product", "client_config",
    }
)
# Writable through POST /{app-id} (reference §2.2, SDK api_update) — a subset we model.
APP_WRITABLE_FIELDS = frozenset(
    {
        "app_domains", "contact_email", "privacy_policy_url", "terms_of_service_url", "website_url",
        "deauth_callback_url", "restrictions", "server_ip_whitelist", "user_support_email",
        "user_support_url", "namespace",
    }
)
PAGE_FIELDS = frozenset(
    {
        "id", "name", "category", "category_list", "link", "about", "username", "fan_count",
        "is_published", "verification_status", "website", "access_token", "tasks",
    }
)


def now() -> float:
    return time.time()


# --------------------------------------------------------------------------- model


@dataclass
class Subscription:
    """One app-level webhook subscription (``/{app-id}/subscriptions`` row)."""

    object: str
    callback_url: str
    fields: dict[str, str] = field(default_factory=dict)  # field name -> API version it was added with
    active: bool = True
    verify_token: str = ""
    include_values: bool = False

    def to_graph(self) -> dict[str, Any]:
        return {
            "object": self.object,
            "callback_url": self.callback_url,
            "active": self.active,
            "fields": [{"name": n, "version": v} for n, v in self.fields.items()],
        }


@dataclass
class AppRole:
    user_id: str
    role: str  # one of APP_ROLES


@dataclass
class App:
    id: str
    secret: str
    name: str
    category: str = "Messaging"
    settings: dict[str, Any] = field(default_factory=dict)  # every other Application field
    require_app_secret: bool = False
    webhook_endpoint_behaviour: str = "ok"
    subscriptions: dict[str, Subscription] = field(default_factory=dict)  # by object
    roles: list[AppRole] = field(default_factory=list)
    permissions: dict[str, str] = field(default_factory=dict)  # permission -> live | unapproved
    created: str = DEFAULT_APP_CREATED  # YYYY-MM-DD: decides which legacy Graph features the app may use
    # "any": classic and time-stamped appsecret_proof accepted; "timestamped": only appsecret_proof with
    # appsecret_time (UNSURE whether Meta refuses classic proofs anywhere; this lets a client's retry be tested).
    appsecret_proof_form: str = "any"

    @property
    def is_new(self) -> bool:
        """Created on or after 2026-11-04: no method override, no legacy features."""
        return self.created >= LEGACY_CLOSED_FOR_APPS_CREATED

    def field_value(self, name: str) -> Any:
        if name == "id":
            return self.id
        if name == "name":
            return self.name
        if name == "category":
            return self.category
        if name == "link":
            return self.settings.get("link", f"https://www.facebook.com/games/?app_id={self.id}")
        return self.settings.get(name)

    def role_of(self, user_id: str | None) -> str | None:
        for r in self.roles:
            if r.user_id == user_id:
                return r.role
        return None


@dataclass
class Installation:
    """An app installed on a Page (``/{page-id}/subscribed_apps`` row)."""

    app_id: str
    subscribed_fields: list[str] | None = None  # None: installed, no fields (row without the key)


@dataclass
class Page:
    id: str
    name: str
    category: str = "Business service"
    installed: dict[str, Installation] = field(default_factory=dict)  # by app id
    roles: dict[str, list[str]] = field(default_factory=dict)  # user id -> tasks
    about: str | None = None
    username: str | None = None


@dataclass
class User:
    id: str
    name: str


@dataclass
class Token:
    value: str
    type: str  # one of TOKEN_TYPES
    app_id: str
    user_id: str | None = None
    page_id: str | None = None
    scopes: list[str] = field(default_factory=list)
    declined: list[str] = field(default_factory=list)
    # scope -> target ids; a scope absent here (or with an empty list) covers everything
    granular: dict[str, list[str]] = field(default_factory=dict)
    valid: bool = True
    invalid_subcode: int | None = None  # 458, 460, 466, 467, 492 ... (463 comes from expires_at)
    expires_at: int = 0  # unix seconds; 0 = never
    data_access_expires_at: int = 0
    issued_at: int | None = None

    def is_expired(self, t: float | None = None) -> bool:
        return bool(self.expires_at) and self.expires_at <= (t if t is not None else now())

    def has_scope(self, scope: str, target: str | None = None) -> bool:
        if scope not in self.scopes:
            return False
        targets = self.granular.get(scope)
        if target is None or not targets:
            return True
        return target in targets


@dataclass
class Faults:
    """Injected failures. Path globs match the unversioned path, e.g. ``/*/subscribed_apps`` or ``*``."""

    latency: float = 0.0  # seconds added to every HTTP request
    fail_first: dict[str, int] = field(default_factory=dict)  # glob -> first N requests per path: 503
    malformed: list[str] = field(default_factory=list)  # globs answering a truncated body
    rate_limit: dict[str, int] = field(default_factory=dict)  # glob -> calls allowed before code 4/32/80001
    batch_timeout_indices: list[int] = field(default_factory=list)  # batch items answering null
    batch_timeout_every: int = 0  # every Nth batch item (1-based) answers null
    reset_connections: dict[str, int] = field(default_factory=dict)  # glob -> first N requests dropped
    usage: int = 0  # percent every usage header reports (0: grows with the calls made)

    def is_empty(self) -> bool:
        return not (self.latency or self.fail_first or self.malformed or self.rate_limit
                    or self.batch_timeout_indices or self.batch_timeout_every or self.reset_connections or self.usage)


@dataclass
class Operator:
    """What the operator typed into fbhub for a scenario (may disagree with the world on purpose)."""

    app_id: str
    app_secret: str
    page_tokens: list[str] = field(default_factory=list)
    user_token: str | None = None
    domain: str = "cx.example.com"
    verify_token: str = ""
    pages: list[dict[str, str]] = field(default_factory=list)  # [{id, name}]

    def env(self, graph_url: str) -> dict[str, str]:
        """The FBHUB_* variables that point fbhub at a sandbox with these operator values (as in CI)."""
        env = {"FBHUB_GRAPH_URL": graph_url, "FBHUB_APP_ID": self.app_id, "FBHUB_APP_SECRET": self.app_secret,
               "FBHUB_DOMAIN": self.domain, "FBHUB_PAGE_TOKENS": ",".join(self.page_tokens),
               "FBHUB_VERIFY_TOKEN": self.verify_token,
               "FBHUB_PAGES": ",".join(f"{p['id']}:{p.get('name', '')}" for p in self.pages)}
        return {k: v for k, v in env.items() if v}

    def to_dict(self) -> dict[str, Any]:
        return {
            "app_id": self.app_id,
            "app_secret": self.app_secret,
            "page_tokens": list(self.page_tokens),
            "user_token": self.user_token,
            "domain": self.domain,
            "verify_token": self.verify_token,
            "pages": [dict(p) for p in self.pages],
        }


def glob_match(glob: str, path: str) -> bool:
    if glob in ("*", "/*", "**"):
        return True
    return fnmatch.fnmatchcase(path, glob) or fnmatch.fnmatchcase(path.rstrip("/"), glob.rstrip("/"))


class World:
    """Everything the simulated Graph API knows. Mutate only while holding ``lock``."""

    def __init__(
        self,
        *,
        apps: list[App] | None = None,
        pages: list[Page] | None = None,
        users: list[User] | None = None,
        tokens: list[Token] | None = None,
        faults: Faults | None = None,
        reachable_hosts: list[str] | None = None,
        default_version: str = DEFAULT_VERSION,
        api_date: str | None = None,
        ignore_transport: list[str] | None = None,
    ) -> None:
        self.lock = threading.RLock()
        self.apps: dict[str, App] = {a.id: a for a in apps or []}
        self.pages: dict[str, Page] = {p.id: p for p in pages or []}
        self.users: dict[str, User] = {u.id: u for u in users or []}
        self.tokens: dict[str, Token] = {t.value: t for t in tokens or []}
        self.faults = faults or Faults()
        # Hosts (exact, or "*.example.com") whose https callback URLs answer Meta's verification GET.
        self.reachable_hosts: list[str] = list(reachable_hosts or [])
        self.default_version = default_version
        # Date used to decide which Graph versions are expired ("YYYY-MM-DD"); None = today.
        self.api_date = api_date
        # Transport forms this Graph API does not read (header: the Authorization header is ignored; query:
        # an access_token in the URL query is ignored; batch: batch requests are refused).
        self.ignore_transport: list[str] = list(ignore_transport or [])
        # Fault and rate-limit bookkeeping (not part of the world file).
        self.counters: dict[str, int] = {}

    # ---- lookups (take the lock yourself when you need consistency across calls)

    def app(self, app_id: str) -> App:
        return self.apps[app_id]

    def page(self, page_id: str) -> Page:
        return self.pages[page_id]

    def token(self, value: str) -> Token | None:
        return self.tokens.get(value)

    def add_token(self, token: Token) -> Token:
        with self.lock:
            self.tokens[token.value] = token
        return token

    def subscribed_fields(self, page_id: str, app_id: str) -> list[str] | None:
        """The page's subscribed_fields for the app; None when the app is not installed on the page."""
        with self.lock:
            inst = self.pages[page_id].installed.get(app_id)
            if inst is None:
                return None
            return list(inst.subscribed_fields or [])

    def app_subscription(self, app_id: str, obj: str = "page") -> Subscription | None:
        with self.lock:
            return self.apps[app_id].subscriptions.get(obj)

    def page_tokens(self, app_id: str | None = None) -> list[Token]:
        with self.lock:
            return [t for t in self.tokens.values()
                    if t.type == "PAGE" and (app_id is None or t.app_id == app_id)]

    def bump(self, key: str) -> int:
        """Increment and return a named counter (fault bookkeeping)."""
        with self.lock:
            n = self.counters.get(key, 0) + 1
            self.counters[key] = n
            return n

    def today(self) -> _dt.date:
        if self.api_date:
            return _dt.date.fromisoformat(str(self.api_date))
        return _dt.date.today()

    def copy(self) -> World:
        """A deep, independent copy (fresh lock, counters reset)."""
        with self.lock:
            w = World(
                apps=copy.deepcopy(list(self.apps.values())),
                pages=copy.deepcopy(list(self.pages.values())),
                users=copy.deepcopy(list(self.users.values())),
                tokens=copy.deepcopy(list(self.tokens.values())),
                faults=copy.deepcopy(self.faults),
                reachable_hosts=list(self.reachable_hosts),
                default_version=self.default_version,
                api_date=self.api_date,
                ignore_transport=list(self.ignore_transport),
            )
        return w

    # ---- serialisation

    def to_dict(self) -> dict[str, Any]:
        with self.lock:
            return _world_to_dict(self)

    def to_yaml(self) -> str:
        import yaml

        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True, width=120)

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str = "<world>") -> World:
        from fbhub.sandbox.worldfile import world_from_dict

        return world_from_dict(data, source=source)


def _world_to_dict(w: World) -> dict[str, Any]:
    out: dict[str, Any] = {"version": 1}
    if w.api_date:
        out["api_date"] = str(w.api_date)
    out["default_version"] = w.default_version
    out["reachable_hosts"] = list(w.reachable_hosts)
    if w.ignore_transport:
        out["ignore_transport"] = list(w.ignore_transport)
    out["apps"] = []
    for a in w.apps.values():
        d: dict[str, Any] = {"id": a.id, "secret": a.secret, "name": a.name, "category": a.category,
                             "created": a.created}
        if a.appsecret_proof_form != "any":
            d["appsecret_proof_form"] = a.appsecret_proof_form
        if a.settings:
            d["settings"] = copy.deepcopy(a.settings)
        d["require_app_secret"] = a.require_app_secret
        d["webhook_endpoint_behaviour"] = a.webhook_endpoint_behaviour
        d["subscriptions"] = [
            {
                "object": s.object,
                "callback_url": s.callback_url,
                "active": s.active,
                "fields": [{"name": n, "version": v} for n, v in s.fields.items()],
                "verify_token": s.verify_token,
                "include_values": s.include_values,
            }
            for s in a.subscriptions.values()
        ]
        d["roles"] = [{"user": r.user_id, "role": r.role} for r in a.roles]
        d["permissions"] = [{"permission": p, "status": s} for p, s in a.permissions.items()]
        out["apps"].append(d)
    out["users"] = [{"id": u.id, "name": u.name} for u in w.users.values()]
    out["pages"] = []
    for p in w.pages.values():
        pd: dict[str, Any] = {"id": p.id, "name": p.name, "category": p.category}
        if p.about:
            pd["about"] = p.about
        if p.username:
            pd["username"] = p.username
        pd["roles"] = [{"user": u, "tasks": list(t)} for u, t in p.roles.items()]
        pd["installed_apps"] = [
            {"app_id": i.app_id, "subscribed_fields": None if i.subscribed_fields is None
             else list(i.subscribed_fields)}
            for i in p.installed.values()
        ]
        out["pages"].append(pd)
    out["tokens"] = []
    for t in w.tokens.values():
        td: dict[str, Any] = {"value": t.value, "type": t.type, "app_id": t.app_id}
        if t.user_id:
            td["user_id"] = t.user_id
        if t.page_id:
            td["page_id"] = t.page_id
        td["scopes"] = list(t.scopes)
        if t.declined:
            td["declined"] = list(t.declined)
        if t.granular:
            td["granular_scopes"] = [{"scope": s, "target_ids": list(ids)} for s, ids in t.granular.items()]
        td["valid"] = t.valid
        if t.invalid_subcode:
            td["invalid_subcode"] = t.invalid_subcode
        td["expires_at"] = t.expires_at
        td["data_access_expires_at"] = t.data_access_expires_at
        if t.issued_at is not None:
            td["issued_at"] = t.issued_at
        out["tokens"].append(td)
    f = w.faults
    faults: dict[str, Any] = {}
    if f.latency:
        faults["latency"] = f.latency
    if f.fail_first:
        faults["fail_first"] = dict(f.fail_first)
    if f.malformed:
        faults["malformed"] = list(f.malformed)
    if f.rate_limit:
        faults["rate_limit"] = {g: {"after": n} for g, n in f.rate_limit.items()}
    if f.batch_timeout_indices or f.batch_timeout_every:
        bt: dict[str, Any] = {}
        if f.batch_timeout_indices:
            bt["indices"] = list(f.batch_timeout_indices)
        if f.batch_timeout_every:
            bt["every"] = f.batch_timeout_every
        faults["batch_timeout_items"] = bt
    if f.reset_connections:
        faults["reset_connections"] = dict(f.reset_connections)
    out["faults"] = faults
    return out


@dataclass
class Scenario:
    """A world (what Meta has) plus the operator's config (what was typed into fbhub)."""

    name: str
    summary: str
    world: World
    operator: Operator

    def to_yaml(self) -> str:
        """The world file for this scenario (world + ``name``/``summary``/``operator`` sections)."""
        import yaml

        d: dict[str, Any] = {"name": self.name, "summary": self.summary}
        d.update(self.world.to_dict())
        d["operator"] = self.operator.to_dict()
        return yaml.safe_dump(d, sort_keys=False, allow_unicode=True, width=120)


def default_operator(world: World) -> Operator:
    """The operator config a world implies when none is given: the first app, its page tokens, etc."""
    with world.lock:
        if not world.apps:
            return Operator(app_id="", app_secret="")
        app = next(iter(world.apps.values()))
        ptoks = [t for t in world.tokens.values() if t.type == "PAGE" and t.app_id == app.id]
        utok = next((t.value for t in world.tokens.values() if t.type == "USER" and t.app_id == app.id), None)
        sub = app.subscriptions.get("page")
        domain = world.reachable_hosts[0].lstrip("*.") if world.reachable_hosts else "cx.example.com"
        pages = [{"id": p.id, "name": p.name} for p in world.pages.values()
                 if any(t.page_id == p.id for t in ptoks)]
        return Operator(
            app_id=app.id,
            app_secret=app.secret,
            page_tokens=[t.value for t in ptoks],
            user_token=utok,
            domain=domain,
            verify_token=sub.verify_token if sub else "",
            pages=pages,
        )


def glob_first(globs: dict[str, int] | list[str], path: str) -> str | None:
    """The first glob (in definition order) matching ``path``."""
    for g in globs:
        if glob_match(g, path):
            return g
    return None
