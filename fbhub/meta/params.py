"""Graph API parameters whose values are secrets: never in an HTTP request URL (unless the operator pinned
``graph_transport = query``), always masked in logs, replaced by placeholders in recorded exchanges, and left
out when a replayed request is matched."""

from __future__ import annotations

SECRET_PARAMS = frozenset(
    {
        "access_token", "client_secret", "appsecret_proof", "appsecret_time", "input_token",
        "fb_exchange_token", "verify_token", "hub.verify_token", "app_secret", "page_token",
    }
)
