"""The diagnosis engine: the catalogue of checks with stable ids (FB1xx …), grouped, one module per group.

``model`` (what a check and a finding are), ``facts`` (what Meta says, gathered in a few round trips),
``registry`` (the groups in report order, ``--only``/``--ignore``), ``runner`` (gather, then evaluate with
crash isolation). Each group module (``local``, ``credentials``, ``app_settings``, ``app_webhook``,
``page_tokens``, ``page_subscriptions``, ``graph_version``, ``probe``, ``dashboard``) holds its specs and its
evaluator; ``verifytoken`` finds which verify token the webhook endpoint accepts.
"""
