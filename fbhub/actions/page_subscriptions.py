"""Page subscriptions (``/{page-id}/subscribed_apps``): find each token's Page, read, plan, apply.

``subscribe_pages`` / ``unsubscribe_pages`` are the whole actions (find, read, plan, confirm, apply), used by
``fbhub subscribe-page`` / ``unsubscribe-page`` and the wizard; ``doctor --fix`` applies page plans through
``fbhub.actions.repair``. Nothing here prints.

Meta's POST to ``subscribed_apps`` REPLACES the app's field list on the Page, so keeping fields that
another tool subscribed means sending the union of what is there and what we want (``replace=False``).
Pages are handled concurrently (bounded); one Page's failure never stops the others.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from fbhub.actions.outcome import (
    CHANGED,
    DONE,
    FAILED,
    INCONCLUSIVE,
    PLANNED,
    UNCHANGED,
    Confirm,
    is_inconclusive,
)
from fbhub.errors import FbhubError
from fbhub.meta.subscriptions import get, split_subscribed_apps, succeeded, unwrap
from fbhub.redact import redact

DEFAULT_WORKERS = 8



@dataclass(frozen=True)
class PageTarget:
    """A Page and the token that manages it. ``label`` is the keyring label (never the token)."""

    page_id: str
    token: str = field(repr=False)
    label: str = ""
    name: str = ""
    blocked: str = ""  # why subscribing will fail ("the token lacks pages_messaging"), when known beforehand


@dataclass(frozen=True)
class PagePlan:
    """What subscribing (or unsubscribing) one Page means, field by field."""

    page_id: str
    add: list[str]  # wanted and not there yet
    keep: list[str]  # wanted and already there
    remove: list[str]  # there and dropped (--replace, or unsubscribe)
    final: list[str]  # the field list after the change (what a POST sends)
    changed: bool  # something must be written
    installed: bool = True  # the app was installed on the Page before
    other: list[str] = field(default_factory=list)  # there, not wanted, kept (another tool's fields)
    action: str = "subscribe"  # "subscribe" | "unsubscribe"

    def to_dict(self) -> dict[str, Any]:
        return {"page_id": self.page_id, "action": self.action, "installed": self.installed,
                "add": list(self.add), "keep": list(self.keep), "remove": list(self.remove),
                "other": list(self.other), "final": list(self.final), "changed": self.changed}


@dataclass
class PageState:
    """What Meta says about one Page now: our app's fields (None: not installed) and other apps."""

    target: PageTarget
    current: list[str] | None = None
    other_apps: list[dict[str, str]] = field(default_factory=list)
    error: FbhubError | None = None


