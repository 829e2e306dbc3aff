"""Pages for Graph error codes and the error catalogue's other names, built from ``fbhub.meta.error_codes``.

Each catalogue entry names its own explain topic (``ErrorInfo.explain``): a code page links to it under
"See also", and a situation or group name of the catalogue (``token``, ``version-expired`` …) whose entry
names a topic opens that topic.
"""

from __future__ import annotations

import dataclasses

from fbhub.errors import UsageError
from fbhub.knowledge.topics import Topic, load_all
from fbhub.meta.error_codes import ERROR_CATALOGUE, GROUPS, SITUATIONS, ErrorInfo, lookup_error, lookup_topic

# Graph's permission errors: a code of this range that the catalogue does not list opens the permissions topic.
PERMISSION_RANGE = range(200, 300)


def named_topics() -> dict[str, str]:
    """Situation and group names of the catalogue → the explain topic their entry names (topic names left out)."""
    topics = load_all()
    return {name: info.explain for name, info in {**SITUATIONS, **GROUPS}.items()
            if info.explain is not None and name not in topics}


def _is_unknown(info: ErrorInfo | None) -> bool:
    return info is None or info.topic == "unknown"


def explain_code(code: int, subcode: int | None = None) -> Topic:
    """A page for a Graph error code (and subcode) from the catalogue.

    A subcode the catalogue does not know falls back to the code's own entry (with a note). An unknown
    code in the 200-299 permission range falls back to the ``permissions`` topic; any other unknown code
    raises ``UsageError``.
    """
    query = f"{code}/{subcode}" if subcode is not None else str(code)
    known_code = any(c == code for c, _ in ERROR_CATALOGUE)
    if not known_code and code in PERMISSION_RANGE:
        return dataclasses.replace(load_all()["permissions"], resolved_from=query)
    info = lookup_error(code, subcode)
    if _is_unknown(info):
        raise UsageError(f"Graph error code {query} is not in fbhub's catalogue",
                         hint="run 'fbhub explain --list' to see the topics (codes like 190 or 190/463 work too)")
    note = ""
    if subcode is not None and (code, subcode) not in ERROR_CATALOGUE and info is lookup_error(code, None):
        note = f"Subcode {subcode} is not in fbhub's catalogue; this is what code {code} means in general."
    return error_page(query, info, note=note, code=code, subcode=subcode)


def catalogue_page(query: str) -> Topic | None:
    """Other names the error catalogue knows (ranges such as ``200-299``, situations such as ``unreachable``)."""
    info = lookup_topic(query)
    if info is None or (_is_unknown(info) and query != "unknown"):
        return None
    return error_page(query, info)


def error_page(query: str, info: ErrorInfo, *, note: str = "", code: int | None = None,
               subcode: int | None = None) -> Topic:
    """The Markdown page of one catalogue entry: title, meaning, fix, transient, and its explain topic."""
    see = info.explain if info.explain in load_all() else None
    title = info.title or f"Graph error {query}"
    meaning = info.meaning.strip()
    fix = info.fix.strip()
    transient = bool(info.transient)
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
