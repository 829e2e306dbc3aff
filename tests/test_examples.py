"""examples/: the sample config loads through the real settings code; the CI examples are well-formed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from fbhub.settings import SECRET_FILE_KEYS, resolve

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CONFIG = EXAMPLES / "config.yaml"
GITHUB = EXAMPLES / "github-actions-doctor.yml"
GITLAB = EXAMPLES / "gitlab-ci-doctor.yml"
SECRET_VARS = ("FBHUB_APP_SECRET", "FBHUB_PAGE_TOKENS", "FBHUB_VERIFY_TOKEN")
# Values that look like real credentials: page/user tokens, 32-hex app secrets, long opaque strings.
SECRETISH = re.compile(r"\bEAA[A-Za-z0-9]{10,}|\b[0-9a-f]{32}\b|[A-Za-z0-9_\-]{40,}")


def _load(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("profile,expected", [
    ("staging", {"domain": "cx-staging.example.com", "app_id": "1029384756102938", "graph_version": "v24.0",
                 "pages": [{"id": "104857600123456", "name": "Acme Support (staging)"}],
                 "webhook_fields": ["messages", "messaging_postbacks", "message_deliveries", "message_reads",
                                    "message_echoes"],
                 "timeout": 20.0}),
    ("production", {"domain": "cx.example.com", "app_id": "1122334455667788", "graph_version": "v24.0",
                    "graph_url": "https://graph.facebook.com",
                    "pages": [{"id": "108877665544332", "name": "Acme Support"},
                              {"id": "109988776655443", "name": "Acme Sales"}],
                    "timeout": 10.0}),
])
def test_sample_config_resolves(profile, expected):
    r = resolve(profile=profile, config_path=CONFIG, env={})
    assert r.profile == profile
    for key, value in expected.items():
        assert r[key] == value, key
        assert r.sources[key] == "file", key


def test_sample_config_has_no_secrets():
    data = _load(CONFIG)
    assert data["version"] == 1 and set(data["profiles"]) == {"staging", "production"}
    for prof in data["profiles"].values():
        assert not set(prof) & SECRET_FILE_KEYS
    text = CONFIG.read_text(encoding="utf-8")
    assert not SECRETISH.search(text)
    assert text.count("#") >= 10  # keys are explained


def test_secret_detector_works():
    assert SECRETISH.search("FBHUB_APP_SECRET: 0123456789abcdef0123456789abcdef")
    assert SECRETISH.search("FBHUB_PAGE_TOKENS: EAAGm0PX4ZCpsBAOZCZBa1")


def _no_literal_secrets(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not SECRETISH.search(text), SECRETISH.search(text)


def test_github_workflow():
    wf = _load(GITHUB)
    on = wf.get("on", wf.get(True))  # YAML 1.1 reads a bare `on` as true
    assert on["schedule"] and re.match(r"^[0-9*/,\- ]+$", on["schedule"][0]["cron"])
    (job,) = wf["jobs"].values()
    env = job["env"]
    for var in SECRET_VARS:
        assert env[var] == "${{ secrets." + var + " }}"
    assert env["FBHUB_DOMAIN"] == "${{ vars.FBHUB_DOMAIN }}" and env["FBHUB_APP_ID"] == "${{ vars.FBHUB_APP_ID }}"
    for name, value in env.items():  # every FBHUB_* value comes from the secret/variable store
        if name.startswith("FBHUB_"):
            assert re.fullmatch(r"\$\{\{ (secrets|vars)\.[A-Z_]+ \}\}", value), name
    steps = job["steps"]
    assert any("actions/checkout" in s.get("uses", "") for s in steps)  # the wheel is built from the checkout
    runs = [s.get("run", "") for s in steps]
    assert any("pip install" in r for r in runs)
    assert any("fbhub --profile production doctor --format junit --output doctor.xml" in r for r in runs)
    assert any("doctor --format github" in r for r in runs)
    uses = {s.get("uses", "").split("@")[0]: s for s in steps if "uses" in s}
    assert uses["actions/upload-artifact"]["with"]["path"] == "doctor.xml"
    publisher = uses.get("mikepenz/action-junit-report") or uses["dorny/test-reporter"]
    assert publisher["if"] == "always()" and uses["actions/upload-artifact"]["if"] == "always()"
    assert wf["permissions"]["checks"] == "write"
    _no_literal_secrets(GITHUB)


def test_gitlab_job():
    ci = _load(GITLAB)
    (job,) = ci.values()
    assert any('$CI_PIPELINE_SOURCE == "schedule"' in r["if"] for r in job["rules"])
    assert any("fbhub --profile production doctor --format junit --output doctor.xml" in line
               for line in job["script"])
    assert job["artifacts"]["when"] == "always"
    assert job["artifacts"]["reports"]["junit"] == "doctor.xml"
    assert job["allow_failure"]["exit_codes"] == [3]  # 3 = could not conclude
    for var in SECRET_VARS:  # masked CI/CD variables: never defined in the file
        assert var not in job.get("variables", {})
    assert "exit code" in GITLAB.read_text(encoding="utf-8").lower()
    _no_literal_secrets(GITLAB)


MONITORING = EXAMPLES / "monitoring"
METRIC_RE = re.compile(r"\bfbhub_[a-z0-9_]+\b")


def _rules() -> list[dict]:
    return [r for g in _load(MONITORING / "fbhub-alerts.yml")["groups"] for r in g["rules"]]


def test_alert_rules_use_only_metrics_fbhub_exports(cli, sandbox_env):
    """Every metric an alert rule uses is one fbhub exports — in a real run's exposition, not just a list."""
    from prometheus_client.parser import text_string_to_metric_families

    from fbhub.report.prometheus import METRICS

    sandbox_env("token-expiring-soon")  # tokens with an expiry, so every metric family has samples
    r = cli("doctor", "--format", "prometheus")
    exported = set()
    for fam in text_string_to_metric_families(r.stdout):
        exported |= {s.name for s in fam.samples}
    used = {name for rule in _rules() for name in METRIC_RE.findall(rule["expr"])}
    assert used and used <= exported, used - exported
    assert used <= set(METRICS)


