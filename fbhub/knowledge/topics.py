"""The explain topics: Markdown files in ``fbhub/knowledge/topics/<name>.md`` (package data).

Each file starts with ``# Title`` followed by a one-line summary paragraph. Other words people type for a
topic live in the topic's own file, as its last line: ``<!-- other names: credentials, secret -->`` (not part
of the page shown).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

TOPICS_DIR = "topics"  # inside the fbhub.knowledge package (shipped as package data)


@dataclass(frozen=True)
class Topic:
    """One explain page: ``name`` (what to type), ``title``, one-line ``summary`` and the full ``markdown``."""

    name: str
    title: str
    summary: str
    markdown: str
    kind: str = "topic"  # "topic" or "error-code"
    see_also: tuple[str, ...] = ()
    # Set when resolve() answered with something other than what was typed (other name, typo, check id).
    resolved_from: str | None = None
    # Error-code pages only.
    code: int | None = None
    subcode: int | None = None
    transient: bool | None = None
    # Other words people type for this topic (from the file's "other names" line); not shown.
    other_names: tuple[str, ...] = ()

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
_OTHER_NAMES_RE = re.compile(r"^<!-- other names: ([a-z0-9, -]+) -->$", re.MULTILINE)


def parse(name: str, text: str) -> Topic:
    """A topic from its file's text; ``ValueError`` when the file lacks its title or summary."""
    other: tuple[str, ...] = ()
    m = _OTHER_NAMES_RE.search(text)
    if m:
        other = tuple(n.strip() for n in m.group(1).split(",") if n.strip())
        text = text[:m.start()] + text[m.end():]
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
    return Topic(name=name, title=title, summary=summary, markdown=text.strip() + "\n", see_also=see_also,
                 other_names=other)


@lru_cache(maxsize=1)
def load_all() -> dict[str, Topic]:
    """Every topic by name, sorted."""
    from importlib.resources import files

    topics: dict[str, Topic] = {}
    for entry in files("fbhub.knowledge").joinpath(TOPICS_DIR).iterdir():
        if entry.name.endswith(".md"):
            name = entry.name[:-3]
            topics[name] = parse(name, entry.read_text(encoding="utf-8"))
    return dict(sorted(topics.items()))


@lru_cache(maxsize=1)
def other_names() -> dict[str, str]:
    """Other name → topic name, from the topics' own files."""
    out: dict[str, str] = {}
    for topic in load_all().values():
        for other in topic.other_names:
            if other in out or other in load_all():
                raise ValueError(f"explain name {other!r} is claimed twice ({topic.name})")
            out[other] = topic.name
    return out


def topic_names() -> list[str]:
    """Every topic name, sorted."""
    return list(load_all())


def list_topics() -> list[Topic]:
    """Every topic, sorted by name."""
    return list(load_all().values())


def get_topic(name: str) -> Topic:
    """The topic with exactly this name; ``UsageError`` (with a suggestion) when there is none."""
    try:
        return load_all()[name]
    except KeyError:
        from fbhub.knowledge.resolve import unknown

        raise unknown(name) from None
