"""The Graph API client (httpx): tokens, appsecret_proof, retries, batch, errors catalogue.

Importing ``fbhub.graph`` is cheap: ``errors`` and ``versions`` need no httpx, and the client classes
are loaded on first attribute access (``from fbhub.graph import GraphClient``).
"""

from __future__ import annotations

from typing import Any

from fbhub.graph.errors import (
    AppSecretProofError,
    CallbackVerificationFailed,
    GraphAuthError,
    GraphBadResponse,
    GraphError,
    GraphInconclusive,
    GraphInvalidRequest,
    GraphPermissionError,
    GraphRateLimitError,
    GraphTransientError,
    GraphUnreachable,
    InvalidAppId,
    InvalidAppSecret,
    TokenOfOtherApp,
)
from fbhub.graph.retry import RetryPolicy
from fbhub.graph.versions import DEFAULT_GRAPH_VERSION, is_expired, parse_version, version_eol
from fbhub.meta.error_codes import ERROR_CATALOGUE, ErrorInfo, lookup_error, lookup_topic

_LAZY = {
    "GraphClient": "fbhub.graph.client",
    "GraphResponse": "fbhub.graph.client",
    "APP": "fbhub.graph.client",
    "appsecret_proof": "fbhub.graph.client",
    "parse_success": "fbhub.graph.client",
    "BatchItem": "fbhub.graph.batch",
    "BatchResult": "fbhub.graph.batch",
}

__all__ = [
    "APP", "DEFAULT_GRAPH_VERSION", "ERROR_CATALOGUE", "AppSecretProofError", "BatchItem", "BatchResult",
    "CallbackVerificationFailed", "ErrorInfo", "GraphAuthError", "GraphBadResponse", "GraphClient", "GraphError",
    "GraphInconclusive", "GraphInvalidRequest", "GraphPermissionError", "GraphRateLimitError", "GraphResponse",
    "GraphTransientError", "GraphUnreachable", "InvalidAppId", "InvalidAppSecret", "RetryPolicy", "TokenOfOtherApp",
    "appsecret_proof", "is_expired", "lookup_error", "lookup_topic", "parse_success", "parse_version",
    "version_eol",
]


def __getattr__(name: str) -> Any:
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module 'fbhub.graph' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(mod), name)
