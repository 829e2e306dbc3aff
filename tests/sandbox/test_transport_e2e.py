"""Every Graph-talking command, end to end over HTTP, against today's rules: a new app (created after
2026-11-04: no method override), an old app, and a Graph API that ignores one transport form (the
Authorization header, while fbhub starts with it because a previous run remembered it). No request fbhub
sends may use ``method=`` on a POST; each world must reach the same diagnosis as the new-app world."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from fbhub.graph import memory
from fbhub.sandbox import build_scenario, run_sandbox
from tests.hardening.support import run_cli, sandbox_env

COMMANDS: dict[str, list[str]] = {
    "verify-app": ["verify-app", "--json"],
    "doctor": ["doctor", "--format", "json"],
    "subscribe-page": ["subscribe-page", "--json"],
    "unsubscribe-page": ["unsubscribe-page", "--yes", "--json"],
    "subscribe-app": ["subscribe-app", "--json"],
    "configure": ["configure", "--non-interactive"],
    "review-kit": ["review-kit", "--force", "--output", "{tmp}/kit.md"],
}
WORLDS = ("new-app", "old-app", "ignores-header")


def method_override_requests(sb) -> list:
    return [r for r in sb.requests if r.method == "POST" and not r.batch_op and "method" in r.params]


def _scenario(world: str):
    sc = build_scenario("healthy")
    app = sc.world.apps[sc.operator.app_id]
    if world == "old-app":
        app.created = "2025-03-01"
    elif world == "ignores-header":
        sc.world.ignore_transport = ["header"]
    return sc


def _outcome(command: str, stdout: str, code: int):
    if command in ("configure", "review-kit"):
        return code
    doc = json.loads(stdout)
    if command in ("doctor", "verify-app"):
        return code, sorted((r["id"], r["status"], r.get("target") or "") for r in doc["results"])
    return code, sorted(json.dumps(o, sort_keys=True) for o in doc.get("pages", doc.get("results", [])))


_BASE: dict[str, object] = {}


@pytest.mark.parametrize("world", WORLDS)
@pytest.mark.parametrize("command", list(COMMANDS))
def test_command_speaks_todays_graph_api(command, world, tmp_path):
    config = Path(os.environ["FBHUB_CONFIG"])
    if world == "ignores-header":  # a previous run found the header form working
        memory.save(config, "default", {"app": "header", "token": "header"})
    with run_sandbox(_scenario(world)) as sb:
        args = [a.replace("{tmp}", str(tmp_path)) for a in COMMANDS[command]]
        run = run_cli("--verbose", *args, env=sandbox_env(sb))
        overrides = method_override_requests(sb)
        header_calls = [r for r in sb.requests if "authorization" in r.headers]
    assert "Traceback" not in run.stdout + run.stderr, run.stderr[-3000:]
    assert overrides == [], [(r.path, r.params.get("method")) for r in overrides]
    assert run.exit_code == 0, (run.stdout[-2000:], run.stderr[-2000:])
    assert "could not read" not in run.stdout.lower()
    outcome = _outcome(command, run.stdout, run.exit_code)
    if world == "new-app":
        _BASE[command] = outcome
    elif command in _BASE:
        assert outcome == _BASE[command]
    if world == "ignores-header":
        assert header_calls, "fbhub did not start with the remembered header form"
        # fbhub tried the remembered header form, Meta did not read it, fbhub fell back, said so once, and
        # the next run starts with the form that worked
        assert run.stderr.count("graph transport: Meta refused") >= 1
        assert "Authorization header" in run.stderr
        assert "batch" in memory.load(config, "default").values()


@pytest.mark.parametrize("command", ["doctor", "subscribe-page", "verify-app"])
def test_classic_proof_refused_then_timestamped(command, tmp_path):
    """An app whose Graph API accepts only time-stamped appsecret_proofs: fbhub retries with appsecret_time,
    says which form worked (--verbose) and reaches the same diagnosis."""
    sc = _scenario("new-app")
    sc.world.apps[sc.operator.app_id].appsecret_proof_form = "timestamped"
    with run_sandbox(sc) as sb:
        run = run_cli("--verbose", *COMMANDS[command], env=sandbox_env(sb))
        timed = [r for r in sb.requests if "appsecret_time" in r.params]
    assert run.exit_code == 0, (run.stdout[-2000:], run.stderr[-2000:])
    assert timed and "time-stamped proof (appsecret_time) worked" in run.stderr
    if command in _BASE:
        assert _outcome(command, run.stdout, run.exit_code) == _BASE[command]


@pytest.mark.parametrize("where", ["before", "after"])
def test_graph_transport_flag_pins_the_form(where):
    """``--graph-transport header`` (a global option, before or after the command) wins over the default and the
    environment: every token-bearing read goes out as a real GET with the Authorization header, none as a batch."""
    with run_sandbox(_scenario("new-app")) as sb:
        env = {**sandbox_env(sb), "FBHUB_GRAPH_TRANSPORT": "batch"}
        args = ["--graph-transport", "header", "doctor", "--format", "json"]
        if where == "after":  # the entry point moves global options given after the command before it
            from fbhub.cli import hoist_globals

            args = hoist_globals(["doctor", "--format", "json", "--graph-transport", "header"])
        run = run_cli(*args, env=env)
        header_calls = [r for r in sb.requests if "authorization" in r.headers]
        batches = [r for r in sb.requests if r.method == "POST" and "batch" in r.params]
    assert run.exit_code == 0, (run.stdout[-2000:], run.stderr[-2000:])
    assert header_calls and all(r.method in ("GET", "DELETE") for r in header_calls)
    assert all(len(json.loads(r.params["batch"])) > 1 for r in batches), "single reads still batched"


def test_graph_transport_flag_refuses_an_unknown_form():
    run = run_cli("--graph-transport", "carrier-pigeon", "config", "show")
    assert run.exit_code == 2
    assert "graph_transport" in run.stderr and "carrier-pigeon" in run.stderr
