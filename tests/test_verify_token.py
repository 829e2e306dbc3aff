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
    assert ep.asked[1] == GENERATED and sorted(ep.asked[2:]) == sorted([PAGE1, PAGE2])  # Page tokens: at once
    assert [c for c, _ in f.tried] == CANDS
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


# -- hundreds of Pages: a few at a time, the earliest accepted value, Ctrl-C -----------------------


class SlowEndpoint:
    """Accepts ``accepts`` (Page token values); each answer waits ``delay(token)`` seconds, or until
    ``release`` is set. Counts the requests in flight at once."""

    def __init__(self, accepts: set[str], delay=lambda token: 0.05):
        self.accepts = accepts
        self.delay = delay
        self.asked: list[str] = []
        self.in_flight = 0
        self.most = 0
        self.release = threading.Event()
        self.lock = threading.Lock()
        ep = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):  # noqa: N802
                q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
                token = q.get("hub.verify_token", "")
                with ep.lock:
                    ep.asked.append(token)
                    ep.in_flight += 1
                    ep.most = max(ep.most, ep.in_flight)
                try:
                    ep.release.wait(ep.delay(token))
                finally:
                    with ep.lock:
                        ep.in_flight -= 1
                body = q.get("hub.challenge", "").encode() if token in ep.accepts else b""
                self.send_response(200 if body else 403)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/fb/webhook"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def _pages(n):
    return [Candidate("page-token", f"Page token #{i + 1}", f"EAAGmany{i:04d}pagetoken0123456789abcdef")
            for i in range(n)]


def test_many_page_tokens_are_asked_a_few_at_a_time():
    from fbhub.checks.verifytoken import DISCOVER_WORKERS

    cands = _pages(60)
    with SlowEndpoint({cands[41].value}) as ep:
        f = discover(ep.url, cands, timeout=30)
    assert f.accepted is cands[41]
    assert [c for c, _ in f.tried] == cands[:42]  # in candidate order, ending at the accepted one
    assert 1 < ep.most <= DISCOVER_WORKERS  # bounded concurrency (random token + Page tokens)
    assert len(ep.asked) - 1 <= 42 + DISCOVER_WORKERS  # nothing much sent after the answer was known


def test_the_earliest_accepted_value_wins_even_when_a_later_one_answers_first():
    cands = _pages(12)
    slow, fast = cands[2].value, cands[6].value
    for _ in range(3):
        with SlowEndpoint({slow, fast}, delay=lambda tok: 1.0 if tok == slow else 0.01) as ep:
            f = discover(ep.url, cands, timeout=30, workers=8)
        assert f.accepted is cands[2]
        assert [c for c, _ in f.tried] == cands[:3]
        assert "refused" not in dict((c.name, a) for c, a in f.tried)[cands[2].name]


def test_a_connection_error_before_the_accepted_value_is_reported_in_order(monkeypatch):
    from fbhub.checks import verifytoken

    cands = _pages(6)
    real = verifytoken._ask

    def ask(t, token, **kw):
        if token == cands[1].value:
            return False, "connection reset", "connection reset"
        return real(t, token, **kw)

    monkeypatch.setattr(verifytoken, "_ask", ask)
    with SlowEndpoint({cands[4].value}) as ep:
        f = discover(ep.url, cands, timeout=30)
    assert not f.reachable and f.error == "connection reset"
    assert [c for c, _ in f.tried] == cands[:2] and f.accepted is None


def test_ctrl_c_stops_the_workers():
    """CANCEL is what fbhub's SIGINT handler sets: the requests in flight end and nothing more is sent."""
    import time

    from fbhub.graph import limits

    cands = _pages(100)
    errors: list[BaseException] = []
    with SlowEndpoint(set(), delay=lambda tok: 0.0 if tok.startswith("fbhub-random") else 120) as ep:

        def run():
            try:
                discover(ep.url, cands, timeout=120, workers=4)
            except BaseException as exc:  # noqa: BLE001 - the Cancelled raised in this thread
                errors.append(exc)

        th = threading.Thread(target=run, daemon=True)
        th.start()
        try:
            end = time.monotonic() + 30
            while ep.in_flight < 4 and time.monotonic() < end:
                time.sleep(0.02)
            assert ep.in_flight == 4
            limits.CANCEL.set()
            th.join(30)
            assert not th.is_alive()
        finally:
            limits.CANCEL.clear()
    assert errors and isinstance(errors[0], limits.Cancelled)
    assert len(ep.asked) == 1 + 4  # the random token and the four in flight; none after Ctrl-C


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
