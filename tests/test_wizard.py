"""fbhub configure: stages with a ScriptedPrompter against the sandbox over HTTP, resume, --status, and the
non-interactive CLI end to end."""

from __future__ import annotations

import io
import json
import time

import pytest
import yaml

from fbhub.sandbox import AppRole, Token, User, derive_token, run_sandbox
from fbhub.sandbox.scenarios import PAGE_SCOPES

P1, P2 = "110000000000001", "110000000000002"
SECOND_ADMIN = "100012345678909"


@pytest.fixture
def sb(monkeypatch):
    with run_sandbox("healthy") as s:
        monkeypatch.setenv("FBHUB_GRAPH_URL", s.url)
        yield s


def make_wizard(answers, *, given=None, **flags):
    from rich.console import Console

    from fbhub.session import Session
    from fbhub.wizard import ScriptedPrompter, Wizard

    session = Session.open(flags)
    buf = io.StringIO()
    prompter = ScriptedPrompter(answers)
    w = Wizard(session, prompter, Console(file=buf, width=200, no_color=True, highlight=False), given=given)
    return w, prompter, buf


def config(isolated_env) -> dict:
    p = isolated_env / "config.yaml"
    return yaml.safe_load(p.read_text()) if p.exists() else {}


def state(isolated_env) -> dict:
    return yaml.safe_load((isolated_env / "state.yaml").read_text())["profiles"]["default"]


def seed_credentials(sb) -> None:
    """Config and keyring as after the create-app stage."""
    from fbhub.configfile import ConfigFile
    from fbhub.secrets import SecretStore
    from fbhub.settings import resolve_config_path

    op = sb.operator
    cfg = ConfigFile.load(resolve_config_path(None))
    cfg.set("default", "domain", op.domain)
    cfg.set("default", "app_id", op.app_id)
    store = SecretStore("default")
    store.set("app-secret", op.app_secret)
    cfg.save()


def prereq_and_domain(domain):
    return [("Facebook account", True), ("Business Manager", True), ("Facebook Page", True),
            ("CX domain", domain)]


def login_confirms():
    return [("Client OAuth", True), ("Web OAuth", True), ("Valid OAuth Redirect URIs", True)]


# ------------------------------------------------------------------------------------------------ full run
def test_healthy_full_run_stores_config_keyring_and_state(sb, isolated_env, keyring_data):
    op = sb.operator
    script = prereq_and_domain(op.domain) + [
        ("App ID", op.app_id), ("App Secret", op.app_secret),
        *login_confirms(),
        ("How do you want", "page"), ("Page access token", op.page_tokens[0]), ("Add another", True),
        ("Page access token", op.page_tokens[1]), ("Add another", False),
        ("which verify token", False), ("Webhook saved", True),
        ("Client-id and Client-Secret", True),
        ("Add a Tester", False),
        ("submitted for App Review", True),
        ("The app is Live", True),
    ]
    w, prompter, buf = make_wizard(script)
    done = w.run()
    w.close()
    prompter.assert_done()
    assert prompter.errors == []
    assert len(done) == 10
    prof = config(isolated_env)["profiles"]["default"]
    assert prof["domain"] == op.domain and prof["app_id"] == op.app_id
    assert prof["pages"] == [{"id": P1, "name": "CloudCX Support"}, {"id": P2, "name": "CloudCX Sales"}]
    kr = keyring_data()
    assert kr["fbhub\x00default:app-secret"] == op.app_secret
    assert kr[f"fbhub\x00default:page-token:{P1}"] == op.page_tokens[0]
    assert kr[f"fbhub\x00default:page-token:{P2}"] == op.page_tokens[1]
    vt = kr["fbhub\x00default:verify-token"]
    assert vt == op.page_tokens[0]  # the guide: "paste the access token to the Verify Token"
    st = state(isolated_env)
    assert st["current"] is None
    statuses = {k: v["status"] for k, v in st["stages"].items()}
    assert statuses == {"prerequisites": "done", "domain": "done", "create-app": "verified",
                        "facebook-login": "done", "messenger": "verified", "webhooks": "verified",
                        "connector-hub": "done", "testers": "skipped", "app-review": "done", "live": "done"}
    text = buf.getvalue()
    # the values to paste, each on its own line
    assert "    https://cx.example.com/api/v1.0/facebook/integration/callback\n" in text
    assert "    https://cx.example.com/fb/webhook\n" in text
    assert vt not in text and "as the vendor guide says" in text  # shown masked; the clipboard on request
    assert "    https://cx.example.com:9006\n" in text
    assert op.app_secret not in text and op.page_tokens[0] not in text
    for secret in (op.app_secret, *op.page_tokens, vt):
        assert secret not in (isolated_env / "state.yaml").read_text()
        assert secret not in (isolated_env / "config.yaml").read_text()


