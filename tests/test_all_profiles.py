"""doctor --all-profiles / --profile a,b: two profiles against two sandbox servers, one healthy and one not."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from fbhub.checks.model import worst_exit_code
from fbhub.profiles import profile_key, scoped_env


@pytest.fixture
def two_installations(sandbox, isolated_env, monkeypatch):
    """staging → a healthy sandbox; production → a sandbox whose Page is not subscribed (FB601 fails).

    Settings per profile in the config file; secrets: a plain FBHUB_* variable that would be wrong for
    staging, overridden by FBHUB_STAGING_* for it (the profile-scoped variable wins)."""
    staging = sandbox("healthy", latency=0.3)
    production = sandbox("page-not-subscribed", latency=0.3)
    profiles = {}
    for name, sb in (("staging", staging), ("production", production)):
        op = sb.operator
        profiles[name] = {"domain": op.domain, "app_id": op.app_id, "graph_url": sb.url, "pages": op.pages}
    (isolated_env / "config.yaml").write_text(yaml.safe_dump({"version": 1, "profiles": profiles}, sort_keys=False))
    monkeypatch.setenv("FBHUB_APP_SECRET", production.operator.app_secret)  # wrong for staging
    monkeypatch.setenv("FBHUB_PAGE_TOKENS", ",".join(production.operator.page_tokens))
    monkeypatch.setenv("FBHUB_VERIFY_TOKEN", production.operator.verify_token)
    monkeypatch.setenv("FBHUB_STAGING_APP_SECRET", staging.operator.app_secret)
    monkeypatch.setenv("FBHUB_STAGING_PAGE_TOKENS", ",".join(staging.operator.page_tokens))
    monkeypatch.setenv("FBHUB_RETRY_BUDGET", "3")
    return staging, production


def secrets(*sbs) -> list[str]:
    return [s for sb in sbs for s in [sb.operator.app_secret, *sb.operator.page_tokens, sb.operator.verify_token] if s]


def test_json_one_report_per_profile_with_its_own_settings_and_secrets(cli, two_installations):
    staging, production = two_installations
    r = cli("doctor", "--all-profiles", "--format", "json")
    assert r.exit_code == 1, r.stderr  # the worst: production fails
    doc = json.loads(r.stdout)
    assert [p["profile"] for p in doc["profiles"]] == ["staging", "production"]
    by = {p["profile"]: p for p in doc["profiles"]}
    assert by["staging"]["exit_code"] == 0 and by["staging"]["summary"]["fail"] == 0
    assert by["production"]["exit_code"] == 1
    assert {x["id"] for x in by["production"]["results"] if x["status"] == "fail"} == {"FB601"}
    assert doc["exit_code"] == 1 and doc["summary"]["exit_codes"] == {"staging": 0, "production": 1}
    # each profile talked to its own Graph URL with its own credentials (staging's scoped secret won)
    assert staging.requests and production.requests
    for sb in (staging, production):
        assert {req.params.get("client_id") for req in sb.requests if req.params.get("client_id")} == \
            {sb.operator.app_id}
    # concurrently: the two servers were busy at the same time (different apps run side by side)
    # (each request arrived at .time and was answered .duration later, 0.3 s of latency included)
    assert min(q.time for q in staging.requests) < max(q.time + q.duration for q in production.requests)
    assert min(q.time for q in production.requests) < max(q.time + q.duration for q in staging.requests)
    for s in secrets(staging, production):
        assert s not in r.stdout + r.stderr


def test_text_summary_table_first_then_a_section_per_profile(cli, two_installations):
    r = cli("doctor", "--all-profiles")
    assert r.exit_code == 1
    out = r.stdout
    table = out.split("=== profile")[0]
    assert "profile" in table and "staging" in table and "production" in table
    assert "ok (exit 0)" in table and "failed (exit 1)" in table
    assert out.index("=== profile staging ===") < out.index("=== profile production ===")
    production_section = out.split("=== profile production ===")[1]
    assert "FB601" in production_section and "profile production" in production_section


def test_junit_one_suite_per_profile(cli, two_installations, tmp_path):
    out = tmp_path / "doctor.xml"
    assert cli("doctor", "--all-profiles", "--format", "junit", "--output", str(out)).exit_code == 1
    root = ET.parse(out).getroot()
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["fbhub doctor [staging]", "fbhub doctor [production]"]
    assert suites[0].get("failures") == "0" and int(suites[1].get("failures")) >= 1
    assert root.get("tests") == str(sum(int(s.get("tests")) for s in suites))


def test_prometheus_profile_label_and_nagios_worst_state(cli, two_installations):
    r = cli("doctor", "--profile", "staging,production", "--format", "prometheus")
    assert r.exit_code == 1
    samples = [s for fam in text_string_to_metric_families(r.stdout) for s in fam.samples
               if s.name == "fbhub_check_status"]
    assert {s.labels["profile"] for s in samples} == {"staging", "production"}
    fb601 = [(s.labels["profile"], s.value) for s in samples if s.labels["id"] == "FB601"]
    assert max(v for p, v in fb601 if p == "production") == 2
    assert {v for p, v in fb601 if p == "staging"} == {0}
    n = cli("doctor", "--profile", "staging,production", "--format", "nagios")
    assert n.exit_code == 2
    first = n.stdout.splitlines()[0]
    assert first.startswith("FBHUB CRITICAL - 2 profiles: staging OK") and "production CRITICAL" in first
    assert "'production failed'=1;;0;0" in first and "'staging failed'=0;;0;0" in first


def test_a_profile_that_cannot_be_checked_is_reported_not_fatal(cli, two_installations, isolated_env):
    cfg = isolated_env / "config.yaml"
    data = yaml.safe_load(cfg.read_text())
    data["profiles"]["broken"] = {"graph_version": "latest"}
    cfg.write_text(yaml.safe_dump(data, sort_keys=False))
    r = cli("doctor", "--profile", "staging,broken", "--format", "json")
    doc = json.loads(r.stdout)
    broken = doc["profiles"][1]
    assert broken["profile"] == "broken" and broken["exit_code"] == 2 and "graph_version" in broken["error"]
    assert doc["profiles"][0]["exit_code"] == 0 and r.exit_code == 2


def test_unknown_profile_and_conflicting_options_exit_2(cli, two_installations):
    r = cli("doctor", "--profile", "staging,nosuch")
    assert r.exit_code == 2 and "'nosuch'" in r.stderr and "staging, production" in r.stderr
    assert cli("doctor", "--all-profiles", "--fix").exit_code == 2
    assert cli("doctor", "--all-profiles", "--bundle", "b.json").exit_code == 2


def test_all_profiles_without_profiles_exit_2(cli):
    r = cli("doctor", "--all-profiles")
    assert r.exit_code == 2 and "no profiles" in r.stderr


def test_single_profile_honours_profile_scoped_variables(cli, two_installations):
    r = cli("--profile", "staging", "doctor", "--format", "json")
    assert r.exit_code == 0, r.stdout[-2000:]
    assert json.loads(r.stdout)["profile"] == "staging"


def test_scoped_env_rules():
    env = {"FBHUB_APP_SECRET": "plain", "FBHUB_APP_SECRET_FILE": "/plain", "FBHUB_EU_PROD_APP_SECRET_FILE": "/eu",
           "FBHUB_DOMAIN": "cx.example.com", "FBHUB_EU_PROD_APP_ID": "123456", "OTHER": "x"}
    eu = scoped_env("eu-prod", env)
    assert eu["FBHUB_APP_SECRET_FILE"] == "/eu" and "FBHUB_APP_SECRET" not in eu  # the scoped one wins, any form
    assert eu["FBHUB_APP_ID"] == "123456" and eu["FBHUB_DOMAIN"] == "cx.example.com" and eu["OTHER"] == "x"
    other = scoped_env("staging", env)
    assert other["FBHUB_APP_SECRET"] == "plain" and other["FBHUB_APP_SECRET_FILE"] == "/plain"
    assert profile_key("eu-prod.2") == "EU_PROD_2"
    assert worst_exit_code([0, 3, 2, 1]) == 1 and worst_exit_code([0, 3, 2]) == 2 and worst_exit_code([0, 3]) == 3
    assert worst_exit_code([0, 0]) == 0
    assert os.environ.get("FBHUB_EU_PROD_APP_ID") is None


def test_secrets_from_files_and_the_store_per_profile(cli, two_installations, tmp_path, monkeypatch, isolated_env):
    """staging: FBHUB_STAGING_*_FILE variables; production: its own secrets in the file store (no env at all)."""
    staging, production = two_installations
    for var in ("FBHUB_APP_SECRET", "FBHUB_PAGE_TOKENS", "FBHUB_STAGING_APP_SECRET", "FBHUB_STAGING_PAGE_TOKENS"):
        monkeypatch.delenv(var)
    (tmp_path / "app-secret").write_text(staging.operator.app_secret + "\n")
    (tmp_path / "page-tokens").write_text("\n".join(staging.operator.page_tokens) + "\n")
    monkeypatch.setenv("FBHUB_STAGING_APP_SECRET_FILE", str(tmp_path / "app-secret"))
    monkeypatch.setenv("FBHUB_STAGING_PAGE_TOKENS_FILE", str(tmp_path / "page-tokens"))
    cfg = isolated_env / "config.yaml"
    data = yaml.safe_load(cfg.read_text())
    data["profiles"]["production"]["secret_store"] = "file"
    cfg.write_text(yaml.safe_dump(data, sort_keys=False))
    op = production.operator
    assert cli("--profile", "production", "secrets", "set", "app-secret", input=op.app_secret + "\n").exit_code == 0
    for page, tok in zip(op.pages, op.page_tokens, strict=True):
        r = cli("--profile", "production", "secrets", "set", "page-token", "--page", page["id"], input=tok + "\n")
        assert r.exit_code == 0, r.stderr
    r = cli("doctor", "--all-profiles", "--format", "json")
    doc = json.loads(r.stdout)
    by = {p["profile"]: p for p in doc["profiles"]}
    assert by["staging"]["exit_code"] == 0, [x for x in by["staging"]["results"] if x["status"] != "pass"]
    assert {x["id"] for x in by["production"]["results"] if x["status"] == "fail"} == {"FB601"}
    for sb in (staging, production):  # each app was asked with its own secret
        assert {q.params.get("client_id") for q in sb.requests if q.params.get("client_id")} == {sb.operator.app_id}


def test_real_entry_point_profile_list_after_the_command(two_installations):
    """`fbhub doctor --profile a,b` through the real entry point (global options after the command are hoisted)."""
    import subprocess
    import sys

    for args in (["doctor", "--profile", "staging,production"], ["--profile=staging,production", "doctor"]):
        p = subprocess.run([sys.executable, "-m", "fbhub", *args, "--format", "json"], capture_output=True,
                           text=True, timeout=120)
        assert p.returncode == 1, p.stderr
        assert [d["profile"] for d in json.loads(p.stdout)["profiles"]] == ["staging", "production"]
