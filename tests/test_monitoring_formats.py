"""doctor --format prometheus and --format nagios, end to end against the sandbox over HTTP."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys

import pytest
from prometheus_client.parser import text_string_to_metric_families

from fbhub.report.prometheus import METRICS, STATUS_VALUES, iso_to_unix


def parse(text: str) -> dict[str, list]:
    """family name -> samples, parsed by prometheus_client's own parser."""
    out: dict[str, list] = {}
    for fam in text_string_to_metric_families(text):
        out.setdefault(fam.name, []).extend(fam.samples)
    return out


def secrets_of(sb) -> list[str]:
    op = sb.operator
    return [s for s in [op.app_secret, *op.page_tokens, op.verify_token, op.user_token] if s]


def test_prometheus_matches_the_json_report_of_the_same_run(cli, sandbox_env, tmp_path):
    sb = sandbox_env("demo")  # FB403 and FB601 fail, FB303 warns
    prom, bundle = tmp_path / "fbhub.prom", tmp_path / "bundle.json"
    r = cli("doctor", "--format", "prometheus", "--output", str(prom), "--bundle", str(bundle))
    assert r.exit_code == 1, r.stderr
    text = prom.read_text()
    doc = json.loads(bundle.read_text())["report"]  # the JSON report of this very run
    fams = parse(text)
    assert set(fams) <= {m.removesuffix("_total") for m in METRICS} | set(METRICS)

    status = {(s.labels["id"], s.labels["subject"]): s for s in fams["fbhub_check_status"]}
    assert len(status) == len({(x["id"], x["target"]) for x in doc["results"]})
    for res in doc["results"]:
        s = status[(res["id"], res["target"])]
        assert s.value == STATUS_VALUES[res["status"]], res
        assert s.labels["group"] == res["group"] and s.labels["profile"] == "default"
    assert status[("FB403", "app")].value == 2  # a failed check reads 2
    assert any(k[0] == "FB601" and s.value == 2 for k, s in status.items())
    assert status[("FB303", "app")].value == 1

    counts = {s.labels["status"]: s.value for s in fams["fbhub_checks"]}
    assert counts == {k: v for k, v in doc["summary"].items() if k != "total"}
    [last] = fams["fbhub_doctor_last_run_timestamp_seconds"]
    assert last.value == iso_to_unix(doc["generated_at"])
    [dur] = fams["fbhub_doctor_duration_seconds"]
    assert dur.value == pytest.approx(doc["duration_s"])
    [req] = [s for s in fams["fbhub_graph_requests"] if s.name == "fbhub_graph_requests_total"]
    assert req.value == doc["requests"] and req.value > 0
    [code] = fams["fbhub_doctor_exit_code"]
    assert code.value == doc["exit_code"] == 1
    usage = {(s.labels["header"], s.labels["metric"]): s.value for s in fams["fbhub_graph_usage_ratio"]}
    assert usage, "the sandbox sends X-App-Usage"
    for header, row in doc["extra"]["graph_usage"].items():
        for metric, pct in row.items():
            assert usage[({"app": "X-App-Usage", "page": "X-Page-Usage",
                           "business": "X-Business-Use-Case-Usage"}[header], metric)] == pct / 100
    fb506 = {x["target"]: x["details"] for x in doc["results"] if x["id"] == "FB506"}
    expiry = {s.labels["subject"]: s.value for s in fams["fbhub_token_expiry_timestamp_seconds"]}
    data_expiry = {s.labels["subject"]: s.value for s in fams["fbhub_token_data_access_expiry_timestamp_seconds"]}
    assert fb506 and set(expiry) == set(fb506) == set(data_expiry)
    for subject, details in fb506.items():
        assert expiry[subject] == details["expires_at"]
        assert data_expiry[subject] == details["data_access_expires_at"]
    [end] = fams["fbhub_graph_version_end_timestamp_seconds"]
    assert end.labels["version"] == doc["graph"]["version_requested"] and end.value > 1.7e9
    for secret in secrets_of(sb):
        assert secret not in text and secret[:12] not in text and secret[-12:] not in text


