"""Graph API version strings: validation for settings and the client. The table itself (release and end dates)
lives once, in ``fbhub.meta.versions``; this module re-exports it."""

from __future__ import annotations

import re
from datetime import date

from fbhub.errors import UsageError
from fbhub.meta.versions import (
    DEFAULT_GRAPH_VERSION,
    VERSION_TABLE,
    VERSIONS,
    GraphVersion,
    is_well_formed,
    latest_version,
)
from fbhub.meta.versions import is_expired as _is_expired
from fbhub.meta.versions import is_known as _is_known
from fbhub.meta.versions import version_eol as _version_eol
from fbhub.meta.versions import version_key as _version_key

__all__ = ["DEFAULT_GRAPH_VERSION", "VERSIONS", "VERSION_TABLE", "GraphVersion", "is_expired", "is_known",
           "latest_version", "parse_version", "version_eol", "version_key"]


def parse_version(value: object) -> str:
    """Validate a Graph API version (``v24.0``; ``24.0`` is accepted and normalised) and return it."""
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, str) and re.match(r"^[0-9]{1,2}\.[0-9]{1,2}$", text):
        text = "v" + text
    if not isinstance(text, str) or not is_well_formed(text):
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "...'"
        raise UsageError(
            f"invalid Graph API version {shown}: write it as v<major>.<minor>",
            hint=f"e.g. --graph-version {DEFAULT_GRAPH_VERSION} (the versions Meta serves are listed at "
            "https://developers.facebook.com/docs/graph-api/changelog/versions/)",
        )
    return text


def version_key(v: str) -> tuple[int, int]:
    """Sortable key of a (valid) version string: ``v24.0`` -> (24, 0)."""
    return _version_key(parse_version(v))


def version_eol(v: str) -> date | None:
    """The day a version stops being available, or None when unknown / not announced yet."""
    return _version_eol(parse_version(v))


def is_expired(v: str, today: date | None = None) -> bool:
    """True when ``v`` is past its end-of-life date on ``today`` (default: the local date)."""
    return _is_expired(parse_version(v), today)


def is_known(v: str) -> bool:
    """True when ``v`` is in Meta's version table (newer, unannounced versions are not)."""
    return _is_known(parse_version(v))
