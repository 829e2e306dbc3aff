"""The stages of ``fbhub configure``: the operator guide's checklist, one function per stage.

Each stage prints what to do and where, prints the values to paste, asks for what it needs through a
``Prompter``, verifies what the Graph API can verify, and returns a ``StageOutcome``. Nothing is written
while a stage runs: ``Wizard.commit`` writes the stage's settings (config, atomically), its secrets
(keyring) and its status (state file, atomically) at the end. Ctrl-C in the middle of a stage therefore
leaves everything as it was before that stage.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fbhub.checks.model import CheckResult, Status
from fbhub.errors import FbhubError, InconclusiveError, SecretStoreError, UsageError
from fbhub.meta.scopes import DISCOVERY_SCOPES, REQUIRED_SCOPES
from fbhub.redact import mask
from fbhub.wizard.prompter import NeedsInput, Option, Prompter
from fbhub.wizard.state import WizardState, state_path

if TYPE_CHECKING:
    from fbhub.checks.facts import Inputs, TokenFacts
    from fbhub.graph.client import GraphClient
    from fbhub.session import Session

SHORT_LIVED_SECONDS = 2 * 3600  # a user token expiring sooner than this is a short-lived one
DEVELOPERS_APPS = "https://developers.facebook.com/apps"


@dataclass(frozen=True)
class StageSpec:
    id: str
    title: str
    where: str  # where in Meta's dashboard (or elsewhere) the work happens
    checked_by: str  # "api", "operator" or "local": who can say the stage is done
    optional: bool = False


STAGES: tuple[StageSpec, ...] = (
    StageSpec("prerequisites", "Prerequisites", "facebook.com; Meta Business Suite > Business settings", "operator"),
    StageSpec("domain", "CX domain", "your CloudCX installation's public host name", "local"),
    StageSpec("create-app", "Create the Business app (App ID, App Secret)",
              "developers.facebook.com/apps > Create App; App settings > Basic", "api"),
    StageSpec("facebook-login", "Facebook Login for Business",
              "App Dashboard > Facebook Login for Business > Settings", "operator"),
    StageSpec("messenger", "Messenger: connect Pages, Page access tokens",
              "App Dashboard > Messenger > Messenger API Settings > 2. Generate access tokens", "api"),
    StageSpec("webhooks", "Webhooks: callback URL, verify token, fields",
              "Messenger API Settings > 1. Configure webhooks", "api"),
    StageSpec("connector-hub", "Connector Hub settings",
              "https://DOMAIN:9006 > Advance > Connector Hub Setting > Facebook", "operator"),
    StageSpec("testers", "Testers (optional)", "Business settings > Users > People > Assign assets", "operator",
              optional=True),
    StageSpec("app-review", "App Review", "App settings > Basic; App Review > Permissions and Features",
              "operator"),
    StageSpec("live", "Live mode", "App Dashboard top bar > App Mode", "operator"),
)
BY_ID: dict[str, StageSpec] = {s.id: s for s in STAGES}
ORDER: list[str] = [s.id for s in STAGES]
# Stages whose values a non-interactive run can take from flags / env and verify.
VALUE_STAGES = ("domain", "create-app", "messenger", "webhooks")


@dataclass
class SecretWrite:
    kind: str
    value: str
    label: str | None = None
    from_env: bool = False  # given through FBHUB_* / stdin: a missing keyring only warns


@dataclass
class StageOutcome:
    status: str  # pending | done | verified | skipped
    note: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    secrets: list[SecretWrite] = field(default_factory=list)
    stop: bool = False  # the operator chose to stop here; configure resumes at this stage


@dataclass
class Given:
    """Values handed to configure up front (flags, FBHUB_* variables, --secrets-stdin)."""

    pages: list[str] = field(default_factory=list)  # --page IDs
    secrets: dict[str, str] = field(default_factory=dict)  # kind -> value (page-token: whitespace/comma list)
    secret_sources: dict[str, str] = field(default_factory=dict)  # kind -> "FBHUB_APP_SECRET" / "stdin"


@dataclass
class PageToken:
    page_id: str
    name: str
    token: str
    warnings: list[str] = field(default_factory=list)


class _AppIdRejected(Exception):
    """Meta does not know the App ID: the App ID (not the secret) must be asked again."""

    def __init__(self, error: UsageError) -> None:
        super().__init__(error.message)
        self.error = error


# ------------------------------------------------------------------------------------------ output
class Out:
    """Plain, copyable output: values to paste are printed on their own line and never wrapped."""

    def __init__(self, console: Any) -> None:
        self.console = console

    def _p(self, text: str, style: str | None = None, *, raw: bool = False) -> None:
        """One line; secrets are redacted unless ``raw`` (a value the operator must copy, e.g. the verify token)."""
        from rich.text import Text

        from fbhub.redact import redact
        from fbhub.safetext import clean
        from fbhub.wrap import say

        say(self.console, Text(clean(text if raw else redact(text), lines=True), style=style or ""))

    def heading(self, text: str) -> None:
        self._p("")
        self._p(text, "bold")

    def line(self, text: str = "", style: str | None = None) -> None:
        self._p(text, style)

    def steps(self, items: list[str]) -> None:
        for i, item in enumerate(items, 1):
            self._p(f"  {i}. {item}")

    def copy(self, value: str) -> None:
        """Put ``value`` on the terminal's clipboard (OSC 52: works over SSH in most terminals), not on screen."""
        import base64

        f = getattr(self.console, "file", None)
        if f is None or not getattr(f, "isatty", lambda: False)():
            return
        f.write("\x1b]52;c;" + base64.b64encode(value.encode()).decode("ascii") + "\x07")
        f.flush()

    def paste(self, label: str, value: str, where: str | None = None, *, raw: bool = False) -> None:
        self._p(f"  {label}:", "bold")
        self._p(f"    {value}", "cyan", raw=raw)
        if where:
            self._p(f"    → {where}", "dim")

    def ok(self, text: str) -> None:
        self._p(f"✓ {text}", "green")

    def warn(self, text: str) -> None:
        self._p(f"! {text}", "yellow")

    def bad(self, text: str, hint: str | None = None) -> None:
        self._p(f"✗ {text}", "red")
        if hint:
            self._p(f"  hint: {in_wizard(hint)}", "yellow")


