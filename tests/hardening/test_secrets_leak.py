"""Secrets: plant known secrets, run every command in every output format, and look for them everywhere.

Planted: the App Secret, two Page tokens, the webhook verify token and a user token — through FBHUB_*
variables in one run, through the keyring (``fbhub secrets set``, file keyring from tests/conftest.py) in
another. Every command runs with ``--verbose`` in every output format on a healthy and on failing scenarios,
including error paths (wrong secret, bad input, an unreachable Graph API). Neither a secret nor any
12-character window of one may appear in stdout, stderr (which carries the verbose log), any file written
(reports, bundle, review kit, config.yaml, state.yaml), or a URL query string the sandbox received.

Every run starts with an empty process-wide redactor, as a new ``fbhub`` process would: the sandbox itself
registers its world's secrets in this process, which would otherwise hide a secret fbhub forgot to register.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.parse
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from fbhub.sandbox import app_token_for, run_sandbox

from .support import REPO, STATS, WebhookReceiver, closed_port_url, has_command, run_cli

WINDOW = 12
P1, P2 = "110000000000001", "110000000000002"


@dataclass
class Planted:
    values: dict[str, str]  # label -> secret value (planted by the operator)
    derived: dict[str, str] = field(default_factory=dict)  # secrets fbhub derives (the app token's secret part)

    def windows(self) -> dict[str, str]:
        """12-character window -> label of the secret it belongs to."""
        out: dict[str, str] = {}
        for label, value in {**self.values, **self.derived}.items():
            if len(value) <= WINDOW:
                out[value] = label
            for i in range(len(value) - WINDOW + 1):
                out.setdefault(value[i:i + WINDOW], label)
        return out


class LeakCheck:
    def __init__(self, planted: Planted) -> None:
        self.planted = planted
        self.windows = planted.windows()
        self.min_len = min(len(w) for w in self.windows)
        self.token_runs = re.compile(r"[A-Za-z0-9_\-|.%~+/=]{" + str(self.min_len) + ",}")
        self.leaks: list[str] = []
        self.places = 0

    def look(self, place: str, text: str) -> None:
        """Any window of any secret in ``text``? Scans only the runs of token-like characters."""
        self.places += 1
        STATS.secret_places += 1
        STATS.secret_checks += len(self.planted.values) + len(self.planted.derived)
        if not text:
            return
        for m in self.token_runs.finditer(text):
            run = m.group(0)
            for n in {len(w) for w in self.windows}:
                for i in range(len(run) - n + 1):
                    label = self.windows.get(run[i:i + n])
                    if label is not None:
                        ctx = text[max(0, m.start() - 60):m.end() + 20].replace("\n", "⏎")
                        self.leaks.append(f"{label} in {place}: …{ctx}…")
                        return

    def look_run(self, name: str, r) -> None:
        STATS.secret_runs += 1
        self.look(f"stdout of {name}", r.stdout)
        self.look(f"stderr of {name}", r.stderr)
        assert "Traceback" not in r.stdout + r.stderr, (name, r.stderr[-2000:])

    def look_files(self, *roots: Path, skip: tuple[str, ...] = ("keyring.json",)) -> list[Path]:
        seen = []
        for root in roots:
            for p in sorted(root.rglob("*")):
                if p.is_file() and p.name not in skip:
                    seen.append(p)
                    self.look(f"file {p.name}", p.read_text(encoding="utf-8", errors="replace"))
        return seen

    def look_requests(self, sb) -> None:
        for req in sb.requests:
            q = req.query
            text = q + " " + urllib.parse.unquote_plus(q) + " " + req.path
            self.look(f"URL of {req.method} {req.path}", text)
            names = set(urllib.parse.parse_qs(q, keep_blank_values=True))
            bad = names & {"access_token", "client_secret", "appsecret_proof", "input_token", "verify_token",
                           "fb_exchange_token", "hub.verify_token"}
            if bad:
                self.leaks.append(f"secret parameter(s) {sorted(bad)} in the query string of {req.method} {req.path}")


def _planted(sb) -> Planted:
    op = sb.operator
    values = {"app-secret": op.app_secret, "page-token-1": op.page_tokens[0], "page-token-2": op.page_tokens[1],
              "verify-token": op.verify_token, "user-token": op.user_token}
    derived = {}
    app = sb.world.apps.get(op.app_id)
    if app is not None:
        derived["app-token"] = app_token_for(app).split("|", 1)[1]
    return Planted({k: v for k, v in values.items() if v}, derived)


# -- what runs ------------------------------------------------------------------------------------------

SCENARIOS = ["healthy", "demo", "wrong-secret", "unreachable"]


def _commands(out: Path, receiver_url: str | None, full: bool) -> list[list[str]]:
    """Every command that loads secrets, in every output format (full) or the network commands (not full)."""
    cmds = [
        ["doctor"], ["doctor", "--format", "json"], ["doctor", "--format", "junit"],
        ["doctor", "--format", "github"],
        ["verify-app"], ["verify-app", "--json"],
        ["subscribe-page", "--json"], ["subscribe-app", "--json", "--force"],
    ]
    if not full:
        return cmds + [["unsubscribe-page", "--yes", "--dry-run"], ["subscribe-app"]]
    cmds += [
        ["doctor", "--format", "junit", "--output", str(out / "report.xml")],
        ["doctor", "--format", "json", "--output", str(out / "report.json"), "--bundle", str(out / "bundle.json")],
        ["doctor", "--output", str(out / "report.txt")],
        ["doctor", "--fix", "--yes", "--format", "json"],
        ["subscribe-page", "--dry-run"],
        ["unsubscribe-page", "--yes", "--json"], ["unsubscribe-page", "--yes"],
        ["subscribe-page"],  # puts the Pages back
        ["subscribe-app"], ["subscribe-app", "--dry-run", "--replace", "--json"],
        ["config", "show"], ["config", "show", "--json"], ["secrets", "list"], ["secrets", "list", "--json"],
        ["urls"], ["urls", "--json"], ["explain", "FB202"], ["explain", "190/463"],
        # error paths: bad input with every secret loaded
        ["doctor", "--graph-version", "latest"], ["subscribe-page", "--fields", "messages,mesages"],
        ["doctor", "--only", "FB999"], ["unsubscribe-page"],
    ]
    if receiver_url:
        cmds += [["probe-webhook", "--url", receiver_url, "--allow-http", "--check-signature"],
                 ["probe-webhook", "--url", receiver_url, "--allow-http", "--json"],
                 ["doctor", "--probe", "--format", "json"]]
    if has_command("review-kit"):
        cmds.append(["review-kit", "--force", "--output", str(out / "app-review.md")])
    if has_command("configure"):
        cmds += [["configure", "--non-interactive"], ["configure", "--status"], ["configure", "--status", "--json"]]
    return cmds


def _env_for(sb, graph_url: str, source: str) -> dict[str, str]:
    op = sb.operator
    env = {"FBHUB_GRAPH_URL": graph_url, "FBHUB_APP_ID": op.app_id, "FBHUB_DOMAIN": op.domain,
           "FBHUB_PAGES": f"{P1}:Support,{P2}:Sales", "FBHUB_RETRY_BUDGET": "0", "FBHUB_TIMEOUT": "3"}
    if source == "env":
        env.update(FBHUB_APP_SECRET=op.app_secret, FBHUB_PAGE_TOKENS=",".join(op.page_tokens),
                   FBHUB_VERIFY_TOKEN=op.verify_token, FBHUB_USER_TOKEN=op.user_token)
    return env


def _plant_in_keyring(sb, check: LeakCheck, env: dict[str, str]) -> None:
    """``fbhub secrets set`` for each secret (stdin, as documented); these runs are checked too."""
    op = sb.operator
    for args, value in ((["secrets", "set", "app-secret"], op.app_secret),
                        (["secrets", "set", "page-token", "--page", P1], op.page_tokens[0]),
                        (["secrets", "set", "page-token", "--page", P2], op.page_tokens[1]),
                        (["secrets", "set", "verify-token"], op.verify_token),
                        (["secrets", "set", "user-token"], op.user_token)):
        r = run_cli("--verbose", *args, env=env, input=value + "\n", fresh_redactor=True)
        assert r.exit_code == 0, (args, r.stderr)
        check.look_run(" ".join(args), r)


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("source", ["env", "keyring"])
def test_no_secret_leaves(source, scenario, tmp_path, isolated_env, hardening_stats):
    out = tmp_path / "out"
    out.mkdir()
    with ExitStack() as stack:
        sb = stack.enter_context(run_sandbox("healthy" if scenario == "unreachable" else scenario))
        graph_url = closed_port_url() if scenario == "unreachable" else sb.url
        planted = _planted(sb)
        for label, value in planted.values.items():
            STATS.secrets_planted.add(f"{source}:{label}:{value}")
        check = LeakCheck(planted)
        env = _env_for(sb, graph_url, source)
        if source == "keyring":
            _plant_in_keyring(sb, check, env)
        receiver = stack.enter_context(WebhookReceiver(sb.operator.verify_token, sb.operator.app_secret))
        full = scenario in ("healthy", "demo")
        for args in _commands(out, receiver.url, full):
            r = run_cli("--verbose", *args, env=env, fresh_redactor=True)
            check.look_run(" ".join(args), r)
            assert r.exit_code in (0, 1, 2, 3), (args, r.exit_code, r.stderr[-1000:])
            if scenario == "unreachable" and args[0] in ("doctor", "verify-app") and "--only" not in args \
                    and "latest" not in args:
                assert r.exit_code == 3, (args, r.stderr[-1000:])
        files = check.look_files(isolated_env, out)
        check.look_requests(sb)
        # the handshake to the operator's own endpoint carries the verify token (Meta's protocol); nothing else
        only_verify = Planted({k: v for k, v in planted.values.items() if k != "verify-token"}, planted.derived)
        qcheck = LeakCheck(only_verify)
        for q in receiver.queries:
            qcheck.look("probe handshake query", urllib.parse.unquote_plus(q))
    if full:
        names = {p.name for p in files}
        assert {"report.xml", "report.json", "bundle.json", "report.txt"} <= names, names
    assert not check.leaks, "\n".join(check.leaks[:10])
    assert not qcheck.leaks, "\n".join(qcheck.leaks[:10])


def test_config_file_and_state_written_by_commands_hold_no_secret(tmp_path, isolated_env, hardening_stats):
    """Settings written with ``config set`` (and by configure) sit next to secrets in the keyring, never with them."""
    with run_sandbox("healthy") as sb:
        planted = _planted(sb)
        check = LeakCheck(planted)
        env = {"FBHUB_RETRY_BUDGET": "0"}
        _plant_in_keyring(sb, check, env)
        for args in (["config", "set", "graph_url", sb.url], ["config", "set", "app_id", sb.operator.app_id],
                     ["config", "set", "domain", sb.operator.domain],
                     ["config", "set", "pages", f"{P1}:Support,{P2}:Sales"]):
            r = run_cli("--verbose", *args, env=env, fresh_redactor=True)
            assert r.exit_code == 0, r.stderr
            check.look_run(" ".join(args), r)
        runs = [["doctor", "--format", "json"], ["subscribe-page", "--json"], ["config", "show"]]
        if has_command("configure"):
            runs.append(["configure", "--non-interactive"])
        for args in runs:
            r = run_cli("--verbose", *args, env=env, fresh_redactor=True)
            check.look_run(" ".join(args), r)
            assert r.exit_code == 0, (args, r.stdout[-1500:], r.stderr[-1500:])
        files = check.look_files(isolated_env)
        check.look_requests(sb)
    assert "config.yaml" in {p.name for p in files}
    assert not check.leaks, "\n".join(check.leaks[:10])


@pytest.mark.parametrize("source", ["env", "keyring"])
def test_verbose_log_of_a_real_process(source, tmp_path, isolated_env, hardening_stats):
    """A real ``fbhub`` process (fresh interpreter: only fbhub's own registration of secrets) with --verbose."""
    with run_sandbox("demo") as sb:
        planted = _planted(sb)
        check = LeakCheck(planted)
        env = _env_for(sb, sb.url, source)
        if source == "keyring":
            _plant_in_keyring(sb, check, env)
        full_env = {**os.environ, **env}
        bundle = tmp_path / "bundle.json"
        for args in (["doctor", "--format", "json", "--bundle", str(bundle)], ["subscribe-app", "--force"]):
            p = subprocess.run([sys.executable, "-m", "fbhub", "--verbose", *args], capture_output=True, text=True,
                               env=full_env, cwd=REPO, timeout=60)
            STATS.secret_runs += 1
            check.look(f"stdout of subprocess {args[0]}", p.stdout)
            check.look(f"stderr of subprocess {args[0]}", p.stderr)
            assert "Traceback" not in p.stderr
            assert "[fbhub] graph →" in p.stderr  # the verbose log was there to be checked
        check.look_files(isolated_env, tmp_path)
        check.look_requests(sb)
    assert not check.leaks, "\n".join(check.leaks[:10])


@pytest.mark.parametrize("bad", ["line-break-inside", "quoted", "inner-space", "not-hex"])
def test_rejected_secrets_are_masked_in_the_error(bad, isolated_env, hardening_stats):
    """A secret refused as malformed is still a secret: the error names it only masked."""
    secret = "0123456789abcdef0123456789abcdef"
    token = "EAAGsecretPageTokenValue0123456789abcdefXYZ"
    # (surrounding whitespace and a trailing newline are trimmed, not refused: tests/test_secrets.py)
    value = {"line-break-inside": secret[:16] + "\n" + secret[16:], "quoted": f'"{secret}"',
             "inner-space": secret[:16] + " " + secret[16:],
             "not-hex": secret.upper()}[bad]
    tvalue = {"line-break-inside": token[:20] + "\n" + token[20:], "quoted": f"'{token}'",
              "inner-space": token[:20] + " " + token[20:],
              "not-hex": token + "#"}[bad]
    check = LeakCheck(Planted({"app-secret": secret, "page-token": token}))
    # FBHUB_PAGE_TOKENS is documented as comma- or whitespace-separated: a newline or a space there separates
    # tokens (then refused or checked one by one), so only the other two mistakes are usage errors
    split_ok = bad in ("line-break-inside", "inner-space")
    for args, env, stdin, usage_error in (
        (["verify-app"], {"FBHUB_APP_SECRET": value, "FBHUB_APP_ID": "1234567890123456"}, None, True),
        (["doctor", "--format", "json"], {"FBHUB_PAGE_TOKENS": tvalue}, None, not split_ok),
        (["secrets", "set", "app-secret"], {}, value + "\n", True),
        (["secrets", "set", "page-token", "--page", P1], {}, tvalue + "\n", True),
        (["config", "show"], {"FBHUB_APP_SECRET": value}, None, True),
    ):
        r = run_cli("--verbose", *args, env=env, input=stdin, fresh_redactor=True)
        check.look_run(" ".join(args), r)
        if usage_error:
            assert r.exit_code == 2, (args, r.exit_code, r.stdout[-500:], r.stderr)
    check.look_files(isolated_env)
    assert not check.leaks, "\n".join(check.leaks)


def test_truncated_token_answer_is_not_quoted_in_the_error():
    """A truncated body quoted in an error ('not JSON: {"access_token":"1234…|6xNa') must not carry the cut-off
    token (bug: the app token's first characters were shown)."""
    from fbhub.sandbox import Faults, build_scenario

    sc = build_scenario("healthy")
    sc.world.faults = Faults(malformed=["/oauth/access_token"])
    with run_sandbox(sc) as sb:
        planted = _planted(sb)
        app = sb.world.apps[sb.operator.app_id]
        part = app_token_for(app).split("|", 1)[1]
        env = _env_for(sb, sb.url, "env")
        for args in (["subscribe-app"], ["doctor", "--format", "json"], ["verify-app"]):
            r = run_cli("--verbose", *args, env=env, fresh_redactor=True)
            assert r.exit_code == 3, (args, r.stderr)
            assert "not JSON" in r.stdout + r.stderr
            assert part[:6] not in r.stdout + r.stderr, (args, r.stdout[-1500:], r.stderr[-1500:])
            check = LeakCheck(planted)
            check.look_run(" ".join(args), r)
            assert not check.leaks, check.leaks


def test_redactor_scrubs_every_registered_secret_from_any_text():
    """Property: whatever secrets are registered (some the beginning of others, few or enough for the prefix
    index) and wherever they sit in a text (whole, or a longer one cut short next to them), none survives."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from fbhub.redact import Redactor

    alphabet = st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-|")
    secret = st.text(alphabet, min_size=8, max_size=60)
    filler = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)
    padding = [f"EAAGpadding{i:04d}{'q' * 24}" for i in range(70)]

    @settings(max_examples=150, deadline=None, database=None)
    @given(st.lists(secret, min_size=1, max_size=12, unique=True), st.lists(st.integers(6, 40), max_size=3),
           st.lists(st.tuples(filler, st.integers(0, 99), st.booleans()), min_size=1, max_size=6), filler,
           st.booleans())
    def prop(base, cuts, parts, tail, indexed):
        secrets = list(base)
        for k in cuts:  # secrets that are the beginning of another one
            cut = base[k % len(base)][:k]
            if len(cut) >= 6 and cut not in secrets:
                secrets.append(cut)
        r = Redactor(secrets + (padding if indexed else []))
        text, planted = "", set()
        for f, i, truncate in parts:
            s = secrets[i % len(secrets)]
            if truncate and len(s) > 24:  # a longer secret cut short: only the shorter ones inside it must go
                text += f + s[:22] + "~"
            else:
                text += f + s
                planted.add(s)
        out = r.redact(text + tail)
        for s in planted | {x for x in secrets if x in text}:
            assert s not in out, (s, out)

    prop()


def test_redactor_index_finds_a_short_secret_inside_a_longer_ones_prefix():
    """With enough secrets the redactor switches to a prefix index; a secret that is the beginning of another
    one's indexed prefix must still be found where the longer one is not (bug: it was skipped)."""
    from fbhub.redact import Redactor

    many = [f"EAAGfiller{i:04d}{'x' * 20}" for i in range(70)]  # enough for the index
    short, long_ = "s3cretVerify", "s3cretVerifyAndMuchLongerPageToken0123"
    for secrets in ([short, long_], [*many, short, long_]):
        r = Redactor(secrets)
        out = r.redact(f"token {long_[:22]}ZZZ and {long_} end")
        assert short not in out and long_ not in out, out