def test_alert_rules_cover_the_silent_failures():
    rules = {r["alert"]: r for r in _rules()}
    exprs = " ".join(r["expr"] for r in rules.values())
    for check in ("FB501", "FB601", "FB403"):  # token invalid, Page not subscribed, webhook on another host
        assert f'fbhub_check_status{{id="{check}"}} == 2' in exprs
    assert "fbhub_token_expiry_timestamp_seconds - time() < 7 * 86400" in exprs
    assert "fbhub_token_data_access_expiry_timestamp_seconds - time() < 7 * 86400" in exprs
    assert "time() - fbhub_doctor_last_run_timestamp_seconds > 30 * 60" in exprs
    for r in rules.values():
        assert r["labels"]["severity"] in ("critical", "warning") and r["annotations"]["summary"]
    # (metric names are long identifiers, so the generic detector does not apply: look for credentials only)
    assert not re.search(r"\bEAA[A-Za-z0-9]{10,}|\b[0-9a-f]{32}\b", (MONITORING / "fbhub-alerts.yml").read_text())


def test_systemd_unit_and_scrape_config_agree_with_the_command():
    import shlex

    from fbhub.cli.monitor_cmd import monitor  # noqa: F401 - the command the unit runs exists
    from fbhub.monitoring.exporter import parse_interval, parse_listen

    unit = (MONITORING / "fbhub-monitor.service").read_text(encoding="utf-8")
    [exec_start] = [line for line in unit.splitlines() if line.startswith("ExecStart=")]
    argv = shlex.split(exec_start.split("=", 1)[1])
    assert argv[0].endswith("fbhub") and "monitor" in argv
    listen = argv[argv.index("--listen") + 1]
    assert parse_listen(listen) == ("127.0.0.1", 9464) and parse_interval(argv[argv.index("--interval") + 1]) == 300
    assert "KillSignal=SIGTERM" in unit and "Restart=on-failure" in unit
    env_names = re.findall(r"^Environment=(FBHUB_[A-Z_]+)=", unit, re.M)
    assert env_names and all(n.endswith("_FILE") for n in env_names)  # secrets from files, never inline
    scrape = _load(MONITORING / "prometheus.yml")
    [job] = scrape["scrape_configs"]
    assert job["static_configs"][0]["targets"] == [listen] and job["metrics_path"] == "/metrics"
    assert scrape["rule_files"] == ["fbhub-alerts.yml"]
    _no_literal_secrets(MONITORING / "fbhub-monitor.service")