# ------------------------------------------------------------------------------------------ wizard
class Wizard:
    """Runs the stages for one profile; see the module docstring for when things are written."""

    def __init__(self, session: Session, prompter: Prompter, console: Any, *, given: Given | None = None,
                 state: WizardState | None = None, now: Callable[[], float] = time.time,
                 stdout_is_tty: bool = False) -> None:
        self.session = session
        self.settings = session.settings
        self.store = session.secrets
        from fbhub.secrets import SecretStore

        self.keyring = SecretStore.for_settings(self.settings, env={})  # reads the store only (quietly)
        self.p = prompter
        self.out = Out(console)
        self.given = given or Given()
        self.state = state or WizardState.load(state_path(self.settings.config_path), self.settings.profile)
        self.now = now
        self.stdout_is_tty = stdout_is_tty
        self.values: dict[str, Any] = dict(self.settings.values)
        self.secret_values: dict[str, str] = {}
        self.run_page_tokens: dict[str, str] = {}
        self.running: StageSpec | None = None
        self.probe_url: str | None = None  # where the webhook stage asks for the verify token (default: callback)
        self.skipped: list[str] = []  # what the operator skipped in this run ("stage: what")
        self.open_items: list[str] = []  # stages marked done while a check still fails
        self.completed: list[str] = []
        self._clients: dict[tuple[str, str], GraphClient] = {}

    # -- values known so far -----------------------------------------------------------------------
    @property
    def interactive(self) -> bool:
        return bool(getattr(self.p, "interactive", False))

    @property
    def profile(self) -> str:
        return self.settings.profile

    def from_flag(self, name: str) -> bool:
        return self.settings.sources.get(name) == "flag"

    def known_secret(self, kind: str) -> tuple[str | None, str | None]:
        """(value, where it came from): this run's earlier stages, then given (env/stdin), then the keyring."""
        if kind in self.secret_values:
            return self.secret_values[kind], "this run"
        if self.given.secrets.get(kind):
            return self.given.secrets[kind], self.given.secret_sources.get(kind, "the environment")
        value = self.keyring.get(kind)  # keyring only: the environment was looked at through ``given``
        return (value, "the keyring") if value else (None, None)

    def stored_page_tokens(self) -> dict[str, str]:
        """Page tokens by label (page id): the keyring's, whatever FBHUB_PAGE_TOKENS says, and this run's."""
        return {**self.keyring.page_tokens(), **self.run_page_tokens}

    def client(self, app_id: str | None = None, secret: str | None = None) -> GraphClient:
        """A GraphClient for these credentials (default: what is known so far), built by the session."""
        app_id = app_id or self.values.get("app_id")
        if secret is None:
            secret, _ = self.known_secret("app-secret")
        if not app_id or not secret:
            raise UsageError("the App ID and App Secret are not known yet",
                             hint="run 'fbhub configure --stage create-app' first")
        key = (app_id, secret)
        if key not in self._clients:
            self._clients[key] = self.session.with_values(app_id=app_id).graph_client(app_secret=secret)
        return self._clients[key]

    def close(self) -> None:
        for c in self._clients.values():
            c.close()
        self._clients.clear()

    def inputs(self) -> Inputs:
        from fbhub.checks.facts import Inputs

        return Inputs(profile=self.profile, domain=self.values.get("domain"), app_id=self.values.get("app_id"),
                      has_app_secret=True, pages=list(self.values.get("pages") or []),
                      graph_version=self.settings["graph_version"],
                      webhook_fields=list(self.settings["webhook_fields"]), now=self.now())

    # -- running -------------------------------------------------------------------------------------
    def plan(self, *, stage: str | None = None) -> list[StageSpec]:
        if stage is not None:
            return [BY_ID[stage]]
        if not self.interactive:
            return [BY_ID[s] for s in VALUE_STAGES]
        return [s for s in STAGES if not self.state.record(s.id).complete]

    def run(self, *, stage: str | None = None) -> list[str]:
        """Run the planned stages; returns the ids of the stages it completed. The Graph clients it opened are
        closed when it returns (or is interrupted)."""
        todo = self.plan(stage=stage)
        total = len(STAGES)
        from fbhub import changes

        try:
            for spec in todo:
                changes.reset()  # an interrupted stage reports what it stored, not what earlier stages did
                self.running = spec
                self.state.set_current(spec.id)
                self.state.save()
                self.out.heading(f"Stage {ORDER.index(spec.id) + 1}/{total} · {spec.title}")
                self.out.line(f"Where: {spec.where.replace('DOMAIN', self.values.get('domain') or 'DOMAIN')}",
                              "dim")
                outcome = STAGE_FUNCS[spec.id](self)
                self.commit(spec, outcome)
                self.running = None
                if outcome.status in ("done", "verified", "skipped"):
                    self.completed.append(spec.id)
                if outcome.stop:
                    break
        finally:
            self.close()
        return self.completed

    def commit(self, spec: StageSpec, outcome: StageOutcome) -> None:
        """Write one stage's results: keyring (the likelier to fail), config (atomic), then state (atomic)."""
        for sw in outcome.secrets:
            try:
                self.store.set(sw.kind, sw.value, label=sw.label)
            except SecretStoreError as exc:
                if not sw.from_env:
                    raise
                self.out.warn(f"{sw.kind} not stored in the keyring ({exc.message}); keep it in "
                              f"{self.given.secret_sources.get(sw.kind, 'the environment')}")
            if sw.kind == "page-token" and sw.label:
                self.run_page_tokens[sw.label] = sw.value
            elif sw.kind != "page-token":
                self.secret_values[sw.kind] = sw.value
        if outcome.settings:
            from fbhub.configfile import ConfigFile
            from fbhub.settings import to_file_value

            with ConfigFile.edit(self.settings.config_path) as cfg:
                for k, v in outcome.settings.items():
                    cfg.set(self.profile, k, to_file_value(k, v))
            self.values.update(outcome.settings)
        self.state.mark(spec.id, outcome.status, outcome.note)
        self.state.set_current(None if outcome.status != "pending" else spec.id)
        self.state.save()

    # -- helpers for stages --------------------------------------------------------------------------
    def not_yet(self, label: str) -> str:
        """After a 'no' to "have you done X?": do it now (then Enter), skip it for now, or stop here.

        Returns "done" (the operator did it and pressed Enter), "skip" or "stop"."""
        choice = self.p.choose(f"Not yet: {label.rstrip('?')} — what now?", [
            Option("now", "Do it now, then press Enter here"),
            Option("skip", "Skip it for now (listed at the end; 'fbhub doctor' keeps checking what it can)"),
            Option("stop", "Stop here; the next run continues at this stage")], default="now")
        if choice == "now":
            self.p.ask("Press Enter when it is done", default="")
            return "done"
        return choice

    def confirm_all(self, labels: list[str], *, waiting: str) -> StageOutcome | None:
        """Ask each "have you done X?" (default No); a 'no' offers now / skip / stop. None when all are done."""
        if not self.interactive:
            return StageOutcome("pending", f"not confirmed yet (it needs a terminal): {waiting}")
        for label in labels:
            if self.p.confirm(label, default=False):
                continue
            what = self.not_yet(label)
            if what == "skip":
                self.skipped.append(f"{self.running.id if self.running else '?'}: {label.rstrip('?')}")
                return StageOutcome("skipped", f"skipped for now: {label.rstrip('?')}")
            if what == "stop":
                return StageOutcome("pending", f"waiting for: {label.rstrip('?')}", stop=True)
        return None

    def paste_value(self, key: str) -> Any:
        from fbhub.meta.urls import paste_values

        domain = self.values.get("domain")
        if not domain:
            raise UsageError("the CX domain is not known yet", hint="run 'fbhub configure --stage domain' first")
        return next(v for v in paste_values(domain) if v.key == key)


