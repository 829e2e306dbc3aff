"""The permissions (scopes) the CX platform needs on its tokens."""

from __future__ import annotations

# Every Page token needs these; FB504 fails without them.
REQUIRED_SCOPES: tuple[str, ...] = ("pages_messaging", "pages_manage_metadata", "pages_show_list")
# Needed only for Pages owned by a business portfolio; FB504 warns without them.
WARN_SCOPES: tuple[str, ...] = ("business_management",)
# What a user token needs for configure to discover the Pages a person manages (/me/accounts).
DISCOVERY_SCOPES: tuple[str, ...] = ("pages_show_list", "pages_messaging", "pages_manage_metadata")
