"""Domain validation (many bad inputs, property-based) and `fbhub urls`."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fbhub.errors import UsageError
from fbhub.meta.domain import parse_domain


@pytest.mark.parametrize("raw,host", [
    ("cx.example.com", "cx.example.com"),
    ("https://cx.example.com/", "cx.example.com"),
    ("  CX.Example.COM.  ", "cx.example.com"),
    ("münchen.example", "xn--mnchen-3ya.example"),
    ("http://cx.example.com", "cx.example.com"),
])
def test_accepted(raw, host):
    assert parse_domain(raw).host == host


@pytest.mark.parametrize("raw", ["localhost", "127.0.0.1", "[::1]", "203.0.113.9"])
def test_local_and_ip_accepted_with_warning(raw):
    d = parse_domain(raw)
    assert d.warnings and "Meta needs a public HTTPS host" in d.warnings[-1]


@pytest.mark.parametrize("raw", [
    "", "   ", "cx example.com", "https://cx.example.com/fb/webhook", "cx.example.com/path",
    "cx.example.com?x=1", "cx.example.com#frag", "user:pw@cx.example.com", "https://u@cx.example.com",
    "http://cx.example.com/path", "cx.example.com:8443",
    "https://cx.example.com:443", ":443", "[fe80::1%eth0]", "xn--zz.example.com",
    "ftp://cx.example.com", "garbage", "-bad.example.com",
    "bad-.example.com", "a..b.com", "1.2.3", "cx_example.com", "x" * 64 + ".com", "tab\tcx.com", "[notip]",
    "javascript:alert(1)", "*.example.com",
])
def test_refused(raw):
    with pytest.raises(UsageError) as ei:
        parse_domain(raw)
    assert ei.value.message.startswith("invalid domain") and ei.value.hint


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_never_crashes_and_result_is_clean(text):
    try:
        d = parse_domain(text)
    except UsageError as exc:
        assert "\n" not in exc.message
        return
    host = d.host
    assert host == host.lower() and " " not in host and "/" not in host and "@" not in host and "?" not in host
    # idempotent: a normalised host parses to itself
    assert parse_domain(host).host == host


@settings(max_examples=100, deadline=None)
@given(st.lists(st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True), min_size=2, max_size=4))
def test_valid_hosts_roundtrip_through_https_url(labels):
    if labels[-1].isdigit():
        return
    host = ".".join(labels)
    assert parse_domain(f"https://{host}/").host == host


def test_urls_cli_text_and_json(cli):
    r = cli("urls", "https://cx.example.com/")
    assert r.exit_code == 0
    assert "https://cx.example.com/api/v1.0/facebook/integration/callback" in r.stdout
    assert "https://cx.example.com/fb/webhook" in r.stdout
    assert "https://cx.example.com:9006" in r.stdout and "Connector Hub Setting" in r.stdout
    r = cli("urls", "cx.example.com", "--json")
    doc = json.loads(r.stdout)
    assert doc["urls"]["webhook_callback_url"]["value"] == "https://cx.example.com/fb/webhook"
    assert doc["urls"]["oauth_redirect_uri"]["value"].endswith("/api/v1.0/facebook/integration/callback")
    assert doc["urls"]["app_domain"]["value"] == "cx.example.com"
    assert doc["urls"]["site_url"]["value"] == "https://cx.example.com/"


def test_urls_from_config_and_errors(cli):
    r = cli("urls")
    assert r.exit_code == 2 and "no domain is set" in r.stderr and "FBHUB_DOMAIN" in r.stderr
    cli("config", "set", "domain", "cx.example.org")
    assert "https://cx.example.org/fb/webhook" in cli("urls").stdout
    r = cli("urls", "https://cx.example.com/x")
    assert r.exit_code == 2 and len(r.stderr.strip().splitlines()) == 2
    r = cli("urls", "localhost")
    assert r.exit_code == 0 and "warning" in r.stderr
