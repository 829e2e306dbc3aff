"""Which verify token does the CX server's webhook accept? Found from the outside, as Meta would ask.

Meta's operator guide tells the operator to paste the *Page access token* into the dashboard's Verify Token
field; fbhub used to generate a random one. Nobody outside the CX server knows what it compares
``hub.verify_token`` with, so ``discover`` asks the endpoint itself with the verification handshake
(``GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=N``, answered by 200 and exactly N):

1. a random token: if the challenge comes back, the endpoint does not check the token at all;
2. the configured verify token (if any);
3. each Page access token, in order (a few at a time: hundreds of Pages must not take minutes).

It reports the first value in that order the endpoint accepts, whichever answer came first, and sends no
candidate after one already known to be accepted. Candidate values travel in the query string of a request to
the operator's own server only — that is Meta's protocol — and are never shown unmasked.
"""

from __future__ import annotations

import secrets
import ssl
import threading
from dataclasses import dataclass, field
from typing import Any

from fbhub.checks.probe import _request, _Target, challenge
from fbhub.graph import limits
from fbhub.redact import mask, register_secret


@dataclass(frozen=True)
class Candidate:
    """A value to try as the verify token."""

    kind: str  # "verify-token" (the configured one) or "page-token"
    name: str  # how it is called in output: "the configured verify token", "the Page token of Support (111)"
    value: str

    @property
    def shown(self) -> str:
        return f"{self.name} ({mask(self.value)})"


@dataclass
class Finding:
    url: str
    reachable: bool = True
    error: str = ""
    checks_token: bool | None = None  # False: a random token was accepted
    accepted: Candidate | None = None
    tried: list[tuple[Candidate, str]] = field(default_factory=list)  # (candidate, what the endpoint answered)
    random_answer: str = ""

    def lines(self) -> list[str]:
        """What was learnt, one line each, values masked."""
        if not self.reachable:
            return [f"could not ask the endpoint: {self.error}"]
        out = []
        if self.checks_token is False:
            out.append(f"a random verify token was accepted ({self.random_answer}): the endpoint does not check the "
                       "verify token — any value works for Meta's handshake")
        else:
            out.append(f"a random verify token was refused ({self.random_answer}): the endpoint checks the token")
        for cand, answer in self.tried:
            verdict = "accepted" if self.accepted is cand else "refused"
            out.append(f"{cand.shown}: {verdict} ({answer})")
        if self.checks_token and self.accepted is None:
            out.append("none of the values fbhub knows was accepted: the CX server expects another verify token")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "reachable": self.reachable,
            "error": self.error or None,
            "checks_token": self.checks_token,
            "accepted": None if self.accepted is None else {"kind": self.accepted.kind, "name": self.accepted.name,
                                                            "value": mask(self.accepted.value)},
            "tried": [{"kind": c.kind, "name": c.name, "value": mask(c.value), "answer": a,
                       "accepted": self.accepted is c} for c, a in self.tried],
        }


def _ask(t: _Target, token: str, *, timeout: float, ctx: ssl.SSLContext | None) -> tuple[bool, str, str]:
    """(accepted, short description of the answer, connection error or "")."""
    c = challenge()
    a = _request(t, "GET", t.path_with({"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": c}),
                 timeout=timeout, ctx=ctx)
    if a.error:
        return False, a.error, a.error
    ok = a.status == 200 and a.text.strip() == c
    if ok:
        return True, "HTTP 200 with the challenge", ""
    if a.status == 200:
        return False, "HTTP 200 without the challenge", ""
    return False, f"HTTP {a.status}", ""


DISCOVER_WORKERS = 8  # Page tokens asked at once: hundreds of Pages in seconds, a handful of sockets at a time


def _first_answer(t: _Target, cands: list[Candidate], *, timeout: float, ctx: ssl.SSLContext | None,
                  workers: int) -> list[tuple[Candidate, bool, str, str]]:
    """Ask for ``cands`` on a bounded pool; the answers in candidate order up to and including the earliest
    one that was accepted or could not be asked (the same result as asking one by one, whatever finishes
    first). A candidate after an already known stop is not sent. Each request keeps its own total deadline
    (``timeout``); Ctrl-C (``limits.CANCEL``) ends the workers' requests and raises here."""
    from concurrent.futures import ThreadPoolExecutor

    if not cands:
        return []
    stop_at = len(cands)  # index of the earliest accepted/unreachable answer seen so far
    lock = threading.Lock()

    def ask(i: int) -> tuple[bool, str, str] | None:
        nonlocal stop_at
        with lock:
            if i > stop_at:
                return None  # an earlier candidate already settled it
        limits.check_cancelled()
        ok, answer, error = _ask(t, cands[i].value, timeout=timeout, ctx=ctx)
        if ok or error:
            with lock:
                stop_at = min(stop_at, i)
        return ok, answer, error

    out: list[tuple[Candidate, bool, str, str]] = []
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(cands))),
                            thread_name_prefix="fbhub-verify-token") as pool:
        futures = [pool.submit(ask, i) for i in range(len(cands))]
        try:
            for i, fut in enumerate(futures):
                got = fut.result()
                if got is None:  # skipped: only ever after the stop, which ended the loop before
                    break
                ok, answer, error = got
                out.append((cands[i], ok, answer, error))
                if ok or error:
                    break
        finally:
            for fut in futures:
                fut.cancel()
    return out


