"""The write side: what fbhub changes at Meta through the Graph API, each as plan, then apply.

``page_subscriptions`` (``/{page-id}/subscribed_apps``), ``app_webhook`` (``/{app-id}/subscriptions``) and
``repair`` (``doctor --fix`` and ``demo``: the checks' findings turned into those two plans). Nothing here prints.
"""
