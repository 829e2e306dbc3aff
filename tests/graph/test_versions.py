from datetime import date

import pytest

from fbhub.errors import UsageError
from fbhub.graph.versions import (
    DEFAULT_GRAPH_VERSION,
    VERSION_TABLE,
    is_expired,
    is_known,
    parse_version,
    version_eol,
    version_key,
)


def test_default_matches_settings():
    from fbhub import settings

    assert DEFAULT_GRAPH_VERSION == "v24.0" == settings.DEFAULT_GRAPH_VERSION
    assert DEFAULT_GRAPH_VERSION in VERSION_TABLE


@pytest.mark.parametrize("given,want", [("v24.0", "v24.0"), (" v3.3 ", "v3.3"), ("21.0", "v21.0")])
def test_parse_version_accepts(given, want):
    assert parse_version(given) == want


@pytest.mark.parametrize("bad", ["24", "v24", "version24", "v24.0.1", "", None, 24.0, "v/24.0"])
def test_parse_version_rejects_naming_value_and_fix(bad):
    with pytest.raises(UsageError) as ei:
        parse_version(bad)
    assert repr(bad) in str(ei.value)
    assert "v24.0" in ei.value.hint
    assert ei.value.exit_code == 2


def test_eol_table():
    assert version_eol("v24.0") == date(2028, 2, 18)
    assert version_eol("v18.0") == date(2026, 1, 26)
    assert version_eol("v26.0") is None  # not announced
    assert version_eol("v27.0") is None  # released 2026-11-04, end not announced
    assert version_eol("v28.0") is None  # unknown future version
    assert version_eol("v2.12") is not None  # all of v2 is long gone
    assert is_known("v20.0") and is_known("v27.0") and not is_known("v28.0")
    assert version_key("v3.10") > version_key("v3.3")


def test_is_expired():
    today = date(2026, 6, 1)
    assert is_expired("v19.0", today)  # ended 2026-05-21
    assert not is_expired("v20.0", today)
    assert is_expired("v20.0", date(2026, 9, 24))  # on the day
    assert not is_expired("v26.0", today)
    assert is_expired("v2.8", today)


def test_one_table_for_checks_and_sandbox():
    """The issue's dates (Graph API changelog, Oct 29, 2026; v27.0 blog post), in the one table both use."""
    from fbhub.meta import versions as meta
    from fbhub.sandbox import graph as sandbox_graph

    want = {"v27.0": (date(2026, 11, 4), None), "v26.0": (date(2026, 7, 29), None),
            "v25.0": (date(2026, 2, 18), date(2028, 7, 29)), "v24.0": (date(2025, 10, 8), date(2028, 2, 18)),
            "v23.0": (date(2025, 5, 29), date(2027, 10, 8)), "v22.0": (date(2025, 1, 21), date(2027, 5, 20)),
            "v21.0": (date(2024, 10, 2), date(2027, 1, 21)), "v20.0": (date(2024, 5, 21), date(2026, 9, 24))}
    for v, (released, until) in want.items():
        row = meta.VERSION_TABLE[v]
        assert (row.released, row.available_until) == (released, until), v
    assert meta.latest_version() == "v27.0"
    assert meta.available_versions(date(2026, 11, 30))[:2] == ["v27.0", "v26.0"]
    assert "v20.0" not in meta.available_versions(date(2026, 11, 30))
    assert not hasattr(sandbox_graph, "VERSIONS")  # no second table
