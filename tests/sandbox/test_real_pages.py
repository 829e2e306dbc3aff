"""What real Pages do: Page tasks, a webhook field Meta refuses, the wording of checks whose facts are unsure."""

from __future__ import annotations

import json

from fbhub.meta.scopes import page_task_problems
from fbhub.sandbox import build_scenario, run_sandbox
from tests.hardening.support import run_cli, sandbox_env


def test_page_tasks():
    assert page_task_problems(["ANALYZE", "ADVERTISE", "MESSAGING", "MODERATE", "CREATE_CONTENT", "MANAGE"]) == []
    only_messaging = page_task_problems(["MESSAGING"])
    assert len(only_messaging) == 1 and "MANAGE, MODERATE or CREATE_CONTENT" in only_messaging[0]
    assert "MESSAGING" in page_task_problems(["MODERATE"])[0]
    assert len(page_task_problems(None)) == 2


def test_refused_webhook_field_is_dropped_and_said():
    """The token lacks the permission one field needs: subscribe-page leaves that field out, retries once,
    subscribes the rest and says what it dropped and why."""
    sc = build_scenario("page-missing-fields")
    with run_sandbox(sc) as sb:
        env = sandbox_env(sb, FBHUB_WEBHOOK_FIELDS="messages,messaging_postbacks,leadgen")
        run = run_cli("subscribe-page", "--json", env=env)
        installed = {p.id: (p.installed.get(sb.operator.app_id).subscribed_fields if p.installed.get(
            sb.operator.app_id) else None) for p in sb.world.pages.values()}
    assert run.exit_code == 0, run.stdout[-2000:] + run.stderr[-2000:]
    doc = json.loads(run.stdout)
    notes = [p.get("note", "") for p in doc["pages"] if p.get("note")]
    assert notes and all("leadgen" in n and "leads_retrieval" in n for n in notes)
    assert all(f is None or "leadgen" not in f for f in installed.values())
    assert any(f and "messaging_postbacks" in f for f in installed.values())


def test_unsure_app_settings_say_meta_reports():
    with run_sandbox("app-settings-incomplete") as sb:
        run = run_cli("doctor", "--format", "json", "--only", "FB3", env=sandbox_env(sb))
    by_id = {r["id"]: r for r in json.loads(run.stdout)["results"]}
    for cid in ("FB301", "FB305", "FB307"):
        assert by_id[cid]["found"].startswith("Meta reports"), by_id[cid]
        assert by_id[cid]["status"] in ("pass", "warn")


def test_inactive_app_webhook_names_the_7_day_rule():
    with run_sandbox("app-webhook-inactive") as sb:
        run = run_cli("doctor", "--format", "json", "--only", "FB4", env=sandbox_env(sb))
    r = {r["id"]: r for r in json.loads(run.stdout)["results"]}["FB402"]
    assert r["status"] == "fail" and "7 days" in r["found"] and "re-enables" in r["fix"]