def test_webhook_problems_set_through_the_graph_api(monkeypatch, isolated_env, keyring_data):
    """On the demo scenario (webhook on the staging host, a Page not subscribed) the webhooks stage offers to
    set both through the Graph API, does it with the subscribe planners, and checks again."""
    with run_sandbox("demo") as s:
        monkeypatch.setenv("FBHUB_GRAPH_URL", s.url)
        op = s.operator
        script = prereq_and_domain(op.domain) + [
            ("App ID", op.app_id), ("App Secret", op.app_secret), *login_confirms(),
            ("How do you want", "page"), ("Page access token", op.page_tokens[0]), ("Add another", True),
            ("Page access token", op.page_tokens[1]), ("Add another", False),
            ("which verify token", False), ("Webhook saved", True), ("What now", "api"),
            ("Client-id and Client-Secret", True), ("Add a Tester", False),
            ("submitted for App Review", True), ("The app is Live", True),
        ]
        w, prompter, buf = make_wizard(script)
        w.run()
        w.close()
        prompter.assert_done()
        text = buf.getvalue()
        assert "app webhook: changed" in text and f"page {P2}: changed" in text
        assert state(isolated_env)["stages"]["webhooks"]["status"] == "verified"
        sub = s.world.app_subscription(op.app_id, "page")
        assert sub.callback_url == "https://cx.example.com/fb/webhook"
        assert s.world.subscribed_fields(P2, op.app_id)


def test_wrong_secret_is_said_and_asked_again(sb, isolated_env, keyring_data):
    op = sb.operator
    wrong = "0123456789abcdef0123456789abcdef"
    script = prereq_and_domain(op.domain) + [
        ("App ID", op.app_id), ("App Secret", "not-hex"), ("App Secret", wrong), ("App Secret", op.app_secret),
        ("Client OAuth", False), ("Not yet", "stop"),
    ]
    w, prompter, _ = make_wizard(script)
    w.run()
    prompter.assert_done()
    assert len(prompter.errors) == 2
    assert "is not 32 hexadecimal characters" in prompter.errors[0]
    assert "Meta refused this App Secret" in prompter.errors[1] and wrong not in prompter.errors[1]
    assert keyring_data()["fbhub\x00default:app-secret"] == op.app_secret
    assert state(isolated_env)["stages"]["create-app"]["status"] == "verified"
    # stopped at facebook-login by the operator's "no": pending, and that is where configure resumes
    assert state(isolated_env)["stages"]["facebook-login"]["status"] == "pending"
    assert state(isolated_env)["current"] == "facebook-login"


def test_unknown_app_id_asks_for_the_app_id_again(sb):
    op = sb.operator
    script = prereq_and_domain(op.domain) + [
        ("App ID", "1234567890000000"), ("App Secret", op.app_secret),
        ("App ID", op.app_id), ("App Secret", op.app_secret), ("Client OAuth", False), ("Not yet", "stop"),
    ]
    w, prompter, buf = make_wizard(script)
    w.run()
    prompter.assert_done()
    assert "Meta does not know App ID 1234567890000000" in buf.getvalue()


# ------------------------------------------------------------------------------------------- messenger
def test_user_token_discovery_picks_pages_and_stores_tokens_under_page_ids(sb, isolated_env, keyring_data):
    seed_credentials(sb)
    w, prompter, buf = make_wizard([("How do you want", "user"), ("User access token", sb.operator.user_token),
                                    ("Pages to connect", [P2])])
    w.run(stage="messenger")
    prompter.assert_done()
    assert config(isolated_env)["profiles"]["default"]["pages"] == [{"id": P2, "name": "CloudCX Sales"}]
    kr = keyring_data()
    assert f"fbhub\x00default:page-token:{P2}" in kr and f"fbhub\x00default:page-token:{P1}" not in kr
    assert kr[f"fbhub\x00default:page-token:{P2}"].startswith("EAA")
    assert "/me/accounts lists 2 Page(s)" in buf.getvalue()
    assert state(isolated_env)["stages"]["messenger"]["status"] == "verified"
    assert "short-lived" not in buf.getvalue()


