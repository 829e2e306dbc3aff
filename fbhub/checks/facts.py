"""Gathering what Meta knows about the setup, in a fixed, small number of round trips.

Round trip 1: the app access token (proves App ID and App Secret).
Round trip 2, concurrently: the Application node, its webhook subscriptions, its roles, and one batch of
``debug_token`` calls for every page token (50 per HTTP request, chunks sent in parallel).
Round trip 3, concurrently: one batch with each valid Page token's Page name and ``subscribed_apps``.
The number of sequential round trips does not grow with the number of pages.

Facts never hold a token: a token is named by its label (keyring label or page id) and its masked form.
``Inputs`` is what the operator configured (no secret values, only whether they are present).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlencode

from fbhub.errors import FbhubError, InconclusiveError
from fbhub.meta.fields import PLATFORM_FIELDS
from fbhub.meta.versions import DEFAULT_GRAPH_VERSION
from fbhub.redact import mask
from fbhub.safetext import name as safe_name

if TYPE_CHECKING:
    from fbhub.graph.client import GraphClient
    from fbhub.session import Session

T = TypeVar("T")

# Batch chunks (50 operations each) sent in parallel: 500 Pages = 10 debug_token chunks, then 20 Page chunks,
# each set in one round trip.
BATCH_WORKERS = 24

APP_FIELDS = ("id", "name", "category", "app_domains", "contact_email", "privacy_policy_url",
              "terms_of_service_url", "website_url", "icon_url", "logo_url")


@dataclass
class Inputs:
    """What the operator configured (no secret values, only whether they are present)."""

    profile: str
    domain: str | None
    domain_warnings: tuple[str, ...] = ()
    app_id: str | None = None
    has_app_secret: bool = False
    has_verify_token: bool = False
    token_labels: list[str] = field(default_factory=list)
    pages: list[dict[str, str]] = field(default_factory=list)
    graph_version: str = DEFAULT_GRAPH_VERSION
    webhook_fields: list[str] = field(default_factory=lambda: list(PLATFORM_FIELDS))
    keyring_problem: str | None = None
    now: float = field(default_factory=time.time)
    today: date = field(default_factory=date.today)


def inputs_from(session: Session) -> Inputs:
    """What the operator configured, from settings and the secret store (secret values stay out)."""
    from fbhub.meta.domain import parse_domain

    s = session.settings
    domain = s.get("domain")
    warnings: tuple[str, ...] = ()
    if domain:
        warnings = parse_domain(domain).warnings
    return Inputs(
        profile=s.profile,
        domain=domain,
        domain_warnings=warnings,
        app_id=s.get("app_id"),
        has_app_secret=bool(session.secrets.get("app-secret")),
        has_verify_token=bool(session.secrets.get("verify-token")),
        token_labels=list(session.secrets.page_tokens()),
        pages=list(s.get("pages") or []),
        graph_version=s["graph_version"],
        webhook_fields=list(s["webhook_fields"]),
        keyring_problem=session.secrets.keyring_problem,
    )


@dataclass
class Answer:
    """What one Graph call gave: data, or the error it raised."""

    data: Any = None
    error: FbhubError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def inconclusive(self) -> bool:
        return isinstance(self.error, InconclusiveError) or bool(getattr(self.error, "is_transient", False))


@dataclass
class TokenFacts:
    """What Meta says about one page token, named by its label and masked form (never the token itself)."""

    label: str  # keyring label or page id
    masked: str  # the token as shown: its first and last characters
    debug: Answer = field(default_factory=lambda: Answer())
    other_app: dict[str, Any] | None = None  # {"id", "name"} of the app that issued it, when found
    page_id: str | None = None
    page_name: str | None = None
    position: int = 0  # 1-based place in the token list or store (names a token whose Page is not known)

    @property
    def inspected(self) -> bool:
        return self.debug.data is not None or self.debug.error is not None

    def blocking_scopes(self) -> list[str]:
        """Permissions the token lacks without which subscribing its Page fails: pages_manage_metadata (the
        subscribed_apps call, #200) and pages_messaging (messaging fields, #230). Empty when unknown."""
        d = self.debug.data if self.debug.ok else None
        if not isinstance(d, dict) or not d.get("is_valid"):
            return []
        scopes = set(d.get("scopes") or [])
        return [s for s in ("pages_manage_metadata", "pages_messaging") if s not in scopes]

    def usable_page_token(self, app_id: str | None) -> bool:
        """A valid Page token of this app whose Page is known."""
        d = self.debug.data if self.debug.ok else None
        return bool(self.page_id and isinstance(d, dict) and d.get("is_valid") and d.get("type") == "PAGE"
                    and self.other_app is None and (not app_id or str(d.get("app_id")) == str(app_id)))


@dataclass
class PageFacts:
    page_id: str
    name: str = ""
    token_label: str | None = None
    info: Answer | None = None
    subscribed_apps: Answer | None = None


@dataclass
class Facts:
    """Everything the checks look at. ``extra`` holds what groups with their own I/O gathered (by group name)."""

    credentials: Answer | None = None
    app: Answer | None = None
    subscriptions: Answer | None = None
    roles: Answer | None = None
    tokens: list[TokenFacts] = field(default_factory=list)
    pages: dict[str, PageFacts] = field(default_factory=dict)
    versions_served: set[str] = field(default_factory=set)
    requests: int = 0
    usage: dict[str, dict[str, int]] = field(default_factory=dict)  # Meta's usage headers, peak percent
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def credentials_ok(self) -> bool:
        """Meta issued an app access token for the App ID and App Secret."""
        return self.credentials is not None and self.credentials.ok


def token_facts(tokens: dict[str, str]) -> list[TokenFacts]:
    """The facts about these tokens before anything is asked: their labels and masked forms."""
    return [TokenFacts(label=label, masked=mask(tok), position=n) for n, (label, tok) in enumerate(tokens.items(), 1)]


def _call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> Answer:
    try:
        return Answer(data=fn(*args, **kwargs))
    except FbhubError as exc:
        return Answer(error=exc)


def _is_other_app_error(err: Any) -> bool:
    from fbhub.graph.errors import TokenOfOtherApp

    return isinstance(err, TokenOfOtherApp) or "did not match the Viewing App" in str(getattr(err, "message", ""))


def gather(client: GraphClient, *, tokens: dict[str, str], pages: list[dict[str, str]], groups: set[str],
           workers: int = 8) -> Facts:
    """Collect every fact the selected check groups need. Never raises for Graph errors: they are facts.

    Everything goes out at once, in one round trip: the token exchange (which proves the credentials)
    alongside the app-token reads made with ``APPID|APPSECRET``, one batch of ``debug_token`` calls and one
    batch of each Page token's ``me`` and ``me/subscribed_apps`` (chunks of 50 sent in parallel).
    """
    from fbhub.graph import APP, BatchItem

    facts = Facts()
    facts.tokens = token_facts(tokens)
    names = {p["id"]: p.get("name", "") for p in pages}
    needs_graph = groups & {"credentials", "app-settings", "app-webhook", "page-token", "page-subscription",
                            "graph-version"}
    if not needs_graph:
        return facts
    client.use_direct_app_token()
    wants_tokens = bool(facts.tokens) and bool(groups & {"page-token", "page-subscription"})
    with ThreadPoolExecutor(max_workers=workers) as pool:
        fut_cred = pool.submit(_call, client.app_token)
        fut_app = pool.submit(_call, client.get_app, list(APP_FIELDS)) if groups & {"app-settings",
                                                                                   "graph-version"} else None
        fut_subs = pool.submit(_call, client.get_app_subscriptions) if "app-webhook" in groups else None
        fut_roles = pool.submit(_call, client.get_app_roles) if "app-settings" in groups else None
        fut_debug = fut_pages = None
        if wants_tokens:
            items = [BatchItem("GET", "debug_token?" + urlencode({"input_token": tokens[t.label]}))
                     for t in facts.tokens]
            fut_debug = pool.submit(_call, client.batch, items, token=APP, max_workers=BATCH_WORKERS)
            items = []
            for t in facts.tokens:  # "me" is the Page itself for a Page token
                items.append(BatchItem("GET", "me?fields=id,name", token=tokens[t.label]))
                items.append(BatchItem("GET", "me/subscribed_apps", token=tokens[t.label]))
            fut_pages = pool.submit(_call, client.batch, items, token=APP, max_workers=BATCH_WORKERS)
        facts.credentials = fut_cred.result()
        facts.app = fut_app.result() if fut_app else None
        facts.subscriptions = fut_subs.result() if fut_subs else None
        facts.roles = fut_roles.result() if fut_roles else None
        if fut_debug is not None:
            _apply_debug(facts, fut_debug.result())
        page_outcome = fut_pages.result() if fut_pages is not None else None

    if page_outcome is not None:
        for i, t in enumerate(facts.tokens):
            if t.page_id is None or not t.usable_page_token(client.app_id):
                continue
            pf = facts.pages.setdefault(t.page_id, PageFacts(page_id=t.page_id, name=names.get(t.page_id, "")))
            pf.token_label = t.label
            if page_outcome.ok:
                pf.info = _from_batch(page_outcome.data[2 * i])
                pf.subscribed_apps = _from_batch(page_outcome.data[2 * i + 1])
                if pf.info.ok and isinstance(pf.info.data, dict):
                    pf.name = safe_name(pf.info.data.get("name") or "") or pf.name  # data, never markup
                    t.page_name = pf.name
            else:
                pf.info = pf.subscribed_apps = Answer(error=page_outcome.error)
    # The app behind a foreign token (rare): asked without our appsecret_proof, which would not match.
    foreign = [t for t in facts.tokens if t.other_app is not None]
    if foreign:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            asked = [(t, pool.submit(_call, client.get, "app", token=tokens[t.label], proof=False)) for t in foreign]
            for t, res in asked:
                out = res.result()
                if out.ok and isinstance(getattr(out.data, "data", None), dict):
                    d = out.data.data
                    t.other_app = {"id": str(d.get("id", "")), "name": d.get("name", "")}
    for p in pages:  # configured pages without a usable token still get a row
        facts.pages.setdefault(p["id"], PageFacts(page_id=p["id"], name=p.get("name", "")))
    _finish(client, facts)
    return facts


def _from_batch(res: Any) -> Answer:
    if getattr(res, "ok", False):
        return Answer(data=res.data)
    return Answer(error=getattr(res, "error", None) or InconclusiveError("no answer for this batch item"))


def _apply_debug(facts: Facts, outcome: Answer) -> None:
    for i, t in enumerate(facts.tokens):
        if not outcome.ok:
            t.debug = Answer(error=outcome.error)
            continue
        res = _from_batch(outcome.data[i])
        data = res.data.get("data", res.data) if res.ok and isinstance(res.data, dict) else None
        if res.ok and not isinstance(data, dict):
            t.debug = Answer(error=InconclusiveError("debug_token answered without token data"))
        elif res.ok and isinstance(data, dict):
            t.debug = Answer(data=data)
            if data.get("type") == "PAGE" and data.get("profile_id"):
                t.page_id = str(data["profile_id"])
        elif _is_other_app_error(res.error):
            t.debug = res
            t.other_app = {}
        else:
            t.debug = res


def _finish(client: GraphClient, facts: Facts) -> None:
    facts.versions_served = set(getattr(client, "api_versions_seen", set()) or set())
    facts.requests = int(getattr(client, "request_count", 0) or 0)
    facts.usage = {k: dict(v) for k, v in (getattr(client, "usage_peak", None) or {}).items()}


# -- reading facts (shared by the groups) ----------------------------------------------------------


def error_text(err: object) -> str:
    """An error as one line, with its Graph code when the message does not say it already."""
    msg = getattr(err, "message", None) or str(err)
    code = getattr(err, "code", None)
    return f"{msg} (code {code})" if code and f"#{code}" not in msg and f"code {code}" not in msg else msg


def page_target(page_id: str | None, name: str | None = "") -> str:
    """How a Page is named as a result's target."""
    if not page_id:
        return "page (unknown)"
    return f"page {page_id} ({name})" if name else f"page {page_id}"


def token_target(t: TokenFacts) -> str:
    """How a token is named as a result's target: the one name of a token (its Page when known, else its
    position) with its masked form."""
    from fbhub.secrets import masked_token_name

    page_id = t.page_id or (t.label if t.label.isdigit() else None)
    return masked_token_name(t.masked, page_id=page_id, page_name=t.page_name, position=t.position)


def credentials_skip(facts: Facts) -> str:
    """Why checks that need the app's credentials were not made: they failed, or could not be checked."""
    cred = facts.credentials
    if cred is not None and not cred.ok and cred.inconclusive:
        return "not checked: the app's credentials could not be checked (FB2xx)"
    return "the app's credentials did not check out (FB2xx)"
