"""The wizard's engine: the stages in the guide's order (``StageSpec``), what a stage returns (``StageOutcome``),
``Wizard`` (runs the stages, commits each at its end) and the status/resume lines.

Each stage prints what to do and where, prints the values to paste, asks for what it needs through a
``Prompter``, verifies what the Graph API can verify, and returns a ``StageOutcome``. Nothing is written
while a stage runs: ``Wizard.commit`` writes the stage's settings (config, atomically), its secrets
(keyring) and its status (state file, atomically) at the end. Ctrl-C in the middle of a stage therefore
leaves everything as it was before that stage."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fbhub.errors import SecretStoreError, UsageError
from fbhub.wizard.output import Out
from fbhub.wizard.prompter import Option, Prompter
from fbhub.wizard.state import COMPLETE, StageStatus, WizardState, state_path

if TYPE_CHECKING:
    from fbhub.checks.facts import Inputs
    from fbhub.graph.client import GraphClient
    from fbhub.session import Session


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
    status: StageStatus
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
                from fbhub.wizard.stages import STAGE_FUNCS

                outcome = STAGE_FUNCS[spec.id](self)
                self.commit(spec, outcome)
                self.running = None
                if outcome.status in COMPLETE:
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

