"""How a token-bearing read or delete travels to Meta: the transport forms, their order, and how a refusal
of one form is recognised. No HTTP here (the client sends); this module imports nothing heavy.

Evidence (README "How fbhub talks to Meta" has the long version):

* Meta closed the HTTP method override (``POST`` + ``method=GET``/``DELETE``) to apps created on or after
  2026-11-04, on every Graph version ("Introducing Graph API v27.0 and Marketing API v27.0",
  https://developers.facebook.com/blog/post/2026/11/04/introducing-graph-api-v27-and-marketing-api-v27/).
  fbhub never sends it.
* ``batch`` — a synchronous batch of one operation: ``POST /{v}/`` with ``access_token`` (+
  ``appsecret_proof``) and ``batch=[{"method": "GET", "relative_url": …}]`` in the form body. Documented
  for every token kind (https://developers.facebook.com/docs/graph-api/batch-requests: the top-level
  ``access_token`` is required and is the fallback token of every operation; a GET or DELETE operation
  carries its own parameters in ``relative_url``, a POST operation in ``body``). Not on the v26.0 removal
  list nor the v27.0 closure list (which names *asynchronous* batches only). Token, proof and secret
  parameters (``input_token``) stay in the request body. First choice.
* ``header`` — a real GET/DELETE with ``Authorization: Bearer <token>``. Documented by Meta for Graph calls
  of its WhatsApp Cloud API (Meta's Postman collection ``WhatsApp/WhatsApp-Flows-Tools``
  ``postman/v1/whatsapp-cloud-api.postman_collection.json``; ``debug_token`` in
  https://developers.facebook.com/docs/whatsapp/permissions), used by restfb (restfb/restfb#1107) and
  huandu/facebook (``UseAuthorizationHeader``, PR #205). UNSURE for ``APPID|APPSECRET`` app tokens (no
  Meta page shows it). ``appsecret_proof`` has no documented header, so it rides in the query string
  (an HMAC, not the token). Not usable for calls with secret parameters (``debug_token?input_token=``).
* ``query`` — a real GET/DELETE with ``access_token`` in the query string: the canonical form of Meta's
  reference pages and of Meta's own Python SDK (``facebook-business``: ``FacebookSession`` puts
  ``access_token`` and ``appsecret_proof`` into the session's query ``params``). It writes the token into
  every proxy and server log on the way, so fbhub uses it only when ``graph_transport = query`` is set,
  and warns.

Genuine writes (``POST /{page-id}/subscribed_apps``, ``POST /{app-id}/subscriptions``) carry the token in
their form body: documented, and not affected by either change.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fbhub.graph.errors import GraphError

BATCH = "batch"
HEADER = "header"
QUERY = "query"
AUTO = "auto"

FORMS = (BATCH, HEADER, QUERY)
CHOICES = (AUTO, BATCH, HEADER, QUERY)
# ``auto`` tries these in order (``query`` only when pinned: it puts the token in the URL).
AUTO_ORDER = (BATCH, HEADER)
QUERY_WARNING = ("graph_transport = query puts access tokens into URL query strings (Meta's canonical form): "
                 "proxies and server logs on the way can record them; use it only where the other forms fail")

# Which memory slot a call uses: app-token calls and user/Page-token calls may be treated differently by Meta
# (the header form is documented for user / system-user tokens only).
APP_KIND = "app"
TOKEN_KIND = "token"

DESCRIPTIONS = {
    BATCH: "a one-operation batch request (POST, token in the body)",
    HEADER: "a real GET/DELETE with the token in an Authorization header",
    QUERY: "a real GET/DELETE with the token in the query string",
}

# Meta's text for a refused transport is not recorded anywhere we found (UNSURE): recognise the two ways a
# refusal can show — the token was evidently not seen (code 104 "An access token is required…", or
# 2500 "An active access token must be used…"), or the message names the refused mechanism.
_REFUSAL_TEXT = re.compile(r"method override|batch requests? (?:is|are) not|authorization header|"
                           r"not (?:available|supported) for (?:new )?apps", re.IGNORECASE)


def parse_choice(value: object) -> str:
    """Validate a ``graph_transport`` value (auto, batch, header, query)."""
    from fbhub.errors import UsageError

    text = value.strip().lower() if isinstance(value, str) else value
    if text not in CHOICES:
        raise UsageError(f"invalid graph_transport {value!r}: use one of {', '.join(CHOICES)}",
                         hint="'auto' (the default) tries batch, then header, and remembers what works")
    return str(text)


def forms_for(choice: str, kind: str, *, secret_params: bool, remembered: str | None = None) -> list[str]:
    """The forms to try, in order, for one call. A pinned choice is the only form (``header`` cannot carry
    secret parameters, so a call with them falls back to ``batch``); ``auto`` starts with the remembered
    form for this kind of token."""
    if choice != AUTO:
        if choice == HEADER and secret_params:
            return [BATCH]
        return [choice]
    order = [f for f in AUTO_ORDER if not (f == HEADER and secret_params)]
    if remembered in order:
        order.remove(remembered)
        order.insert(0, remembered)
    return order


def is_refusal(err: GraphError) -> bool:
    """True when an error says Meta refused (or did not read) the way the token travelled."""
    if err.code == 104:
        return True
    msg = err.graph_message or ""
    if err.code == 2500 and "access token" in msg.lower():
        return True
    if err.http_status in (405, 501) and err.code is None:
        return True
    return bool(_REFUSAL_TEXT.search(msg))
