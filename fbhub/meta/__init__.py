"""What fbhub knows about Meta, pure and without I/O: URL templates (``urls``), webhook fields (``fields``),
the CX domain rules (``domain``), the permissions the platform needs (``scopes``), the readers of Graph's
subscription answers (``subscriptions``), the catalogue of Graph error codes (``error_codes``) and the table of
Graph API versions (``versions``).

Everything above may import from here; nothing here imports from the rest of fbhub except ``fbhub.errors``
and ``fbhub.redact``.
"""