# ------------------------------------------------------------------------------------------ stages
def stage_prerequisites(w: Wizard) -> StageOutcome:
    w.out.line("Before you create the Meta app you need:")
    w.out.steps([
        "A valid Facebook account (it becomes the app's administrator).",
        "A Business Manager account (Meta business portfolio) whose business is verified: "
        "Business settings > Security Center > Business verification. An app outside a verified "
        "Business Manager cannot be submitted for App Review.",
        "A valid Facebook Page that your customers message.",
    ])
    stopped = w.confirm_all(["You have a Facebook account?", "Your Business Manager account is verified?",
                             "You manage the Facebook Page(s) to connect?"],
                            waiting="Facebook account, verified Business Manager, a Page")
    return stopped or StageOutcome("done", "confirmed by the operator")


def stage_domain(w: Wizard) -> StageOutcome:
    from fbhub.meta.domain import parse_domain

    current = w.values.get("domain")
    w.out.line("The public host name of your CloudCX server; every URL you paste is built from it.")
    if current and (w.from_flag("domain") or not w.interactive):
        dom = parse_domain(current)
        w.out.line(f"CX domain: {dom.host} (from {w.settings.sources.get('domain')})")
    elif not w.interactive:
        raise NeedsInput(["CX domain: --domain cx.example.com or FBHUB_DOMAIN"])
    else:
        while True:
            dom = w.p.ask("CX domain (e.g. cx.example.com)", default=current, validate=parse_domain)
            if not dom.warnings:
                break
            for warning in dom.warnings:
                w.out.warn(warning)
            if w.p.confirm("Use it anyway?", default=False):
                break
            current = None
    for warning in dom.warnings if not w.interactive else ():
        w.out.warn(warning)
    w.out.ok(f"CX domain {dom.host}")
    return StageOutcome("done", dom.host, settings={"domain": dom.host})


def _verify_credentials(w: Wizard, app_id: str, secret: str) -> str:
    """Ask Meta for an app token with these credentials; returns the app's name. UsageError if refused."""
    from fbhub.graph.errors import InvalidAppId, InvalidAppSecret

    client = w.client(app_id, secret)
    try:
        client.app_token()
    except InvalidAppSecret:
        raise UsageError(f"Meta refused this App Secret ({mask(secret)}) for App ID {app_id}: it belongs to "
                         "another app, or it was reset",
                         hint="App settings > Basic > App secret > Show, then copy it again") from None
    except InvalidAppId as exc:
        raise _AppIdRejected(UsageError(f"Meta does not know App ID {app_id} ({exc.graph_message or exc.message})",
                                        hint="copy the App ID from App settings > Basic of the app you "
                                        "created")) from None
    try:
        app = client.get_app(["id", "name"])
    except FbhubError:  # the name is only for display
        return ""
    return str(app.get("name") or "")


def stage_create_app(w: Wizard) -> StageOutcome:
    from fbhub.secrets import validate_app_secret
    from fbhub.settings import parse_app_id

    w.out.line("Create the Meta app:")
    w.out.steps([
        f"Open {DEVELOPERS_APPS} and click Create App.",
        "Business portfolio: select your verified Meta business portfolio, then Next.",
        "Use cases: select Other, then Next.",
        "App type: select Business, then Next.",
        "App details: app name, contact email, and your verified Business Manager account; click Create app.",
        "App settings > Basic: copy the App ID, and the App Secret (click Show).",
    ])
    app_id: str | None = w.values.get("app_id")
    ask_id = w.interactive and not w.from_flag("app_id")
    cand, cand_src = w.known_secret("app-secret")
    while True:
        if ask_id:
            app_id = w.p.ask("App ID", default=app_id, validate=parse_app_id)
        elif not app_id:
            raise NeedsInput(["App ID: --app-id or FBHUB_APP_ID"])
        secret = name = secret_src = None
        try:
            if cand:
                try:
                    name = _verify_credentials(w, app_id, validate_app_secret(cand, cand_src or "input"))
                    secret, secret_src = cand, cand_src
                    w.out.line(f"App Secret: {mask(cand)} (from {cand_src})")
                except UsageError as exc:
                    if not w.interactive:
                        raise
                    w.out.bad(exc.message, exc.hint)
                    cand = None
            if secret is None:
                if not w.interactive:
                    raise NeedsInput(["App Secret: FBHUB_APP_SECRET, or APP_SECRET=… on stdin with --secrets-stdin"])

                def check(value: str, app_id: str = app_id) -> tuple[str, str]:
                    value = validate_app_secret(value)
                    return value, _verify_credentials(w, app_id, value)

                secret, name = w.p.secret("App Secret", validate=check)
        except _AppIdRejected as rej:
            if not w.interactive or not ask_id:
                raise rej.error from None
            w.out.bad(rej.error.message, rej.error.hint)
            app_id = None
            continue
        break
    w.out.ok(f"App ID {app_id}" + (f" ({name})" if name else "") + ": Meta issued an app access token, so the "
             "App Secret matches")
    return StageOutcome("verified", f"App ID {app_id}" + (f" ({name})" if name else "") + "; App Secret accepted",
                        settings={"app_id": app_id},
                        secrets=[SecretWrite("app-secret", secret,
                                             from_env=secret_src not in (None, "the keyring", "this run"))])