def _add_user_token(sb, *, expires_in: int, granular=None) -> str:
    """A user token of a second Page admin (so the sandbox mints fresh Page tokens from it)."""
    now = int(time.time())
    with sb.world.lock:
        sb.world.users[SECOND_ADMIN] = User(SECOND_ADMIN, "Sam Second")
        for page in sb.world.pages.values():
            page.roles[SECOND_ADMIN] = ["MESSAGING", "MODERATE", "MANAGE"]
        sb.world.apps[sb.operator.app_id].roles.append(AppRole(SECOND_ADMIN, "administrators"))
    tok = Token(value=derive_token(f"test:user:{expires_in}:{granular}", 190), type="USER",
                app_id=sb.operator.app_id, user_id=SECOND_ADMIN, scopes=list(PAGE_SCOPES),
                granular=granular or {}, expires_at=now + expires_in, data_access_expires_at=now + 80 * 86400,
                issued_at=now)
    sb.world.add_token(tok)
    return tok.value


@pytest.mark.parametrize("exchange", [True, False])
def test_short_lived_user_token_warns_and_offers_the_exchange(sb, isolated_env, keyring_data, exchange):
    seed_credentials(sb)
    short = _add_user_token(sb, expires_in=3600)
    w, prompter, buf = make_wizard([("How do you want", "user"), ("User access token", short),
                                    ("Exchange it for a long-lived", exchange), ("Pages to connect", None)])
    w.run(stage="messenger")
    prompter.assert_done()
    text = buf.getvalue()
    assert "this user token is short-lived: it expires in 60 min" in text
    assert ("exchanged for a long-lived user token (expires in 60 days)" in text) is exchange
    # Page tokens from a short-lived user token expire too: the page-token check warns about it
    assert ("Token and data access are not about to expire" in text) is (not exchange)
    kr = keyring_data()
    assert {f"fbhub\x00default:page-token:{P1}", f"fbhub\x00default:page-token:{P2}"} <= set(kr)
    assert short not in kr.values()


def test_login_for_business_empty_accounts_falls_back_to_granular_scopes(sb, isolated_env, keyring_data,
                                                                          monkeypatch):
    from fbhub.graph.client import GraphClient

    seed_credentials(sb)
    # Facebook Login for Business with granular permissions: /me/accounts can come back empty (§7.1)
    monkeypatch.setattr(GraphClient, "me_accounts", lambda self, *a, **k: [])
    tok = _add_user_token(sb, expires_in=50 * 86400,
                          granular={s: [P2] for s in ("pages_show_list", "pages_messaging", "pages_manage_metadata")})
    w, prompter, buf = make_wizard([("How do you want", "user"), ("User access token", tok),
                                    ("Pages to connect", None)])
    w.run(stage="messenger")
    prompter.assert_done()
    assert "/me/accounts is empty" in buf.getvalue()
    assert config(isolated_env)["profiles"]["default"]["pages"] == [{"id": P2, "name": "CloudCX Sales"}]
    assert f"fbhub\x00default:page-token:{P2}" in keyring_data()


def test_page_token_of_the_wrong_kind_is_rejected_and_asked_again(sb, keyring_data):
    seed_credentials(sb)
    op = sb.operator
    w, prompter, _ = make_wizard([("How do you want", "page"), ("Page access token", op.user_token),
                                  ("Page access token", op.page_tokens[0]), ("Add another", False)])
    w.run(stage="messenger")
    prompter.assert_done()
    assert len(prompter.errors) == 1 and "page token" in prompter.errors[0]
    assert "User token was pasted where a Page token belongs" in prompter.errors[0]


# ---------------------------------------------------------------------------------------------- resume
def test_interrupt_leaves_config_as_before_the_stage_and_resume_continues_there(sb, isolated_env, keyring_data):
    op = sb.operator
    # run 1: the operator stops at facebook-login ("no"): snapshot of what is saved before messenger
    w, p, _ = make_wizard(prereq_and_domain(op.domain) + [("App ID", op.app_id), ("App Secret", op.app_secret),
                                                          ("Client OAuth", False), ("Not yet", "stop")])
    w.run()
    p.assert_done()
    # run 2: resumes at facebook-login, then Ctrl-C in the middle of messenger (a token was already given)
    w, p, buf = make_wizard(login_confirms() + [("How do you want", "page"), ("Page access token", op.page_tokens[0]),
                                                ("Add another", KeyboardInterrupt)])
    before_cfg = (isolated_env / "config.yaml").read_text()
    before_kr = keyring_data()
    with pytest.raises(KeyboardInterrupt):
        w.run()
    p.assert_done()
    assert w.running is not None and w.running.id == "messenger"
    assert (isolated_env / "config.yaml").read_text() == before_cfg  # messenger wrote nothing
    assert keyring_data() == before_kr
    st = state(isolated_env)
    assert st["current"] == "messenger"
    assert st["stages"]["facebook-login"]["status"] == "done"
    assert "messenger" not in st["stages"]
    # run 3: continues at messenger (the first question is messenger's)
    w, p, _ = make_wizard([("How do you want", "page"),
                           ("Page access token", op.page_tokens[0]), ("Add another", False),
                           ("which verify token", False), ("Webhook saved", False), ("Not yet", "stop")])
    w.run()
    p.assert_done()
    assert p.asked[0] == ("choose", "How do you want to give the Page tokens?")
    assert state(isolated_env)["stages"]["messenger"]["status"] == "verified"
    assert state(isolated_env)["current"] == "webhooks"


