"""Graph API versions: the default, the release / end-of-life table and validation.

Dates come from Meta's versions changelog (reference §12). A version stops working two years after
the next one is released; calls to an expired version are then served by the oldest version still
available (the ``facebook-api-version`` response header tells which one answered).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from fbhub.errors import UsageError

DEFAULT_GRAPH_VERSION = "v24.0"

_VERSION_RE = re.compile(r"^v(?P<major>[0-9]{1,2})\.(?P<minor>[0-9]{1,2})$")


@dataclass(frozen=True)
class GraphVersion:
    """One row of Meta's version table; ``available_until`` is None while Meta has not announced it."""

    version: str
    released: date
    available_until: date | None


VERSIONS: tuple[GraphVersion, ...] = (
    GraphVersion("v26.0", date(2026, 7, 29), None),
    GraphVersion("v25.0", date(2026, 2, 18), date(2028, 7, 29)),
    GraphVersion("v24.0", date(2025, 10, 8), date(2028, 2, 18)),
    GraphVersion("v23.0", date(2025, 5, 29), date(2027, 10, 8)),
    GraphVersion("v22.0", date(2025, 1, 21), date(2027, 5, 20)),
    GraphVersion("v21.0", date(2024, 10, 2), date(2027, 1, 21)),
    GraphVersion("v20.0", date(2024, 5, 21), date(2026, 9, 24)),
    GraphVersion("v19.0", date(2024, 1, 23), date(2026, 5, 21)),
    GraphVersion("v18.0", date(2023, 9, 12), date(2026, 1, 26)),
    GraphVersion("v17.0", date(2023, 5, 23), date(2025, 9, 12)),
    GraphVersion("v16.0", date(2023, 2, 2), date(2025, 5, 14)),
    GraphVersion("v15.0", date(2022, 9, 15), date(2024, 11, 20)),
    GraphVersion("v14.0", date(2022, 5, 25), date(2024, 9, 17)),
    GraphVersion("v13.0", date(2022, 2, 8), date(2024, 5, 28)),
    GraphVersion("v12.0", date(2021, 9, 14), date(2024, 2, 8)),
    GraphVersion("v11.0", date(2021, 6, 8), date(2023, 9, 14)),
    GraphVersion("v10.0", date(2021, 2, 23), date(2023, 6, 8)),
    GraphVersion("v9.0", date(2020, 11, 10), date(2023, 2, 23)),
    GraphVersion("v8.0", date(2020, 8, 4), date(2022, 11, 1)),
    GraphVersion("v7.0", date(2020, 5, 5), date(2022, 8, 4)),
    GraphVersion("v6.0", date(2020, 2, 3), date(2022, 5, 5)),
    GraphVersion("v5.0", date(2019, 10, 29), date(2022, 2, 3)),
    GraphVersion("v4.0", date(2019, 7, 29), date(2021, 11, 2)),
    GraphVersion("v3.3", date(2019, 4, 30), date(2021, 8, 3)),
    GraphVersion("v3.2", date(2018, 10, 23), date(2021, 5, 4)),
    GraphVersion("v3.1", date(2018, 7, 26), date(2020, 10, 27)),
    GraphVersion("v3.0", date(2018, 5, 1), date(2020, 7, 28)),
)
VERSION_TABLE: dict[str, GraphVersion] = {v.version: v for v in VERSIONS}
# Every v2.x and v1.0 had ended by 2020 (exact dates not needed: they are all long gone).
_V2_LAST_DAY = date(2020, 7, 28)


def parse_version(value: object) -> str:
    """Validate a Graph API version (``v24.0``; ``24.0`` is accepted and normalised) and return it."""
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, str) and re.match(r"^[0-9]{1,2}\.[0-9]{1,2}$", text):
        text = "v" + text
    if not isinstance(text, str) or not _VERSION_RE.match(text):
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "...'"
        raise UsageError(
            f"invalid Graph API version {shown}: write it as v<major>.<minor>",
            hint=f"e.g. --graph-version {DEFAULT_GRAPH_VERSION} (the versions Meta serves are listed at "
            "https://developers.facebook.com/docs/graph-api/changelog/versions/)",
        )
    return text


def version_key(v: str) -> tuple[int, int]:
    """Sortable key of a (valid) version string: ``v24.0`` -> (24, 0)."""
    m = _VERSION_RE.match(parse_version(v))
    assert m is not None
    return int(m["major"]), int(m["minor"])


def version_eol(v: str) -> date | None:
    """The day a version stops being available, or None when unknown / not announced yet."""
    v = parse_version(v)
    row = VERSION_TABLE.get(v)
    if row is not None:
        return row.available_until
    if version_key(v) < (3, 0):
        return _V2_LAST_DAY
    return None


def is_expired(v: str, today: date | None = None) -> bool:
    """True when ``v`` is past its end-of-life date on ``today`` (default: the local date)."""
    eol = version_eol(v)
    if eol is None:
        return False
    return (today or date.today()) >= eol


def is_known(v: str) -> bool:
    """True when ``v`` is in Meta's version table (newer, unannounced versions are not)."""
    return parse_version(v) in VERSION_TABLE


def latest_version() -> str:
    return VERSIONS[0].version