def stage_facebook_login(w: Wizard) -> StageOutcome:
    v = w.paste_value("oauth_redirect_uri")
    w.out.steps([
        "App Dashboard > Add product (or Use cases): Facebook Login for Business > Set up.",
        "Facebook Login for Business > Settings: turn on Client OAuth login and Web OAuth login.",
        "Add this URL to Valid OAuth Redirect URIs, then Save changes:",
    ])
    w.out.paste(v.label, v.value, v.where)
    w.out.line("The Graph API cannot read these settings, so confirm them here.", "dim")
    stopped = w.confirm_all(["Client OAuth login is on?", "Web OAuth login is on?",
                             f"{v.value} is listed under Valid OAuth Redirect URIs?"],
                            waiting="Client OAuth login, Web OAuth login, redirect URI")
    return stopped or StageOutcome("done", "confirmed by the operator (not readable through the Graph API)")


# -- messenger ---------------------------------------------------------------------------------------
def _inspect_page_tokens(w: Wizard, tokens: dict[str, str]) -> dict[str, tuple[TokenFacts, list[CheckResult]]]:
    """label -> (TokenFacts, results) using the page-token checks of ``fbhub.checks`` (one check, one place)."""
    from fbhub.checks.facts import token_target
    from fbhub.checks.runner import check

    report = check(w.client(), w.inputs(), tokens, ["credentials", "page-token"])
    bad = [r for r in report.results if r.group == "credentials" and r.failed]
    if bad and bad[0].status is Status.ERROR:  # could not check (network, rate limit): exit 3, not bad input
        raise InconclusiveError(f"could not check the app's credentials: {bad[0].found}",
                                hint="try again in a while: the progress so far is kept")
    if bad:
        raise UsageError(f"the app's credentials did not check out: {bad[0].found}", hint=bad[0].fix or None)
    out = {}
    for t in report.facts.tokens:
        tgt = token_target(t)
        out[t.label] = (t, [r for r in report.results if r.group == "page-token" and r.target == tgt])
    return out


def _page_token_from(w: Wizard, label: str, facts_results: tuple[TokenFacts, list[CheckResult]], token: str,
                     expect_page: str | None = None) -> PageToken:
    t, results = facts_results
    problems = [r for r in results if r.failed]
    unsure = [r for r in problems if r.status is Status.ERROR]
    if unsure:  # could not check (network, rate limit): exit 3, not bad input
        raise InconclusiveError(f"could not check page token {mask(token)}: {unsure[0].found}",
                                hint="try again in a while: the progress so far is kept")
    if problems:
        r = problems[0]
        more = "; ".join(p.found for p in problems[1:])
        raise UsageError(f"page token {mask(token)}: {r.found}" + (f"; {more}" if more else ""),
                         hint=r.fix or None)
    if not t.page_id:
        raise UsageError(f"page token {mask(token)}: Meta did not say which Page it is for",
                         hint="generate it again in Messenger > Messenger API Settings > Generate access tokens")
    if expect_page and t.page_id != expect_page:
        raise UsageError(f"page token {mask(token)} is for Page {t.page_id}, not {expect_page}",
                         hint="take the token of the right Page")
    warnings = [f"{r.title}: {r.found}" + (f" ({in_wizard(r.fix)})" if r.fix else "") for r in results
                if r.status is Status.WARN]
    return PageToken(page_id=t.page_id, name=t.page_name or "", token=token, warnings=warnings)


def _check_one_page_token(w: Wizard, value: str, expect_page: str | None = None) -> PageToken:
    from fbhub.secrets import validate_token

    value = validate_token(value, "input", "page access token")
    res = _inspect_page_tokens(w, {"input": value})
    return _page_token_from(w, "input", res["input"], value, expect_page)


def _verify_many(w: Wizard, chosen: list[tuple[str, str, str]]) -> list[PageToken]:
    """Verify (page_id, name, token) triples in one gather; raises UsageError on the first problem."""
    res = _inspect_page_tokens(w, {pid: tok for pid, _, tok in chosen})
    out = []
    for pid, name, tok in chosen:
        pt = _page_token_from(w, pid, res[pid], tok, expect_page=pid)
        pt.name = pt.name or name
        out.append(pt)
    return out


def _check_user_token(w: Wizard, value: str) -> tuple[str, dict[str, Any]]:
    from fbhub.graph.errors import TokenOfOtherApp
    from fbhub.secrets import validate_token

    value = validate_token(value, "input", "user access token")
    app_id = w.values.get("app_id")
    try:
        d = w.client().debug_token(value)
    except TokenOfOtherApp:
        raise UsageError(f"user token {mask(value)} was issued for another app, not App ID {app_id}",
                         hint="in Graph API Explorer select this app under Meta App before Generate Access "
                         "Token") from None
    except InconclusiveError:
        raise
    except FbhubError as exc:
        raise UsageError(f"Meta would not inspect user token {mask(value)}: {exc.message}",
                         hint="copy a fresh user access token of this app") from None
    if not d.get("is_valid", False):
        e = d.get("error") or {}
        raise UsageError(f"user token {mask(value)} is not valid: {e.get('message', 'Meta says it is not valid')}",
                         hint="log in again and copy a fresh user access token")
    if d.get("type") != "USER":
        raise UsageError(f"{mask(value)} is a {d.get('type')} token, not a user access token",
                         hint="for Page tokens choose 'paste Page access tokens'; a user token comes from Graph "
                         "API Explorer (User Token) or your Facebook Login")
    if str(d.get("app_id", "")) != str(app_id):
        raise UsageError(f"user token {mask(value)} was issued for app {d.get('application', '')!r} "
                         f"({d.get('app_id')}), not App ID {app_id}",
                         hint="select this app under Meta App in Graph API Explorer and generate the token again")
    missing = [s for s in REQUIRED_SCOPES if s not in (d.get("scopes") or [])]
    if missing:
        raise UsageError(f"user token {mask(value)} lacks {', '.join(missing)}",
                         hint="generate it again and add the permissions " + ", ".join(DISCOVERY_SCOPES)
                         + ", business_management")
    return value, d


