"""fbhub sandbox serve / scenarios and fbhub demo, through the real CLI."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request

from fbhub.sandbox import SCENARIOS


def test_scenarios_lists_each_with_a_line(cli):
    r = cli("sandbox", "scenarios")
    assert r.exit_code == 0
    for name in SCENARIOS.summaries():
        assert re.search(rf"^{re.escape(name)}\s+\S", r.stdout, re.M)


def test_demo_diagnoses_then_repairs_without_touching_user_files(cli, isolated_env, keyring_data):
    r = cli("demo")
    assert r.exit_code == 0, r.stderr
    out = r.stdout
    assert "https://cx.example.com/fb/webhook" in out  # the values to paste
    assert "FB601" in out and "FB403" in out  # what is wrong
    assert "fix:" in out and "fbhub explain" in out  # how to fix it
    assert "app webhook: changed" in out and "After the repair" in out
    assert not (isolated_env / "config.yaml").exists()
    assert keyring_data() == {}


def test_demo_unknown_scenario_is_usage_error(cli):
    r = cli("demo", "--scenario", "nope")
    assert r.exit_code == 2 and "nope" in r.stderr


def test_serve_answers_curl_like_meta(tmp_path):
    env = dict(os.environ)
    p = subprocess.Popen([sys.executable, "-m", "fbhub", "sandbox", "serve", "--scenario", "healthy", "--port", "0"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        url = None
        creds = {}
        deadline = time.time() + 30
        while time.time() < deadline:
            line = p.stdout.readline()
            if not line:
                break
            m = re.search(r"at (http://127\.0\.0\.1:\d+)", line)
            if m:
                url = m.group(1)
            m = re.match(r"\s+export (FBHUB_\w+)=(\S+)", line)
            if m:
                creds[m.group(1)] = m.group(2)
            if line.startswith("then: fbhub doctor"):
                break
        assert url and creds.get("FBHUB_APP_ID") and creds.get("FBHUB_APP_SECRET")
        data = (f"grant_type=client_credentials&client_id={creds['FBHUB_APP_ID']}"
                f"&client_secret={creds['FBHUB_APP_SECRET']}").encode()
        with urllib.request.urlopen(urllib.request.Request(f"{url}/v24.0/oauth/access_token", data=data),
                                    timeout=10) as resp:
            body = json.loads(resp.read())
            assert resp.headers["facebook-api-version"] == "v24.0"
        assert body["token_type"] == "bearer" and body["access_token"].startswith(creds["FBHUB_APP_ID"] + "|")
        bad = data.replace(creds["FBHUB_APP_SECRET"].encode(), b"0" * 32)
        try:
            urllib.request.urlopen(urllib.request.Request(f"{url}/v24.0/oauth/access_token", data=bad), timeout=10)
            raise AssertionError("a wrong secret must be refused")
        except urllib.error.HTTPError as exc:
            err = json.loads(exc.read())["error"]
            assert exc.code == 400 and err["code"] == 1 and err["message"] == "Error validating client secret."
    finally:
        p.terminate()
        out, errs = p.communicate(timeout=10)
    assert creds["FBHUB_APP_SECRET"] not in errs  # the request log is redacted


def test_serve_bad_world_file_is_one_line(cli, tmp_path):
    w = tmp_path / "world.yaml"
    w.write_text("version: 1\napps: [unclosed\n")
    r = cli("sandbox", "serve", "--world", str(w), "--port", "0")
    assert r.exit_code == 2 and str(w) in r.stderr and "Traceback" not in r.stderr