def test_restart_and_status(sb, isolated_env, cli):
    op = sb.operator
    w, p, _ = make_wizard(prereq_and_domain(op.domain) + [("App ID", op.app_id), ("App Secret", op.app_secret),
                                                          ("Client OAuth", False), ("Not yet", "stop")])
    w.run()
    r = cli("configure", "--status")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert any("Prerequisites" in line and " done " in line for line in lines)
    assert any("Create the Business app" in line and " verified " in line for line in lines)
    assert any("Messenger" in line and " pending" in line for line in lines)
    assert "continue at stage facebook-login" in r.stdout
    r = cli("configure", "--status", "--json")
    data = json.loads(r.stdout)
    assert data["next"] == "facebook-login"
    assert [s["stage"] for s in data["stages"]][:3] == ["prerequisites", "domain", "create-app"]
    assert data["stages"][2]["status"] == "verified"
    # --restart forgets the progress but keeps the values as defaults
    w, p, _ = make_wizard([("Facebook account", False), ("Not yet", "stop")])
    w.state.reset()  # what --restart does: the next run starts at the first stage again
    w.run()
    assert p.asked[0] == ("confirm", "You have a Facebook account?")
    r = cli("configure", "--restart", "--non-interactive", "--stage", "domain")
    assert r.exit_code == 0, r.output
    assert json.loads(cli("configure", "--status", "--json").stdout)["stages"][2]["status"] == "pending"
    assert config(isolated_env)["profiles"]["default"]["app_id"] == op.app_id


# ------------------------------------------------------------------------------------- non-interactive CLI
def test_non_interactive_end_to_end(sb, isolated_env, cli, keyring_data):
    op = sb.operator
    env = {"FBHUB_APP_SECRET": op.app_secret, "FBHUB_PAGE_TOKENS": ",".join(op.page_tokens)}
    r = cli("configure", "--domain", op.domain, "--app-id", op.app_id, env=env)
    assert r.exit_code == 0, r.output
    assert "stdin is not a terminal: running non-interactively" in r.stderr
    assert "domain done, create-app verified, messenger verified, webhooks verified" in r.stdout
    assert "still to confirm by running it in a terminal" in r.stdout
    for secret in (op.app_secret, *op.page_tokens):
        assert secret not in r.stdout and secret not in r.stderr
    prof = config(isolated_env)["profiles"]["default"]
    assert prof == {"domain": op.domain, "app_id": op.app_id,
                    "pages": [{"id": P1, "name": "CloudCX Support"}, {"id": P2, "name": "CloudCX Sales"}]}
    kr = keyring_data()
    assert kr["fbhub\x00default:app-secret"] == op.app_secret
    assert kr[f"fbhub\x00default:page-token:{P1}"] == op.page_tokens[0]
    assert "fbhub\x00default:verify-token" in kr
    assert kr["fbhub\x00default:verify-token"] not in r.stdout  # masked when stdout is not a terminal
    # a second run re-verifies with what is stored (no env needed)
    r = cli("configure", "--non-interactive")
    assert r.exit_code == 0, r.output


def test_non_interactive_secrets_on_stdin_with_user_token_and_page(sb, isolated_env, cli, keyring_data):
    op = sb.operator
    r = cli("configure", "--secrets-stdin", "--domain", op.domain, "--app-id", op.app_id, "--page", P2,
            input=f"FBHUB_APP_SECRET={op.app_secret}\nFBHUB_USER_TOKEN={op.user_token}\n")
    assert r.exit_code == 0, r.output
    assert config(isolated_env)["profiles"]["default"]["pages"] == [{"id": P2, "name": "CloudCX Sales"}]
    kr = keyring_data()
    assert f"fbhub\x00default:page-token:{P2}" in kr and f"fbhub\x00default:page-token:{P1}" not in kr


