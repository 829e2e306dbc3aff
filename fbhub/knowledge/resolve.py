"""What the user typed → a topic: a topic name or one of its other names, a Graph error code (``190``,
``190/463``, ``#200``), a name of the error catalogue, a doctor check id (``FB201``) or a near miss."""

from __future__ import annotations

import dataclasses
import difflib
import re

from fbhub.errors import UsageError
from fbhub.knowledge.topics import Topic, load_all, other_names, topic_names

_CODE_RE = re.compile(r"^\(?#?(\d{1,9})\)?(?:\s*[/:.\s]\s*(\d{1,9}))?$")
_CHECK_RE = re.compile(r"^FB\d{3}$", re.IGNORECASE)
# Auto-accept a near miss only when it is this similar (a typo, not a different word).
_AUTO_CUTOFF = 0.85
_SUGGEST_CUTOFF = 0.5


def _normalise(query: str) -> str:
    q = query.strip().lower().replace("_", "-").replace(" ", "-")
    q = q.removeprefix("fbhub-explain-")
    if q.endswith(".md"):
        q = q[:-3]
    return q


def _named() -> dict[str, str]:
    """Every other name → its topic: the topics' own files, then the error catalogue's situations and groups."""
    from fbhub.knowledge.codes import named_topics

    return {**other_names(), **named_topics()}


def _closest(query: str, n: int = 1, cutoff: float = _SUGGEST_CUTOFF) -> list[str]:
    names = topic_names()
    named = _named()
    found = difflib.get_close_matches(query, names + list(named), n=n * 3, cutoff=cutoff)
    out: list[str] = []
    for c in found:
        t = named.get(c, c)
        if t in names and t not in out:
            out.append(t)
    return out[:n]


def unknown(query: str) -> UsageError:
    """The error for a name no topic answers to, suggesting the closest topic."""
    close = _closest(_normalise(query))
    suggestion = f"did you mean 'fbhub explain {close[0]}'? " if close else ""
    return UsageError(f"no explain topic {query!r}",
                      hint=f"{suggestion}run 'fbhub explain --list' to see every topic")


def resolve(query: str) -> Topic:
    """A topic name or other name, Graph error code (``190``, ``190/463``), doctor check id (``FB201``) or a typo.

    Raises ``UsageError`` naming the query, suggesting the closest topic and ``fbhub explain --list``.
    """
    raw = query
    q = _normalise(query)
    if not q:
        raise UsageError("empty explain topic", hint="run 'fbhub explain --list' to see every topic")
    topics = load_all()
    if q in topics:
        return topics[q]  # only case, spaces or underscores differed: no note needed
    named = _named()
    if q in named:
        return dataclasses.replace(topics[named[q]], resolved_from=raw)
    m = _CODE_RE.match(query.strip())
    if m:
        from fbhub.knowledge.codes import explain_code

        return explain_code(int(m.group(1)), int(m.group(2)) if m.group(2) else None)
    if _CHECK_RE.match(q):
        topic = check_topic(q.upper())
        if topic is not None:
            return dataclasses.replace(topic, resolved_from=raw)
    from fbhub.knowledge.codes import catalogue_page

    page = catalogue_page(q)
    if page is not None:
        return page
    near = _closest(q, cutoff=_AUTO_CUTOFF)
    if near:
        return dataclasses.replace(topics[near[0]], resolved_from=raw)
    raise unknown(raw)


def check_topic(check_id: str) -> Topic | None:
    """The topic a doctor check names (its ``CheckSpec.topic``); ``UsageError`` for an unknown check id."""
    from fbhub.checks.registry import by_id

    spec = by_id().get(check_id)
    if spec is None:
        raise UsageError(f"no doctor check {check_id!r}", hint="run 'fbhub doctor --list' to see every check id")
    return load_all().get(spec.topic)
