"""The README is checked against the code: its commands, every command, every check id and the CI script."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_first_lines_are_the_two_commands():
    lines = [x for x in README.splitlines() if x.strip()]
    assert lines[1].startswith("Run it: `") and "fbhub demo" in lines[1]
    assert lines[2].startswith("Test it: `") and "pytest" in lines[2]


def test_ci_runs_the_readme_test_command_exactly():
    test_cmd = [x for x in README.splitlines() if x.startswith("Test it: `")][0].split("`")[1]
    assert test_cmd in (ROOT / ".ci" / "run").read_text()


def test_every_command_is_documented():
    from fbhub.cli import COMMANDS

    for name in COMMANDS:
        assert f"fbhub {name}" in README, name


def test_every_check_id_is_in_the_catalogue_table():
    from fbhub.checks.registry import specs

    for c in specs():
        assert f"| {c.id} |" in README, c.id


def test_every_setting_is_in_the_table():
    from fbhub.settings import SETTINGS

    for s in SETTINGS.values():
        assert f"`{s.env}`" in README and f"`{s.name}`" in README, s.name


def test_every_scenario_is_listed():
    from fbhub.sandbox import SCENARIOS

    for name in SCENARIOS.summaries():
        assert f"`{name}`" in README, name


def test_every_metric_and_status_value_is_documented():
    from fbhub.report.prometheus import METRICS, STATUS_VALUES

    section = README.split("## Monitoring", 1)[1].split("\n## ", 1)[0]
    for name in METRICS:
        if not name.startswith("fbhub_monitor_"):  # fbhub monitor's own, listed with the command
            assert f"`{name}`" in section, name
    words = {"pass": "pass", "warn": "warn", "fail": "fail", "error": "could not check", "confirm": "confirm by hand",
             "skip": "skipped"}
    for status, value in STATUS_VALUES.items():
        assert f"**{value}** {words[status]}" in section, status


def test_readme_links_nothing_outside_the_repository():
    """Relative paths and links in the README point inside the repository (which ships without its siblings)."""
    import re

    text, root = README, ROOT
    assert "../" not in text
    for target in re.findall(r"\]\(([^)]+)\)", text):
        target = target.strip()
        if target.startswith(("http://", "https://", "#")):
            continue
        assert (root / target).exists(), target
    for path in re.findall(r"`((?:fbhub|docs|examples|tests|benchmarks)/[^`\s]+)`", text):
        assert (root / path.rstrip("/")).exists() or "*" in path or "…" in path, path


def test_readme_documents_a_real_install():
    text = README
    assert "python3 -m build --wheel" in text and "pipx install dist/fbhub-" in text and "pipx install \"git+" in text
    assert "fbhub==" not in text
