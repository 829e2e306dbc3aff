"""probe-webhook: act as Meta would toward the CX server's webhook endpoint (checks FB801–FB805).

1. FB801 the verification handshake: ``GET callback?hub.mode=subscribe&hub.verify_token=…&hub.challenge=N``
   must answer 200 with exactly N.
2. FB802 a wrong verify token must not be accepted.
3. FB803 a signed Messenger ``messages`` event (``X-Hub-Signature-256``) must get a 2xx within 5 s.
4. FB804 (opt-in) a wrongly signed event should be refused (4xx).
5. FB805 TLS: https, a certificate valid for the host from a trusted chain, days to expiry.

The verify token travels in a query string here and only here: that is Meta's protocol toward the operator's
own server. Full URLs with the token are never logged or put in a result; everything returned is redacted.
Only the standard library is used (http.client, ssl), so no HTTP library logs a URL.

Safety: the verify token and signed events go only to a server whose certificate checked out (FB805), or with
``--insecure``; a URL with ``user:password@`` is refused and query values are shown masked. Every request has
one total deadline (``timeout``, connect to last byte: a server dripping one byte a second is cut off), an
answer is read up to ``MAX_ANSWER_BYTES`` (more is an error, not a bigger buffer), and Ctrl-C ends it at once.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import secrets
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fbhub.checks.facts import Facts, Inputs
from fbhub.checks.model import EXPIRY_WARN_DAYS, CheckResult, CheckSpec, Group, Status
from fbhub.errors import UsageError
from fbhub.graph import limits
from fbhub.redact import MASK, redact, register_secret

if TYPE_CHECKING:
    from fbhub.session import Session

WARN_AFTER_S = 2.0
FAIL_AFTER_S = 5.0  # Meta's Messenger limit for answering an event
PLACEHOLDER_PAGE_ID = "0"
USER_AGENT = "facebookexternalua (fbhub probe-webhook)"

CHECKS = (
    CheckSpec("FB801", "webhook-endpoint", "Webhook answers Meta's verification handshake", "webhook-endpoint"),
    CheckSpec("FB802", "webhook-endpoint", "Webhook refuses a wrong verify token", "webhook-endpoint"),
    CheckSpec("FB803", "webhook-endpoint", "Webhook accepts a signed event quickly", "webhook-endpoint"),
    CheckSpec("FB804", "webhook-endpoint", "Webhook refuses a wrongly signed event", "webhook-endpoint"),
    CheckSpec("FB805", "webhook-endpoint", "Webhook's TLS certificate is valid", "webhook-endpoint"),
)
PROBE_IDS = tuple(c.id for c in CHECKS)
GROUP = Group("webhook-endpoint", "Webhook endpoint (--probe)", CHECKS, opt_in=True)
result = GROUP.result
MAX_ANSWER_BYTES = 64 * 1024  # a webhook answers with a challenge or "EVENT_RECEIVED"; more is not read


@dataclass
class _Answer:
    status: int = 0
    reason: str = ""
    body: bytes = b""
    headers: dict[str, str] | None = None
    elapsed: float = 0.0
    error: str = ""  # connection problem (empty when an HTTP answer came)
    timed_out: bool = False
    too_large: bool = False

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def challenge() -> str:
    """A random decimal challenge, as Meta sends (an integer)."""
    return str(secrets.randbelow(9 * 10**9) + 10**9)


def build_event(page_id: str | None, *, text: str = "fbhub probe-webhook test message (safe to ignore)",
                now_ms: int | None = None) -> dict[str, Any]:
    """A realistic Messenger ``messages`` event (reference §13), current timestamps, random PSID and mid."""
    pid = str(page_id or PLACEHOLDER_PAGE_ID)
    ts = int(time.time() * 1000) if now_ms is None else now_ms
    psid = str(secrets.randbelow(9 * 10**15) + 10**15)
    mid = "m_" + secrets.token_urlsafe(36)
    return {
        "object": "page",
        "entry": [{
            "id": pid,
            "time": ts,
            "messaging": [{
                "sender": {"id": psid},
                "recipient": {"id": pid},
                "timestamp": ts,
                "message": {"mid": mid, "text": text},
            }],
        }],
    }


def event_body(event: dict[str, Any]) -> bytes:
    """Serialised as Meta does: compact, non-ASCII escaped as \\uXXXX."""
    return json.dumps(event, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def sign(body: bytes, app_secret: str) -> str:
    """``sha256=<lowercase hex HMAC-SHA256(key=app secret, msg=body)>`` (reference §9.2)."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def _snippet(text: str, n: int = 80) -> str:
    text = redact(text)
    one = " ".join(text.split()) if len(text) > n else text
    return repr(one[:n] + ("…" if len(one) > n else ""))


