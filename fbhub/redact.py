"""Masking and redaction of secrets: the one place that decides how a secret is shown.

- ``mask(value)`` shows just enough to recognise a value: ``EAAG…x9Qz``.
- ``Redactor`` remembers secret values and scrubs them from any text (log lines, URLs, bodies,
  exception messages): whole values first, then any run of ``FRAGMENT`` (8) or more characters of a
  registered value, whatever surrounds it (a secret cut short, or glued to other text, is still hidden).
  Redact first, cut after: text is shortened only once it is redacted. ``redact_text`` also scrubs
  well-known secret parameters by name (``access_token=``, ``client_secret=``, ``appsecret_proof=``,
  ``hub.verify_token=``, ``input_token=``, ``fb_exchange_token=``, ``Authorization: Bearer …``) even when
  the value was never registered.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

MASK = "…"
# Any run of this many characters of a registered secret is hidden, wherever it appears.
FRAGMENT = 8
# Fragment index: grams of _GRAM characters taken every _STEP characters of each secret. Any run of
# FRAGMENT characters of a secret contains one of them (_GRAM + _STEP - 1 == FRAGMENT), so scanning the
# text for these grams finds every such run with a quarter of the index a full one would need.
_GRAM, _STEP = 5, 4
_SECRET_PARAMS = (
    "access_token",
    "client_secret",
    "appsecret_proof",
    "input_token",
    "fb_exchange_token",
    "verify_token",
    "hub.verify_token",
    "app_secret",
    "page_token",
)
# key=value in URLs / form bodies, "key": "value" in JSON
# No leading look-behind, so the regex engine can skip ahead by the names' first letters; the character
# before a match is checked in _param instead (``my_access_token=`` is not ``access_token=``).
_PARAM_RE = re.compile(
    r"(?P<key>(?:" + "|".join(re.escape(p) for p in _SECRET_PARAMS) + r"))"
    r"(?P<sep>=|%3D)(?P<val>[^&\s\"',;]+)"
)
_JSON_RE = re.compile(
    r"(?P<key>\"(?:" + "|".join(re.escape(p) for p in _SECRET_PARAMS) + r")\"\s*:\s*\")(?P<val>[^\"]*)\""
)
# "key": "value with no closing quote: a truncated body quoted in an error message
_JSON_OPEN_RE = re.compile(
    r"(?P<key>\"(?:" + "|".join(re.escape(p) for p in _SECRET_PARAMS) + r")\"\s*:\s*\")(?P<val>[^\"\s']+)(?=[\s']|$)"
)
_APP_TOKEN_RE = re.compile(r"^[0-9]+(?:\||%7C)")
_AUTH_RE = re.compile(r"(?i)(?P<key>\b(?:bearer|oauth)\s+)(?P<val>[A-Za-z0-9|._\-%]{20,})")


def mask(value: str | None, *, keep: int = 4) -> str:
    """Show only enough of a secret to recognise it.

    Values of 16 characters or more keep ``keep`` characters at each end (``EAAG…x9Qz``); shorter ones are
    fully hidden, since showing a quarter of a short secret leaks too much of it.
    """
    if value is None or value == "":
        return "(not set)"
    if len(value) < 16:
        return MASK * 3
    return f"{value[:keep]}{MASK}{value[-keep:]}"


class Redactor:
    """Scrubs registered secrets (and secret-looking parameters) from text. Thread-safe.

    Every registered value (and its URL-encoded form) is made only of the characters registered values are
    made of, so it always sits inside a run of such characters. A large report repeats the same runs thousands
    of times: each distinct run is looked at once (registered values are found by their first characters in a
    dict) and the text is rewritten only where a run held one. Registering a value is a few dict inserts, so
    thousands of Page tokens (and their appsecret_proofs) registered from worker threads cost next to nothing.
    """

    _HEAD = 6  # values shorter than this are not registered; values are looked up by their first _HEAD chars

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: dict[str, str] = {}  # form seen in text -> the secret it belongs to
        self._by_head: dict[str, tuple[str, ...]] = {}  # first _HEAD characters -> forms, longest first
        self._chars: set[str] = set()  # every character of every form
        self._value_runs: re.Pattern[str] | None = None  # runs of those characters, _HEAD or more long
        # gram -> the form it was taken from (_more: every form, when several share a gram), and a pattern
        # of runs of the forms' characters
        self._grams: dict[str, str] = {}
        self._more: dict[str, list[str]] = {}
        self._alphabet: set[str] = set()
        self._runs: re.Pattern[str] | None = None
        self._pieces_only: set[str] = set()
        self.add(*secrets)

    def add(self, *secrets: str | None) -> None:
        """Register values to scrub; empty and very short values are ignored (they would match noise)."""
        with self._lock:
            for s in secrets:
                if s and len(s) >= self._HEAD and s not in self._secrets:
                    for form in {s, _url_quote(s)}:
                        self._secrets[form] = s
                        head = form[: self._HEAD]
                        self._by_head[head] = tuple(sorted((*self._by_head.get(head, ()), form),
                                                           key=len, reverse=True))
                        self._add_chars(form)
                        self._index_fragments(form)

    def add_pieces(self, *values: str | None) -> None:
        """Register values hidden by the piece scan only (whole, or any 8 characters of them, shown as ``…``):
        cheap one at a time while calls run, as for each ``appsecret_proof``, and no growth of the index."""
        with self._lock:
            for v in values:
                if v and len(v) >= FRAGMENT and v not in self._pieces_only:
                    self._pieces_only.add(v)
                    self._index_fragments(v)

    def _add_chars(self, form: str) -> None:
        new = set(form) - self._chars
        if new:
            self._chars |= new
            self._value_runs = re.compile(_char_class(self._chars) + "{" + str(self._HEAD) + ",}")

    def _index_fragments(self, form: str) -> None:
        # An app access token ``APPID|SECRET`` (or ``APPID%7CSECRET``): the App ID is not secret and is shown
        # everywhere, so only the part after it counts for fragments (the whole value is still masked).
        m = _APP_TOKEN_RE.match(form)
        if m:
            form = form[m.end():]
        if len(form) < FRAGMENT:
            return
        grams, more = self._grams, self._more
        for off in range(0, len(form) - _GRAM + 1, _STEP):
            g = form[off:off + _GRAM]
            first = grams.setdefault(g, form)
            if first is not form:
                more.setdefault(g, [first]).append(form)
        self._add_chars(form)  # the runs redact() looks at hold every piece, of a value or of a derived one
        new = set(form) - self._alphabet
        if new:
            self._alphabet |= new
            self._runs = re.compile(_char_class(self._alphabet) + "{" + str(FRAGMENT) + ",}")

    def __call__(self, text: str) -> str:
        return self.redact(text)

    def redact(self, text: str) -> str:
        if not text or len(text) < 6:
            return text
        runs = self._value_runs
        if runs is None:  # nothing registered
            return redact_text(text)
        # Every registered value, and every fragment of one, lies inside a run of registered characters: the
        # distinct runs of a text are found once and looked at one by one (a large report repeats the same
        # runs thousands of times), and the text is rewritten only where a run changed.
        distinct = set(runs.findall(text))
        by_head, secrets = self._by_head, self._secrets
        masked = {run: new for run in distinct
                  if (new := _mask_in_run(run, by_head, secrets, self._HEAD)) is not run}
        named = redact_text(runs.sub(lambda m: masked.get(m.group(), m.group()), text) if masked else text)
        if masked or (named is not text and named != text):
            # text changed: hide fragments in the new text (a mask may have joined other characters)
            return self._hide_fragments(named)
        hidden = {run: new for run in distinct if (new := self._hide_fragments(run)) is not run}
        return runs.sub(lambda m: hidden.get(m.group(), m.group()), text) if hidden else text

    def _hide_fragments(self, text: str) -> str:
        """Hide every run of FRAGMENT or more characters of a registered value (after whole values were
        masked): a value cut short, or surrounded by other characters, never shows 8 characters of itself."""
        runs, grams, more = self._runs, self._grams, self._more
        if runs is None or len(text) < FRAGMENT:
            return text
        # What a run holds depends only on its own characters (a fragment never extends past it), and a large
        # report repeats the same runs thousands of times: each distinct run is scanned once, and the text is
        # walked run by run only when one of them holds a fragment.
        found = {run: f for run in set(runs.findall(text)) if (f := _fragments_in(run, grams, more))}
        if not found:
            return text
        spans: list[tuple[int, int]] = []
        for m in runs.finditer(text):
            hit = found.get(m.group())
            if hit:
                lo = m.start()
                spans += [(lo + a, lo + b) for a, b in hit]
        if not spans:
            return text
        spans.sort()
        out: list[str] = []
        pos = 0
        for a, b in spans:
            if b <= pos:
                continue
            a = max(a, pos)
            out.append(text[pos:a])
            if not out[-1].endswith(MASK):
                out.append(MASK)
            pos = b
        out.append(text[pos:])
        return "".join(out)


def _char_class(chars: Iterable[str]) -> str:
    return "[" + "".join(re.escape(c) for c in sorted(chars)) + "]"


def _mask_in_run(run: str, by_head: dict[str, tuple[str, ...]], secrets: dict[str, str], head: int) -> str:
    """``run`` with every registered value in it masked (``run`` itself, the same object, when none is)."""
    out: list[str] = []
    pos = i = 0
    last = len(run) - head
    while i <= last:
        forms = by_head.get(run[i:i + head])
        hit = next((f for f in forms if run.startswith(f, i)), None) if forms else None
        if hit is None:
            i += 1
            continue
        out += [run[pos:i], mask(secrets[hit])]
        pos = i = i + len(hit)
    if not out:
        return run
    out.append(run[pos:])
    # A mask keeps a value's last characters, which may begin another value with what follows: look again
    # (each pass shortens the text, so this ends).
    return _mask_in_run("".join(out), by_head, secrets, head)


def _fragments_in(run: str, grams: dict[str, str], more: dict[str, list[str]]) -> list[tuple[int, int]]:
    """Spans of ``run`` (a run of secret characters) that are FRAGMENT or more characters of a registered value."""
    spans: list[tuple[int, int]] = []
    hi = len(run)
    i = 0
    while i <= hi - _GRAM:
        g = run[i:i + _GRAM]
        form = grams.get(g)
        end = i + 1
        if form is not None:
            for f in more.get(g) or (form,):
                a, b = _grow(run, 0, hi, i, f, g)
                if b - a >= FRAGMENT:
                    spans.append((a, b))
                    end = max(end, b - _GRAM + 1)
        i = end
    return spans


def _grow(text: str, lo: int, hi: int, i: int, form: str, gram: str) -> tuple[int, int]:
    """The longest span of ``text`` (within ``lo``..``hi``) around the gram at ``i`` that ``form`` also holds
    around one of the gram's places in it."""
    best = (i, i)
    off = form.find(gram)
    while off >= 0:
        a, b, k = i, i + len(gram), off
        while a > lo and k > 0 and text[a - 1] == form[k - 1]:
            a, k = a - 1, k - 1
        k = off + len(gram)
        while b < hi and k < len(form) and text[b] == form[k]:
            b, k = b + 1, k + 1
        if b - a > best[1] - best[0]:
            best = (a, b)
        off = form.find(gram, off + 1)
    return best