@dataclass
class PageOutcome:
    """The result for one Page (or one token whose Page could not be found)."""

    page_id: str
    status: str
    plan: PagePlan | None = None
    label: str = ""
    name: str = ""
    cause: str = ""  # one line: what went wrong (redacted)
    meaning: str = ""  # what it means (error catalogue)
    fix: str = ""
    code: str = ""  # "#200", "#230", "HTTP 503" …
    other_apps: list[dict[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in DONE

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"page_id": self.page_id, "name": self.name, "label": self.label,
                             "status": self.status, "plan": self.plan.to_dict() if self.plan else None}
        if not self.ok:
            d.update(cause=self.cause, meaning=self.meaning, fix=self.fix, code=self.code)
        elif self.cause:  # done, with a note (e.g. a webhook field Meta refused was left out)
            d.update(note=self.cause, fix=self.fix)
        if self.other_apps:
            d["other_apps"] = [dict(a) for a in self.other_apps]
        return d


# -- planning (pure) -------------------------------------------------------------------------------


def plan_page(page_id: str, current_fields: Sequence[str] | None, desired: Sequence[str], *,
              replace: bool = False) -> PagePlan:
    """Plan subscribing ``page_id`` to ``desired``.

    ``current_fields`` is the app's field list on the Page (None when the app is not installed). Without
    ``replace`` fields already there stay (the POST sends the union); with it, the list becomes ``desired``.
    """
    want = list(dict.fromkeys(desired))
    if current_fields is None:
        return PagePlan(page_id=page_id, add=want, keep=[], remove=[], final=want, changed=bool(want),
                        installed=False)
    cur = list(dict.fromkeys(current_fields))
    add = [f for f in want if f not in cur]
    keep = [f for f in want if f in cur]
    extra = [f for f in cur if f not in want]
    if replace:
        final, remove, other = want, extra, []
    else:
        final, remove, other = cur + add, [], extra
    # An installed app with no fields and nothing wanted is left alone.
    return PagePlan(page_id=page_id, add=add, keep=keep, remove=remove, final=final,
                    changed=bool(add or remove), installed=True, other=other)


def plan_unsubscribe(page_id: str, current_fields: Sequence[str] | None) -> PagePlan:
    """Plan removing the app from ``page_id`` (DELETE subscribed_apps); nothing to do when not installed."""
    cur = [] if current_fields is None else list(dict.fromkeys(current_fields))
    return PagePlan(page_id=page_id, add=[], keep=[], remove=cur, final=[], changed=current_fields is not None,
                    installed=current_fields is not None, action="unsubscribe")


# -- errors -> outcomes ----------------------------------------------------------------------------


def outcome_from_error(exc: FbhubError, *, page_id: str, label: str = "", name: str = "",
                       plan: PagePlan | None = None) -> PageOutcome:
    """A failed (or inconclusive) outcome naming the cause, what it means and the fix."""
    info = getattr(exc, "info", None)
    meaning = getattr(info, "meaning", "") if info is not None else ""
    fix = (getattr(info, "fix", "") if info is not None else "") or (exc.hint or "")
    code = getattr(exc, "code_label", "") or ""
    return PageOutcome(page_id=page_id, status=INCONCLUSIVE if is_inconclusive(exc) else FAILED, plan=plan,
                       label=label, name=name, cause=redact(exc.message), meaning=redact(meaning),
                       fix=redact(fix), code=code)


def _run_each(items: Sequence[Any], fn: Callable[[Any], Any], workers: int) -> list[Any]:
    """``fn`` over ``items`` on a bounded pool, results in input order."""
    if not items:
        return []
    if workers <= 1 or len(items) == 1:
        return [fn(i) for i in items]
    with ThreadPoolExecutor(max_workers=min(workers, len(items)), thread_name_prefix="fbhub-page") as pool:
        return list(pool.map(fn, items))


# -- finding each token's Page ---------------------------------------------------------------------


def page_id_of(client: Any, token: str) -> str:
    """The Page a Page token belongs to, from ``/me`` (the way without an App Secret to call debug_token)."""
    from fbhub.errors import OperationFailed

    me = unwrap(client.me(token))
    pid = get(me, "id")
    if not pid:
        raise OperationFailed("Meta did not say which Page this token belongs to",
                              hint="check it is a Page token: 'fbhub doctor'")
    return str(pid)


def _targets_from_checks(client: Any, tokens: Mapping[str, str], *, app_id: str | None,
                         names: Mapping[str, str]) -> tuple[list[PageTarget], list[PageOutcome]]:
    """Classify the tokens with doctor's own page-token checks (FB5xx; one batched debug_token round trip)."""
    from fbhub.checks.facts import Inputs, token_target
    from fbhub.checks.model import Status
    from fbhub.checks.runner import check

    report = check(client, Inputs(profile="", domain=None, app_id=app_id, has_app_secret=True), dict(tokens),
                   ["credentials", "page-token"])
    facts = report.facts
    stop = [r for r in report.results if r.group == "credentials" and r.failed]
    targets: list[PageTarget] = []
    problems: list[PageOutcome] = []
    for t in facts.tokens:
        if not stop and t.usable_page_token(app_id):
            missing = t.blocking_scopes()
            targets.append(PageTarget(page_id=str(t.page_id), token=tokens[t.label], label=t.label,
                                      name=names.get(str(t.page_id), "") or t.page_name or "",
                                      blocked=f"the token lacks {' and '.join(missing)}" if missing else ""))
            continue
        tgt = token_target(t)
        bad = stop or [r for r in report.results if r.target == tgt and r.failed]
        r = bad[0] if bad else None
        unknown = not (t.page_id or t.label.isdigit())
        problems.append(PageOutcome(
            page_id=t.page_id or (t.label if not unknown else tgt),
            label=t.label if not unknown else tgt,
            name=names.get(t.page_id or t.label, ""),
            status=INCONCLUSIVE if r is not None and r.status is Status.ERROR else FAILED,
            cause=redact(r.found) if r else "not a usable Page token of this app",
            fix=redact(r.fix) if r else "check it with 'fbhub doctor'", code=r.id if r else ""))
    return targets, problems


def resolve_targets(client: Any, tokens: Mapping[str, str], *, app_id: str | None = None,
                    names: Mapping[str, str] | None = None, use_debug_token: bool = True,
                    workers: int = DEFAULT_WORKERS) -> tuple[list[PageTarget], list[PageOutcome]]:
    """Find the Page of every token (label -> token). Returns the Pages (first token per Page wins) and one
    failed/inconclusive outcome per token whose Page could not be found (``page_id`` is then the label)."""
    names = names or {}
    if use_debug_token:
        targets_found, problems_found = _targets_from_checks(client, tokens, app_id=app_id, names=names)
        return _first_per_page(targets_found), problems_found
    items = list(tokens.items())

    def one(item: tuple[str, str]) -> PageTarget | PageOutcome:
        label, tok = item
        try:
            pid = page_id_of(client, tok)
        except FbhubError as exc:
            return outcome_from_error(exc, page_id=label, label=label, name=names.get(label, ""))
        return PageTarget(page_id=pid, token=tok, label=label, name=names.get(pid, ""))

    results = _run_each(items, one, workers)
    return (_first_per_page([r for r in results if isinstance(r, PageTarget)]),
            [r for r in results if isinstance(r, PageOutcome)])


def _first_per_page(targets: Sequence[PageTarget]) -> list[PageTarget]:
    """One target per Page: the first token found for it wins."""
    seen: set[str] = set()
    out = []
    for t in targets:
        if t.page_id not in seen:
            seen.add(t.page_id)
            out.append(t)
    return out


def select_targets(targets: Sequence[PageTarget], problems: Sequence[PageOutcome], only: Sequence[str] | None
                   ) -> tuple[list[PageTarget], list[PageOutcome]]:
    """Keep the Pages named in ``only`` (page ids or token labels). A name without a token gets a failed
    outcome; token problems are kept only when their label was named."""
    if not only:
        return list(targets), list(problems)
    wanted = list(dict.fromkeys(str(x).strip() for x in only if str(x).strip()))
    sel = [t for t in targets if t.page_id in wanted or t.label in wanted]
    probs = [p for p in problems if p.label in wanted]
    found = {t.page_id for t in sel} | {t.label for t in sel} | {p.label for p in probs}
    unresolved = len(problems) - len(probs)
    for w in wanted:
        if w in found:
            continue
        extra = (f"; {unresolved} token(s) could not be checked, one of them may belong to it"
                 if unresolved else "")
        probs.append(PageOutcome(page_id=w, status=FAILED, label=w, cause=f"no Page token for Page {w}{extra}",
                                 fix="store the Page's token: 'fbhub secrets set page-token' "
                                     "(or FBHUB_PAGE_TOKENS / --page-token-stdin)"))
    return sel, probs


# -- reading ---------------------------------------------------------------------------------------


def read_page_state(client: Any, target: PageTarget, *, app_id: str) -> PageState:
    """The app's current fields on one Page (None when not installed), and the other apps installed."""
    try:
        answer = client.get_page_subscribed_apps(target.page_id, target.token)
    except FbhubError as exc:
        return PageState(target=target, error=exc)
    current, others = split_subscribed_apps(answer, app_id)
    return PageState(target=target, current=current, other_apps=others)


def read_page_states(client: Any, targets: Sequence[PageTarget], *, app_id: str,
                     workers: int = DEFAULT_WORKERS) -> list[PageState]:
    """``read_page_state`` for many Pages concurrently (bounded), in input order."""
    return _run_each(list(targets), lambda t: read_page_state(client, t, app_id=app_id), workers)


# -- applying --------------------------------------------------------------------------------------


def apply_page_plan(client: Any, plan: PagePlan, target: PageTarget | str, *, dry_run: bool = False,
                    other_apps: Sequence[dict[str, str]] = ()) -> PageOutcome:
    """Write one plan (nothing when unchanged or ``dry_run``); never raises for Graph errors."""
    t = target if isinstance(target, PageTarget) else PageTarget(page_id=plan.page_id, token=target)

    def outcome(status: str, cause: str = "", fix: str = "") -> PageOutcome:
        return PageOutcome(page_id=plan.page_id, status=status, plan=plan, label=t.label, name=t.name, cause=cause,
                           fix=fix, other_apps=list(other_apps))

    if not plan.changed:
        return outcome(UNCHANGED)
    if t.blocked and plan.action == "subscribe":
        # Meta refuses it (#200 without pages_manage_metadata, #230 without pages_messaging): say so, even in a
        # dry run, instead of sending a write bound to fail.
        from fbhub.meta.error_codes import lookup_error

        code = 230 if "pages_messaging" in t.blocked else 200  # what Meta answers such a write
        return PageOutcome(page_id=plan.page_id, status=FAILED, plan=plan, label=t.label, name=t.name,
                           other_apps=list(other_apps), cause=f"the subscription will fail: {t.blocked}",
                           meaning=lookup_error(code).meaning,
                           fix=f"generate the Page's token again with the permission (see 'fbhub explain "
                               f"token-scopes'), then 'fbhub secrets set page-token --page {plan.page_id}'",
                           code=f"#{code}")
    if dry_run:
        return outcome(PLANNED)
    dropped: list[str] = []
    try:
        if plan.action == "unsubscribe":
            answer = client.unsubscribe_page(plan.page_id, t.token)
        else:
            fields = list(plan.final)
            try:
                answer = client.subscribe_page(plan.page_id, t.token, fields)
            except FbhubError as exc:
                # Meta refuses one field (a permission or feature missing): drop it, retry once, say so.
                refused = refused_fields(exc, fields)
                if not refused or len(refused) == len(fields):
                    raise
                from fbhub.graph.errors import strip_code_prefix

                why = strip_code_prefix(getattr(exc, "graph_message", None) or exc.message)
                dropped = [f"{f} ({why})" for f in refused]
                answer = client.subscribe_page(plan.page_id, t.token, [f for f in fields if f not in refused])
    except FbhubError as exc:
        return outcome_from_error(exc, page_id=plan.page_id, label=t.label, name=t.name, plan=plan)
    if not succeeded(answer):
        return outcome(FAILED, cause="Meta answered success: false",
                       fix="run it again; if it repeats, check the token's permissions with 'fbhub doctor'")
    if dropped:
        return outcome(CHANGED, cause="Meta refused, so left out: " + "; ".join(dropped),
                       fix="grant the permission or feature the message names, then run subscribe-page again")
    return outcome(CHANGED)


def refused_fields(exc: Exception, fields: Sequence[str]) -> list[str]:
    """The webhook fields a permission error names ("(#200) To subscribe to the feed field, one of these
    permissions is needed: …", jgorset/facebook-messenger#280)."""
    from fbhub.graph.errors import GraphPermissionError

    if not isinstance(exc, GraphPermissionError):
        return []
    text = exc.graph_message or ""
    return [f for f in fields if re.search(rf"\b{re.escape(f)}\b field", text)]


def apply_page_plans(client: Any, plans_with_tokens: Iterable[tuple[PagePlan, PageTarget | str]], *,
                     dry_run: bool = False, workers: int = DEFAULT_WORKERS) -> list[PageOutcome]:
    """Apply many plans concurrently (bounded); one Page's failure does not stop the others."""
    items = list(plans_with_tokens)
    return _run_each(items, lambda pt: apply_page_plan(client, pt[0], pt[1], dry_run=dry_run), workers)


# -- the whole flow --------------------------------------------------------------------------------


def _read(client: Any, tokens: Mapping[str, str], *, app_id: str, only: Sequence[str] | None,
          names: Mapping[str, str] | None, use_debug_token: bool, workers: int
          ) -> tuple[list[PageState], list[PageOutcome]]:
    """Find each token's Page, keep those in ``only``, read their subscriptions: (states, token problems)."""
    targets, problems = resolve_targets(client, tokens, app_id=app_id, names=names,
                                        use_debug_token=use_debug_token, workers=workers)
    targets, problems = select_targets(targets, problems, only)
    return read_page_states(client, targets, app_id=app_id, workers=workers), problems


def subscribe_pages(client: Any, tokens: Mapping[str, str], *, app_id: str, desired: Sequence[str],
                    confirm: Confirm[list[tuple[PagePlan, PageTarget]]], replace: bool = False,
                    only: Sequence[str] | None = None, names: Mapping[str, str] | None = None,
                    dry_run: bool = False, use_debug_token: bool = True,
                    workers: int = DEFAULT_WORKERS) -> list[PageOutcome]:
    """Subscribe every token's Page (or those in ``only``) to ``desired``: find, read, plan, ``confirm(changes)``
    (only when something will be written and not in a dry run; it raises or aborts to stop before anything is
    written), then write what changes. Outcomes in Page order, then the tokens without a Page."""
    states, problems = _read(client, tokens, app_id=app_id, only=only, names=names,
                             use_debug_token=use_debug_token, workers=workers)
    plans = [None if s.error is not None else plan_page(s.target.page_id, s.current, desired, replace=replace)
             for s in states]
    changing = [(p, s.target) for p, s in zip(plans, states, strict=True) if p is not None and p.changed]
    if changing and not dry_run:
        confirm(changing)

    def one(item: tuple[PagePlan | None, PageState]) -> PageOutcome:
        plan, st = item
        if plan is None:
            assert st.error is not None
            return outcome_from_error(st.error, page_id=st.target.page_id, label=st.target.label,
                                      name=st.target.name)
        return apply_page_plan(client, plan, st.target, dry_run=dry_run, other_apps=st.other_apps)

    return _run_each(list(zip(plans, states, strict=True)), one, workers) + list(problems)


def unsubscribe_pages(client: Any, tokens: Mapping[str, str], *, app_id: str, only: Sequence[str] | None = None,
                      names: Mapping[str, str] | None = None, dry_run: bool = False, use_debug_token: bool = True,
                      workers: int = DEFAULT_WORKERS,
                      confirm: Confirm[list[tuple[PagePlan, PageTarget]]] | None = None
                      ) -> list[PageOutcome]:
    """Remove the app from every token's Page (or those in ``only``): find, read, plan, ``confirm(changes)``
    (which raises or aborts to stop before anything is written), then write. Failed reads and tokens without a
    Page come back as outcomes too."""
    states, problems = _read(client, tokens, app_id=app_id, only=only, names=names,
                             use_debug_token=use_debug_token, workers=workers)
    failed = [outcome_from_error(s.error, page_id=s.target.page_id, label=s.target.label, name=s.target.name)
              for s in states if s.error is not None]
    todo = [(plan_unsubscribe(s.target.page_id, s.current), s.target) for s in states if s.error is None]
    changing = [pt for pt in todo if pt[0].changed]
    if changing and confirm is not None and not dry_run:
        confirm(changing)
    return apply_page_plans(client, todo, dry_run=dry_run, workers=workers) + failed + list(problems)