def discover(url: str, candidates: list[Candidate], *, timeout: float = 10.0,
             ctx: ssl.SSLContext | None = None, workers: int = DISCOVER_WORKERS) -> Finding:
    """Ask the endpoint with a random token, then the configured verify token, then the Page tokens
    (``workers`` at a time); the first accepted value in candidate order wins."""
    register_secret(*(c.value for c in candidates))
    t = _Target(url)
    f = Finding(url=url)
    ok, answer, error = _ask(t, "fbhub-random-" + secrets.token_hex(12), timeout=timeout, ctx=ctx)
    if error:
        f.reachable, f.error = False, error
        return f
    f.random_answer = answer
    if ok:
        f.checks_token = False
        # Any value works; the configured one (or the first candidate) is as good as any other.
        if candidates:
            f.accepted = candidates[0]
        return f
    f.checks_token = True
    seen: set[str] = set()
    unique = []
    for cand in candidates:
        if cand.value not in seen:
            seen.add(cand.value)
            unique.append(cand)
    # The configured verify token is the likely one: asked alone first, so no Page token travels when it works.
    first = [c for c in unique[:1] if c.kind == "verify-token"]
    rest = unique[len(first):]
    for group, n in ((first, 1), (rest, workers)):
        for cand, ok, answer, error in _first_answer(t, group, timeout=timeout, ctx=ctx, workers=n):
            f.tried.append((cand, answer))
            if error:
                f.reachable, f.error = False, error
                return f
            if ok:
                f.accepted = cand
                return f
    return f


def candidates_for(verify_token: str | None, page_tokens: dict[str, str], pages: list[dict[str, str]]
                   ) -> list[Candidate]:
    """The configured verify token, then each Page token named by its Page (when known) or its position."""
    names = {p["id"]: p.get("name") or "" for p in pages}
    out = []
    if verify_token:
        out.append(Candidate("verify-token", "the configured verify token", verify_token))
    for n, (label, tok) in enumerate(page_tokens.items(), 1):
        if label in names:
            who = f"{names[label]} ({label})" if names[label] else label
            out.append(Candidate("page-token", f"the Page token of {who}", tok))
        else:
            out.append(Candidate("page-token", f"Page token #{n}", tok))
    return out


@dataclass(frozen=True)
class VerifyTokenChoice:
    """The verify token fbhub would give Meta, and where it comes from (for ``urls`` and the wizard)."""

    value: str | None
    source: str  # one line: "stored in the OS keyring", "the guide's choice: …", "not set"
    kind: str  # "verify-token", "page-token" or "none"


def current_choice(store: Any, pages: list[dict[str, str]]) -> VerifyTokenChoice:
    """The stored verify token (env, env file or store) when there is one; else the guide's choice, the first
    Page access token (Meta's operator guide: "paste the access token to the Verify Token")."""
    value = store.get("verify-token")
    if value:
        src = store.source("verify-token")
        where = {"env": "FBHUB_VERIFY_TOKEN", "env-file": "FBHUB_VERIFY_TOKEN_FILE"}.get(src)
        return VerifyTokenChoice(value, f"the verify token from {where}" if where else
                                 f"the verify token stored in {store.backend_where()}", "verify-token")
    tokens = store.page_tokens()
    if tokens:
        cand = candidates_for(None, tokens, pages)[0]
        return VerifyTokenChoice(cand.value, f"{cand.name}, as the vendor guide prescribes; not stored as the "
                                             "verify token yet — 'fbhub probe-webhook' tells which value the CX "
                                             "server accepts", "page-token")
    return VerifyTokenChoice(None, "store the Page tokens ('fbhub secrets set page-token') or a verify token "
                                   "('fbhub secrets set verify-token')", "none")