def _reason_of(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return exc.verify_message or str(exc)
    if isinstance(exc, socket.gaierror):
        return f"the host name does not resolve ({exc.strerror or exc})"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (nothing listens on that port)"
    if isinstance(exc, TimeoutError):
        return "timed out"
    return redact(getattr(exc, "strerror", None) or str(exc) or type(exc).__name__)


def shown_url(url: str) -> str:
    """The URL as fbhub shows it: no ``user:password@``, every query value masked (``?key=…``)."""
    try:
        u = urllib.parse.urlsplit(url)
        netloc = u.netloc.rpartition("@")[2]
    except ValueError:
        return redact(url.split("?", 1)[0])
    query = "&".join(f"{k}={MASK}" if v else k for k, v in urllib.parse.parse_qsl(u.query, keep_blank_values=True))
    return redact(urllib.parse.urlunsplit((u.scheme, netloc, u.path, query, "")))


class _Target:
    def __init__(self, url: str) -> None:
        try:
            u = urllib.parse.urlsplit(url)
            u.port  # noqa: B018 - raises ValueError for a bad port
        except ValueError as exc:
            raise UsageError(f"not a webhook URL: {shown_url(url)!r} ({exc})",
                             hint="give an https:// URL, e.g. https://cx.example.com/fb/webhook") from None
        if u.scheme not in ("http", "https") or not u.hostname:
            raise UsageError(f"not a webhook URL: {shown_url(url)!r}", hint="give an https:// URL, e.g. "
                             "https://cx.example.com/fb/webhook")
        if "@" in u.netloc:
            raise UsageError(f"the webhook URL {shown_url(url)!r} carries a user name or password",
                             hint="give the URL Meta calls, without 'user:password@' (Meta sends no credentials "
                                  "in the URL; protect the endpoint with the verify token and signatures)")
        self.url = shown_url(url)  # what results show
        self.scheme = u.scheme
        self.host = u.hostname
        self.port = u.port or (443 if u.scheme == "https" else 80)
        self.path = u.path or "/"
        self.query = u.query

    def path_with(self, params: dict[str, str] | None = None) -> str:
        q = self.query
        if params:
            extra = urllib.parse.urlencode(params)
            q = f"{q}&{extra}" if q else extra
        return self.path + (f"?{q}" if q else "")


class _Watchdog:
    """Ends a blocking request at its deadline or on Ctrl-C by shutting its socket down from another thread
    (a timeout on each read would let a server dripping one byte a second go on for ever)."""

    def __init__(self, timeout: float, sock_of: Callable[[], socket.socket | None]) -> None:
        self.timeout = timeout
        self.fired = False
        self._sock_of = sock_of
        self._done = threading.Event()
        self._end = time.monotonic() + timeout
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> _Watchdog:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()

    def _watch(self) -> None:
        while not self._done.wait(min(limits.SLICE_S, max(0.0, self._end - time.monotonic()))):
            if time.monotonic() >= self._end or limits.CANCEL.is_set():
                self.fired = True
                sock = self._sock_of()
                if sock is not None:
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                return


def _request(t: _Target, method: str, path: str, *, body: bytes | None = None, headers: dict[str, str] | None = None,
             timeout: float, ctx: ssl.SSLContext | None) -> _Answer:
    """One request with its own connection (as Meta's calls are), done within ``timeout`` seconds in all;
    never raises for network problems (Ctrl-C raises ``limits.Cancelled``)."""
    limits.check_cancelled()
    if t.scheme == "https":
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(t.host, t.port, timeout=timeout, context=ctx)
    else:
        conn = http.client.HTTPConnection(t.host, t.port, timeout=timeout)
    hdrs = {"User-Agent": USER_AGENT, "Accept": "*/*", "Accept-Encoding": "identity", "Connection": "close",
            **(headers or {})}
    t0 = time.monotonic()
    late = f"no complete answer within {timeout:g} s"
    try:
        with _Watchdog(timeout, lambda: conn.sock) as dog:
            try:
                conn.request(method, path, body=body, headers=hdrs)
                resp = conn.getresponse()
                data = resp.read(MAX_ANSWER_BYTES + 1)
            except (OSError, http.client.HTTPException) as exc:
                limits.check_cancelled()
                if dog.fired or isinstance(exc, TimeoutError):
                    return _Answer(error=late, timed_out=True, elapsed=time.monotonic() - t0)
                return _Answer(error=_reason_of(exc), elapsed=time.monotonic() - t0)
        limits.check_cancelled()
        if dog.fired:  # the socket was shut mid-body: what came is not the whole answer
            return _Answer(error=late, timed_out=True, elapsed=time.monotonic() - t0)
        answer = _Answer(status=resp.status, reason=resp.reason or "", body=data[:MAX_ANSWER_BYTES],
                         headers={k.lower(): v for k, v in resp.getheaders()}, elapsed=time.monotonic() - t0)
        if len(data) > MAX_ANSWER_BYTES:
            answer.error = (f"the answer is larger than {limits.human_size(MAX_ANSWER_BYTES)} (fbhub's limit for a "
                            "webhook answer); not read further")
            answer.too_large = True
        return answer
    finally:
        conn.close()


# -- FB805 TLS ---------------------------------------------------------------------------------------


@dataclass
class TlsInfo:
    ok: bool
    reachable: bool = True
    reason: str = ""
    not_after: float | None = None
    issuer: str = ""


def _name_of(rdns: Any, key: str) -> str:
    for rdn in rdns or ():
        for k, v in rdn:
            if k == key:
                return str(v)
    return ""


def tls_context(*, verify: bool = True, ca_file: str | None = None) -> ssl.SSLContext:
    if not verify:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return ctx
    return ssl.create_default_context(cafile=ca_file) if ca_file else ssl.create_default_context()


def check_tls(host: str, port: int, *, timeout: float = 10.0, ca_file: str | None = None) -> TlsInfo:
    """A small TLS connection that verifies the chain and the host name and reads the certificate."""
    try:
        ctx = tls_context(ca_file=ca_file)
    except (OSError, ssl.SSLError) as exc:
        raise UsageError(f"cannot read the CA file {ca_file}: {exc}", hint="give a PEM file") from None
    limits.check_cancelled()
    raw: list[socket.socket] = []
    try:
        with _Watchdog(timeout, lambda: raw[0] if raw else None) as dog:
            try:
                with socket.create_connection((host, port), timeout=timeout) as sock:
                    raw.append(sock)
                    with ctx.wrap_socket(sock, server_hostname=host) as tls:
                        cert = tls.getpeercert() or {}
            except ssl.SSLCertVerificationError as exc:
                return TlsInfo(ok=False, reason=_reason_of(exc))
            except (ssl.SSLError, OSError) as exc:
                limits.check_cancelled()
                if dog.fired or isinstance(exc, TimeoutError):
                    return TlsInfo(ok=False, reachable=False, reason=f"no TLS handshake within {timeout:g} s")
                if isinstance(exc, ssl.SSLError):
                    return TlsInfo(ok=False, reason=f"TLS handshake failed ({exc.reason or exc})")
                return TlsInfo(ok=False, reachable=False, reason=_reason_of(exc))
    finally:
        limits.check_cancelled()
    not_after = cert.get("notAfter")
    not_after = not_after if isinstance(not_after, str) else None
    issuer = _name_of(cert.get("issuer"), "organizationName") or _name_of(cert.get("issuer"), "commonName")
    return TlsInfo(ok=True, not_after=ssl.cert_time_to_seconds(str(not_after)) if not_after else None, issuer=issuer)


def _tls_result(t: _Target, info: TlsInfo, *, ca_file: str | None) -> CheckResult:
    target = t.url
    if not info.reachable:
        return result("FB805", Status.ERROR, f"could not connect to {t.host}:{t.port}: {info.reason}",
                      "check the host name, that port 443 is open to the internet, and this machine's network",
                      target=target)
    if not info.ok:
        why = info.reason
        hint = ""
        low = why.lower()
        if "self-signed" in low or "self signed" in low or "unable to get local issuer" in low:
            hint = " (Meta does not accept self-signed or privately issued certificates)"
        elif "hostname mismatch" in low or "doesn't match" in low or "not valid for" in low:
            hint = f" (the certificate does not name {t.host})"
        elif "expired" in low:
            hint = " (renew it)"
        return result("FB805", Status.FAIL, f"certificate verification failed: {why}{hint}",
                      f"install a certificate for {t.host} from a public CA (e.g. Let's Encrypt) with the full "
                      "chain (leaf + intermediates) on the server", target=target, details={"reason": why})
    details: dict[str, Any] = {"issuer": info.issuer}
    found = f"valid for {t.host}" + (f", issued by {info.issuer}" if info.issuer else "")
    if ca_file:
        found += " (trusted through --ca-file; Meta trusts only public CAs)"
    status, fix = Status.PASS, ""
    if info.not_after is not None:
        days = int((info.not_after - time.time()) // 86400)
        details["days_to_expiry"] = days
        details["not_after"] = time.strftime("%Y-%m-%d", time.gmtime(info.not_after))
        found += f"; expires {details['not_after']} (in {days} days)"
        if days < EXPIRY_WARN_DAYS:
            status, fix = Status.WARN, "renew the certificate now (check the server's automatic renewal)"
    return result("FB805", status, found, fix, target=target, details=details)


# -- the probe ---------------------------------------------------------------------------------------


def _unreachable(ids: tuple[str, ...], why: str, target: str) -> list[CheckResult]:
    return [result(i, Status.ERROR, why, "make the endpoint reachable, then probe it again",
                   target=target) for i in ids]


def _skip(ids: tuple[str, ...], why: str, target: str) -> list[CheckResult]:
    return [result(i, Status.SKIP, why, target=target) for i in ids]


def _too_large(cid: str, t: _Target, a: _Answer, note: str) -> CheckResult:
    return result(cid, Status.ERROR, f"HTTP {a.status}: {a.error}{note}",
                  "the endpoint should answer with a short body (the challenge, or an empty 200)", target=t.url,
                  details={"status": a.status})


def _handshake(t: _Target, a: _Answer, expected: str, note: str) -> CheckResult:
    target = t.url
    details = {"status": a.status, "elapsed_ms": round(a.elapsed * 1000)}
    if a.too_large:
        return _too_large("FB801", t, a, note)
    if a.error:
        if a.timed_out:
            return result("FB801", Status.FAIL, f"no answer to the verification GET ({a.error}){note}",
                          "the endpoint must answer Meta's GET at once with 200 and the hub.challenge value",
                          target=target, details=details)
        return result("FB801", Status.ERROR, f"could not reach the endpoint: {a.error}{note}",
                      "check the URL and that the CX server is running", target=target, details=details)
    if a.status == 200 and a.text == expected:
        return result("FB801", Status.PASS, f"200 with the challenge ({a.elapsed * 1000:.0f} ms){note}",
                      target=target, details=details)
    if a.status == 200 and a.text.strip() == expected:
        return result("FB801", Status.WARN, f"200 with the challenge plus whitespace ({_snippet(a.text)}){note}",
                      "answer with exactly the hub.challenge value (no newline): Meta compares the body exactly",
                      target=target, details=details)
    if a.status == 200:
        return result("FB801", Status.FAIL, f"200 but the body {_snippet(a.text)} is not the challenge "
                      f"{expected!r}{note}",
                      "answer Meta's GET with exactly the hub.challenge value as the body (text/plain)",
                      target=target, details=details)
    if 300 <= a.status < 400:
        loc = (a.headers or {}).get("location", "")
        return result("FB801", Status.FAIL, f"HTTP {a.status} redirect to {redact(loc) or '(no Location)'}{note}",
                      "register the final URL, or serve the webhook at this exact URL without a redirect",
                      target=target, details=details)
    if a.status in (401, 403):
        return result("FB801", Status.FAIL, f"HTTP {a.status}: the endpoint refused fbhub's verify token{note}",
                      "set the same verify token on the CX server and in fbhub ('fbhub secrets set verify-token' "
                      "/ FBHUB_VERIFY_TOKEN)", target=target, details=details)
    if a.status == 404:
        return result("FB801", Status.FAIL, f"HTTP 404: nothing answers at {t.path}{note}",
                      "check the path (/fb/webhook) and the reverse proxy routing to the CX server",
                      target=target, details=details)
    return result("FB801", Status.FAIL, f"HTTP {a.status} {a.reason}".rstrip() + f" instead of 200 with the "
                  f"challenge{note}", "check the CX server's logs for the webhook route",
                  target=target, details=details)


def _wrong_token(t: _Target, a: _Answer, expected: str, note: str) -> CheckResult:
    target = t.url
    details = {"status": a.status}
    if a.too_large:
        return _too_large("FB802", t, a, note)
    if a.error:
        st = Status.ERROR if not a.timed_out else Status.WARN
        return result("FB802", st, f"no answer to a GET with a wrong verify token ({a.error}){note}",
                      "the endpoint should answer 403 at once", target=target, details=details)
    if 200 <= a.status < 300 and a.text.strip() == expected:
        return result("FB802", Status.FAIL, f"the endpoint accepts any verify token (HTTP {a.status} with the "
                      f"challenge for a wrong token){note}",
                      "compare hub.verify_token with the configured token and answer 403 when they differ",
                      target=target, details=details)
    if 400 <= a.status < 500:
        return result("FB802", Status.PASS, f"a wrong verify token is refused (HTTP {a.status}){note}",
                      target=target, details=details)
    if 200 <= a.status < 300:
        return result("FB802", Status.PASS, f"a wrong verify token gets HTTP {a.status} without the challenge, so "
                      f"Meta could not verify with it (403 is usual){note}", target=target, details=details)
    return result("FB802", Status.WARN, f"HTTP {a.status} for a wrong verify token (403 is expected){note}",
                  "answer 403 when hub.verify_token does not match", target=target, details=details)


def _event(t: _Target, a: _Answer, note: str, *, warn_after: float, fail_after: float, page_note: str
           ) -> CheckResult:
    target = t.url
    ms = a.elapsed * 1000
    details = {"status": a.status, "elapsed_ms": round(ms)}
    if a.too_large:
        return _too_large("FB803", t, a, note)
    if a.error:
        if a.timed_out:
            return result("FB803", Status.FAIL, f"no answer to the signed event within {a.elapsed:.1f} s{note}",
                          f"answer every event with 200 within {fail_after:g} s (queue the work, answer first); "
                          "Meta retries, then disables the webhook after an hour of failures",
                          target=target, details=details)
        return result("FB803", Status.ERROR, f"could not send the event: {a.error}{note}",
                      "check the CX server is running", target=target, details=details)
    if not 200 <= a.status < 300:
        fix = "answer Meta's POST with 200"
        if a.status in (401, 403):
            fix = ("the endpoint refused a correctly signed event: check the App Secret configured on the CX "
                   "server (Connector Hub) is this app's ('fbhub secrets set app-secret')")
        elif a.status == 404:
            fix = "check the POST route /fb/webhook and the reverse proxy"
        return result("FB803", Status.FAIL, f"HTTP {a.status} {a.reason}".rstrip() + f" to a signed messages "
                      f"event ({ms:.0f} ms){page_note}{note}", fix, target=target, details=details)
    if a.elapsed > fail_after:
        return result("FB803", Status.FAIL, f"HTTP {a.status} after {a.elapsed:.1f} s: over Meta's {fail_after:g} s "
                      f"limit{page_note}{note}",
                      "answer first, process afterwards (queue); Meta treats slow answers as failures",
                      target=target, details=details)
    if a.elapsed > warn_after:
        return result("FB803", Status.WARN, f"HTTP {a.status} after {a.elapsed:.1f} s (Meta's limit is "
                      f"{fail_after:g} s){page_note}{note}",
                      "answer before processing the event; check the CX server's load", target=target,
                      details=details)
    return result("FB803", Status.PASS, f"HTTP {a.status} in {ms:.0f} ms{page_note}{note}", target=target,
                  details=details)


def _forged(t: _Target, a: _Answer, note: str) -> CheckResult:
    target = t.url
    details = {"status": a.status}
    if a.too_large:
        return _too_large("FB804", t, a, note)
    if a.error:
        return result("FB804", Status.ERROR, f"could not send the event: {a.error}{note}", target=target,
                      details=details)
    if 200 <= a.status < 300:
        return result("FB804", Status.FAIL, f"a wrongly signed event was accepted (HTTP {a.status}): anyone can "
                      f"forge events{note}",
                      "verify X-Hub-Signature-256 (HMAC-SHA256 of the raw body with the App Secret) and answer "
                      "403 when it does not match", target=target, details=details)
    if 400 <= a.status < 500:
        return result("FB804", Status.PASS, f"a wrongly signed event is refused (HTTP {a.status}){note}",
                      target=target, details=details)
    return result("FB804", Status.WARN, f"HTTP {a.status} to a wrongly signed event (403 is expected){note}",
                  "refuse bad signatures with 403 rather than a server error", target=target, details=details)


def probe(url: str, *, verify_token: str | None, app_secret: str | None, check_signature: bool = False,
          allow_http: bool = False, timeout: float = 10.0, verify_tls: bool = True, ca_file: str | None = None,
          page_id: str | None = None, warn_after: float = WARN_AFTER_S, fail_after: float = FAIL_AFTER_S
          ) -> list[CheckResult]:
    """Probe the webhook at ``url`` as Meta would; results FB801–FB805 in catalogue order."""
    register_secret(verify_token, app_secret)
    t = _Target(url)
    target = t.url
    by_id: dict[str, CheckResult] = {}
    ctx: ssl.SSLContext | None = None
    note = ""

    # FB805 first: it decides how (and whether) the other requests are made.
    if t.scheme == "http":
        if not allow_http:
            by_id["FB805"] = result("FB805", Status.FAIL, "plain http: Meta only calls https:// webhooks",
                                    "serve the webhook over HTTPS with a valid certificate and use an https URL",
                                    target=target)
            for r in _skip(PROBE_IDS[:4], "not probed: the URL is plain http (pass --allow-http to probe it "
                           "anyway, e.g. a local test server)", target):
                by_id[r.id] = r
            return [by_id[i] for i in PROBE_IDS]
        by_id["FB805"] = result("FB805", Status.SKIP, "plain http allowed by --allow-http: TLS not checked "
                                "(Meta itself only calls https URLs)", target=target)
    elif not verify_tls:
        by_id["FB805"] = result("FB805", Status.SKIP, "certificate verification turned off (--insecure)",
                                target=target)
        ctx = tls_context(verify=False)
    else:
        info = check_tls(t.host, t.port, timeout=timeout, ca_file=ca_file)
        by_id["FB805"] = _tls_result(t, info, ca_file=ca_file)
        if not info.reachable:
            for r in _unreachable(PROBE_IDS[:4], f"could not connect to {t.host}:{t.port}: {info.reason}", target):
                by_id[r.id] = r
            return [by_id[i] for i in PROBE_IDS]
        if not info.ok:
            # Never hand the verify token or signed events to a server that could not prove who it is.
            for r in _skip(PROBE_IDS[:4], "not probed: the certificate check failed (FB805), so fbhub sends "
                           "neither the verify token nor signed events; fix the certificate, or pass --insecure "
                           "to probe anyway", target):
                by_id[r.id] = r
            return [by_id[i] for i in PROBE_IDS]
        ctx = tls_context(ca_file=ca_file)

    # FB801 handshake, FB802 wrong token
    if not verify_token:
        for r in _skip(("FB801", "FB802"), "no verify token: set one with 'fbhub secrets set verify-token "
                       "--generate' (or FBHUB_VERIFY_TOKEN)", target):
            by_id[r.id] = r
        reachable = True
    else:
        c1 = challenge()
        a1 = _request(t, "GET", t.path_with({"hub.mode": "subscribe", "hub.verify_token": verify_token,
                                             "hub.challenge": c1}), timeout=timeout, ctx=ctx)
        by_id["FB801"] = _handshake(t, a1, c1, note)
        reachable = not (a1.error and not a1.timed_out and not a1.too_large)
        if reachable:
            c2 = challenge()
            wrong = "fbhub-probe-wrong-" + secrets.token_hex(8)
            a2 = _request(t, "GET", t.path_with({"hub.mode": "subscribe", "hub.verify_token": wrong,
                                                 "hub.challenge": c2}), timeout=timeout, ctx=ctx)
            by_id["FB802"] = _wrong_token(t, a2, c2, note)
        else:
            by_id["FB802"] = result("FB802", Status.SKIP, "not checked: the endpoint could not be reached",
                                    target=target)

    # FB803 signed event, FB804 forged event
    if not reachable:
        for r in _skip(("FB803", "FB804"), "not checked: the endpoint could not be reached", target):
            by_id[r.id] = r
    elif not app_secret:
        for r in _skip(("FB803", "FB804"), "no App Secret: cannot sign an event ('fbhub secrets set app-secret' "
                       "or FBHUB_APP_SECRET)", target):
            by_id[r.id] = r
    else:
        page_note = "" if page_id else " (page id 0: no Page configured)"
        body = event_body(build_event(page_id))
        post_timeout = max(timeout, fail_after + 1.0)
        a3 = _request(t, "POST", t.path_with(), body=body, timeout=post_timeout, ctx=ctx,
                      headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, app_secret)})
        by_id["FB803"] = _event(t, a3, note, warn_after=warn_after, fail_after=fail_after, page_note=page_note)
        if check_signature:
            body4 = event_body(build_event(page_id))
            bad = sign(body4, secrets.token_hex(16))
            a4 = _request(t, "POST", t.path_with(), body=body4, timeout=post_timeout, ctx=ctx,
                          headers={"Content-Type": "application/json", "X-Hub-Signature-256": bad})
            by_id["FB804"] = _forged(t, a4, note)
        else:
            by_id["FB804"] = result("FB804", Status.SKIP, "not checked (pass --check-signature to send a wrongly "
                                    "signed event)", target=target)
    return [by_id[i] for i in PROBE_IDS]


# -- the group: doctor --probe ----------------------------------------------------------------------


@GROUP.gatherer
def gather(session: Session, inp: Inputs) -> list[CheckResult]:
    """doctor's probe of the configured webhook: the answers are judged as they come (each request depends on
    the previous one), so what is gathered is the results themselves."""
    from fbhub.meta.urls import webhook_url

    if not inp.domain:
        return _skip(PROBE_IDS, "no domain is set (FB101)", "app")
    return probe(webhook_url(inp.domain), verify_token=session.secrets.get("verify-token"),
                 app_secret=session.secrets.get("app-secret"), timeout=session.settings["timeout"])


@GROUP.evaluator
def endpoint(inp: Inputs, facts: Facts) -> list[CheckResult]:
    found = facts.extra.get(GROUP.name)
    return list(found) if isinstance(found, list) else []
