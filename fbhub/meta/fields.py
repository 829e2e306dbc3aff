"""Messenger webhook field lists: the one place that knows which fields exist and which we need.

Sources: ../shared/reference/graph-api.md §5 (Messenger webhooks doc and the official Business SDK's
``Page.SubscribedFields`` enum).
"""

from __future__ import annotations

import difflib
import re

from fbhub.errors import UsageError

# Fields the app-level webhook must carry for the platform to receive conversations at all.
REQUIRED_FIELDS: tuple[str, ...] = ("messages", "messaging_postbacks")

# The set the CX platform needs; subscribed by default (subscribe-page, subscribe-app, configure).
PLATFORM_FIELDS: tuple[str, ...] = (
    "messages",
    "messaging_postbacks",
    "message_deliveries",
    "message_reads",
    "message_echoes",
    "messaging_optins",
    "messaging_referrals",
)

# The operator guide says "Subscribe to all the fields": the Messenger webhook fields of a Page
# (Messenger webhooks doc list, without the Instagram-only ``messaging_seen`` and the doc-only
# spelling ``messenger_template_status_update``).
ALL_FIELDS: tuple[str, ...] = (
    "messages",
    "messaging_postbacks",
    "message_deliveries",
    "message_reads",
    "message_echoes",
    "message_edits",
    "message_reactions",
    "messaging_optins",
    "messaging_referrals",
    "messaging_account_linking",
    "messaging_feedback",
    "messaging_game_plays",
    "messaging_handovers",
    "messaging_policy_enforcement",
    "response_feedback",
    "send_cart",
    "standby",
)

# Every field name the Page subscribed_apps edge is known to accept for messaging (SDK enum, §5.2),
# used to validate --fields.
KNOWN_FIELDS: frozenset[str] = frozenset(ALL_FIELDS) | frozenset(
    {
        "message_context",
        "message_mention",
        "message_template_status_update",
        "messaging_appointments",
        "messaging_checkout_updates",
        "messaging_customer_information",
        "messaging_direct_sends",
        "messaging_fblogin_account_linking",
        "messaging_in_thread_lead_form_submit",
        "messaging_integrity",
        "messaging_optouts",
        "messaging_payments",
        "messaging_pre_checkouts",
        "inbox_labels",
        "conversations",
        "calls",
        "call_permission_reply",
        "call_settings_update",
        "marketing_message_clicks",
        "marketing_message_deliveries",
        "marketing_message_delivery_failed",
        "marketing_message_echoes",
        "marketing_message_reads",
        "agent_messages",
        "agent_questions",
        "feed",
        "mention",
        "leadgen",
        "name",
        "picture",
    }
)

_SPLIT_RE = re.compile(r"[\s,]+")


def parse_fields(text: str | list[str] | tuple[str, ...]) -> list[str]:
    """Parse ``a,b c`` (commas and/or spaces) into a de-duplicated list of known field names.

    Raises UsageError naming the first unknown field and the closest known one.
    """
    items = text if isinstance(text, (list, tuple)) else _SPLIT_RE.split(text or "")
    out: list[str] = []
    for raw in items:
        name = str(raw).strip().strip("'\"").lower()
        if not name:
            continue
        if name not in KNOWN_FIELDS:
            close = difflib.get_close_matches(name, sorted(KNOWN_FIELDS), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise UsageError(
                f"unknown webhook field {name!r}",
                hint=f"{hint}known Messenger fields include: {', '.join(PLATFORM_FIELDS)} "
                "(see 'fbhub subscribe-page --help')",
            )
        if name not in out:
            out.append(name)
    if not out:
        raise UsageError("the field list is empty", hint="give fields like messages,messaging_postbacks")
    return out
