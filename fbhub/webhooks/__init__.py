"""Webhooks: planning and applying page subscriptions (``pages``), the app-level webhook (``app``),
and probing the CX server's webhook endpoint the way Meta calls it (``probe``).

The CLI (``fbhub/cli/webhooks_cmd.py``) and ``doctor --fix`` both use these functions; nothing here
prints. httpx is imported only inside the functions that need it.
"""