def _short_lived(w: Wizard, d: dict[str, Any]) -> float | None:
    """Seconds left when the user token is short-lived, else None."""
    try:
        exp = int(d.get("expires_at") or 0)
    except (TypeError, ValueError):
        return None
    left = exp - w.now()
    return left if exp and left < SHORT_LIVED_SECONDS else None


def _discover(w: Wizard, token: str, d: dict[str, Any]) -> list[dict[str, str]]:
    """The Pages this user token manages, with their Page tokens: /me/accounts, else granular_scopes."""
    client = w.client()
    rows = [r for r in client.me_accounts(token, ("id", "name", "access_token", "tasks"))
            if isinstance(r, dict) and r.get("id") and r.get("access_token")]
    if rows:
        from fbhub.meta.scopes import page_task_problems
        from fbhub.safetext import name as safe_name

        w.out.line(f"/me/accounts lists {len(rows)} Page(s).")
        for r in rows:
            for problem in page_task_problems(r.get("tasks")):
                label = safe_name(str(r.get("name") or r["id"]))
                w.out.warn(f"Page {label}: the person behind this token {problem}")
        return [{"id": str(r["id"]), "name": str(r.get("name") or ""), "token": r["access_token"]} for r in rows]
    ids: list[str] = []
    for g in d.get("granular_scopes") or []:
        if isinstance(g, dict) and g.get("scope") in DISCOVERY_SCOPES:
            for pid in g.get("target_ids") or []:
                if str(pid) not in ids:
                    ids.append(str(pid))
    if ids:
        w.out.line(f"/me/accounts is empty (Facebook Login for Business); the token grants {len(ids)} Page(s) "
                   "by id, reading each one.")
    out = []
    for pid in ids:
        try:
            page = client.get_page(pid, token, ("id", "name", "access_token"))
        except InconclusiveError:
            raise
        except FbhubError as exc:
            w.out.warn(f"Page {pid}: {exc.message}")
            continue
        if page.get("access_token"):
            from fbhub.redact import register_secret

            register_secret(page["access_token"])
            out.append({"id": str(page.get("id") or pid), "name": str(page.get("name") or ""),
                        "token": page["access_token"]})
        else:
            w.out.warn(f"Page {pid}: Meta gave no Page token (does this person have a task on the Page?)")
    return out


def _user_route(w: Wizard) -> list[PageToken]:
    given, src = w.given.secrets.get("user-token"), w.given.secret_sources.get("user-token", "FBHUB_USER_TOKEN")
    token = d = None
    if given:
        try:
            token, d = _check_user_token(w, given)
            w.out.line(f"User token: {mask(token)} (from {src})")
        except UsageError as exc:
            if not w.interactive:
                raise
            w.out.bad(exc.message, exc.hint)
    if token is None:
        if not w.interactive:
            raise NeedsInput(["User access token: FBHUB_USER_TOKEN"])
        w.out.line("Get one in Graph API Explorer (https://developers.facebook.com/tools/explorer): Meta App = this "
                   "app, User Token, permissions " + ", ".join(DISCOVERY_SCOPES) + ", business_management; "
                   "Generate Access Token, pick your Pages, copy.")
        token, d = w.p.secret("User access token", validate=lambda v: _check_user_token(w, v))
    assert d is not None
    left = _short_lived(w, d)
    if left is not None:
        w.out.warn(f"this user token is short-lived: it expires in {max(left, 0) / 60:.0f} min; Page tokens taken "
                   "from it expire with it")
        exchange = True
        if w.interactive:
            exchange = w.p.confirm("Exchange it for a long-lived user token (about 60 days; its Page tokens do "
                                   "not expire)?", default=True)
        else:
            w.out.line("exchanging it for a long-lived user token (the App Secret is known)")
        if exchange:
            long_tok, expires_in = w.client().exchange_user_token(token)
            token, d = _check_user_token(w, long_tok)
            days = f" (expires in {expires_in / 86400:.0f} days)" if expires_in else ""
            w.out.ok(f"exchanged for a long-lived user token{days}")
        else:
            w.out.warn("keeping the short-lived token: its Page tokens stop working within the hour; run "
                       "'fbhub configure --stage messenger' again with a long-lived token")
    found = _discover(w, token, d)
    if not found:
        raise UsageError("no Pages found for this user token",
                         hint="this person needs a task on the Page, and the token needs pages_show_list; with "
                         "Facebook Login for Business select the Pages in the login dialog")
    by_id = {p["id"]: p for p in found}
    if w.given.pages:
        unknown = [p for p in w.given.pages if p not in by_id]
        if unknown:
            listed = ", ".join(f"{p['name']} {p['id']}" for p in found)
            raise UsageError(f"--page {', '.join(unknown)}: not among this user's Pages ({listed})",
                             hint="check the Page IDs, or log in as a person who manages those Pages")
        chosen = list(w.given.pages)
    elif w.interactive:
        chosen = w.p.choose_many("Pages to connect", [Option(p["id"], f"{p['name']} ({p['id']})") for p in found])
    else:
        chosen = list(by_id)
    return _verify_many(w, [(pid, by_id[pid]["name"], by_id[pid]["token"]) for pid in chosen])


def _page_route(w: Wizard) -> list[PageToken]:
    from fbhub.secrets import split_tokens

    got: dict[str, PageToken] = {}
    given = w.given.secrets.get("page-token")
    if given:
        for tok in split_tokens(given):
            try:
                pt = _check_one_page_token(w, tok)
            except UsageError as exc:
                if not w.interactive:
                    raise
                w.out.bad(exc.message, exc.hint)
                continue
            got[pt.page_id] = pt
        if w.given.pages:
            missing = [p for p in w.given.pages if p not in got]
            if missing:
                raise UsageError(f"--page {', '.join(missing)}: no Page token given for it",
                                 hint="add its Page token to FBHUB_PAGE_TOKENS (Messenger API Settings > Generate)")
            got = {k: v for k, v in got.items() if k in w.given.pages}
    if not w.interactive:
        if not got:
            raise NeedsInput(["Page access tokens: FBHUB_PAGE_TOKENS (or FBHUB_USER_TOKEN to discover Pages)"])
        return list(got.values())
    while not got or w.p.confirm("Add another Page token?", default=False):
        pt = w.p.secret("Page access token", validate=lambda v: _check_one_page_token(w, v))
        if pt.page_id in got:
            w.out.warn(f"Page {pt.name} ({pt.page_id}) was given already; keeping the newer token")
        got[pt.page_id] = pt
        w.out.ok(f"Page {pt.name} ({pt.page_id}): a token of this app with the permissions the platform needs")
    return list(got.values())


