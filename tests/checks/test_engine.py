"""The diagnosis engine: a check added in one place shows everywhere; a crashing group loses only itself."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from fbhub.checks import registry
from fbhub.checks.facts import Facts, Inputs
from fbhub.checks.model import CheckResult, CheckSpec, Group, Status
from fbhub.checks.runner import evaluate
from fbhub.report import load_schema


def temporary_group(name: str, check_id: str, *, crash: bool = False) -> Group:
    """What a new group module holds: its specs, then its evaluator (here in a test instead of a file)."""
    group = Group(name, f"Temporary {name}", (CheckSpec(check_id, name, "The temporary check holds", "local-setup"),))

    @group.evaluator
    def evaluate_it(inp: Inputs, facts: Facts) -> list[CheckResult]:
        if crash:
            raise RuntimeError("boom in the evaluator")
        return [group.result(check_id, Status.WARN, "found by the temporary group", "nothing to fix, it is a test")]

    return group


@pytest.fixture
def added(monkeypatch):
    monkeypatch.setenv("FBHUB_DOMAIN", "cx.example.com")  # set up enough for doctor to run
    groups = []

    def add(name: str, check_id: str, **kw) -> Group:
        g = temporary_group(name, check_id, **kw)
        registry.register(g)
        groups.append(g)
        return g

    yield add
    for g in groups:
        registry.unregister(g.name)
    assert all(g.name not in registry.by_name() for g in groups)


def test_a_registered_check_is_listed_and_reported_in_every_format(cli, added):
    added("house-temp", "FB990")
    r = cli("doctor", "--list")
    assert r.exit_code == 0
    assert "Temporary house-temp" in r.stdout and "FB990  The temporary check holds  [explain: local-setup]" in r.stdout

    text = cli("doctor", "--only", "FB990")
    assert text.exit_code == 0, text.stderr  # a warning, not --strict
    assert "FB990" in text.stdout and "found by the temporary group" in text.stdout
    assert "Temporary house-temp" in text.stdout  # its group heading

    doc = json.loads(cli("doctor", "--only", "FB990", "--format", "json").stdout)
    jsonschema.validate(doc, load_schema())
    assert [(x["id"], x["status"], x["group"]) for x in doc["results"]] == [("FB990", "warn", "house-temp")]

    junit = cli("doctor", "--only", "house-temp", "--format", "junit").stdout
    cases = ET.fromstring(junit).iter("testcase")
    assert [c.get("name") for c in cases] == ["FB990 The temporary check holds [app]"]

    github = cli("doctor", "--only", "FB99", "--format", "github").stdout
    assert github.startswith("::warning title=FB990 The temporary check holds [app]::found by the temporary group")

    strict = cli("doctor", "--only", "FB990", "--strict", "--format", "json")
    assert strict.exit_code == 1
    ignored = cli("doctor", "--only", "local", "--ignore", "FB990", "--format", "json")
    assert "FB990" not in ignored.stdout


def test_a_registered_group_needs_new_ids(added):
    added("house-one", "FB991")
    with pytest.raises(ValueError):
        registry.register(temporary_group("house-two", "FB991"))
    with pytest.raises(ValueError):
        registry.register(Group("no-evaluator", "No evaluator", ()))


def test_a_crashing_group_becomes_error_results_and_the_report_survives(cli, added):
    added("house-crash", "FB992", crash=True)
    r = cli("doctor", "--only", "local,house-crash", "--format", "json")
    assert r.exit_code == 1  # FB102 fails (no App ID here): a failure outranks what could not be checked
    doc = json.loads(r.stdout)
    by_id = {x["id"]: x for x in doc["results"]}
    assert {"FB101", "FB102", "FB103", "FB104", "FB105"} <= set(by_id)  # the rest of the report is complete
    assert by_id["FB102"]["status"] == "fail"
    crashed = by_id["FB992"]
    assert crashed["status"] == "error" and crashed["found"].startswith("crashed: this is a bug")
    assert "RuntimeError: boom in the evaluator" in crashed["found"]
    alone = cli("doctor", "--only", "house-crash")
    assert alone.exit_code == 3 and "crashed: this is a bug" in alone.stdout and "Traceback" not in alone.stderr


def test_a_crash_in_a_built_in_evaluator_loses_only_its_group(monkeypatch):
    groups = registry.groups()
    cred = registry.by_name()["credentials"]

    def broken(inp: Inputs, facts: Facts) -> list[CheckResult]:
        raise KeyError("data")

    monkeypatch.setattr(cred, "evaluate", broken)
    results = evaluate(groups, Inputs(profile="p", domain="cx.example.com", app_id="1"), Facts())
    got = {r.id: r.status for r in results}
    assert got["FB201"] is Status.ERROR and got["FB202"] is Status.ERROR
    assert got["FB101"] is Status.PASS and got["FB901"] is Status.MANUAL  # before and after it: unaffected
    assert [r.id for r in results] == [r.id for r in sorted(results, key=lambda r: [c.id for c in
                                                                                 registry.specs()].index(r.id))]


def test_every_check_has_one_home():
    ids = [c.id for c in registry.specs()]
    assert len(ids) == len(set(ids))
    for g in registry.groups():
        assert g.evaluate is not None, g.name
        assert all(c.group == g.name for c in g.checks), g.name