def test_prometheus_token_expiry_and_warnings(cli, sandbox_env):
    sandbox_env("token-expiring-soon")
    r = cli("doctor", "--format", "prometheus")
    assert r.exit_code == 0
    fams = parse(r.stdout)
    import time

    soon = [s.value - time.time() for s in fams["fbhub_token_expiry_timestamp_seconds"]]
    assert soon and all(0 < left < 7 * 86400 for left in soon)  # what the alert rule looks for
    assert {s.value for s in fams["fbhub_check_status"] if s.labels["id"] == "FB506"} == {1}


def test_prometheus_output_is_atomic_for_the_textfile_collector(cli, sandbox_env, tmp_path):
    sandbox_env("healthy")
    (tmp_path / "textfile").mkdir()
    target = tmp_path / "textfile" / "fbhub.prom"
    target.write_text("# old\n")
    before = target.stat().st_ino
    r = cli("doctor", "--format", "prometheus", "--output", str(target))
    assert r.exit_code == 0
    st = target.stat()
    assert st.st_ino != before  # replaced by rename, never rewritten in place
    assert stat.S_IMODE(st.st_mode) & 0o044 == 0o044  # node_exporter (another user) can read it
    assert os.listdir(tmp_path / "textfile") == ["fbhub.prom"]  # no temp file left behind
    assert "fbhub_check_status" in target.read_text() and r.stdout == ""


NAGIOS_LINE = re.compile(r"^FBHUB (OK|WARNING|CRITICAL|UNKNOWN) - [^|\n]+(?: \| (.*))?$")
PERF = re.compile(r"^'[^'=]+'=-?[0-9.]+(s|%|B|c)?(;[0-9.:~@-]*){0,4}$")


@pytest.mark.parametrize("scenario,code,state", [
    ("healthy", 0, "OK"),
    ("token-expiring-soon", 1, "WARNING"),
    ("demo", 2, "CRITICAL"),
    ("rate-limited", 3, "UNKNOWN"),
])
def test_nagios_plugin_output_and_exit_codes(cli, sandbox_env, scenario, code, state):
    sb = sandbox_env(scenario)
    r = cli("doctor", "--format", "nagios")
    assert r.exit_code == code, r.stdout
    lines = r.stdout.splitlines()
    m = NAGIOS_LINE.match(lines[0])
    assert m and m.group(1) == state, lines[0]
    perf = m.group(2).split(" ")
    assert all(PERF.match(p) for p in perf), perf
    values = {p.split("=")[0].strip("'"): p.split("=")[1].split(";")[0] for p in perf}
    doc = json.loads(cli("doctor", "--format", "json").stdout) if scenario != "rate-limited" else None
    if doc:
        assert int(values["failed"]) == doc["summary"]["fail"]
        assert int(values["warnings"]) == doc["summary"]["warn"]
        assert len(lines) - 1 == doc["summary"]["fail"] + doc["summary"]["warn"] + doc["summary"]["error"]
    if scenario == "demo":
        assert lines[1].startswith("CRITICAL: ") and any("FB403" in x for x in lines[1:])
    for secret in secrets_of(sb):
        assert secret not in r.stdout


def test_nagios_strict_turns_warnings_critical(cli, sandbox_env):
    sandbox_env("token-expiring-soon")
    r = cli("doctor", "--format", "nagios", "--strict")
    assert r.exit_code == 2 and r.stdout.startswith("FBHUB CRITICAL - ")


def test_nagios_configuration_error_is_unknown(cli):
    r = cli("doctor", "--format", "nagios", "--domain", "bad domain")
    assert r.exit_code == 3
    assert r.stdout.startswith("FBHUB UNKNOWN - ") and "domain" in r.stdout
    assert len(r.stdout.splitlines()) == 1


def test_nagios_bad_command_line_is_unknown_not_2():
    p = subprocess.run([sys.executable, "-m", "fbhub", "doctor", "--format", "nagios", "--nosuch"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 3, p
    assert p.stdout.startswith("FBHUB UNKNOWN - ") and "--nosuch" in p.stdout
    other = subprocess.run([sys.executable, "-m", "fbhub", "doctor", "--format", "json", "--nosuch"],
                           capture_output=True, text=True, timeout=60)
    assert other.returncode == 2  # the plugin codes are for --format nagios only
