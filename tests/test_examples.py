"""examples/: the sample config loads through the real settings code; the CI examples are well-formed."""

from __future__ import annotations

import re
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
    assert not any("actions/checkout" in s.get("uses", "") for s in steps)
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
