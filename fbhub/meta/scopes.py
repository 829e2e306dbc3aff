"""The permissions (scopes) the CX platform needs on its tokens."""

from __future__ import annotations

# Every Page token needs these; FB504 fails without them.
REQUIRED_SCOPES: tuple[str, ...] = ("pages_messaging", "pages_manage_metadata", "pages_show_list")
# Needed only for Pages owned by a business portfolio; FB504 warns without them.
WARN_SCOPES: tuple[str, ...] = ("business_management",)
# What a user token needs for configure to discover the Pages a person manages (/me/accounts).
DISCOVERY_SCOPES: tuple[str, ...] = ("pages_show_list", "pages_messaging", "pages_manage_metadata")

# Page tasks (``tasks`` of /me/accounts): subscribing the app to a Page needs one of MANAGE, MODERATE or
# CREATE_CONTENT (the /{page-id}/subscribed_apps reference); answering messages needs MESSAGING.
SUBSCRIBE_TASKS: tuple[str, ...] = ("MANAGE", "MODERATE", "CREATE_CONTENT")
MESSAGING_TASK = "MESSAGING"


def page_task_problems(tasks: object) -> list[str]:
    """What the person behind a Page token cannot do, from their ``tasks`` on the Page (empty: all fine)."""
    have = {str(t).upper() for t in tasks} if isinstance(tasks, (list, tuple)) else set()
    out = []
    if not have & set(SUBSCRIBE_TASKS):
        out.append("has none of the MANAGE, MODERATE or CREATE_CONTENT tasks on the Page: Meta refuses to "
                   "subscribe the app to it (#200)")
    if MESSAGING_TASK not in have:
        out.append("lacks the MESSAGING task on the Page: the platform cannot answer its messages")
    return out
