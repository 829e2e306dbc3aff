"""Built-in scenarios: a healthy CloudCX setup and worlds that each break one thing.

Every scenario is built fresh on access (``SCENARIOS[name]`` or ``build_scenario(name)``), from a
generator seeded with its name, so ids and tokens are stable between runs but worlds never share
state.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from fbhub.errors import UsageError
from fbhub.meta.fields import PLATFORM_FIELDS
from fbhub.sandbox.graph import derive_token
from fbhub.sandbox.world import (
    DEFAULT_VERSION,
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
)

APP_ID = "1234567890123456"
OTHER_APP_ID = "7654321098765432"
ADMIN_ID = "100012345678901"
TESTER_ID = "100012345678902"
DOMAIN = "cx.example.com"
WEBHOOK = f"https://{DOMAIN}/fb/webhook"
STAGING_WEBHOOK = "https://staging.cx.example.com/fb/webhook"
PAGE_SCOPES = ["pages_messaging", "pages_manage_metadata", "pages_show_list", "business_management",
               "public_profile"]
PAGE_NAMES = ["CloudCX Support", "CloudCX Sales"]
_DAY = 86400


@dataclass
class _Ids:
    app: App
    pages: list[Page]
    user_token: Token
    page_tokens: list[Token]


def _hex(rng: random.Random, n: int = 32) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def _page_id(i: int) -> str:
    return f"1100000000{i + 1:05d}"


def app_settings() -> dict[str, Any]:
    return {
        "app_domains": [DOMAIN],
        "contact_email": f"admin@{DOMAIN}",
        "privacy_policy_url": f"https://{DOMAIN}/privacy",
        "terms_of_service_url": f"https://{DOMAIN}/terms",
        "website_url": f"https://{DOMAIN}/",
        "icon_url": f"https://static.xx.fbcdn.net/rsrc.php/app_icon/{APP_ID}_1024.png",
        "logo_url": f"https://static.xx.fbcdn.net/rsrc.php/app_logo/{APP_ID}.png",
        "supported_platforms": ["WEB"],
        "app_type": 0,  # UNSURE: numeric meaning undocumented (§2.2)
        "has_messenger_product": True,
        "created_time": "2025-03-14T09:26:53+0000",
    }


def _healthy(seed: str, *, pages: int = 2) -> tuple[World, Operator, _Ids]:
    rng = random.Random(f"fbhub-sandbox:{seed}")
    t0 = int(time.time())
    secret = _hex(rng)
    verify = _hex(rng, 24)
    app = App(
        id=APP_ID, secret=secret, name="CloudCX Messenger", category="Messaging", settings=app_settings(),
        subscriptions={"page": Subscription(object="page", callback_url=WEBHOOK,
                                            fields={f: DEFAULT_VERSION for f in PLATFORM_FIELDS},
                                            active=True, verify_token=verify)},
        roles=[AppRole(ADMIN_ID, "administrators"), AppRole(TESTER_ID, "testers")],
        permissions={p: "live" for p in PAGE_SCOPES},
    )
    users = [User(ADMIN_ID, "Alex Admin"), User(TESTER_ID, "Terry Tester")]
    page_objs = []
    for i in range(pages):
        name = PAGE_NAMES[i] if i < len(PAGE_NAMES) else f"CloudCX Page {i + 1}"
        page_objs.append(Page(
            id=_page_id(i), name=name, category="Software" if i % 2 == 0 else "Business service",
            installed={APP_ID: Installation(APP_ID, list(PLATFORM_FIELDS))},
            roles={ADMIN_ID: ["ANALYZE", "ADVERTISE", "MESSAGING", "MODERATE", "CREATE_CONTENT", "MANAGE"]},
        ))
    user_tok = Token(value=derive_token(f"{seed}:user:{rng.random()}", 190), type="USER", app_id=APP_ID,
                     user_id=ADMIN_ID, scopes=list(PAGE_SCOPES), expires_at=t0 + 59 * _DAY,
                     data_access_expires_at=t0 + 89 * _DAY, issued_at=t0 - _DAY)
    page_toks = [Token(value=derive_token(f"{seed}:page:{p.id}:{rng.random()}", 180), type="PAGE",
                       app_id=APP_ID, user_id=ADMIN_ID, page_id=p.id, scopes=list(PAGE_SCOPES), expires_at=0,
                       data_access_expires_at=t0 + 89 * _DAY)
                 for p in page_objs]
    world = World(apps=[app], pages=page_objs, users=users, tokens=[user_tok, *page_toks],
                  reachable_hosts=[DOMAIN])
    op = Operator(app_id=APP_ID, app_secret=secret, page_tokens=[t.value for t in page_toks],
                  user_token=user_tok.value, domain=DOMAIN, verify_token=verify,
                  pages=[{"id": p.id, "name": p.name} for p in page_objs])
    return world, op, _Ids(app, page_objs, user_tok, page_toks)


def _other_app(world: World, seed: str, name: str = "Legacy Chatbot") -> App:
    rng = random.Random(f"fbhub-sandbox:{seed}:other")
    other = App(id=OTHER_APP_ID, secret=_hex(rng), name=name, category="Business",
                settings={"app_domains": ["bot.example.net"], "website_url": "https://bot.example.net/"},
                roles=[AppRole(ADMIN_ID, "administrators")])
    world.apps[other.id] = other
    return other


# ----------------------------------------------------------------------------- scenario builders


def _s_healthy(name: str) -> Scenario:
    w, op, _ = _healthy(name)
    return Scenario(name, "everything configured correctly: 2 pages subscribed, webhook verified", w, op)


def _s_wrong_secret(name: str) -> Scenario:
    w, op, _ = _healthy(name)
    op.app_secret = _hex(random.Random(f"{name}:typo"))
    return Scenario(name, "the operator's App Secret does not match the app (code 1 on token exchange)", w, op)


def _s_unknown_app_id(name: str) -> Scenario:
    w, op, _ = _healthy(name)
    op.app_id = "1234567890000000"
    return Scenario(name, "the operator's App ID is not an app Meta knows (code 101)", w, op)


def _s_token_other_app(name: str) -> Scenario:
    w, op, ids = _healthy(name)
    other = _other_app(w, name)
    t0 = int(time.time())
    toks = []
    for p in ids.pages:
        t = Token(value=derive_token(f"{name}:other:{p.id}"), type="PAGE", app_id=other.id, user_id=ADMIN_ID,
                  page_id=p.id, scopes=list(PAGE_SCOPES), expires_at=0, data_access_expires_at=t0 + 80 * _DAY)
        w.tokens[t.value] = t
        toks.append(t.value)
    op.page_tokens = toks
    return Scenario(name, "the page tokens were issued for another app (debug_token: App_id did not match)",
                    w, op)


def _s_missing_messaging(name: str) -> Scenario:
    w, op, ids = _healthy(name)
    for t in [ids.user_token, *ids.page_tokens]:
        t.scopes = [s for s in t.scopes if s != "pages_messaging"]
        t.declined = ["pages_messaging"]
    return Scenario(name, "page tokens lack pages_messaging (subscribing messaging fields fails with #230)",
                    w, op)


def _s_token_expired(name: str) -> Scenario:
    w, op, ids = _healthy(name)
    t = ids.page_tokens[0]
    t.expires_at = int(time.time()) - 2 * _DAY
    t.issued_at = t.expires_at - 60 * _DAY
    return Scenario(name, f"the page token of '{ids.pages[0].name}' expired 2 days ago (190/463)", w, op)


def _s_token_invalidated(name: str) -> Scenario:
    w, op, ids = _healthy(name)
    t = ids.page_tokens[0]
    t.valid, t.invalid_subcode, t.expires_at = False, 460, 0
    return Scenario(name, f"the page token of '{ids.pages[0].name}' was invalidated by a password change "
                          "(190/460, expires_at 0)", w, op)


def _s_page_not_subscribed(name: str) -> Scenario:
    w, op, ids = _healthy(name)
    ids.pages[0].installed.clear()
    return Scenario(name, f"'{ids.pages[0].name}' has not installed the app (subscribed_apps empty)", w, op)


def _s_app_webhook_missing(name: str) -> Scenario:
    w, op, ids = _healthy(name)
    ids.app.subscriptions.clear()
    return Scenario(name, "the app has no page webhook subscription (/{app-id}/subscriptions empty)", w, op)


def _s_webhook_inactive(name: str) -> Scenario:
    w, op, ids = _healthy(name)
    ids.app.subscriptions["page"].active = False
    return Scenario(name, "the app's page webhook exists but is inactive (active: false)", w, op)


def _s_callback_wrong_domain(name: str) -> Scenario:
    w, op, ids = _healthy(name)
    ids.app.subscriptions["page"].callback_url = "https://old-cx.example.net/fb/webhook"
    return Scenario(name, "the app webhook points at another domain (old-cx.example.net)", w, op)


def _s_settings_incomplete(name: str) -> Scenario:
    w, op, ids = _healthy(name)
    for k in ("privacy_policy_url", "terms_of_service_url", "icon_url", "app_domains"):
        ids.app.settings.pop(k, None)
    ids.app.category = "Business"
    return Scenario(name, "app settings lack privacy policy, terms, icon and app domains; category Business",
                    w, op)


def _s_user_token_as_page(name: str) -> Scenario:
    w, op, ids = _healthy(name)
    op.page_tokens = [ids.user_token.value]
    return Scenario(name, "the operator pasted the user token where a page token belongs (#210)", w, op)


def _s_flaky(name: str) -> Scenario:
    w, op, _ = _healthy(name)
    w.faults = Faults(fail_first={"*": 2})
    return Scenario(name, "the first 2 requests to every path answer 503 (code 2, transient)", w, op)


def _s_rate_limited(name: str) -> Scenario:
    w, op, _ = _healthy(name)
    w.faults = Faults(rate_limit={"*": 3})
    return Scenario(name, "after 3 calls every call is throttled (code 4 app / 80001 page)", w, op)


def _s_require_app_secret(name: str) -> Scenario:
    w, op, ids = _healthy(name)
    ids.app.require_app_secret = True
    return Scenario(name, "healthy, with Require App Secret on: user/page calls need appsecret_proof", w, op)


def _s_expiring_soon(name: str) -> Scenario:
    w, op, ids = _healthy(name)
    for t in ids.page_tokens:
        t.expires_at = int(time.time()) + 3 * _DAY
    return Scenario(name, "the page tokens expire in 3 days", w, op)


def _s_other_app_subscribed(name: str) -> Scenario:
    w, op, ids = _healthy(name)
    other = _other_app(w, name)
    ids.pages[0].installed[other.id] = Installation(other.id, ["messages", "messaging_postbacks"])
    return Scenario(name, f"another app ('{other.name}') also receives messages of '{ids.pages[0].name}'", w, op)


def _s_page_missing_fields(name: str) -> Scenario:
    w, op, ids = _healthy(name)
    ids.pages[0].installed[APP_ID].subscribed_fields = ["messages"]
    return Scenario(name, f"'{ids.pages[0].name}' is subscribed to 'messages' only", w, op)


def _s_demo(name: str) -> Scenario:
    w, op, ids = _healthy(name)
    ids.pages[1].installed.clear()
    ids.app.subscriptions["page"].callback_url = STAGING_WEBHOOK
    ids.app.settings.pop("privacy_policy_url", None)
    return Scenario(name, "credentials fine; one page not subscribed, webhook on the old staging host, "
                          "no privacy policy URL", w, op)


def build_world(pages: int = 20, latency: float = 0.0, *, seed: str = "many-pages") -> World:
    """A healthy world with ``pages`` pages, each subscribed and with its own never-expiring page token."""
    if pages < 1:
        raise UsageError(f"pages must be at least 1, got {pages}")
    w, _, _ = _healthy(seed, pages=pages)
    w.faults.latency = latency
    return w


def _s_many_pages(name: str, pages: int = 20, latency: float = 0.0) -> Scenario:
    w, op, _ = _healthy(name, pages=pages)
    w.faults.latency = latency
    return Scenario(name, f"healthy with {pages} pages (benchmarks; pages=N, latency=s)", w, op)


_BUILDERS: dict[str, Callable[..., Scenario]] = {
    "healthy": _s_healthy,
    "wrong-secret": _s_wrong_secret,
    "unknown-app-id": _s_unknown_app_id,
    "token-other-app": _s_token_other_app,
    "token-missing-pages-messaging": _s_missing_messaging,
    "token-expired": _s_token_expired,
    "token-invalidated": _s_token_invalidated,
    "token-expiring-soon": _s_expiring_soon,
    "user-token-as-page-token": _s_user_token_as_page,
    "page-not-subscribed": _s_page_not_subscribed,
    "page-missing-fields": _s_page_missing_fields,
    "other-app-subscribed": _s_other_app_subscribed,
    "app-webhook-missing": _s_app_webhook_missing,
    "app-webhook-inactive": _s_webhook_inactive,
    "callback-wrong-domain": _s_callback_wrong_domain,
    "app-settings-incomplete": _s_settings_incomplete,
    "require-app-secret": _s_require_app_secret,
    "flaky": _s_flaky,
    "rate-limited": _s_rate_limited,
    "demo": _s_demo,
    "many-pages": _s_many_pages,
}


class _Registry(Mapping[str, Scenario]):
    """Ordered name -> Scenario; every lookup builds a fresh Scenario (fresh World)."""

    def __getitem__(self, name: str) -> Scenario:
        return _BUILDERS[name](name)

    def __iter__(self) -> Iterator[str]:
        return iter(_BUILDERS)

    def __len__(self) -> int:
        return len(_BUILDERS)

    def __contains__(self, name: object) -> bool:
        return name in _BUILDERS

    def summaries(self) -> dict[str, str]:
        """name -> one-line summary, in order (builds each scenario once)."""
        return {n: _BUILDERS[n](n).summary for n in _BUILDERS}


SCENARIOS = _Registry()


def build_scenario(name: str, **kwargs: Any) -> Scenario:
    """A fresh, mutable Scenario by name. ``many-pages`` takes ``pages=`` and ``latency=``."""
    builder = _BUILDERS.get(name)
    if builder is None:
        import difflib

        close = difflib.get_close_matches(name, list(_BUILDERS), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise UsageError(f"unknown sandbox scenario {name!r} (valid: {', '.join(_BUILDERS)})",
                         hint=f"{hint}pass one of the listed names, or a world file (*.yaml)")
    try:
        return builder(name, **kwargs)
    except TypeError:
        if kwargs:
            raise UsageError(f"scenario {name!r} takes no options ({', '.join(kwargs)})",
                             hint="only many-pages takes pages= and latency=") from None
        raise
