"""Explain topics: what a warning or error means, how to confirm the cause, and how to fix it.

Topics are Markdown files in ``fbhub/explain/topics/<name>.md`` (package data). Each starts with
``# Title`` followed by a one-line summary paragraph. Doctor checks and Graph error codes link to them
by name, so the names are stable.

``resolve(query)`` accepts a topic name, an alias, a Graph error code (``190``, ``190/463``, ``#200``),
a doctor check id (``FB201``) or a near miss of a topic name.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

from fbhub.errors import UsageError

TOPICS_DIR = "topics"  # inside the fbhub.explain package (shipped as package data)

# Other words people type for a topic (normalised form → topic name).
ALIASES: dict[str, str] = {
    "invalid-application": "invalid-app",
    "meta-app-invalid": "invalid-app",
    "warning": "invalid-app",
    "credentials": "app-credentials",
    "app-secret": "app-credentials",
    "secret": "app-credentials",
    "app-id": "app-credentials",
    "settings": "app-settings",
    "webhook": "webhook-not-receiving",
    "no-messages": "webhook-not-receiving",
    "webhooks-disabled": "webhook-not-receiving",
    "subscribed-apps": "page-subscription",
    "subscribe-page": "page-subscription",
    "subscribe-app": "app-webhook",
    "subscriptions": "app-webhook",
    "expired": "token-expired",
    "token-invalid": "token-expired",
    "scopes": "token-scopes",
    "page-token": "token-type",
    "advanced-access": "permissions",
    "app-review": "permissions",
    "permission": "permissions",
    "rate-limits": "rate-limit",
    "throttling": "rate-limit",
    "too-many-calls": "rate-limit",
    "url-blocked": "redirect-uri",
    "cant-load-url": "redirect-uri",
    "oauth": "redirect-uri",
    "facebook-login": "redirect-uri",
    "version": "version-deprecated",
    "graph-version": "version-deprecated",
    "development-mode": "dev-mode",
    "live-mode": "dev-mode",
    "app-mode": "dev-mode",
    "appsecret-proof": "require-app-secret",
    "callback-verification": "webhook-endpoint",
    "probe": "webhook-endpoint",
    "setup": "local-setup",
    "config": "local-setup",
    # names the Graph error catalogue uses for its groups and situations
    "token": "token-expired",
    "webhooks": "webhook-not-receiving",
    "login": "redirect-uri",
    "version-expired": "version-deprecated",
    "token-of-other-app": "token-other-app",
    "appsecret-proof-invalid": "require-app-secret",
    "appsecret-proof-required": "require-app-secret",
}

_CODE_RE = re.compile(r"^\(?#?(\d{1,9})\)?(?:\s*[/:.\s]\s*(\d{1,9}))?$")
_CHECK_RE = re.compile(r"^FB\d{3}$", re.IGNORECASE)
# Auto-accept a near miss only when it is this similar (a typo, not a different word).
_AUTO_CUTOFF = 0.85
_SUGGEST_CUTOFF = 0.5


@dataclass(frozen=True)
class Topic:
    """One explain page: ``name`` (what to type), ``title``, one-line ``summary`` and the full ``markdown``."""

    name: str
    title: str
    summary: str
    markdown: str
    kind: str = "topic"  # "topic" or "error-code"
    see_also: tuple[str, ...] = ()
    # Set when resolve() answered with something other than what was typed (alias, typo, check id).
    resolved_from: str | None = None
    # Error-code pages only.
    code: int | None = None
    subcode: int | None = None
    transient: bool | None = None

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"name": self.name, "kind": self.kind, "title": self.title,
                                   "summary": self.summary}
        if self.kind == "error-code":
            data.update(code=self.code, subcode=self.subcode, transient=self.transient)
        data.update(see_also=list(self.see_also), markdown=self.markdown)
        if self.resolved_from is not None:
            data["query"] = self.resolved_from
        return data


_SEE_ALSO_RE = re.compile(r"fbhub explain ([a-z][a-z0-9-]+)")


def _parse(name: str, text: str) -> Topic:
    lines = text.strip().splitlines()
    if not lines or not lines[0].startswith("# "):
        raise ValueError(f"explain topic {name!r} does not start with '# Title'")
    title = lines[0][2:].strip()
    summary = ""
    for line in lines[1:]:
        if line.strip():
            summary = line.strip()
            break
    if not summary or summary.startswith("#"):
        raise ValueError(f"explain topic {name!r} has no one-line summary after its title")
    see_also = tuple(dict.fromkeys(t for t in _SEE_ALSO_RE.findall(text) if t != name))
    return Topic(name=name, title=title, summary=summary, markdown=text.strip() + "\n", see_also=see_also)


@lru_cache(maxsize=1)
def _load_all() -> dict[str, Topic]:
    from importlib.resources import files

    topics: dict[str, Topic] = {}
    for entry in files(__name__).joinpath(TOPICS_DIR).iterdir():
        if entry.name.endswith(".md"):
            name = entry.name[:-3]
            topics[name] = _parse(name, entry.read_text(encoding="utf-8"))
    return dict(sorted(topics.items()))


def topic_names() -> list[str]:
    """Every topic name, sorted."""
    return list(_load_all())


def list_topics() -> list[Topic]:
    """Every topic, sorted by name."""
    return list(_load_all().values())


def get_topic(name: str) -> Topic:
    """The topic with exactly this name; ``UsageError`` (with a suggestion) when there is none."""
    try:
        return _load_all()[name]
    except KeyError:
        raise _unknown(name) from None


def _normalise(query: str) -> str:
    q = query.strip().lower().replace("_", "-").replace(" ", "-")
    q = q.removeprefix("fbhub-explain-")
    if q.endswith(".md"):
        q = q[:-3]
    return q


def _closest(query: str, n: int = 1, cutoff: float = _SUGGEST_CUTOFF) -> list[str]:
    names = topic_names()
    candidates = names + list(ALIASES)
    found = difflib.get_close_matches(query, candidates, n=n * 3, cutoff=cutoff)
    out: list[str] = []
    for c in found:
        t = ALIASES.get(c, c)
        if t in names and t not in out:
            out.append(t)
    return out[:n]


def _unknown(query: str) -> UsageError:
    close = _closest(_normalise(query))
    suggestion = f"did you mean 'fbhub explain {close[0]}'? " if close else ""
    return UsageError(f"no explain topic {query!r}",
                      hint=f"{suggestion}run 'fbhub explain --list' to see every topic")


def resolve(query: str) -> Topic:
    """A topic name, alias, Graph error code (``190``, ``190/463``), doctor check id (``FB201``) or a typo.

    Raises ``UsageError`` naming the query, suggesting the closest topic and ``fbhub explain --list``.
    """
    raw = query
    q = _normalise(query)
    if not q:
        raise UsageError("empty explain topic", hint="run 'fbhub explain --list' to see every topic")
    topics = _load_all()
    if q in topics:
        return topics[q]  # only case, spaces or underscores differed: no note needed
    if q in ALIASES:
        return dataclasses.replace(topics[ALIASES[q]], resolved_from=raw)
    m = _CODE_RE.match(query.strip())
    if m:
        return explain_code(int(m.group(1)), int(m.group(2)) if m.group(2) else None)
    if _CHECK_RE.match(q):
        topic = _check_topic(q.upper())
        if topic is not None:
            return dataclasses.replace(topic, resolved_from=raw)
    named = _catalogue_name(q)
    if named is not None:
        return named
    near = _closest(q, cutoff=_AUTO_CUTOFF)
    if near:
        return dataclasses.replace(topics[near[0]], resolved_from=raw)
    raise _unknown(raw)


def _check_topic(check_id: str) -> Topic | None:
    """The topic a doctor check links to, when the check catalogue knows the id."""
    from fbhub.checks.registry import by_id

    spec = by_id().get(check_id)
    if spec is None:
        raise UsageError(f"no doctor check {check_id!r}", hint="run 'fbhub doctor --list' to see every check id")
    return _load_all().get(spec.topic)


# -- Graph error codes ----------------------------------------------------------------------------
# The catalogue lives in fbhub.meta.error_codes (ERROR_CATALOGUE, lookup_error). Its entries carry their own
# ``topic`` (the code, e.g. "190/463") and a broad ``group``; these tables point each at the explain topic
# that tells the whole story.

PERMISSION_RANGE = range(200, 300)

# Specific codes whose best explanation is not their group's topic.
CODE_TOPICS: dict[tuple[int, int | None], str] = {
    (101, None): "app-credentials",
    (191, None): "redirect-uri",
    (200, 2018028): "dev-mode",
    (200, 2018027): "dev-mode",
    (210, None): "token-type",
    (2200, None): "webhook-endpoint",
    (2500, None): "version-deprecated",
}

# Catalogue situations (not a single code) and their topic.
SITUATION_TOPICS: dict[str, str] = {
    "version-expired": "version-deprecated",
    "token-of-other-app": "token-other-app",
    "app-secret": "app-credentials",
    "appsecret-proof-invalid": "require-app-secret",
    "appsecret-proof-required": "require-app-secret",
}

# Catalogue groups and their topic; groups mapped to None have no topic of their own.
GROUP_TOPICS: dict[str, str | None] = {
    "token": "token-expired",
    "permissions": "permissions",
    "rate-limit": "rate-limit",
    "app-credentials": "app-credentials",
    "webhooks": "webhook-endpoint",
    "version": "version-deprecated",
    "login": "redirect-uri",
    "messaging": None,
    "params": None,
    "server": None,
    "policy": None,
    "network": None,
    "": None,
}


def topic_for_error(info: object, code: int | None = None, subcode: int | None = None) -> str | None:
    """The explain topic that covers a catalogue entry (for "see also"), or None."""
    names = _load_all()
    own = str(getattr(info, "topic", "") or "")
    if own in names:
        return own
    if code is not None:
        for key in ((code, subcode), (code, None)):
            if key in CODE_TOPICS:
                return CODE_TOPICS[key]
    if own in SITUATION_TOPICS:
        return SITUATION_TOPICS[own]
    return GROUP_TOPICS.get(str(getattr(info, "group", "") or ""))


def _is_unknown(info: object) -> bool:
    return info is None or getattr(info, "topic", "") == "unknown"


def explain_code(code: int, subcode: int | None = None) -> Topic:
    """A page for a Graph error code (and subcode) from ``fbhub.graph.errors``.

    A subcode the catalogue does not know falls back to the code's own entry (with a note). An unknown
    code in the 200-299 permission range falls back to the ``permissions`` topic; any other unknown code
    raises ``UsageError``.
    """
    query = f"{code}/{subcode}" if subcode is not None else str(code)
    from fbhub.meta.error_codes import ERROR_CATALOGUE, lookup_error

    known_code = any(c == code for c, _ in ERROR_CATALOGUE)
    if not known_code and code in PERMISSION_RANGE:
        return dataclasses.replace(_load_all()["permissions"], resolved_from=query)
    info = lookup_error(code, subcode)
    if _is_unknown(info):
        raise UsageError(f"Graph error code {query} is not in fbhub's catalogue",
                         hint="run 'fbhub explain --list' to see the topics (codes like 190 or 190/463 work too)")
    note = ""
    if subcode is not None and (code, subcode) not in ERROR_CATALOGUE and info is lookup_error(code, None):
        note = f"Subcode {subcode} is not in fbhub's catalogue; this is what code {code} means in general."
    return _error_topic(query, info, topic_for_error(info, code, subcode), note=note, code=code, subcode=subcode)


def _catalogue_name(query: str) -> Topic | None:
    """Other names the error catalogue knows (ranges such as ``200-299``, situations such as ``unreachable``)."""
    from fbhub.meta.error_codes import lookup_topic

    info = lookup_topic(query)
    if info is None or (_is_unknown(info) and query != "unknown"):
        return None
    return _error_topic(query, info, topic_for_error(info))


def _error_topic(query: str, info: object, see: str | None, *, note: str = "", code: int | None = None,
                 subcode: int | None = None) -> Topic:
    title = str(getattr(info, "title", "") or f"Graph error {query}")
    meaning = str(getattr(info, "meaning", "") or "").strip()
    fix = str(getattr(info, "fix", "") or "").strip()
    transient = bool(getattr(info, "transient", False))
    heading = f"Graph error {query}: {title}" if code is not None else title
    summary = meaning.splitlines()[0] if meaning else title
    lines = [f"# {heading}", "", meaning or title, ""]
    if note:
        lines += [f"> {note}", ""]
    lines += [f"**Fix:** {(fix[:1].upper() + fix[1:]) if fix else '(no fix recorded)'}", ""]
    if transient:
        lines += ["**Transient:** yes. The condition is temporary: wait and retry (fbhub's Graph client backs off "
                  "and retries by itself).", ""]
    else:
        lines += ["**Transient:** no. The same call fails the same way until the cause is fixed.", ""]
    see_also: tuple[str, ...] = ()
    if see:
        lines += [f"See also: `fbhub explain {see}`", ""]
        see_also = (see,)
    return Topic(name=query, title=heading, summary=summary, markdown="\n".join(lines), kind="error-code",
                 see_also=see_also, code=code, subcode=subcode, transient=transient)
