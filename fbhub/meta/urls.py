"""Every URL the operator pastes somewhere, built from the CX domain. One template each."""

from __future__ import annotations

from dataclasses import dataclass

REDIRECT_URI = "https://{domain}/api/v1.0/facebook/integration/callback"
WEBHOOK_URL = "https://{domain}/fb/webhook"
ADMIN_PORTAL = "https://{domain}:9006"
SITE_URL = "https://{domain}/"


@dataclass(frozen=True)
class PasteValue:
    key: str
    label: str
    value: str
    where: str


def redirect_uri(domain: str) -> str:
    return REDIRECT_URI.format(domain=domain)


def webhook_url(domain: str) -> str:
    return WEBHOOK_URL.format(domain=domain)


def admin_portal(domain: str) -> str:
    return ADMIN_PORTAL.format(domain=domain)


def site_url(domain: str) -> str:
    return SITE_URL.format(domain=domain)


VERIFY_TOKEN_WHERE = ("Meta App Dashboard > Messenger > Messenger API Settings > Configure webhooks > Verify Token "
                      "(the same value the CX server checks)")


def paste_values(domain: str) -> list[PasteValue]:
    """The values for Meta's dashboard and the Connector Hub, each with where it is pasted."""
    return [
        PasteValue("oauth_redirect_uri", "Valid OAuth Redirect URI", redirect_uri(domain),
                   "Meta App Dashboard > Facebook Login for Business > Settings > Valid OAuth Redirect URIs "
                   "(with Client OAuth login and Web OAuth login on)"),
        PasteValue("webhook_callback_url", "Webhook Callback URL", webhook_url(domain),
                   "Meta App Dashboard > Messenger > Messenger API Settings > Configure webhooks > Callback URL"),
        PasteValue("admin_portal", "System administrator portal", admin_portal(domain),
                   "open it, then Advance > Connector Hub Setting > Facebook: paste App ID as Client-id and "
                   "App Secret as Client-Secret"),
        PasteValue("app_domain", "App Domains", domain,
                   "Meta App Dashboard > App settings > Basic > App domains"),
        PasteValue("site_url", "Website platform Site URL", site_url(domain),
                   "Meta App Dashboard > App settings > Basic > Add platform > Website > Site URL"),
    ]
