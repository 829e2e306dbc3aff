"""Graph API versions: the one table of Meta's versions (release and end dates), used by fbhub's checks and
by the sandbox alike.

Source: Meta's Graph API changelog, "Available Graph API versions" (https://developers.facebook.com/docs/
graph-api/changelog/versions/, snapshot "Updated Oct 29, 2026"), and the v27.0 blog post of 2026-11-04
(https://developers.facebook.com/blog/post/2026/11/04/introducing-graph-api-v27-and-marketing-api-v27/).
A version stops working two years after the next one is released; calls to an expired version are then
served by the oldest version still available (the ``facebook-api-version`` response header tells which one
answered). The Marketing API runs on its own schedule: not in this table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

DEFAULT_GRAPH_VERSION = "v24.0"

_VERSION_RE = re.compile(r"^v(?P<major>[0-9]{1,2})\.(?P<minor>[0-9]{1,2})$")


@dataclass(frozen=True)
class GraphVersion:
    """One row of Meta's version table; ``available_until`` is None while Meta has not announced it."""

    version: str
    released: date
    available_until: date | None


VERSIONS: tuple[GraphVersion, ...] = (
    GraphVersion("v27.0", date(2026, 11, 4), None),
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
    # Every v2.x had ended by 2020-07-28 and v1.0 on 2015-04-30 (exact v2.x dates are not needed).
    *(GraphVersion(f"v2.{n}", date(2014, 4, 30), date(2020, 7, 28)) for n in range(12, -1, -1)),
    GraphVersion("v1.0", date(2010, 4, 21), date(2015, 4, 30)),
)
VERSION_TABLE: dict[str, GraphVersion] = {v.version: v for v in VERSIONS}


def is_well_formed(text: object) -> bool:
    return isinstance(text, str) and _VERSION_RE.match(text) is not None


def version_key(v: str) -> tuple[int, int]:
    """Sortable key of a well-formed version string: ``v24.0`` -> (24, 0)."""
    m = _VERSION_RE.match(v)
    if m is None:
        raise ValueError(f"not a Graph API version: {v!r}")
    return int(m["major"]), int(m["minor"])


def version_eol(v: str) -> date | None:
    """The day a version stops being available, or None when unknown / not announced yet."""
    row = VERSION_TABLE.get(v)
    return row.available_until if row is not None else None


def is_expired(v: str, today: date | None = None) -> bool:
    """True when ``v`` is past its end-of-life date on ``today`` (default: the local date)."""
    eol = version_eol(v)
    return eol is not None and (today or date.today()) >= eol


def is_known(v: str) -> bool:
    """True when ``v`` is in Meta's version table."""
    return v in VERSION_TABLE


def latest_version() -> str:
    """The newest version Meta has released (pinning it is not a warning)."""
    return VERSIONS[0].version


def available_versions(today: date) -> list[str]:
    """Versions still served on ``today``, newest first (released and not past their end)."""
    return [r.version for r in VERSIONS
            if r.released <= today and (r.available_until is None or r.available_until > today)]
