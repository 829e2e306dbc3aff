"""The simulated Graph API: routes, token rules, error objects and faults (no HTTP here).

``Graph(world).handle(method, path, params, headers)`` answers one call the way
graph.facebook.com does, following ../shared/reference/graph-api.md (section numbers below refer
to it). Choices the reference does not settle are marked ``UNSURE`` in comments.
"""

from fbhub.meta.versions import available_versions
from fbhub.sandbox.graph.common import (
    GraphError,
    GraphResponse,
    app_token_for,
    appsecret_proof,
    derive_token,
    fbtrace_id,
    token_error,
)
from fbhub.sandbox.graph.engine import Graph

__all__ = ["Graph", "GraphError", "GraphResponse", "app_token_for", "appsecret_proof", "available_versions",
           "derive_token", "fbtrace_id", "token_error"]
