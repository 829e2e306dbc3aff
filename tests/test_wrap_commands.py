"""Every command's text output goes through one wrapper (fbhub.wrap.say): on a terminal it is wrapped to the
width with a hanging indent, no word or URL cut; piped, it is not wrapped at all. The real CLI, in-process, with
a fixed COLUMNS: TTY_COMPATIBLE=1 makes rich treat the captured stdout as a terminal."""

from __future__ import annotations

import re

import pytest

from fbhub.sandbox import run_sandbox

WIDTH = 60
TERMINAL = {"TTY_COMPATIBLE": "1", "COLUMNS": str(WIDTH), "TERM": "xterm"}  # a dumb terminal is 80 wide
PIPE = {"COLUMNS": str(WIDTH)}  # a narrow COLUMNS must not wrap a pipe


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def assert_wrapped(term: str, piped: str, *, hang: bool = True) -> None:
    """The terminal text is the piped text re-wrapped: rows fit (a row wider than the terminal is one word, e.g.
    a URL), no word was cut or lost, and some continuation row hangs under its label."""
    term, piped = _plain(term), _plain(piped)
    rows = term.splitlines()
    for row in rows:
        assert len(row) <= WIDTH or len(row.split()) == 1, row
    assert term.split() == piped.split()
    assert any(len(x) > WIDTH for x in piped.splitlines()), "the case does not need wrapping"
    assert len(rows) > len(piped.splitlines())
    assert not hang or any(r.startswith("  ") and r.strip() for r in rows), "no hanging indent"


@pytest.fixture
def sandboxed(cli):
    def run(scenario, *args, env=None):
        with run_sandbox(scenario) as sb:
            o = sb.operator
            base = {"FBHUB_GRAPH_URL": sb.url, "FBHUB_APP_ID": o.app_id, "FBHUB_APP_SECRET": o.app_secret,
                    "FBHUB_PAGE_TOKENS": ",".join(o.page_tokens), "FBHUB_DOMAIN": o.domain,
                    "FBHUB_VERIFY_TOKEN": o.verify_token, **(env or {})}
            piped = cli(*args, env={**base, **PIPE})
            term = cli(*args, env={**base, **TERMINAL})
        assert piped.exit_code == term.exit_code
        return term, piped

    return run


@pytest.mark.parametrize(("scenario", "args"), [
    ("page-not-subscribed", ["subscribe-page", "--dry-run", "--all-fields"]),
    ("healthy", ["unsubscribe-page", "--dry-run"]),
    ("callback-wrong-domain", ["subscribe-app", "--dry-run", "--all-fields"]),
])
def test_webhook_commands_wrap_on_a_terminal_only(sandboxed, scenario, args):
    term, piped = sandboxed(scenario, *args)
    assert_wrapped(term.stdout, piped.stdout)


def test_secrets_list_wraps_on_a_terminal_only(cli):
    assert cli("secrets", "set", "page-token", "--page", "110000000000001",
               input="EAAGpagetokenSUPPORT1234567890abcdefghij").exit_code == 0
    env = {"FBHUB_PAGES": "110000000000001:CloudCX Support team for the whole of Europe"}
    piped = cli("secrets", "list", env={**env, **PIPE})
    term = cli("secrets", "list", env={**env, **TERMINAL})
    assert piped.exit_code == term.exit_code == 0
    assert_wrapped(term.stdout, piped.stdout)


def test_config_show_is_a_table_that_a_pipe_never_wraps(cli):
    env = {"FBHUB_PAGES": "110000000000001:CloudCX Support,110000000000002:CloudCX Sales and Marketing"}
    piped = cli("config", "show", env={**env, **PIPE})
    term = cli("config", "show", env={**env, **TERMINAL})
    assert piped.exit_code == term.exit_code == 0
    assert_wrapped(term.stdout, piped.stdout)
    rows = _plain(term.stdout).splitlines()
    value_col = next(r for r in rows if r.startswith("setting ")).index("value")
    i = next(n for n, r in enumerate(rows) if r.startswith("pages "))
    assert rows[i + 1].startswith(" " * value_col) and rows[i + 1][value_col] != " "  # under the value column
    line = next(x for x in piped.stdout.splitlines() if x.startswith("webhook_fields"))
    assert "messaging_referrals" in line and "FBHUB_WEBHOOK_FIELDS" in line  # one row, one line


TOPIC = "webhook-endpoint"  # has a URL wider than the terminal


@pytest.mark.parametrize("colour", [True, False])
def test_rendered_explain_wraps_without_cutting_urls(cli, colour):
    from fbhub.knowledge import get_topic

    env = {**TERMINAL, **({"FORCE_COLOR": "1", "NO_COLOR": None, "TERM": "xterm-256color"} if colour else {})}
    r = cli("explain", TOPIC, env=env)
    assert r.exit_code == 0, r.stderr
    text = _plain(r.stdout)
    rows = text.splitlines()
    assert all(len(x) <= WIDTH or len(x.split()) == 1 for x in rows), [x for x in rows if len(x) > WIDTH]
    urls = set(re.findall(r"https://[^\s`)>*\]]+", get_topic(TOPIC).markdown))
    assert any(len(u) > WIDTH for u in urls) and all(u in text for u in urls)  # every URL whole
    if not colour:  # a terminal without colour: the Markdown itself, wrapped
        assert text.split() == get_topic(TOPIC).markdown.split()
    piped = cli("explain", TOPIC, env=PIPE)
    assert piped.stdout == get_topic(TOPIC).markdown


def test_probe_webhook_finding_wraps(cli):
    from test_verify_token import ENV, PAGE1, PAGE2, Endpoint, _store_tokens

    _store_tokens(cli)
    with Endpoint(PAGE2) as ep:
        piped = cli("probe-webhook", "--url", ep.url, "--allow-http", env={**ENV, **PIPE})
        term = cli("probe-webhook", "--url", ep.url, "--allow-http", env={**ENV, **TERMINAL})
    assert piped.exit_code == term.exit_code == 0
    def finding(text: str) -> str:  # timings differ from run to run
        return re.sub(r"\d+", "0", _plain(text))

    assert_wrapped(finding(term.stdout), finding(piped.stdout))
    assert PAGE1 not in term.stdout + term.stderr


def test_review_kit_line_wraps(cli, tmp_path):
    with run_sandbox("app-settings-incomplete") as sb:
        op = sb.operator
        env = {"FBHUB_GRAPH_URL": sb.url, "FBHUB_APP_SECRET": op.app_secret, "FBHUB_DOMAIN": op.domain,
               "FBHUB_APP_ID": op.app_id}
        piped = cli("review-kit", "-o", str(tmp_path / "a.md"), env={**env, **PIPE})
        term = cli("review-kit", "-o", str(tmp_path / "a.md"), "--force", env={**env, **TERMINAL})
    assert piped.exit_code == term.exit_code
    assert_wrapped(term.stdout, piped.stdout, hang=False)  # one sentence: no label to hang under
