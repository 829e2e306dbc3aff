"""Running checks: gather the facts the chosen groups need, then each group's evaluator, in report order.

A group whose evaluator (or own I/O) raises becomes ERROR results "crashed: this is a bug" for its checks;
the rest of the report is still complete.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from fbhub.checks import registry
from fbhub.checks.facts import Facts, Inputs, gather, inputs_from, token_facts
from fbhub.checks.model import CheckResult, Group, Report
from fbhub.errors import FbhubError

if TYPE_CHECKING:
    import httpx

    from fbhub.graph.client import GraphClient
    from fbhub.session import Session

Progress = Callable[[str], None]


def evaluate(groups: Sequence[Group], inputs: Inputs, facts: Facts) -> list[CheckResult]:
    """Every group's results, in order; a group that crashes becomes ERROR results, the others are unaffected."""
    out: list[CheckResult] = []
    for g in groups:
        if g.evaluate is None:
            continue
        try:
            out += g.evaluate(inputs, facts)
        except FbhubError:
            raise
        except Exception as exc:  # a bug in one group must not lose the whole report
            out += g.crashed(exc)
    return out


def _chosen(names: Iterable[str]) -> list[Group]:
    wanted = set(names)
    return [g for g in registry.groups() if g.name in wanted]


def check(client: GraphClient, inputs: Inputs, tokens: dict[str, str], groups: Iterable[str]) -> Report:
    """The checks of ``groups`` on tokens given here, with a client built by the caller (configure checks what
    the operator types before it is stored; subscribe-page classifies tokens from stdin)."""
    t0 = time.monotonic()
    chosen = _chosen(groups)
    facts = gather(client, tokens=tokens, pages=inputs.pages, groups={g.name for g in chosen})
    return Report(results=evaluate(chosen, inputs, facts), facts=facts, inputs=inputs,
                  duration_s=time.monotonic() - t0)


def run(session: Session, groups: Iterable[str], *, only: set[str] | None = None, ignore: set[str] | None = None,
        transport: httpx.BaseTransport | None = None, client: GraphClient | None = None,
        progress: Progress | None = None) -> Report:
    """Gather facts for ``groups`` and evaluate every check in them, in report order.

    ``progress(label)`` is told what runs. ``client`` (default: one from the session) makes the Graph calls.
    """
    t0 = time.monotonic()
    chosen = _chosen(groups)
    inp = inputs_from(session)
    tokens = session.secrets.page_tokens()
    facts = Facts(tokens=token_facts(tokens))
    if any(g.graph for g in chosen) and inp.app_id and inp.has_app_secret:
        own = client is None
        graph = session.graph_client(transport=transport) if client is None else client
        try:
            if progress:
                progress("asking the Graph API")
            facts = gather(graph, tokens=tokens, pages=inp.pages, groups={g.name for g in chosen})
        finally:
            if own:
                graph.close()
    crashed: dict[str, list[CheckResult]] = {}
    for g in chosen:
        if g.gather is None:
            continue
        if progress:
            progress(f"checking: {g.title}")
        try:
            facts.extra[g.name] = g.gather(session, inp)
        except FbhubError:
            raise
        except Exception as exc:  # its own I/O crashed: ERROR results for this group only
            crashed[g.name] = g.crashed(exc)
    results: list[CheckResult] = []
    for g in chosen:
        results += crashed[g.name] if g.name in crashed else evaluate([g], inp, facts)
    if only:
        results = [r for r in results if r.id in only]
    if ignore:
        results = [r for r in results if r.id not in ignore]
    return Report(results=results, facts=facts, inputs=inp, duration_s=time.monotonic() - t0)
