"""doctor --fix: turn what the checks found into a repair plan, using the webhook planners (one place).

fbhub repairs what the Graph API lets it repair: the app's Page webhook (callback URL, fields, active) and
each Page's subscription to the app. Everything else is reported with its fix.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fbhub.checks.model import Report
    from fbhub.session import Session

APP_IDS = {"FB401", "FB402", "FB403", "FB404", "FB405"}
PAGE_IDS = {"FB601", "FB602", "FB603"}


@dataclass
class RepairPlan:
    app_plan: Any = None  # fbhub.actions.app_webhook.AppPlan
    page_plans: list[tuple[Any, Any]] = field(default_factory=list)  # (PagePlan, PageTarget)
    notes: list[str] = field(default_factory=list)  # wanted repairs fbhub cannot make, and why
    verify_token: str | None = None
    failures: int = 0  # repairs that failed when applied (doctor --fix exits 1)

    @property
    def empty(self) -> bool:
        return self.app_plan is None and not self.page_plans

    def lines(self) -> list[str]:
        out = []
        if self.app_plan is not None:
            out.append(f"{_app_change(self.app_plan)} ({'; '.join(self.app_plan.reasons)})")
        out += [_page_change(plan, target) for plan, target in self.page_plans]
        out += [f"cannot repair: {n}" for n in self.notes]
        return out

    def apply(self, session: Session) -> RepairOutcome:
        """Write the plan, change by change; Graph errors become lines, never exceptions.

        Each change is recorded as it lands (``RepairOutcome`` and ``fbhub.changes``): when Ctrl-C stops the
        run half-way, the CLI lists what was applied, what was in flight (may have landed: check again) and
        what was not applied — never "nothing was changed" after a write.
        """
        import threading

        from fbhub import changes
        from fbhub.actions.app_webhook import apply_app_plan
        from fbhub.actions.page_subscriptions import DEFAULT_WORKERS, _run_each, apply_page_plan
        from fbhub.graph.limits import CANCEL, Cancelled

        result = RepairOutcome()
        app_change = _app_change(self.app_plan) if self.app_plan is not None else None
        page_changes = [_page_change(plan, target) for plan, target in self.page_plans]
        result.not_applied = ([app_change] if app_change else []) + list(page_changes)
        changes.planned(*result.not_applied)
        changes.again("run 'fbhub doctor' to see where things stand, and 'fbhub doctor --fix' to make the rest")
        lock = threading.Lock()
        in_flight: set[str] = set()

        def landed(change: str, ok: bool, line: str) -> None:
            with lock:
                in_flight.discard(change)
                result.lines.append(line)
                if ok:
                    result.not_applied.remove(change)
                    result.applied.append(change)
                    changes.done(change)
                else:
                    result.failed.append(change)
                    self.failures += 1

        def stopped() -> None:
            with lock:
                for change in sorted(in_flight):
                    result.not_applied.remove(change)
                    result.unknown.append(change)
                    changes.unknown(change)

        with session.graph_client() as client:
            try:
                if self.app_plan is not None and app_change is not None:
                    in_flight.add(app_change)
                    res = apply_app_plan(client, self.app_plan, self.verify_token or "")
                    landed(app_change, res.ok,
                           f"app webhook: {res.status}" + (f" — {res.cause}; {res.fix}" if not res.ok else ""))

                def one(item: tuple[tuple[Any, Any], str]) -> Any:
                    (plan, target), change = item
                    if CANCEL.is_set():  # Ctrl-C before this one started: it is not sent at all
                        raise Cancelled()
                    with lock:
                        in_flight.add(change)
                    res = apply_page_plan(client, plan, target)
                    extra = f" — {res.cause}; {res.fix}" if not res.ok else ""
                    landed(change, res.ok, f"page {res.page_id}: {res.status}{extra}")
                    return res

                _run_each(list(zip(self.page_plans, page_changes, strict=True)), one, DEFAULT_WORKERS)
            except KeyboardInterrupt:
                stopped()
                raise
        return result


@dataclass
class RepairOutcome:
    """What ``doctor --fix`` did, change by change. Iterating gives the lines to print after a full run."""

    lines: list[str] = field(default_factory=list)  # one per change attempted, in the order they ended
    applied: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # tried, and Meta refused or could not be reached
    unknown: list[str] = field(default_factory=list)  # in flight when the run was stopped: may have landed
    not_applied: list[str] = field(default_factory=list)  # planned, not (successfully) made

    def __iter__(self) -> Iterator[str]:
        return iter(self.lines)


def _app_change(p: Any) -> str:
    return f"app webhook → {p.callback_url} with {len(p.final)} fields"


def _page_change(plan: Any, target: Any) -> str:
    name = f" ({target.name})" if target.name else ""
    what = "subscribe" if not plan.installed else "add fields"
    return f"page {plan.page_id}{name}: {what} {', '.join(plan.add)}"


def plan_repairs(session: Session, run: Report) -> RepairPlan:
    """A plan from the facts doctor already gathered (no extra Graph reads)."""
    from fbhub.actions.app_webhook import plan_app
    from fbhub.actions.page_subscriptions import PageTarget, plan_page
    from fbhub.meta.subscriptions import split_subscribed_apps

    plan = RepairPlan()
    facts, inp = run.facts, run.inputs
    desired = list(inp.webhook_fields)
    if run.problems(APP_IDS) and facts.subscriptions is not None and facts.subscriptions.ok:
        verify = session.secrets.get("verify-token")
        if not inp.domain:
            plan.notes.append("the app webhook needs a domain: 'fbhub config set domain …'")
        elif not verify:
            plan.notes.append("the app webhook needs a verify token: 'fbhub secrets set verify-token --generate' "
                              "(and the same value on the CX server)")
        else:
            app_plan = plan_app(facts.subscriptions.data, inp.domain, desired)
            if app_plan.changed:
                plan.app_plan, plan.verify_token = app_plan, verify
    bad_pages = {r.details.get("page_id") for r in run.problems(PAGE_IDS)}
    tokens = session.secrets.page_tokens()
    for pf in facts.pages.values():
        if pf.page_id not in bad_pages:
            continue
        if pf.subscribed_apps is None or not pf.subscribed_apps.ok or pf.token_label not in tokens:
            plan.notes.append(f"page {pf.page_id}: no usable Page token to change its subscription")
            continue
        current, _ = split_subscribed_apps(pf.subscribed_apps.data, inp.app_id)
        page_plan = plan_page(pf.page_id, current, desired)
        tok = next((t for t in facts.tokens if t.label == pf.token_label), None)
        blocked = tok.blocking_scopes() if tok is not None else []
        if page_plan.changed:
            target = PageTarget(page_id=pf.page_id, token=tokens[pf.token_label], label=pf.token_label,
                                name=pf.name, blocked=_blocked_text(blocked))
            plan.page_plans.append((page_plan, target))
    return plan



def _blocked_text(missing: list[str]) -> str:
    return f"the token lacks {' and '.join(missing)}" if missing else ""


@dataclass
class Repaired:
    """What the repair flow did: its plan, whether it was applied, and the checks' report afterwards."""

    plan: RepairPlan
    report: Report
    applied: bool = False


def repair(session: Session, report: Report, *, show: Callable[[RepairPlan], None],
           confirm: Callable[[RepairPlan], None], told: Callable[[str], None],
           recheck: Callable[[], Report]) -> Repaired:
    """The one repair flow of doctor --fix and demo: plan from the report, show, confirm, apply, check again.

    ``confirm`` raises (or aborts) to stop before anything is written; ``told`` hears one line per change.
    """
    plan = plan_repairs(session, report)
    if plan.empty:
        return Repaired(plan, report)
    show(plan)
    confirm(plan)
    for line in plan.apply(session):
        told(line)
    return Repaired(plan, recheck(), applied=True)