def _url_quote(s: str) -> str:
    from urllib.parse import quote

    return quote(s, safe="")


def redact_text(text: str) -> str:
    """Scrub secret parameters by name, whatever their value (no registration needed)."""
    if not text:
        return text

    def _param(m: re.Match[str]) -> str:
        start = m.start()
        if start and (m.string[start - 1].isalnum() or m.string[start - 1] in "_."):
            return m.group(0)
        val = m.group("val")
        shown = val if MASK in val else mask(val)
        return f"{m.group('key')}{m.group('sep')}{shown}"

    def _json(m: re.Match[str]) -> str:
        val = m.group("val")
        return f"{m.group('key')}{val if MASK in val else mask(val)}\""

    def _json_open(m: re.Match[str]) -> str:
        val = m.group("val")  # a cut-off value: only its first characters, never its (inner) last ones
        return f"{m.group('key')}{val if MASK in val else (val[:4] if len(val) >= 8 else '') + MASK}"

    def _auth(m: re.Match[str]) -> str:
        val = m.group("val")
        return f"{m.group('key')}{val if MASK in val else mask(val)}"

    named = any(p in text for p in _SECRET_PARAMS)  # substring tests are cheap; the regexes over a big text are not
    if named and ("=" in text or "%3D" in text):
        text = _PARAM_RE.sub(_param, text)
    if named and '"' in text:
        text = _JSON_RE.sub(_json, text)
        text = _JSON_OPEN_RE.sub(_json_open, text)
    low = text.lower()
    if "bearer" in low or "oauth" in low:
        # try the pattern only where one of its words is (the regex over a whole large report is slow)
        out: list[str] = []
        pos = 0
        for i in sorted(_find_all(low, "bearer") + _find_all(low, "oauth")):
            if i < pos:
                continue
            m = _AUTH_RE.match(text, i)
            if m:
                out += [text[pos:i], _auth(m)]
                pos = m.end()
        if out:
            text = "".join(out) + text[pos:]
    return text