def _keep_route(w: Wizard, stored: dict[str, str]) -> list[PageToken]:
    pages = {p["id"]: p.get("name", "") for p in w.values.get("pages") or []}
    return _verify_many(w, [(pid, pages[pid], stored[pid]) for pid in pages if pid in stored])


def stage_messenger(w: Wizard) -> StageOutcome:
    w.out.steps([
        "App Dashboard > Add product: Messenger > Set up.",
        "Messenger > Messenger API Settings > 2. Generate access tokens: click Connect and add your Page(s).",
        "Then either click Generate and Copy for each Page, or give fbhub a user access token and it finds your "
        "Pages and their tokens.",
    ])
    stored = w.stored_page_tokens()
    configured = [p["id"] for p in w.values.get("pages") or []]
    can_keep = bool(configured) and all(pid in stored for pid in configured)
    if w.interactive:
        opts = [Option("user", "Give a user access token: fbhub lists the Pages you manage and takes their tokens"),
                Option("page", "Paste the Page access token(s) you generated")]
        if can_keep:
            opts.append(Option("keep", f"Keep the stored tokens of {len(configured)} configured Page(s) "
                                       "and check them again"))
        default = "user" if w.given.secrets.get("user-token") else (
            "page" if w.given.secrets.get("page-token") else ("keep" if can_keep else "user"))
        route = w.p.choose("How do you want to give the Page tokens?", opts, default=default)
    elif w.given.secrets.get("page-token"):
        route = "page"
    elif w.given.secrets.get("user-token"):
        route = "user"
    elif can_keep:
        route = "keep"
    else:
        raise NeedsInput(["Page access tokens: FBHUB_PAGE_TOKENS, or FBHUB_USER_TOKEN to discover the Pages "
                          "(--page ID to pick some)"])
    pages = {"user": _user_route, "page": _page_route}.get(route, lambda w: _keep_route(w, stored))(w)
    before = list(w.values.get("pages") or [])
    new_ids = [p.page_id for p in pages]
    kept: list[dict[str, str]] = []
    if route != "keep" and any(p["id"] not in new_ids for p in before):
        others = [p for p in before if p["id"] not in new_ids]
        names = ", ".join(f"{p.get('name') or p['id']} ({p['id']})" for p in others)
        how = "add"
        if w.interactive:
            how = w.p.choose(f"{len(others)} other Page(s) are configured already ({names}). Add the new ones to "
                             "them, or replace them?", [
                                 Option("add", "Add: keep them and their tokens"),
                                 Option("replace", "Replace: the configured Pages become exactly these")],
                             default="add")
        if how == "add":
            kept = others
            w.out.line(f"kept {len(others)} configured Page(s): {names}")
        else:
            w.out.warn(f"removed {len(others)} Page(s) from the profile: {names} (their tokens stay in the store; "
                       "'fbhub secrets delete page-token --page ID' removes one)")
    added = [p for p in pages if p.page_id not in {b["id"] for b in before}]
    if added and before:
        w.out.line("added: " + ", ".join(f"{p.name} ({p.page_id})" for p in added))
    for pt in pages:
        w.out.ok(f"Page {pt.name} ({pt.page_id}): token of this app, for this Page, with pages_messaging, "
                 "pages_manage_metadata, pages_show_list")
        for warning in pt.warnings:
            w.out.warn(f"Page {pt.page_id}: {warning}")
    from_env = route == "page" and bool(w.given.secrets.get("page-token"))
    return StageOutcome(
        "verified", f"{len(pages) + len(kept)} Page(s): " + ", ".join(
            [f"{p.get('name')} ({p['id']})" for p in kept] + [f"{p.name} ({p.page_id})" for p in pages]),
        settings={"pages": kept + [{"id": p.page_id, "name": p.name} for p in pages]},
        secrets=[SecretWrite("page-token", p.token, label=p.page_id, from_env=from_env) for p in pages])


# -- webhooks ----------------------------------------------------------------------------------------
def _webhook_problems(w: Wizard) -> tuple[list[CheckResult], list[CheckResult]]:
    """(problems, warnings) from the app-webhook and page-subscription checks of ``fbhub.checks``."""
    from fbhub.checks.runner import check

    stored = w.stored_page_tokens()
    pages = list(w.values.get("pages") or [])
    tokens = {p["id"]: stored[p["id"]] for p in pages if p["id"] in stored}
    report = check(w.client(), w.inputs(), tokens, ["credentials", "app-webhook", "page-subscription"])
    problems = [r for r in report.results if r.failed]
    warnings = [r for r in report.results if r.status is Status.WARN]
    return problems, warnings


def _set_webhooks_through_api(w: Wizard, verify_token: str, fields: list[str]) -> list[str]:
    """What 'fbhub subscribe-app' and 'fbhub subscribe-page' do, with the same planners; one line per change."""
    from fbhub.actions.app_webhook import apply_app_plan, plan_app
    from fbhub.actions.page_subscriptions import subscribe_pages

    client = w.client()
    lines = []
    try:
        plan = plan_app(client.get_app_subscriptions(), w.values.get("domain") or "", fields)
    except FbhubError as exc:
        return [f"could not read the app's webhook: {exc.message}"]
    res = apply_app_plan(client, plan, verify_token)
    lines.append(f"app webhook: {res.status}" + (f" — {res.cause}; {res.fix}" if not res.ok else ""))
    stored = w.stored_page_tokens()
    tokens = {p["id"]: stored[p["id"]] for p in (w.values.get("pages") or []) if p["id"] in stored}
    for o in subscribe_pages(client, tokens, app_id=str(w.values.get("app_id") or ""), desired=fields):
        lines.append(f"page {o.page_id}: {o.status}" + (f" — {o.cause}; {o.fix}" if not o.ok else ""))
    return lines