# -- the examples' shell steps, run for real against the sandbox ------------------------------------

INSTALL_WORDS = ("pip install", "python -m build", "pipx install")


def _shell_env(sb, tmp_path: Path) -> dict[str, str]:
    """What the CI job's environment holds: the FBHUB_* variables (here: the sandbox's), no keyring, and the
    fbhub under test first on PATH (the install step is the one part not run here)."""
    env = dict(os.environ)
    env.update(sb.operator.env(sb.url))
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["GITHUB_OUTPUT"] = str(tmp_path / "github_output")
    return env


def _run_steps(scripts: list[str], env: dict[str, str], cwd: Path) -> list[subprocess.CompletedProcess[str]]:
    out = []
    for script in scripts:
        if any(w in script for w in INSTALL_WORDS):
            continue
        out.append(subprocess.run(["bash", "-e", "-c", script], cwd=cwd, env=env, capture_output=True, text=True,
                                  timeout=120))
    return out


@pytest.mark.parametrize("scenario,code", [("healthy", "0"), ("page-not-subscribed", "1")])
def test_github_workflow_steps_against_the_sandbox(sandbox, tmp_path, scenario, code):
    sb = sandbox(scenario)
    env = _shell_env(sb, tmp_path)
    steps = next(iter(_load(GITHUB)["jobs"].values()))["steps"]
    runs = [s["run"] for s in steps if "run" in s and s.get("name") != "Verdict"]
    results = _run_steps(runs, env, tmp_path)
    assert all(r.returncode == 0 for r in results), [(r.returncode, r.stderr[-300:]) for r in results]
    assert (tmp_path / "github_output").read_text().strip() == f"exit_code={code}"
    junit = (tmp_path / "doctor.xml").read_text()
    assert junit.startswith("<?xml") and "testsuite" in junit
    verdict = next(s for s in steps if s.get("name") == "Verdict")
    r = subprocess.run(["bash", "-e", "-c", verdict["run"]], cwd=tmp_path, env=dict(env, CODE=code),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == (0 if code == "0" else 1)
    for secret in (sb.operator.app_secret, *sb.operator.page_tokens):
        assert secret not in junit and all(secret not in x.stdout + x.stderr for x in results)


def test_gitlab_job_script_against_the_sandbox(sandbox, tmp_path):
    sb = sandbox("healthy")
    job = next(iter(_load(GITLAB).values()))
    results = _run_steps(job["script"], _shell_env(sb, tmp_path), tmp_path)
    assert [r.returncode for r in results] == [0], [r.stderr[-300:] for r in results]
    assert (tmp_path / job["artifacts"]["reports"]["junit"]).exists()


def test_examples_install_fbhub_for_real():
    """fbhub is not on any package index: the examples build the wheel from the checkout and install it."""
    for text in (GITHUB.read_text(), GITLAB.read_text()):
        assert "fbhub==" not in text
        assert "python -m build --wheel" in text and "dist/fbhub-*.whl" in text
