"""No hint sends the operator to the command they are in: every command is driven into its error and hint paths
(nothing set up; then against the sandbox in broken scenarios), every 'fbhub …' its output names is resolved
through the real command tree, and none may be the same command with the same meaningful options.

Options that only choose the output, the profile or the target (--json, --profile, --page, …) do not make a
command line a different command; --fix, --yes, --store-verify-token, --dry-run … do (a hint may say "the same,
with --yes")."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
import typer.main

from fbhub.sandbox import run_sandbox

HELP = {"-h", "--help"}  # "Try 'fbhub config -h' for help": help, not a run of the command
NEUTRAL = {"--json", "--verbose", "-v", "--profile", "-p", "--config", "--format", "--output", "-o", "--concurrency",
           "--timeout", "--graph-url", "--graph-version", "--app-id", "--domain", "--page", "--fields", "--url",
           "--allow-http", "--insecure", "--ca-file", "--all-profiles"}
MODES = {"--status", "--dry-run", "--list", "-l"}  # the command then shows, it does not run
_MENTION = re.compile(r"\bfbhub((?: +[-A-Za-z0-9_=./:,]+)+)")
WEBHOOK = "http://127.0.0.1:9/fb/webhook"  # nothing listens there: the probe's "cannot reach" paths


def _tree():
    from fbhub.cli import build_app

    return typer.main.get_command(build_app())


def resolve(words: list[str]) -> tuple[tuple[str, ...], frozenset[str]]:
    """(command path with its arguments, meaningful options) of a command line given as words after 'fbhub'."""
    from typer.core import TyperGroup

    cmd = _tree()
    path: list[str] = []
    i = 0
    while isinstance(cmd, TyperGroup):
        while i < len(words) and words[i].startswith("-"):  # global options before the command
            i += 2 if words[i] in ("--profile", "-p", "--config") else 1
        if i >= len(words):
            break
        word = words[i].rstrip(".,;:)")
        sub = cmd.commands.get(word)
        if sub is None:
            break
        path.append(word)
        cmd, i = sub, i + 1
    n_args = sum(1 for p in cmd.params if p.param_type_name == "argument") if path else 0
    positional = [w.rstrip(".,;:)'`") for w in words[i:i + n_args] if not w.startswith("-")]
    i += len(positional)
    opts: set[str] = set()
    prev_opt = False
    for w in words[i:]:
        if w.startswith("-") and len(w) > 1 and not w[1:2].isdigit():
            opts.add(w.split("=", 1)[0].rstrip(".,;:)'`"))
            prev_opt = "=" not in w
        elif prev_opt:
            prev_opt = False  # the option's value
        else:
            break  # the sentence goes on
    return (*path, *positional), frozenset(opts - NEUTRAL)



def mentions(text: str) -> list[tuple[str, tuple[str, ...], frozenset[str]]]:
    out = []
    for m in _MENTION.finditer(text):
        line = text[m.start():text.find("\n", m.start()) if "\n" in text[m.start():] else len(text)]
        if "[OPTIONS]" in line or " · profile " in line:  # a usage line, a report's title: not hints
            continue
        if HELP & set(m.group(1).split()):
            continue
        path, opts = resolve(m.group(1).split())
        if path:
            out.append((line.strip(), path, opts))
    return out


@dataclass
class Case:
    args: list[str]
    scenario: str | None = None  # None: nothing set up, no sandbox
    stdin: str | None = None


COMMANDS = [
    ["configure", "--non-interactive"], ["urls"], ["verify-app"], ["doctor"], ["doctor", "--fix"],
    ["doctor", "--fix", "--yes"], ["explain", "no-such-topic"], ["subscribe-page"], ["subscribe-page", "--dry-run"],
    ["unsubscribe-page"], ["unsubscribe-page", "--dry-run"], ["subscribe-app"], ["subscribe-app", "--dry-run"],
    ["probe-webhook", "--url", WEBHOOK, "--allow-http"], ["probe-webhook"], ["review-kit", "-o", "KIT"],
    ["config", "show"], ["config", "get", "no_such_key"], ["config", "set", "domain", "not a domain"],
    ["config", "unset", "no_such_key"], ["secrets"], ["secrets", "list"], ["secrets", "show", "app-secret"],
    ["secrets", "show", "page-token"], ["secrets", "set", "app-secret"], ["secrets", "delete", "app-secret"],
    ["secrets", "set", "no-such-kind"], ["monitor", "--interval", "0"], ["sandbox", "serve", "--scenario", "no-such"],
    ["demo", "--scenario", "no-such"], ["doctor", "--profile", "no-such-profile"], ["configure", "--status"],
    ["configure", "--non-interactive", "--stage", "testers"],
]
SCENARIOS = ["wrong-secret", "token-expired", "token-missing-pages-messaging", "page-not-subscribed",
             "app-webhook-missing", "callback-wrong-domain", "app-settings-incomplete", "user-token-as-page-token"]
CASES = [Case(a) for a in COMMANDS] + [Case(a, s) for s in SCENARIOS for a in COMMANDS
                                       if a[0] not in ("explain", "config", "monitor", "sandbox", "demo")
                                       and a[:2] != ["doctor", "--profile"]]


def _run(cli, case: Case, tmp_path, env: dict[str, str]):
    args = [str(tmp_path / "kit.md") if a == "KIT" else a for a in case.args]
    return args, cli(*args, input=case.stdin if case.stdin is not None else "", env=env)


def same_command(here: tuple[tuple[str, ...], frozenset[str]], hint: tuple[tuple[str, ...], frozenset[str]]) -> bool:
    """The hint runs the command again: same command and arguments, and it adds no option that changes what it
    does (dropping a mode that does not run it, --status, --dry-run or --list, is a change too)."""
    (path, opts), (hpath, hopts) = here, hint
    return path == hpath and hopts <= opts and not (opts & MODES) - hopts


def _check(args: list[str], out: str) -> list[str]:
    here = resolve(args)
    return [f"'fbhub {' '.join(args)}' says: {line}" for line, path, opts in mentions(out)
            if same_command(here, (path, opts))]


def test_the_mention_reader():
    assert resolve(["doctor", "--fix", "--json"]) == (("doctor",), frozenset({"--fix"}))
    assert resolve(["secrets", "set", "page-token", "--page", "111"]) == (("secrets", "set", "page-token"), frozenset())
    assert resolve(["configure", "in", "a", "terminal"]) == (("configure",), frozenset())
    assert resolve(["-p", "prod", "subscribe-page", "--dry-run", "to", "see"]) == (("subscribe-page",),
                                                                                  frozenset({"--dry-run"}))
    found = mentions("hint: run 'fbhub configure' again, or fbhub doctor --fix --yes.")
    assert [(p, o) for _, p, o in found] == [(("configure",), frozenset()), (("doctor",), frozenset({"--fix",
                                                                                                     "--yes"}))]
    assert _check(["configure", "--non-interactive"], "hint: run fbhub configure --non-interactive again")
    assert not _check(["probe-webhook"], "to use it: fbhub probe-webhook --store-verify-token")
    assert _check(["configure", "--non-interactive"], "or run 'fbhub configure' in a terminal")
    assert _check(["doctor", "--fix"], "hint: 'fbhub doctor' shows what still fails")
    assert not _check(["configure", "--status"], "next: run 'fbhub configure' to continue")
    assert not _check(["subscribe-page", "--dry-run"], "to do it: fbhub subscribe-page")


@pytest.mark.parametrize("scenario", [None, *SCENARIOS])
def test_no_hint_names_the_command_it_is_in(cli, tmp_path, scenario):
    """Each command, nothing set up (scenario None) or configured against a broken sandbox."""
    bad: list[str] = []
    ran = 0
    cases = [c for c in CASES if c.scenario == scenario]
    if scenario is None:
        for case in cases:
            args, r = _run(cli, case, tmp_path, {})
            ran += 1
            bad += _check(args, r.stdout + r.stderr)
    else:
        with run_sandbox(scenario) as sb:
            o = sb.operator
            env = {"FBHUB_GRAPH_URL": sb.url, "FBHUB_APP_ID": o.app_id, "FBHUB_APP_SECRET": o.app_secret,
                   "FBHUB_PAGE_TOKENS": ",".join(o.page_tokens), "FBHUB_DOMAIN": o.domain,
                   "FBHUB_VERIFY_TOKEN": o.verify_token or "", "FBHUB_RETRY_BUDGET": "2"}
            for case in cases:
                args, r = _run(cli, case, tmp_path, env)
                ran += 1
                bad += _check(args, r.stdout + r.stderr)
    assert ran == len(cases) > 10
    assert not bad, "\n".join(bad)