def test_non_interactive_missing_values_exit_2_listing_them(sb, isolated_env, cli):
    r = cli("configure", "--non-interactive")
    assert r.exit_code == 2
    err = r.stderr
    assert "configure needs 4 more value(s)" in err
    for item in ("CX domain: --domain", "App ID: --app-id", "App Secret: FBHUB_APP_SECRET",
                 "Page access tokens: FBHUB_PAGE_TOKENS"):
        assert item in err
    assert not (isolated_env / "config.yaml").exists()


def test_non_interactive_wrong_secret_fails_without_saving(sb, isolated_env, cli):
    op = sb.operator
    r = cli("configure", "--domain", op.domain, "--app-id", op.app_id,
            env={"FBHUB_APP_SECRET": "0123456789abcdef0123456789abcdef", "FBHUB_PAGE_TOKENS": op.page_tokens[0]})
    assert r.exit_code == 2
    assert "Meta refused this App Secret" in r.stderr
    assert "continue at stage create-app" in r.stderr
    assert "app_id" not in (isolated_env / "config.yaml").read_text()  # the domain stage completed, nothing more


def test_scripted_prompter_fails_loudly():
    from fbhub.wizard import ScriptedPrompter

    p = ScriptedPrompter([("Domain", "x")])
    with pytest.raises(AssertionError, match="expected a question about 'Domain'"):
        p.ask("App ID")
    p = ScriptedPrompter([("Domain", "x")])
    with pytest.raises(AssertionError, match="never asked"):
        p.assert_done()
    with pytest.raises(AssertionError, match="no answers left"):
        ScriptedPrompter([]).confirm("Sure?")


def test_non_interactive_prompter_raises_needs_input():
    from fbhub.wizard import NeedsInput, NonInteractivePrompter

    with pytest.raises(NeedsInput) as exc:
        NonInteractivePrompter({"App Secret": "FBHUB_APP_SECRET"}).secret("App Secret")
    assert exc.value.exit_code == 2 and "FBHUB_APP_SECRET" in exc.value.message


def test_interactive_through_clirunner_input_and_end_of_input(sb, isolated_env, cli, keyring_data):
    op = sb.operator
    answers = ["y", "y", "y", op.domain, op.app_id, op.app_secret, "y", "y"]  # then input ends at a prompt
    r = cli("configure", "--interactive", input="\n".join(answers) + "\n")
    assert r.exit_code == 130
    assert "continue at stage facebook-login" in r.stderr
    assert keyring_data()["fbhub\x00default:app-secret"] == op.app_secret
    assert op.app_secret not in r.output
    assert state(isolated_env)["current"] == "facebook-login"


def test_interactive_with_keyring_chosen_but_unusable_says_so_first(sb, isolated_env, cli, no_keyring):
    r = cli("configure", "--interactive", input="y\n", env={"FBHUB_SECRET_STORE": "keyring"})
    assert r.exit_code == 2
    assert "no usable OS keyring" in r.stderr and "secret_store file" in r.stderr
    assert "You have a Facebook account" not in r.stdout


def test_unparsable_state_file_is_reported_and_kept(isolated_env, cli):
    p = isolated_env / "state.yaml"
    p.write_text("profiles: [unclosed\n")
    r = cli("configure", "--status")
    assert r.exit_code == 2
    assert "state.yaml" in r.stderr and "not valid YAML" in r.stderr
    r = cli("configure", "--restart", "--non-interactive")
    assert r.exit_code == 2
    assert p.read_text() == "profiles: [unclosed\n"


def test_non_interactive_without_keyring_uses_the_environment(sb, isolated_env, cli, no_keyring):
    op = sb.operator
    env = {"FBHUB_APP_SECRET": op.app_secret, "FBHUB_PAGE_TOKENS": ",".join(op.page_tokens),
           "FBHUB_VERIFY_TOKEN": op.verify_token}
    r = cli("configure", "--domain", op.domain, "--app-id", op.app_id, env=env)
    assert r.exit_code == 0, r.output
    assert "no usable OS keyring" in r.stderr and "secrets.json" in r.stderr  # the file store, said once
    assert r.stderr.count("no usable OS keyring") == 1
    stored = json.loads((isolated_env / "secrets.json").read_text())["secrets"]
    assert stored["default:app-secret"] == op.app_secret
    assert "webhooks verified" in r.stdout
    assert config(isolated_env)["profiles"]["default"]["app_id"] == op.app_id