def _choose_verify_token(w: Wizard, cb_url: str) -> tuple[str, str]:
    """(the verify token to give Meta, why this one), following the vendor guide unless told otherwise.

    1. a verify token handed over in FBHUB_VERIFY_TOKEN(_FILE) / stdin: the operator chose it;
    2. what the CX server's endpoint accepts, when the operator lets fbhub ask it (probe-webhook's finding);
    3. a verify token stored earlier;
    4. the guide's choice: the Page access token ("paste the access token to the Verify Token");
    5. a random one, when no Page token is known yet.
    """
    import secrets as pysecrets

    from fbhub.checks.verifytoken import candidates_for, discover
    from fbhub.secrets import validate_verify_token

    vt, vt_src = w.known_secret("verify-token")
    if vt and vt_src not in ("the keyring", "this run"):
        return validate_verify_token(vt, vt_src or "input"), f"from {vt_src}"
    pages = list(w.values.get("pages") or [])
    cands = candidates_for(vt, w.stored_page_tokens(), pages)
    guide = next((c for c in cands if c.kind == "page-token"), None)
    url = w.probe_url or cb_url
    if cands and w.interactive and w.p.confirm(
            f"Ask the CX server's webhook ({url}) which verify token it accepts? (fbhub sends Meta's verification "
            "request with each value it knows)", default=True):
        from fbhub.checks.probe import tls_context

        ctx = tls_context() if url.startswith("https://") else None
        finding = discover(url, cands, timeout=w.settings["timeout"], ctx=ctx)
        for line in finding.lines():
            w.out.line(f"  {line}")
        if finding.checks_token and finding.accepted is not None:
            return finding.accepted.value, f"{finding.accepted.name}: the CX server accepts it (probed)"
        if finding.checks_token:
            w.out.warn("the CX server accepts none of these; set the value below on the CX server too, or store "
                       "the one it expects with 'fbhub secrets set verify-token'")
    if vt:
        return validate_verify_token(vt, "the store"), "the verify token stored earlier"
    if guide is not None:
        return guide.value, (f"{guide.name}, as the vendor guide says (\"paste the access token to the Verify "
                             "Token\")")
    return pysecrets.token_urlsafe(32), "generated by fbhub (no Page token is known yet)"


def stage_webhooks(w: Wizard) -> StageOutcome:
    cb = w.paste_value("webhook_callback_url")
    vt, why = _choose_verify_token(w, cb.value)
    fields = list(w.settings["webhook_fields"])
    w.out.steps([
        "Messenger > Messenger API Settings > 1. Configure webhooks > Configure (or Edit Callback URL).",
        "Paste the Callback URL and the Verify Token below, then Verify and save.",
        "Under Webhook fields / Add subscriptions for each Page, subscribe the fields below and save "
        "(the guide says: all fields).",
    ])
    w.out.paste(cb.label, cb.value, cb.where)
    w.out.paste("Verify Token", mask(vt), f"{why}; stored as this profile's verify token")
    w.out.line("  Meta sends this value to the CX server, which must compare it with the one it holds; "
               "'fbhub probe-webhook' asks the server which value it accepts.", "dim")
    if w.interactive and w.stdout_is_tty and w.p.confirm("Copy the Verify Token to the clipboard?", default=False):
        w.out.copy(vt)
        w.out.line("  copied through the terminal (OSC 52); if your terminal does not allow it: "
                   "fbhub secrets show verify-token --reveal", "dim")
    elif w.interactive or w.stdout_is_tty:
        w.out.line("  to see the value itself: fbhub secrets show verify-token --reveal", "dim")
    w.out.paste("Fields", ", ".join(fields), "at least messages and messaging_postbacks")
    from_env = why.startswith("from ")
    secret = [SecretWrite("verify-token", vt, from_env=from_env)]
    saved = "Webhook saved (Verify and save) and the fields subscribed?"
    if w.interactive and not w.p.confirm(saved, default=False):
        what = w.not_yet(saved)
        if what == "stop":
            return StageOutcome("pending", "waiting for the webhook to be saved in the dashboard", secrets=secret,
                                stop=True)
        if what == "skip":
            w.skipped.append("webhooks: the webhook in the dashboard")
            return StageOutcome("skipped", "skipped for now: the webhook in the dashboard", secrets=secret)
    while True:
        problems, warnings = _webhook_problems(w)
        for r in warnings:
            w.out.warn(f"{r.title} ({r.target}): {r.found}")
        if not problems:
            w.out.ok(f"the app's Page webhook calls {cb.value} with the fields the platform needs, and every "
                     "configured Page is subscribed")
            return StageOutcome("verified", f"webhook {cb.value}; Pages subscribed", secrets=secret)
        for r in problems:
            w.out.bad(f"{r.title} ({r.target}): {r.found}", r.fix or None)
        if not w.interactive:
            return StageOutcome("pending", "; ".join(f"{r.id} {r.found}" for r in problems)[:300], secrets=secret)
        choice = w.p.choose("What now?", [
            Option("api", "Let fbhub set it now through the Graph API (the app webhook and the Page subscriptions)"),
            Option("again", "Check again (after fixing it in the dashboard)"),
            Option("done", "Mark it done anyway; 'fbhub doctor' will check later"),
            Option("stop", "Stop here and continue later")], default="api")
        if choice == "api":
            for line in _set_webhooks_through_api(w, vt, fields):
                w.out.line(line)
            continue
        if choice == "done":
            w.open_items.append("webhooks: " + "; ".join(f"{r.id} {r.found}" for r in problems)[:200])
            return StageOutcome("done", "marked done by the operator; the API check found problems", secrets=secret)
        if choice == "stop":
            return StageOutcome("pending", "the API check found problems", secrets=secret, stop=True)


