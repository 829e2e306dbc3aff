"""configure's conversation: "not yet" is not "quit", questions of the kind "have you done X?" default to No,
the end lists what is still open, --stage messenger never drops Pages silently, hints do not send the operator
to the command they are in."""

from __future__ import annotations

import io

import pytest
import yaml

from fbhub.sandbox import run_sandbox

P1, P2 = "110000000000001", "110000000000002"


@pytest.fixture
def sb(monkeypatch):
    with run_sandbox("healthy") as s:
        monkeypatch.setenv("FBHUB_GRAPH_URL", s.url)
        yield s


def make_wizard(answers):
    from rich.console import Console

    from fbhub.secrets import SecretStore
    from fbhub.session import Session
    from fbhub.settings import resolve
    from fbhub.wizard import ScriptedPrompter, Wizard

    settings = resolve({})
    buf = io.StringIO()
    p = ScriptedPrompter(answers)
    w = Wizard(Session(settings=settings, secrets=SecretStore(settings.profile)), p,
               Console(file=buf, width=200, no_color=True, highlight=False))
    return w, p, buf


def prereq(domain):
    return [("Facebook account", True), ("Business Manager", True), ("Facebook Page", True), ("CX domain", domain)]


def state(home):
    return yaml.safe_load((home / "state.yaml").read_text())["profiles"]["default"]


def test_have_you_done_questions_default_to_no(sb):
    w, p, _ = make_wizard(prereq(sb.operator.domain)[:1] + [("Not yet", "stop")])
    p.script[0] = ("Facebook account", None)  # Enter: the default
    w.run()
    p.assert_done()
    assert p.asked[1][0] == "choose"  # Enter at "have you done X?" was a No


def test_not_yet_do_it_now_then_enter_continues(sb, isolated_env):
    op = sb.operator
    w, p, buf = make_wizard([("Facebook account", False), ("Not yet", "now"), ("Press Enter", None),
                             ("Business Manager", True), ("Facebook Page", True), ("CX domain", op.domain),
                             ("App ID", op.app_id), ("App Secret", op.app_secret),
                             ("Client OAuth", True), ("Web OAuth", True), ("Valid OAuth", False),
                             ("Not yet", "skip"),
                             ("How do you want", "page"), ("Page access token", op.page_tokens[0]),
                             ("Add another", False), ("which verify token", False),
                             ("Webhook saved", True), ("Client-id and Client-Secret", True), ("Add a Tester", False),
                             ("submitted for App Review", True), ("The app is Live", True)])
    w.run()
    w.close()
    p.assert_done()
    st = state(isolated_env)["stages"]
    assert st["prerequisites"]["status"] == "done"
    assert st["facebook-login"]["status"] == "skipped"  # went on to the next stage
    assert st["live"]["status"] == "done"
    from fbhub.wizard.stages import still_open
    from fbhub.wizard.state import WizardState

    ws = WizardState.load(isolated_env / "state.yaml", "default")
    items = still_open(ws, w)
    assert any(i.startswith("facebook-login") for i in items) and any(i.startswith("testers") for i in items)


def test_the_end_lists_what_is_open_instead_of_finished(sb, isolated_env, cli):
    op = sb.operator
    answers = ["y", "y", "y", op.domain, op.app_id, op.app_secret, "y", "y", "n", "2",  # skip the redirect URI
               "2", op.page_tokens[0], "n", "n", "y", "y", "n", "y", "y"]
    r = cli("configure", "--interactive", input="\n".join(answers) + "\n")
    assert r.exit_code == 0, r.output
    assert "every stage is complete" not in r.output
    assert "still open" in r.output and "facebook-login" in r.output and "testers" in r.output
    assert "'fbhub configure' to continue here" not in r.output  # never "run the command you are in"


def _configured_two_pages(sb, isolated_env):
    from fbhub.configfile import ConfigFile
    from fbhub.secrets import SecretStore
    from fbhub.settings import resolve_config_path

    op = sb.operator
    cfg = ConfigFile.load(resolve_config_path(None))
    for k, v in (("domain", op.domain), ("app_id", op.app_id),
                 ("pages", [{"id": P1, "name": "CloudCX Support"}, {"id": P2, "name": "CloudCX Sales"}])):
        cfg.set("default", k, v)
    cfg.save()
    s = SecretStore("default")
    s.set("app-secret", op.app_secret)
    s.set("page-token", op.page_tokens[0], label=P1)
    s.set("page-token", op.page_tokens[1], label=P2)


@pytest.mark.parametrize("how", ["add", "replace"])
def test_stage_messenger_asks_add_or_replace_and_says_what_changed(sb, isolated_env, how):
    _configured_two_pages(sb, isolated_env)
    op = sb.operator
    w, p, buf = make_wizard([("How do you want", "page"), ("Page access token", op.page_tokens[1]),
                             ("Add another", False), ("Add the new ones to them, or replace them", how)])
    w.run(stage="messenger")
    w.close()
    p.assert_done()
    pages = yaml.safe_load((isolated_env / "config.yaml").read_text())["profiles"]["default"]["pages"]
    text = buf.getvalue()
    if how == "add":
        assert [x["id"] for x in pages] == [P1, P2] and "kept 1 configured Page(s): CloudCX Support" in text
    else:
        assert [x["id"] for x in pages] == [P2] and "removed 1 Page(s) from the profile: CloudCX Support" in text


def test_probe_webhook_does_not_tell_to_run_itself(cli):
    env = {"FBHUB_VERIFY_TOKEN": "a-verify-token-123", "FBHUB_DOMAIN": "cx.example.com"}
    r = cli("probe-webhook", "--url", "http://127.0.0.1:9/fb/webhook", "--allow-http", env=env)
    out = r.stdout.replace("fbhub probe-webhook · profile", "") + r.stderr  # (the report's header names it)
    assert "could not" in out and "fbhub probe-webhook" not in out
