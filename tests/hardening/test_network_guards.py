"""Guards at the edge of the network: no secret over plain http to another machine, none to a webhook
server that failed its certificate check, none echoed from a URL's user info or query."""

from __future__ import annotations

import pytest

from fbhub.settings import resolve

from .support import ERROR_LINE, HINT_LINE, WebhookReceiver, run_cli

SECRET = "9c1f0e6b3a7d4e2f8b5a6c7d1e0f2a3b"
VERIFY = "vt-Hq3Zr8LmXw2Kp7Nb5Tc9Yd4"
BASE = {"FBHUB_APP_ID": "1234567890123456", "FBHUB_APP_SECRET": SECRET, "FBHUB_DOMAIN": "cx.example.com",
        "FBHUB_VERIFY_TOKEN": VERIFY}


def one_error(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert lines and ERROR_LINE.match(lines[0]), stderr
    assert len(lines) <= 2 and (len(lines) == 1 or HINT_LINE.match(lines[1])), stderr
    return stderr


# -- plain http Graph URL --------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["http://graph.facebook.com", "http://10.1.2.3:8080", "http://[2001:db8::1]",
                                 "http://graph.example.com."])
@pytest.mark.parametrize("command", [["doctor"], ["verify-app"], ["subscribe-page"], ["config", "show"]])
def test_plain_http_graph_url_to_another_machine_is_refused(url, command):
    r = run_cli(*command, env={**BASE, "FBHUB_GRAPH_URL": url})
    assert r.exit_code == 2, (r.stdout, r.stderr)
    text = one_error(r.stderr)
    assert "FBHUB_GRAPH_URL" in text and "plain http" in text and "FBHUB_GRAPH_ALLOW_HTTP" in text
    assert SECRET[:8] not in r.stdout + r.stderr


def test_plain_http_graph_url_from_the_flag_and_the_file_is_refused(tmp_path):
    r = run_cli("verify-app", "--graph-url", "http://graph.example.com", env=BASE)
    assert r.exit_code == 2 and "--graph-url" in one_error(r.stderr)
    cfg = tmp_path / "config.yaml"
    cfg.write_text("version: 1\nprofiles:\n  default:\n    graph_url: http://graph.example.com\n")
    r = run_cli("--config", str(cfg), "verify-app", env=BASE)
    assert r.exit_code == 2 and str(cfg) in one_error(r.stderr)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080", "http://127.9.9.9", "http://localhost:1234",
                                 "http://[::1]:80", "https://graph.example.com"])
def test_loopback_and_https_need_no_opt_in(url, tmp_path):
    s = resolve(env={"FBHUB_GRAPH_URL": url}, config_path=tmp_path / "none.yaml")
    assert s["graph_url"] == url and s["graph_allow_http"] is False


def test_the_explicit_opt_in_allows_plain_http(tmp_path):
    s = resolve(env={"FBHUB_GRAPH_URL": "http://graph.internal:8080", "FBHUB_GRAPH_ALLOW_HTTP": "true"},
                config_path=tmp_path / "none.yaml")
    assert s["graph_url"] == "http://graph.internal:8080" and s["graph_allow_http"] is True
    r = run_cli("config", "show", env={"FBHUB_GRAPH_URL": "http://graph.internal", "FBHUB_GRAPH_ALLOW_HTTP": "maybe"})
    assert r.exit_code == 2 and "FBHUB_GRAPH_ALLOW_HTTP" in one_error(r.stderr)


# -- probe-webhook --url ---------------------------------------------------------------------------


def test_probe_refuses_credentials_in_the_url():
    with WebhookReceiver(VERIFY, SECRET) as rx:
        url = rx.url.replace("http://", "http://ops:hunter2secret@")
        r = run_cli("probe-webhook", "--allow-http", "--url", url, env=BASE)
        assert r.exit_code == 2, (r.stdout, r.stderr)
        text = one_error(r.stderr)
        assert "user name or password" in text
        assert "hunter2" not in r.stdout + r.stderr and "ops:" not in r.stdout + r.stderr
        assert rx.queries == []  # nothing was sent


@pytest.mark.parametrize("as_json", [False, True])
def test_probe_masks_query_values_of_the_url(as_json):
    with WebhookReceiver(VERIFY, SECRET) as rx:
        url = rx.url + "?tenant=acme&key=Zq8LmXw2Kp7Nb5Tc9Yd4HqSecretKey"
        r = run_cli("probe-webhook", "--allow-http", "--url", url, *(["--json"] if as_json else []), env=BASE)
        out = r.stdout + r.stderr
        assert r.exit_code == 0, out
        assert "Zq8LmXw2" not in out and "acme" not in out
        assert "key=…" in out and "tenant=…" in out
        assert all(q.startswith("tenant=acme&key=Zq8") for q in rx.queries)  # the server got the real URL
