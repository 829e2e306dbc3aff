"""Run the catalogue of checks. verify-app and doctor both come here; they differ only in the groups."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fbhub.checks import evaluate as ev
from fbhub.checks.catalogue import BY_ID, CHECKS, DOCTOR_GROUPS, GROUPS, VERIFY_APP_GROUPS, CheckSpec
from fbhub.checks.facts import Facts, gather
from fbhub.errors import UsageError
from fbhub.results import CheckResult

if TYPE_CHECKING:
    from fbhub.session import Session

__all__ = ["BY_ID", "CHECKS", "DOCTOR_GROUPS", "GROUPS", "VERIFY_APP_GROUPS", "CheckSpec", "Run", "inputs_from",
           "parse_ids", "run_checks", "select_groups"]


@dataclass
class Run:
    results: list[CheckResult]
    facts: Facts
    inputs: ev.Inputs
    duration_s: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


def parse_ids(values: Iterable[str] | None) -> set[str]:
    """--only / --ignore values: ids (FB501), id prefixes (FB5) or group names, comma-separated or repeated."""
    out: set[str] = set()
    for v in values or []:
        for item in str(v).replace(" ", ",").split(","):
            item = item.strip()
            if not item:
                continue
            up = item.upper()
            if up in BY_ID:
                out.add(up)
            elif item in GROUPS:
                out |= {c.id for c in CHECKS if c.group == item}
            elif up.startswith("FB") and any(c.id.startswith(up) for c in CHECKS):
                out |= {c.id for c in CHECKS if c.id.startswith(up)}
            else:
                raise UsageError(f"unknown check {item!r}",
                                 hint="use an id like FB501, a prefix like FB5, or a group; see 'fbhub doctor --list'")
    return out


def select_groups(groups: Iterable[str], *, only: set[str] | None = None,
                  ignore: set[str] | None = None) -> list[str]:
    """The groups worth running for --only / --ignore (so no Graph call is made for checks left out).

    ``--only`` of a webhook-endpoint check (FB8xx) brings that group in even without ``--probe``.
    """
    order = list(GROUPS)
    chosen = set(groups)
    if only:
        chosen = {BY_ID[i].group for i in only}
    if ignore:
        chosen = {g for g in chosen if not all(c.id in ignore for c in CHECKS if c.group == g)}
    return [g for g in order if g in chosen]


def inputs_from(session: Session) -> ev.Inputs:
    """What the operator configured, from settings and the secret store (secret values stay out)."""
    from fbhub.meta.domain import parse_domain

    s = session.settings
    domain = s.get("domain")
    warnings: tuple[str, ...] = ()
    if domain:
        warnings = parse_domain(domain).warnings
    return ev.Inputs(
        profile=s.profile,
        domain=domain,
        domain_warnings=warnings,
        app_id=s.get("app_id"),
        has_app_secret=bool(session.secrets.get("app-secret")),
        has_verify_token=bool(session.secrets.get("verify-token")),
        token_labels=list(session.secrets.page_tokens()),
        pages=list(s.get("pages") or []),
        graph_version=s["graph_version"],
        webhook_fields=list(s["webhook_fields"]),
        keyring_problem=session.secrets.keyring_problem,
    )


def run_checks(session: Session, groups: Iterable[str], *, transport: Any = None, only: set[str] | None = None,
               ignore: set[str] | None = None, probe: Any = None, client: Any = None,
               progress: Any = None) -> Run:
    """Gather facts for ``groups`` and evaluate every check in them, in catalogue order.

    ``probe`` is a callable returning FB8xx results (doctor --probe). ``progress(label)`` is told what runs.
    """
    t0 = time.monotonic()
    groups = set(groups)
    inp = inputs_from(session)
    tokens = session.secrets.page_tokens()
    facts = Facts()
    own_client = client is None
    graph_groups = groups - {"local", "dashboard", "webhook-endpoint"}
    can_call = bool(inp.app_id and inp.has_app_secret)
    if graph_groups and can_call:
        if own_client:
            client = session.graph_client(transport=transport)
        try:
            if progress:
                progress("asking the Graph API")
            facts = gather(client, tokens=tokens, pages=inp.pages, groups=groups)
        finally:
            if own_client:
                client.close()
    else:
        from fbhub.checks.facts import TokenFacts

        facts.tokens = [TokenFacts(label=k, token=v) for k, v in tokens.items()]
    results: list[CheckResult] = []
    if "local" in groups:
        results += ev.local(inp)
        results += ev.configured_pages_have_tokens(inp, facts)
    if "credentials" in groups:
        results += ev.credentials(inp, facts)
    if "app-settings" in groups:
        results += ev.app_settings(inp, facts)
    if "app-webhook" in groups:
        results += ev.app_webhook(inp, facts)
    if "page-token" in groups:
        results += ev.page_tokens(inp, facts)
    if "page-subscription" in groups:
        results += ev.page_subscriptions(inp, facts)
    if "graph-version" in groups:
        results += ev.graph_version(inp, facts)
    if "webhook-endpoint" in groups and probe is not None:
        if progress:
            progress("probing the webhook endpoint")
        results += probe()
    if "dashboard" in groups:
        results += ev.dashboard(inp)
    if only:
        results = [r for r in results if r.id in only]
    if ignore:
        results = [r for r in results if r.id not in ignore]
    return Run(results=results, facts=facts, inputs=inp, duration_s=time.monotonic() - t0)
