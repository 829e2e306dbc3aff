"""The catalogue of checks: stable ids (like a linter's rule codes), grouped, each with its explain topic.

Ids never change meaning once released; new checks get new ids. ``fbhub doctor --list`` and the README
table are generated from this list.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CheckSpec:
    id: str
    group: str
    title: str
    topic: str
    per: str = "app"  # "app", "token" (one result per page token) or "page" (one per page)


GROUPS: dict[str, str] = {
    "local": "Local setup",
    "credentials": "Credentials",
    "app-settings": "App settings",
    "app-webhook": "App webhook",
    "page-token": "Page tokens",
    "page-subscription": "Page subscriptions",
    "graph-version": "Graph API version",
    "webhook-endpoint": "Webhook endpoint (--probe)",
    "dashboard": "Dashboard-only (confirm by hand)",
}

CHECKS: tuple[CheckSpec, ...] = (
    # FB1xx local setup
    CheckSpec("FB101", "local", "CX domain is set and public", "local-setup"),
    CheckSpec("FB102", "local", "App ID is set", "local-setup"),
    CheckSpec("FB103", "local", "App Secret is available", "local-setup"),
    CheckSpec("FB104", "local", "Page access tokens are available", "local-setup"),
    CheckSpec("FB105", "local", "Webhook verify token is available", "local-setup"),
    CheckSpec("FB106", "local", "Every configured page has a token", "local-setup", per="page"),
    # FB2xx credentials
    CheckSpec("FB201", "credentials", "App ID is known to Meta", "app-credentials"),
    CheckSpec("FB202", "credentials", "App Secret matches the App ID", "app-credentials"),
    # FB3xx app settings (what App Review looks at)
    CheckSpec("FB301", "app-settings", "App category is Messaging", "app-settings"),
    CheckSpec("FB302", "app-settings", "App Domains include the CX domain", "app-settings"),
    CheckSpec("FB303", "app-settings", "Privacy Policy URL is set", "app-settings"),
    CheckSpec("FB304", "app-settings", "Terms of Service URL is set", "app-settings"),
    CheckSpec("FB305", "app-settings", "App icon is uploaded", "app-settings"),
    CheckSpec("FB306", "app-settings", "Contact email is set", "app-settings"),
    CheckSpec("FB307", "app-settings", "Website platform Site URL is on the CX domain", "app-settings"),
    CheckSpec("FB308", "app-settings", "App roles (who can use a Development-mode app)", "dev-mode"),
    # FB4xx app webhook
    CheckSpec("FB401", "app-webhook", "App has a webhook subscription for Pages", "app-webhook"),
    CheckSpec("FB402", "app-webhook", "App webhook is active", "app-webhook"),
    CheckSpec("FB403", "app-webhook", "App webhook calls this CX server", "app-webhook"),
    CheckSpec("FB404", "app-webhook", "App webhook has the fields the platform needs", "app-webhook"),
    CheckSpec("FB405", "app-webhook", "App webhook has the recommended fields", "app-webhook"),
    # FB5xx page tokens
    CheckSpec("FB501", "page-token", "Token is valid", "token-expired", per="token"),
    CheckSpec("FB502", "page-token", "Token is a Page token", "token-type", per="token"),
    CheckSpec("FB503", "page-token", "Token was issued for this app", "token-other-app", per="token"),
    CheckSpec("FB504", "page-token", "Token carries the permissions the platform needs", "token-scopes", per="token"),
    CheckSpec("FB505", "page-token", "Token's granted Pages include its Page", "token-scopes", per="token"),
    CheckSpec("FB506", "page-token", "Token and data access are not about to expire", "token-expired", per="token"),
    # FB6xx page subscriptions
    CheckSpec("FB601", "page-subscription", "Page is subscribed to the app", "page-subscription", per="page"),
    CheckSpec("FB602", "page-subscription", "Page subscription has the fields the platform needs",
              "page-subscription", per="page"),
    CheckSpec("FB603", "page-subscription", "Page subscription has the recommended fields", "page-subscription",
              per="page"),
    CheckSpec("FB604", "page-subscription", "No other app is subscribed to the Page", "page-subscription",
              per="page"),
    # FB7xx Graph API version
    CheckSpec("FB701", "graph-version", "Pinned Graph API version is supported", "version-deprecated"),
    CheckSpec("FB702", "graph-version", "Meta serves the version asked for", "version-deprecated"),
    # FB8xx webhook endpoint (opt-in --probe)
    CheckSpec("FB801", "webhook-endpoint", "Webhook answers Meta's verification handshake", "webhook-endpoint"),
    CheckSpec("FB802", "webhook-endpoint", "Webhook refuses a wrong verify token", "webhook-endpoint"),
    CheckSpec("FB803", "webhook-endpoint", "Webhook accepts a signed event quickly", "webhook-endpoint"),
    CheckSpec("FB804", "webhook-endpoint", "Webhook refuses a wrongly signed event", "webhook-endpoint"),
    CheckSpec("FB805", "webhook-endpoint", "Webhook's TLS certificate is valid", "webhook-endpoint"),
    # FB9xx dashboard-only: the API cannot tell
    CheckSpec("FB901", "dashboard", "App Mode is Live", "dev-mode"),
    CheckSpec("FB902", "dashboard", "Advanced Access for the permissions the platform uses", "dev-mode"),
    CheckSpec("FB903", "dashboard", "Facebook Login for Business: OAuth logins on, redirect URI listed",
              "redirect-uri"),
    CheckSpec("FB904", "dashboard", "Connector Hub holds this App ID and App Secret", "invalid-app"),
)

BY_ID: dict[str, CheckSpec] = {c.id: c for c in CHECKS}

# Which groups each command runs.
VERIFY_APP_GROUPS = ("credentials", "app-settings", "app-webhook", "page-token", "dashboard")
DOCTOR_GROUPS = ("local", "credentials", "app-settings", "app-webhook", "page-token", "page-subscription",
                 "graph-version", "dashboard")

# Thresholds
EXPIRY_WARN_DAYS = 14
VERSION_EOL_WARN_DAYS = 90