def _find_all(text: str, word: str) -> list[int]:
    found, i = [], text.find(word)
    while i >= 0:
        found.append(i)
        i = text.find(word, i + 1)
    return found


# One process-wide redactor: every secret fbhub loads is registered here, and the logger, the
# error renderer and the report writers all pass text through it.
GLOBAL = Redactor()


def register_secret(*values: str | None) -> None:
    """Register secret values with the process-wide redactor."""
    GLOBAL.add(*values)


def register_derived(*values: str | None) -> None:
    """Register values derived from secrets (``appsecret_proof``) with the process-wide redactor: hidden
    wherever 8 or more of their characters appear, without growing its index of whole values."""
    GLOBAL.add_pieces(*values)


def redact(text: str) -> str:
    """Redact with the process-wide redactor."""
    return GLOBAL.redact(text)


_HEX32_RE = re.compile(r"^[0-9a-f]{32}$")
_ACCESS_TOKEN_RE = re.compile(r"^EAA[A-Za-z0-9]{20,}$")
_OPAQUE_RE = re.compile(r"^[A-Za-z0-9_\-|.]{40,}$")


def looks_like_secret(value: str) -> str | None:
    """What a pasted value looks like, when it looks like a secret: "an App Secret" (32 hex digits), "an access
    token" (EAA…), "a token or secret" (a long opaque string); else None. Such values are masked in errors."""
    if _HEX32_RE.match(value.lower()):
        return "an App Secret"
    if _ACCESS_TOKEN_RE.match(value):
        return "an access token"
    if _OPAQUE_RE.match(value) and not value.isdigit():
        return "a token or secret"
    return None