def stage_connector_hub(w: Wizard) -> StageOutcome:
    portal = w.paste_value("admin_portal")
    app_id = w.values.get("app_id") or "(your App ID)"
    secret, _ = w.known_secret("app-secret")
    w.out.steps([
        "Log in to the system administrator portal (below).",
        "Go to Advance > Connector Hub Setting > Facebook.",
        "Paste the App ID as Client-id and the App Secret as Client-Secret, then save.",
        "Check that the portal's Authorized Redirect URL and Webhook URL are the ones below.",
    ])
    w.out.paste(portal.label, portal.value)
    w.out.paste("Client-id (App ID)", app_id)
    w.out.paste("Client-Secret (App Secret)", f"{mask(secret)} — copy it from App settings > Basic > App secret"
                if secret else "copy it from App settings > Basic > App secret")
    for key in ("oauth_redirect_uri", "webhook_callback_url"):
        v = w.paste_value(key)
        w.out.paste(v.label, v.value)
    stopped = w.confirm_all(["Client-id and Client-Secret are saved in the Connector Hub?"],
                            waiting="Client-id / Client-Secret in the Connector Hub")
    if stopped:
        return stopped
    w.out.line("Tenants can now connect their Pages under Inbox > Channels > Facebook.")
    return StageOutcome("done", "confirmed by the operator")


def stage_testers(w: Wizard) -> StageOutcome:
    try:
        roles = w.client().get_app_roles()
        testers = [r for r in roles if r.get("role") == "testers"]
        w.out.line(f"The app has {len(roles)} role(s), {len(testers)} tester(s).")
    except FbhubError:  # informational only
        pass
    w.out.line("Optional: while the app is in Development mode only people with a role on it can use it. A "
               "Tester with limited access keeps your own developer account out of testing.")
    if not w.interactive:
        return StageOutcome("pending", "optional; not confirmed yet")
    if not w.p.confirm("Add a Tester now?", default=False):
        return StageOutcome("skipped", "optional stage left out")
    w.out.steps([
        "The tester needs a Meta developer account.",
        "Business settings (Meta Business Manager) > the portfolio connected to the app > Users > People > "
        "Invite people: their email, access type, no business assets; Send invitation. They accept it.",
        "On the right of that user: Assign assets > the Meta app, with test access > Assign assets.",
    ])
    stopped = w.confirm_all(["The tester accepted the invitation and has the app assigned?"],
                            waiting="tester invitation")
    return stopped or StageOutcome("done", "confirmed by the operator")


def stage_app_review(w: Wizard) -> StageOutcome:
    from fbhub.checks.runner import check

    report = check(w.client(), w.inputs(), {}, ["app-settings"])
    results = [r for r in report.results if r.id != "FB308"]
    w.out.line("App settings Meta requires (App settings > Basic), read from the live app:")
    for r in results:
        if r.status is Status.PASS:
            w.out.ok(f"{r.title}: {r.found}")
        else:
            w.out.bad(f"{r.title}: {r.found}", r.fix or None)
    w.out.line("Then, in this order:")
    w.out.steps([
        "Test message delivery between the Page and the CX system (a Page connected in a tenant).",
        "Record five screencasts: pages_show_list, pages_manage_metadata, business_management, Business Asset "
        "User Profile Access, pages_messaging.",
        "App Review > Permissions and Features: public_profile > Request advanced access.",
        "Request advanced access for pages_manage_metadata, pages_messaging, pages_show_list, Business Asset "
        "User Profile Access and business_management; Continue request.",
        "Messenger API Settings > 3. Complete App Review > Request Permission: unselect pages_read_engagement.",
        "App Review > Requests: answer the data handling questions.",
        "For each permission: description, screencast, test instructions; then Submit for Review.",
    ])
    w.out.line(f"'fbhub review-kit' writes the descriptions, screencast checklist and test instructions "
               f"(app-review-{w.profile}.md).", "dim")
    stopped = w.confirm_all(["The app is submitted for App Review?"], waiting="App Review submission")
    return stopped or StageOutcome("done", "submitted (confirmed by the operator)")


def stage_live(w: Wizard) -> StageOutcome:
    w.out.steps([
        "Wait until App Review grants Advanced Access for the permissions.",
        "App Dashboard top bar: switch App Mode from Development to Live.",
    ])
    w.out.line("The Graph API cannot read the App Mode, so confirm it here.", "dim")
    stopped = w.confirm_all(["The app is Live?"], waiting="App Mode Live")
    if stopped:
        return stopped
    w.out.ok("the configuration on Facebook is finished; run 'fbhub doctor' to check the whole setup")
    return StageOutcome("done", "confirmed by the operator")


STAGE_FUNCS: dict[str, Callable[[Wizard], StageOutcome]] = {
    "prerequisites": stage_prerequisites,
    "domain": stage_domain,
    "create-app": stage_create_app,
    "facebook-login": stage_facebook_login,
    "messenger": stage_messenger,
    "webhooks": stage_webhooks,
    "connector-hub": stage_connector_hub,
    "testers": stage_testers,
    "app-review": stage_app_review,
    "live": stage_live,
}


# ------------------------------------------------------------------------------------------ status
def status_rows(state: WizardState) -> list[dict[str, Any]]:
    rows = []
    for s in STAGES:
        rec = state.record(s.id)
        rows.append({"stage": s.id, "title": s.title, "status": rec.status, "at": rec.at, "note": rec.note,
                     "checked_by": s.checked_by, "optional": s.optional})
    return rows


def still_open(state: Any, w: Any = None) -> list[str]:
    """What is not finished although every stage ran: skipped stages, stages marked done while a check failed."""
    out = []
    for s in ORDER:
        rec = state.record(s)
        if rec.status == "skipped":
            out.append(f"{s} ({BY_ID[s].title}): skipped — {rec.note or 'left out'}; 'fbhub configure --stage {s}' "
                       "does it later")
    for item in (w.open_items if w is not None else []):
        out.append(f"{item} — 'fbhub doctor' shows what still fails")
    return out


def resume_line(stage_id: str | None, *, here: bool = False) -> str:
    """Where configure continues. ``here``: said by a configure run itself, which does not tell the operator to
    run the command they are in (it says "run it again")."""
    if stage_id is None:
        return "every stage is complete; 'fbhub configure --restart' starts over"
    if here:
        return f"progress is saved: run it again to continue at stage {stage_id} — {BY_ID[stage_id].title}"
    return f"run 'fbhub configure' to continue at stage {stage_id} — {BY_ID[stage_id].title}"


def in_wizard(text: str) -> str:
    """A check's fix or an error's hint as configure says it: a check that would send the operator to
    'fbhub configure' (doctor's fix for a User token, say) speaks of this wizard instead."""
    return re.sub(r"'fbhub\s+configure(?:\s+--stage\s+([a-z-]+))?'",
                  lambda m: f"this wizard's {m.group(1)} stage" if m.group(1) else "this wizard", text)
