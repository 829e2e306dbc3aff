"""fbhub's local Graph API simulator (like stripe-mock), served over real HTTP on 127.0.0.1.

    from fbhub.sandbox import run_sandbox
    with run_sandbox("wrong-secret") as sb:
        sb.url, sb.operator, sb.world, sb.requests

See README.md next to this file for the world-file format and the scenario list.
"""

from __future__ import annotations

from fbhub.sandbox.graph import Graph, GraphError, app_token_for, appsecret_proof, derive_token
from fbhub.sandbox.scenarios import SCENARIOS, build_scenario, build_world
from fbhub.sandbox.server import RecordedRequest, Sandbox, resolve_scenario, run_sandbox, serve_forever
from fbhub.sandbox.world import (
    App,
    AppRole,
    Faults,
    Installation,
    Operator,
    Page,
    Scenario,
    Subscription,
    Token,
    User,
    World,
    default_operator,
)
from fbhub.sandbox.worldfile import load_world, scenario_from_dict

__all__ = [
    "SCENARIOS",
    "App",
    "AppRole",
    "Faults",
    "Graph",
    "GraphError",
    "Installation",
    "Operator",
    "Page",
    "RecordedRequest",
    "Sandbox",
    "Scenario",
    "Subscription",
    "Token",
    "User",
    "World",
    "app_token_for",
    "appsecret_proof",
    "build_scenario",
    "build_world",
    "default_operator",
    "derive_token",
    "load_world",
    "resolve_scenario",
    "run_sandbox",
    "scenario_from_dict",
    "serve_forever",
]
