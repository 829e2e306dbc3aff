"""Which verify token does the CX server accept? probe-webhook asks the endpoint: a random token, the configured
one, then each Page token — against endpoints that check nothing, accept only a Page token, or only a generated
token."""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from fbhub.checks.verifytoken import Candidate, discover
from fbhub.redact import mask

SECRET = "0123456789abcdef0123456789abcdef"
GENERATED = "vt-generated-0123456789abcdefXYZ"
PAGE1 = "EAAGpagetokenSUPPORT1234567890abcdefghij"
PAGE2 = "EAAGpagetokenSALES99991234567890abcdefghij"


class Endpoint:
    """A CX-like webhook: ``accepts`` is None (checks nothing) or the one verify token it accepts."""

    def __init__(self, accepts: str | None):
        self.accepts = accepts
        self.asked: list[str] = []
        ep = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def _send(self, status, body=b""):
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):  # noqa: N802
                q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
                ep.asked.append(q.get("hub.verify_token", ""))
                if q.get("hub.mode") == "subscribe" and (ep.accepts is None or q.get("hub.verify_token") == ep.accepts):
                    return self._send(200, q.get("hub.challenge", "").encode())
                return self._send(403)

            def do_POST(self):  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._send(200, b"EVENT_RECEIVED")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/fb/webhook"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


CANDS = [Candidate("verify-token", "the configured verify token", GENERATED),
         Candidate("page-token", "the Page token of Support (111)", PAGE1),
         Candidate("page-token", "the Page token of Sales (222)", PAGE2)]


def test_endpoint_that_checks_nothing():
    with Endpoint(None) as ep:
        f = discover(ep.url, CANDS, timeout=10)
    assert f.checks_token is False
    assert len(ep.asked) == 1 and ep.asked[0] not in (GENERATED, PAGE1, PAGE2)  # only the random token was sent
    assert "does not check the verify token" in f.lines()[0]


def test_endpoint_that_accepts_only_a_page_token():
    with Endpoint(PAGE2) as ep:
        f = discover(ep.url, CANDS, timeout=10)
    assert f.checks_token is True and f.accepted is CANDS[2]
    assert ep.asked[1:] == [GENERATED, PAGE1, PAGE2]
    text = "\n".join(f.lines())
    assert "the Page token of Sales (222) (" + mask(PAGE2) + "): accepted" in text
    assert "the configured verify token (" + mask(GENERATED) + "): refused (HTTP 403)" in text
    assert PAGE2 not in text and GENERATED not in text


def test_endpoint_that_accepts_only_the_generated_token():
    with Endpoint(GENERATED) as ep:
        f = discover(ep.url, CANDS, timeout=10)
    assert f.accepted is CANDS[0]
    assert ep.asked[1:] == [GENERATED]  # stops at the first accepted value: no Page token was sent


def test_endpoint_that_accepts_nothing_fbhub_knows():
    with Endpoint("something-else-entirely") as ep:
        f = discover(ep.url, CANDS, timeout=10)
    assert f.accepted is None and f.checks_token is True
    assert "expects another verify token" in f.lines()[-1]


def test_unreachable_endpoint_is_said():
    f = discover("http://127.0.0.1:9/fb/webhook", CANDS, timeout=5)
    assert not f.reachable and "could not ask" in f.lines()[0]


# -- through the CLI -------------------------------------------------------------------------------

ENV = {"FBHUB_APP_SECRET": SECRET, "FBHUB_DOMAIN": "cx.example.com", "FBHUB_PAGES": "111:Support,222:Sales"}


def _store_tokens(cli):
    assert cli("secrets", "set", "page-token", "--page", "111", input=PAGE1).exit_code == 0
    assert cli("secrets", "set", "page-token", "--page", "222", input=PAGE2).exit_code == 0


def test_cli_reports_the_page_token_and_stores_it_on_request(cli, keyring_data):
    _store_tokens(cli)
    assert cli("secrets", "set", "verify-token", input=GENERATED).exit_code == 0
    with Endpoint(PAGE1) as ep:
        r = cli("probe-webhook", "--url", ep.url, "--allow-http", env=ENV)
        assert "the Page token of Support (111) (" + mask(PAGE1) + "): accepted" in r.stdout
        assert "--store-verify-token" in r.stdout
        assert r.exit_code == 0, r.stdout + r.stderr  # the handshake is made with the accepted value
        assert keyring_data()["fbhub\x00default:verify-token"] == GENERATED  # not stored without asking
        r = cli("probe-webhook", "--url", ep.url, "--allow-http", "--store-verify-token", env=ENV)
        assert r.exit_code == 0
        assert keyring_data()["fbhub\x00default:verify-token"] == PAGE1
        for s in (PAGE1, PAGE2, GENERATED, SECRET):
            assert s not in r.stdout + r.stderr


def test_cli_json_carries_the_finding_masked(cli):
    _store_tokens(cli)
    with Endpoint(None) as ep:
        r = cli("probe-webhook", "--url", ep.url, "--allow-http", "--json", env=ENV)
    doc = json.loads(r.stdout)
    vt = doc["extra"]["verify_token"] if "extra" in doc else doc["verify_token"]
    assert vt["checks_token"] is False
    assert PAGE1 not in r.stdout + r.stderr


def test_cli_without_a_verify_token_finds_the_page_token(cli):
    _store_tokens(cli)
    with Endpoint(PAGE2) as ep:
        r = cli("probe-webhook", "--url", ep.url, "--allow-http", env=ENV)
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "Sales (222)" in r.stdout and "accepted" in r.stdout


