"""The catalogue of Graph API error codes: what each code means in plain words, how to fix it, whether it
is transient, and its stable explain name.

``ERROR_CATALOGUE`` maps ``(code, subcode | None)`` to an ``ErrorInfo`` (title, meaning, fix, transient,
topic, group). ``topic`` is a stable name the ``explain`` command accepts (``"190"``, ``"190/463"``,
``"200-299"``, ``"version-expired"`` …); ``group`` is a broader name (``"rate-limit"``,
``"permissions"``, ``"token"`` …); ``explain`` names the explain topic (a Markdown page in
``fbhub/knowledge/topics/``) that tells the whole story, or None. Pure data: ``fbhub.graph.errors`` builds its
exceptions on it and ``fbhub.knowledge`` reads it (a situation or group name with an ``explain`` topic opens
that topic).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorInfo:
    """What an error code means in plain words and how to fix it."""

    title: str
    meaning: str
    fix: str
    transient: bool
    topic: str
    group: str = ""
    # The explain topic (a Markdown page of fbhub.knowledge) that tells the whole story, or None.
    explain: str | None = None


def _e(topic: str, group: str, explain: str | None, title: str, meaning: str, fix: str,
       transient: bool = False) -> ErrorInfo:
    return ErrorInfo(title=title, meaning=meaning, fix=fix, transient=transient, topic=topic, group=group,
                     explain=explain)


_TOKEN_FIX = ("get a new token: run 'fbhub configure' (or 'fbhub secrets set page-token') with a fresh "
              "Page token taken from a long-lived user token")

ERROR_CATALOGUE: dict[tuple[int, int | None], ErrorInfo] = {
    (1, None): _e("1", "server", None, "Unknown error",
                  "Graph failed for an unknown reason; usually a temporary problem on Meta's side.",
                  "retry later; if it repeats, check the call exists in this Graph version", True),
    (1, 99): _e("1/99", "permissions", "permissions", "Unknown error (Messenger)",
                "Often a missing permission, Advanced Access or business verification for the Messenger call.",
                "check App Review status of pages_messaging and business verification in the dashboard"),
    (2, None): _e("2", "server", None, "Service temporarily unavailable",
                  "Meta's service had a temporary failure.", "wait a moment and retry", True),
    (2, 2018344): _e("2/2018344", "messaging", None, "Privacy ToS not accepted",
                     "A Page admin has not accepted the terms for this Messenger feature.",
                     "a Page admin must accept the terms in the Page's inbox settings"),
    (3, None): _e("3", "permissions", "permissions", "Capability missing",
                  "The app does not have the capability (product or feature) needed for this call.",
                  "add the Messenger product to the app and request the needed access in App Review"),
    (4, None): _e("4", "rate-limit", "rate-limit", "Application request limit reached",
                  "The app made too many calls (app-level throttling).",
                  "wait (X-App-Usage shows how close you are) and spread calls out; fbhub retries with backoff",
                  True),
    (10, None): _e("10", "permissions", "permissions", "Permission denied",
                   "A permission needed for this call was not granted, or was removed.",
                   "grant the permission again (re-run Facebook Login / 'fbhub configure'); for people "
                   "without an app role the app needs Advanced Access"),
    (10, 2018278): _e("10/2018278", "messaging", None, "Outside the messaging window",
                      "The message is sent outside the 24-hour window after the customer's last message.",
                      "answer within 24 hours or use an allowed message tag"),
    (17, None): _e("17", "rate-limit", "rate-limit", "User request limit reached",
                   "The user behind the token made too many calls.", "wait and retry later", True),
    (32, None): _e("32", "rate-limit", "rate-limit", "Page request limit reached",
                   "Calls about this Page were rate-limited (Pages calls made with a user token).",
                   "wait and retry; use a Page token for Page calls", True),
    (100, None): _e("100", "params", None, "Invalid parameter",
                    "A parameter or field is wrong, unknown in this Graph version, or the object does not exist.",
                    "check the IDs and field names in the message; check the Graph version"),
    (100, 33): _e("100/33", "params", None, "Object not found or not accessible",
                  "The object does not exist, cannot be loaded due to missing permissions, or does not support "
                  "this operation.",
                  "check the ID (App ID / Page ID) and that the token belongs to the right app and Page"),
    (100, 2018001): _e("100/2018001", "messaging", None, "No matching user found",
                       "The recipient PSID does not belong to this Page.",
                       "use a PSID received by this Page's webhook"),
    (101, None): _e("101", "app-credentials", "app-credentials", "Invalid App ID",
                    "Meta does not accept the App ID (wrong, deleted, or not an app).",
                    "copy the App ID from App settings > Basic in Meta's dashboard ('fbhub config set app_id …')"),
    (102, None): _e("102", "token", "token-expired", "Session invalid",
                    "The login session behind the token is no longer valid.", _TOKEN_FIX),
    (104, None): _e("104", "token", "token-expired", "Access token required",
                    "The call needs an access token (or its signature was wrong).",
                    "configure a token for this call ('fbhub secrets set page-token')"),
    (190, None): _e("190", "token", "token-expired", "Invalid or expired access token",
                    "The access token is invalid, expired or was revoked.", _TOKEN_FIX),
    (190, 458): _e("190/458", "token", "token-expired", "App not installed",
                   "The person removed the app or never logged into it, so the token no longer works.",
                   "log in through the app again ('fbhub configure') and take a new Page token"),
    (190, 459): _e("190/459", "token", "token-expired", "User checkpointed",
                   "Facebook requires the person to log in at facebook.com to fix their account.",
                   "the person must log in at https://www.facebook.com, then get a new token"),
    (190, 460): _e("190/460", "token", "token-expired", "Password changed",
                   "The session was invalidated because the password changed or Facebook reset the session.",
                   _TOKEN_FIX),
    (190, 463): _e("190/463", "token", "token-expired", "Token expired",
                   "The token has expired (short-lived tokens last about an hour, user tokens about 60 days).",
                   "exchange for a long-lived user token, then take the Page token from it (it does not expire)"),
    (190, 464): _e("190/464", "token", "token-expired", "Unconfirmed user",
                   "The person's Facebook account is not confirmed.",
                   "the person must confirm their account at facebook.com"),
    (190, 466): _e("190/466", "token", "token-expired", "Token invalidated",
                   "The session was invalidated explicitly (logout or an API call).", _TOKEN_FIX),
    (190, 467): _e("190/467", "token", "token-expired", "Invalid access token",
                   "The token is not valid (malformed, logged out, or revoked).", _TOKEN_FIX),
    (190, 492): _e("190/492", "token", "token-expired", "Invalid session (no Page role)",
                   "The person tied to the Page token no longer has a role (task) on the Page.",
                   "give the person a role on the Page again, or take the token from a current Page admin"),
    (191, None): _e("191", "login", "redirect-uri", "Redirect URL domain not allowed",
                    "The redirect URL's domain is not in the app's App Domains / Valid OAuth Redirect URIs.",
                    "add the URL from 'fbhub urls' to Facebook Login > Settings > Valid OAuth Redirect URIs"),
    (200, None): _e("200", "permissions", "permissions", "Permission missing",
                    "The token lacks a permission for this object, e.g. pages_manage_metadata to manage the Page's "
                    "subscriptions; or, on /{page-id}/subscribed_apps, the person behind the Page token has none "
                    "of the MANAGE, MODERATE or CREATE_CONTENT tasks on the Page; or the app is in Development "
                    "mode for people without a role.",
                    "grant pages_manage_metadata / pages_messaging (re-run Facebook Login), take the Page token "
                    "from a person who can manage or moderate the Page, and check App Review status"),
    (200, 2018028): _e("200/2018028", "permissions", "dev-mode", "App not live for pages_messaging",
                       "Messages can only go to people with a role on the app until pages_messaging is approved "
                       "and the app is Live.",
                       "get Advanced Access for pages_messaging in App Review and switch the app to Live"),
    (210, None): _e("210", "permissions", "token-type", "Page token required",
                    "This call needs a Page access token; a user or app token was used.",
                    "use the Page's token from /me/accounts ('fbhub secrets set page-token')"),
    (230, None): _e("230", "permissions", "permissions", "pages_messaging missing",
                    "The token lacks the pages_messaging permission needed for Messenger fields and calls.",
                    "grant pages_messaging during Facebook Login and take a new Page token"),
    (341, None): _e("341", "rate-limit", "rate-limit", "Application limit reached",
                    "A temporary limit of the app was reached.", "wait and retry later", True),
    (368, None): _e("368", "policy", None, "Temporarily blocked for policy violations",
                    "Meta temporarily blocked this action because of policy violations.",
                    "wait (often hours) and review Meta's policies before retrying", True),
    (551, None): _e("551", "messaging", None, "Person not receiving messages",
                    "The person is not receiving messages from the Page right now (e.g. blocked it).",
                    "nothing to fix on the integration side"),
    (613, None): _e("613", "rate-limit", "rate-limit", "Custom rate limit reached",
                    "A custom (per-endpoint) rate limit was reached.", "slow down and retry later", True),
    (2200, None): _e("2200", "webhooks", "webhook-endpoint", "Callback verification failed",
                     "Meta called the webhook callback URL and did not get the expected answer "
                     "(HTTP 200 echoing hub.challenge when hub.verify_token matches).",
                     "check the URL is reachable over HTTPS with a valid certificate and that the verify token "
                     "matches ('fbhub probe-webhook')"),
    (2500, None): _e("2500", "version", "version-deprecated", "Unknown path components",
                     "The URL path is wrong: an unknown edge, or a Graph version that does not exist.",
                     "check graph_version (e.g. v24.0) and the IDs in the path"),
    (80001, None): _e("80001", "rate-limit", "rate-limit", "Pages rate limit (BUC)",
                      "Too many calls to this Page with a Page or system-user token.",
                      "wait; X-Business-Use-Case-Usage tells how long (estimated_time_to_regain_access)", True),
    (80006, None): _e("80006", "rate-limit", "rate-limit", "Messenger rate limit (BUC)",
                      "Too many Messenger API calls for this Page.",
                      "wait; X-Business-Use-Case-Usage tells how long (estimated_time_to_regain_access)", True),
}

# Ranges: looked up when no exact entry matches.
_RANGES: tuple[tuple[int, int, ErrorInfo], ...] = (
    (200, 299, _e("200-299", "permissions", "permissions", "Permission error",
                  "A permission needed for this call is missing from the token.",
                  "read which permission the message names and grant it (re-run Facebook Login)")),
    (80000, 80014, _e("80000-80014", "rate-limit", "rate-limit", "Business use case rate limit",
                      "A Business Use Case rate limit was reached for this object.",
                      "wait; X-Business-Use-Case-Usage tells how long (estimated_time_to_regain_access)", True)),
)

# Situations that are not a single Graph code.
SITUATIONS: dict[str, ErrorInfo] = {
    "version-expired": _e("version-expired", "version", "version-deprecated", "Graph API version expired",
                          "The requested Graph version is past its end-of-life; Meta silently serves the oldest "
                          "available version instead, so responses may differ from what you expect.",
                          "set graph_version to a current version (fbhub config set graph_version v24.0)"),
    "app-secret": _e("app-secret", "app-credentials", "app-credentials", "Wrong App Secret",
                     "Meta rejected the App Secret for this App ID (\"Error validating client secret.\").",
                     "copy the App Secret from App settings > Basic (after a reset, the old one stops working) "
                     "and run 'fbhub secrets set app-secret'"),
    "token-of-other-app": _e("token-of-other-app", "token", "token-other-app", "Token of another app",
                             "The token was issued for a different app than the configured App ID.",
                             "take the Page token through Facebook Login of this app, or fix the App ID"),
    "appsecret-proof-invalid": _e("appsecret-proof-invalid", "app-credentials", "require-app-secret",
                                  "Invalid appsecret_proof",
                                  "The appsecret_proof does not match: the App Secret is not this token's app's "
                                  "secret.",
                                  "check the App Secret and that the token was issued for this app"),
    "appsecret-proof-required": _e("appsecret-proof-required", "app-credentials", "require-app-secret",
                                   "appsecret_proof required",
                                   "The app has 'Require App Secret' on and the call carried no appsecret_proof.",
                                   "configure the App Secret ('fbhub secrets set app-secret') so fbhub can sign"),
    "unreachable": _e("unreachable", "network", None, "Graph API unreachable",
                      "fbhub could not connect to the Graph API, or it did not answer in time.",
                      "check the network, proxy (HTTPS_PROXY) and graph_url; then retry"),
    "bad-response": _e("bad-response", "network", None, "Unreadable Graph response",
                       "The answer was not the JSON the Graph API sends (truncated, or a proxy's page).",
                       "check graph_url and any proxy in between; retry"),
    "server-error": _e("server-error", "server", None, "Graph API server error",
                       "The Graph API answered with a server error (HTTP 5xx).",
                       "wait and retry; check https://metastatus.com", True),
    # A 500 whose error says a parameter is deprecated is permanent, not an outage: seen live for root
    # ``?ids=`` ("The ids query parameter is deprecated in v26.0+", HTTP 500, code 100; restfb/restfb#1692).
    "deprecated-parameter": _e("deprecated-parameter", "params", "deprecated-parameter", "Deprecated Graph parameter",
                               "Meta removed a legacy Graph feature (ids=, date_format, pretty, debug, ETags in "
                               "v26.0; method override, field aliases, JSONP, async batches for apps created on "
                               "or after 2026-11-04) and answers its use with an error, sometimes HTTP 500. "
                               "Retrying does not help.",
                               "fbhub does not send these; if a tool or proxy adds them, remove it. Report the "
                               "call with 'fbhub doctor --bundle FILE'"),
    "graph-transport": _e("graph-transport", "network", "graph-transport", "Graph API refused how the token travelled",
                          "Meta refused (or did not read) the transport form fbhub used for a token-bearing "
                          "read or delete: a one-operation batch, an Authorization header, or the query string.",
                          "fbhub falls back to the next form by itself and remembers what works; pin one with "
                          "'fbhub config set graph_transport batch|header' (see 'fbhub explain graph-transport')"),
    "unknown": _e("unknown", "", None, "Unknown Graph error",
                  "Graph returned an error fbhub has no description for.",
                  "read the message; search the code at https://developers.facebook.com/docs/graph-api/"
                  "guides/error-handling"),
}

GROUPS: dict[str, ErrorInfo] = {
    "rate-limit": _e("rate-limit", "rate-limit", "rate-limit", "Rate limits",
                     "Meta throttles calls per app, user, Page and business use case (codes 4, 17, 32, 341, 613, "
                     "80000-80014); usage headers show how close you are.",
                     "wait and retry; fbhub backs off by itself and honours the usage headers", True),
    "permissions": _e("permissions", "permissions", "permissions", "Permissions",
                      "The token lacks a permission, task or capability (codes 3, 10, 200-299).",
                      "grant the permission through Facebook Login; Advanced Access via App Review for customers"),
    "token": _e("token", "token", "token-expired", "Access tokens",
                "The token is invalid, expired, revoked or of another app (codes 102, 104, 190 + subcodes).",
                _TOKEN_FIX),
    "app-credentials": _e("app-credentials", "app-credentials", "app-credentials", "App ID and App Secret",
                          "The App ID or App Secret is wrong (code 101, code 1 on /oauth/access_token), or an "
                          "appsecret_proof mismatch.",
                          "copy both from App settings > Basic; 'fbhub secrets set app-secret'"),
    "webhooks": _e("webhooks", "webhooks", "webhook-not-receiving", "Webhooks",
                   "Webhook subscription problems (code 2200: callback verification failed).",
                   "run 'fbhub probe-webhook'"),
    "version": _e("version", "version", "version-deprecated", "Graph API versions",
                  "Unknown or expired Graph API versions (code 2500, version-expired).",
                  "set graph_version to a current version"),
}

RATE_LIMIT_CODES = frozenset({4, 17, 32, 613}) | frozenset(range(80000, 80015))
TRANSIENT_CODES = frozenset({1, 2, 341}) | RATE_LIMIT_CODES
AUTH_CODES = frozenset({102, 104, 190})


def lookup_error(code: int | None, subcode: int | None = None) -> ErrorInfo:
    """The catalogue entry for a Graph error code (exact subcode, then the code, then a range)."""
    if code is None:
        return SITUATIONS["unknown"]
    if subcode is not None:
        hit = ERROR_CATALOGUE.get((code, subcode))
        if hit is None and code == 102:  # 102 shares the authentication subcodes of 190
            hit = ERROR_CATALOGUE.get((190, subcode))
        if hit is not None:
            return hit
    hit = ERROR_CATALOGUE.get((code, None))
    if hit is not None:
        return hit
    for lo, hi, info in _RANGES:
        if lo <= code <= hi:
            return info
    return SITUATIONS["unknown"]


def all_topics() -> dict[str, ErrorInfo]:
    """Every explain topic the catalogue knows: codes, ranges, situations and groups."""
    out: dict[str, ErrorInfo] = {}
    for info in ERROR_CATALOGUE.values():
        out[info.topic] = info
    for _, _, info in _RANGES:
        out[info.topic] = info
    out.update(SITUATIONS)
    out.update(GROUPS)
    return out


def lookup_topic(topic: str) -> ErrorInfo | None:
    """Resolve an explain topic: ``"190"``, ``"190/463"``, ``"#190"``, ``"rate-limit"`` …; None if unknown."""
    t = topic.strip().lstrip("#").lower()
    topics = all_topics()
    if t in topics:
        return topics[t]
    code, _, sub = t.partition("/")
    if code.isdigit() and (not sub or sub.isdigit()):
        info = lookup_error(int(code), int(sub) if sub else None)
        return None if info is SITUATIONS["unknown"] else info
    return None