@pytest.mark.parametrize("accepts", [None, PAGE1, GENERATED])
def test_three_endpoints_through_the_cli(cli, accepts):
    _store_tokens(cli)
    cli("secrets", "set", "verify-token", input=GENERATED)
    with Endpoint(accepts) as ep:
        r = cli("probe-webhook", "--url", ep.url, "--allow-http", env=ENV)
    if accepts is None:
        assert "does not check the verify token" in r.stdout
        assert r.exit_code == 1  # FB802: a wrong token is accepted
    elif accepts == PAGE1:
        assert "Support (111) (" + mask(PAGE1) + "): accepted" in r.stdout and r.exit_code == 0
    else:
        assert "the configured verify token (" + mask(GENERATED) + "): accepted" in r.stdout and r.exit_code == 0


# -- fbhub urls: the Verify Token line next to the Callback URL --------------------------------------


def test_urls_shows_the_verify_token_masked_with_its_source(cli, monkeypatch):
    r = cli("urls", "cx.example.com")
    lines = r.stdout.splitlines()
    i = lines.index("Webhook Callback URL")
    assert lines[i + 3] == "Verify Token" and "(not set)" in lines[i + 4] and "secrets set" in lines[i + 4]
    _store_tokens(cli)
    r = cli("urls", "cx.example.com", env={"FBHUB_PAGES": "111:Support"})
    assert mask(PAGE1) in r.stdout and PAGE1 not in r.stdout
    assert "the Page token of Support (111), as the vendor guide prescribes" in r.stdout
    cli("secrets", "set", "verify-token", input=GENERATED)
    r = cli("urls", "cx.example.com", "--json")
    doc = json.loads(r.stdout)["verify_token"]
    assert doc["value"] == mask(GENERATED) and "stored in the OS keyring" in doc["source"]
    assert GENERATED not in r.stdout
    r = cli("urls", "cx.example.com", env={"FBHUB_VERIFY_TOKEN": "from-env-0123456789"})
    assert "from FBHUB_VERIFY_TOKEN" in r.stdout and "from-env-0123456789" not in r.stdout


# -- the wizard's webhook stage: the guide's default, and the probe's finding ----------------------


def _wizard_at_webhooks(sb, script):
    import io

    from rich.console import Console

    from fbhub.configfile import ConfigFile
    from fbhub.secrets import SecretStore
    from fbhub.session import Session
    from fbhub.settings import resolve_config_path
    from fbhub.wizard import ScriptedPrompter, Wizard

    op = sb.operator
    cfg = ConfigFile.load(resolve_config_path(None))
    cfg.set("default", "domain", op.domain)
    cfg.set("default", "app_id", op.app_id)
    cfg.set("default", "pages", [{"id": "110000000000001", "name": "CloudCX Support"},
                                 {"id": "110000000000002", "name": "CloudCX Sales"}])
    cfg.save()
    store = SecretStore("default")
    store.set("app-secret", op.app_secret)
    store.set("page-token", op.page_tokens[0], label="110000000000001")
    store.set("page-token", op.page_tokens[1], label="110000000000002")
    buf = io.StringIO()
    w = Wizard(Session.open({}), ScriptedPrompter(script),
               Console(file=buf, width=200, no_color=True, highlight=False))
    return w, buf


@pytest.fixture
def sb(monkeypatch):
    from fbhub.sandbox import run_sandbox

    with run_sandbox("healthy") as s:
        monkeypatch.setenv("FBHUB_GRAPH_URL", s.url)
        yield s


def test_wizard_default_is_the_page_token_masked(sb, keyring_data):
    w, buf = _wizard_at_webhooks(sb, [("which verify token", False), ("Webhook saved", True)])
    w.run(stage="webhooks")
    w.close()
    op = sb.operator
    assert keyring_data()["fbhub\x00default:verify-token"] == op.page_tokens[0]
    text = buf.getvalue()
    assert mask(op.page_tokens[0]) in text and op.page_tokens[0] not in text
    assert "the Page token of CloudCX Support (110000000000001), as the vendor guide says" in text


@pytest.mark.parametrize("accepts", ["page2", "generated", None])
def test_wizard_uses_the_probes_finding(sb, keyring_data, accepts):
    op = sb.operator
    want = {"page2": op.page_tokens[1], "generated": GENERATED, None: None}[accepts]
    w, buf = _wizard_at_webhooks(sb, [("which verify token", True), ("Webhook saved", True)])
    if accepts == "generated":
        from fbhub.secrets import SecretStore

        SecretStore("default").set("verify-token", GENERATED)
    with Endpoint(want) as ep:
        w.probe_url = ep.url
        w.run(stage="webhooks")
    w.close()
    stored = keyring_data()["fbhub\x00default:verify-token"]
    text = buf.getvalue()
    if accepts is None:
        assert "does not check the verify token" in text
        assert stored == op.page_tokens[0]  # any value works: the guide's choice
    else:
        assert stored == want and "the CX server accepts it (probed)" in text
    for s in (*op.page_tokens, GENERATED):
        assert s not in text


def test_wizard_offers_the_probe_by_default(sb, keyring_data):
    """Enter at "Ask the CX server's webhook …?" asks it: the guide's value is used only when the probe cannot tell."""
    op = sb.operator
    w, buf = _wizard_at_webhooks(sb, [("which verify token", None), ("Webhook saved", True)])
    with Endpoint(op.page_tokens[1]) as ep:
        w.probe_url = ep.url
        w.run(stage="webhooks")
    w.close()
    assert keyring_data()["fbhub\x00default:verify-token"] == op.page_tokens[1]
