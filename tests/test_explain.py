"""fbhub explain: topics, Graph error codes, check ids, suggestions, rendering and accuracy spot checks."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from fbhub.cli import app, explain_cmd

# The lead wires the command in fbhub/cli/__init__.py; register it here until then (and only then).
if "explain" not in {c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands}:
    app.command("explain")(explain_cmd.explain)

FIXED_TOPICS = (
    "invalid-app", "app-credentials", "app-settings", "app-webhook", "webhook-not-receiving", "page-subscription",
    "token-other-app", "token-type", "token-expired", "token-scopes", "permissions", "rate-limit", "redirect-uri",
    "version-deprecated", "dev-mode", "require-app-secret", "webhook-endpoint", "local-setup",
)

REFERENCE = Path("/work/shared/reference/graph-api.md")


def topic_text(name: str) -> str:
    from fbhub.knowledge import get_topic

    return get_topic(name).markdown


# -- every topic ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", FIXED_TOPICS)
def test_fixed_topic_exists_with_title_and_summary(name):
    from fbhub.knowledge import get_topic, list_topics

    t = get_topic(name)
    assert t.name == name and name in {x.name for x in list_topics()}
    assert t.markdown.startswith(f"# {t.title}\n\n{t.summary}\n")
    assert t.title and not t.title.startswith("#")
    assert 20 < len(t.summary) < 200 and "\n" not in t.summary
    assert "## See also" in t.markdown


@pytest.mark.parametrize("name", FIXED_TOPICS)
def test_topic_renders_plain_when_piped(cli, name):
    from fbhub.knowledge import get_topic

    r = cli("explain", name)
    assert r.exit_code == 0, r.stderr
    assert r.stdout == get_topic(name).markdown  # piped: the Markdown itself, no escape codes
    assert "\x1b[" not in r.stdout and r.stderr == ""


@pytest.mark.parametrize("name", ["invalid-app", "version-deprecated"])
def test_topic_renders_with_rich_on_a_terminal(cli, name):
    from fbhub.knowledge import get_topic

    t = get_topic(name)
    r = cli("explain", name, env={"FORCE_COLOR": "1", "NO_COLOR": None, "TERM": "xterm-256color"})
    assert r.exit_code == 0, r.stderr
    assert "\x1b[" in r.stdout  # styled
    assert "**" not in r.stdout and "\n## " not in r.stdout  # Markdown syntax was rendered, not printed
    assert t.summary.split(";")[0][:40] in re.sub(r"\x1b\[[0-9;]*m", "", r.stdout)


def test_every_see_also_reference_resolves():
    from fbhub.knowledge import list_topics, resolve

    for t in list_topics():
        for ref in re.findall(r"fbhub explain ([A-Za-z0-9/#-]+)", t.markdown):
            if ref.startswith("-"):
                continue
            assert resolve(ref), (t.name, ref)


def test_topics_load_as_package_data():
    from importlib.resources import files

    names = sorted(p.name[:-3] for p in files("fbhub.knowledge").joinpath("topics").iterdir()
                   if p.name.endswith(".md"))
    from fbhub.knowledge import topic_names

    assert names == topic_names() and set(FIXED_TOPICS) <= set(names)


# -- invalid-app, the centrepiece -----------------------------------------------------------------

CAUSES = [
    ("App ID or App Secret", "rotated"),
    ("Page token", "different app"),
    ("Development mode", "no role"),
    ("Advanced Access", "permissions"),
    ("Facebook Login for Business", "redirect URI"),
    ("restricted", "deleted"),
    ("business", "not verified"),
]


def invalid_app_causes() -> list[tuple[str, str]]:
    text = topic_text("invalid-app")
    part = text.split("## Causes", 1)[1].split("\n## ", 1)[0]
    sections = re.split(r"^### ", part, flags=re.M)[1:]
    return [(s.splitlines()[0], s) for s in sections]


def test_invalid_app_lists_the_seven_causes_in_order():
    causes = invalid_app_causes()
    assert len(causes) == 7
    for i, ((heading, body), (a, b)) in enumerate(zip(causes, CAUSES, strict=True), start=1):
        assert heading.startswith(f"{i}. "), heading
        assert a.lower() in heading.lower() and b.lower() in heading.lower(), heading
        confirm = body.split("**How to confirm**", 1)[1].split("**How to fix**", 1)[0]
        fix = body.split("**How to fix**", 1)[1]
        assert len(confirm.strip()) > 80 and len(fix.strip()) > 80, heading
        # confirm points at a doctor check group or a dashboard page
        assert re.search(r"FB\dxx|App Dashboard|Business settings|App Review", confirm), heading


def test_invalid_app_confirm_steps_use_the_right_doctor_groups():
    body = dict(invalid_app_causes())
    keys = list(body)
    assert "credentials checks (FB2xx)" in body[keys[0]]
    assert "page token checks (FB5xx)" in body[keys[1]]
    assert "App Mode" in body[keys[2]] and "FB9xx" in body[keys[2]]
    assert "App Review > Permissions and Features" in body[keys[3]]
    assert "Valid OAuth Redirect URIs" in body[keys[4]] and "Client OAuth login" in body[keys[4]]
    assert "code 101" in body[keys[5]]


def test_invalid_app_names_the_guides_pages_permissions_and_commands():
    text = topic_text("invalid-app")
    for needle in ("the Meta application configured in the Connector Hub is incorrect or invalid",
                   "App settings > Basic", "Messenger > Messenger API Settings",
                   "Advance > Connector Hub Setting > Facebook", "https://DOMAIN:9006",
                   "App Review > Permissions and Features", "Inbox > Channels > Facebook",
                   "https://DOMAIN/api/v1.0/facebook/integration/callback",
                   "pages_show_list", "pages_manage_metadata", "pages_messaging", "business_management",
                   "Business Asset User Profile Access", "public_profile", "pages_read_engagement",
                   "fbhub verify-app", "fbhub subscribe-page", "fbhub subscribe-app", "fbhub urls",
                   "fbhub configure", "fbhub doctor --fix"):
        assert needle in text, needle


# -- --list ----------------------------------------------------------------------------------------

def test_list_shows_every_topic_with_its_summary(cli):
    from fbhub.knowledge import list_topics

    r = cli("explain", "--list")
    assert r.exit_code == 0, r.stderr
    for t in list_topics():
        assert re.search(rf"^{re.escape(t.name)}\s+{re.escape(t.summary)}$", r.stdout, re.M), t.name
    assert "190/463" in r.stdout  # codes work too


def test_no_argument_prints_the_list(cli):
    assert cli("explain").stdout == cli("explain", "--list").stdout


def test_list_json(cli):
    r = cli("explain", "--list", "--json")
    data = json.loads(r.stdout)
    names = [t["name"] for t in data["topics"]]
    assert set(FIXED_TOPICS) <= set(names) and names == sorted(names)
    assert all(t["title"] and t["summary"] for t in data["topics"])


# -- Graph error codes -----------------------------------------------------------------------------

@pytest.fixture
def errors_catalogue():
    from fbhub.meta import error_codes

    return error_codes


@pytest.mark.parametrize("query,code,subcode,see", [
    ("190", 190, None, "token-expired"),
    ("190/463", 190, 463, "token-expired"),
    ("200", 200, None, "permissions"),
    ("#200", 200, None, "permissions"),
    ("4", 4, None, "rate-limit"),
    ("2200", 2200, None, "webhook-endpoint"),
    ("200/2018028", 200, 2018028, "dev-mode"),
])
def test_code_renders_title_meaning_fix_transient_and_see_also(cli, errors_catalogue, query, code, subcode, see):
    info = errors_catalogue.lookup_error(code, subcode)
    r = cli("explain", query)
    assert r.exit_code == 0, r.stderr
    out = r.stdout
    label = f"{code}/{subcode}" if subcode else str(code)
    assert out.startswith(f"# Graph error {label}: {info.title}\n")
    assert info.meaning in out
    assert info.fix[1:] in out
    assert ("**Transient:** yes" if info.transient else "**Transient:** no") in out
    assert f"See also: `fbhub explain {see}`" in out


def test_rate_limit_code_is_transient_and_token_code_is_not(cli, errors_catalogue):
    four = json.loads(cli("explain", "4", "--json").stdout)
    assert four["kind"] == "error-code" and four["transient"] is True and four["see_also"] == ["rate-limit"]
    t190 = json.loads(cli("explain", "190/463", "--json").stdout)
    assert t190["transient"] is False and t190["code"] == 190 and t190["subcode"] == 463


def test_unknown_subcode_falls_back_to_the_code(cli, errors_catalogue):
    r = cli("explain", "190/999")
    assert r.exit_code == 0
    assert "Subcode 999 is not in fbhub's catalogue" in r.stdout
    assert errors_catalogue.lookup_error(190).title in r.stdout


def test_unknown_permission_code_falls_back_to_permissions(cli, errors_catalogue):
    from fbhub.knowledge import get_topic

    assert not any(c == 277 for c, _ in errors_catalogue.ERROR_CATALOGUE)
    r = cli("explain", "277")
    assert r.exit_code == 0 and r.stdout == get_topic("permissions").markdown


def test_unknown_code_is_a_usage_error(cli, errors_catalogue):
    r = cli("explain", "99999")
    assert r.exit_code == 2 and r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert lines[0] == "error: Graph error code 99999 is not in fbhub's catalogue"
    assert "fbhub explain --list" in r.stderr and "Traceback" not in r.stderr


def test_every_catalogue_entry_and_check_id_names_an_existing_topic(errors_catalogue):
    from fbhub.checks.registry import specs
    from fbhub.knowledge import resolve, topic_names

    names = set(topic_names())
    entries = [*errors_catalogue.ERROR_CATALOGUE.values(), *(info for _, _, info in errors_catalogue._RANGES),
               *errors_catalogue.SITUATIONS.values(), *errors_catalogue.GROUPS.values()]
    for info in entries:
        assert info.explain is None or info.explain in names, (info.topic, info.explain)
    for (code, subcode), info in errors_catalogue.ERROR_CATALOGUE.items():
        page = resolve(f"{code}/{subcode}" if subcode else str(code))
        assert page.see_also == ((info.explain,) if info.explain else ()), (code, subcode)
    for code in (190, 200, 230, 4, 17, 32, 613, 80001, 80006, 101, 191, 2500):
        assert errors_catalogue.lookup_error(code).explain is not None, code
    for spec in specs():
        assert spec.topic in names, (spec.id, spec.topic)
        assert resolve(spec.id).name == spec.topic


def test_catalogue_situation_and_group_names_open_their_topic(errors_catalogue):
    from fbhub.knowledge import resolve

    for name, info in {**errors_catalogue.SITUATIONS, **errors_catalogue.GROUPS}.items():
        page = resolve(name)
        if info.explain is not None:
            assert page.kind == "topic" and page.name == info.explain, name
        else:
            assert page.kind == "error-code" and page.title == info.title, name
    assert resolve("token").name == "token-expired" and resolve("webhooks").name == "webhook-not-receiving"


def test_other_names_live_in_the_topic_files_and_are_not_shown():
    from fbhub.knowledge import get_topic, list_topics, resolve

    assert get_topic("redirect-uri").other_names and "other names" not in get_topic("redirect-uri").markdown
    for t in list_topics():
        assert "<!--" not in t.markdown, t.name
        for other in t.other_names:
            found = resolve(other)
            assert found.name == t.name and found.resolved_from == other, (t.name, other)


def test_catalogue_names_resolve(cli, errors_catalogue):
    from fbhub.knowledge import resolve

    for name in errors_catalogue.all_topics():
        if name != "unknown":
            assert resolve(name), name


# -- names, aliases, typos, check ids --------------------------------------------------------------

def test_close_miss_suggests_the_right_topic(cli):
    r = cli("explain", "redirct")
    assert r.exit_code == 2
    assert "error: no explain topic 'redirct'" in r.stderr
    assert "did you mean 'fbhub explain redirect-uri'?" in r.stderr
    assert "fbhub explain --list" in r.stderr


def test_obvious_typo_is_shown_with_a_note(cli):
    from fbhub.knowledge import get_topic

    r = cli("explain", "token-expird")
    assert r.exit_code == 0 and r.stdout == get_topic("token-expired").markdown
    assert "showing 'token-expired'" in r.stderr


def test_unknown_topic_has_no_suggestion_when_nothing_is_close(cli):
    r = cli("explain", "zzzqqqxxx")
    assert r.exit_code == 2 and "did you mean" not in r.stderr and "fbhub explain --list" in r.stderr


def test_resolve_api():
    from fbhub.errors import UsageError
    from fbhub.knowledge import get_topic, resolve

    assert resolve("invalid-app").name == "invalid-app"
    assert resolve("Invalid_App").name == "invalid-app"
    assert resolve("url-blocked").name == "redirect-uri"
    assert resolve("advanced-access").name == "permissions"
    with pytest.raises(UsageError) as e:
        resolve("webhuk-endpont-nope")
    assert "webhuk-endpont-nope" in e.value.message and "fbhub explain --list" in e.value.hint
    with pytest.raises(UsageError) as e:
        get_topic("dev_mode")
    assert "dev-mode" in e.value.hint


def test_doctor_check_ids_resolve_to_their_topic(cli):
    from fbhub.checks.registry import specs
    from fbhub.knowledge import resolve, topic_names

    for spec in specs():
        assert spec.topic in topic_names(), (spec.id, spec.topic)
        assert resolve(spec.id).name == spec.topic
    r = cli("explain", "FB999")
    assert r.exit_code == 2 and "FB999" in r.stderr


def test_check_groups_named_in_topics_exist():
    from fbhub.checks.registry import specs
    from fbhub.knowledge import list_topics

    prefixes = {c.id[:3] for c in specs()}
    for t in list_topics():
        for group in re.findall(r"\bFB(\d)xx\b", t.markdown):
            assert f"FB{group}" in prefixes, (t.name, group)


# -- accuracy spot checks against the reference and the code ---------------------------------------

def test_urls_match_fbhub_urls():
    from fbhub.meta import urls

    assert urls.redirect_uri("DOMAIN") in topic_text("redirect-uri")
    assert urls.redirect_uri("DOMAIN") == "https://DOMAIN/api/v1.0/facebook/integration/callback"
    assert urls.webhook_url("DOMAIN") in topic_text("webhook-endpoint")
    assert urls.admin_portal("DOMAIN") in topic_text("app-credentials")


def test_token_of_other_app_message_is_verbatim():
    msg = "(#100) The App_id in the input_token did not match the Viewing App"
    assert msg in topic_text("token-other-app") and msg in topic_text("invalid-app")
    assert "Invalid appsecret_proof provided in the API argument" in topic_text("require-app-secret")
    assert "API calls from the server require an appsecret_proof argument" in topic_text("require-app-secret")


def test_redirect_messages_are_verbatim():
    text = topic_text("redirect-uri")
    assert ("URL Blocked: This redirect failed because the redirect URI is not whitelisted in the app's Client "
            "OAuth\n  Settings.") in text or "URL Blocked: This redirect failed" in text
    assert "Can't Load URL" in text and "**191**" in text


EOL = {  # reference §12
    "v25.0": ("Feb 18, 2026", "Jul 29, 2028"),
    "v24.0": ("Oct 8, 2025", "Feb 18, 2028"),
    "v23.0": ("May 29, 2025", "Oct 8, 2027"),
    "v22.0": ("Jan 21, 2025", "May 20, 2027"),
    "v21.0": ("Oct 2, 2024", "Jan 21, 2027"),
}


def version_rows(text: str) -> dict[str, tuple[str, str]]:
    rows = re.findall(r"^\|\s*(v\d+\.\d)\s*\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|", text, re.M)
    return {v: (a, b) for v, a, b in rows}


def test_version_eol_dates_match_the_reference_table():
    rows = version_rows(topic_text("version-deprecated"))
    for v, dates in EOL.items():
        assert rows[v] == dates, v
    if REFERENCE.exists():  # cross-check with the reference itself when it is around
        ref = version_rows(REFERENCE.read_text(encoding="utf-8"))
        for v in EOL:
            assert ref[v] == rows[v], v


def test_default_graph_version_is_in_the_table():
    from fbhub.settings import DEFAULT_GRAPH_VERSION

    assert DEFAULT_GRAPH_VERSION in version_rows(topic_text("version-deprecated"))


def test_token_expired_facts():
    text = topic_text("token-expired")
    for sub in ("460", "463", "466", "467", "492"):
        assert re.search(rf"^\| {sub} \|", text, re.M), sub
    assert "expires_at: 0" in text and "is_valid" in text
    assert "short-lived" in text and "long-lived" in text


def test_webhook_facts():
    text = topic_text("webhook-not-receiving")
    assert "**both**" in text and "subscribed_apps" in text
    assert "**1 hour**" in text and "unsubscribes the app from the Page" in text
    assert "Standard Access" in text and "Advanced Access" in text and "**5 seconds**" in text
    endpoint = topic_text("webhook-endpoint")
    assert "hub.challenge" in endpoint and "X-Hub-Signature-256" in endpoint and "self-signed" in endpoint


def test_rate_limit_facts():
    text = topic_text("rate-limit")
    for code in ("4", "17", "32", "613", "80001", "80006"):
        assert re.search(rf"^\| {code} \|", text, re.M), code
    assert "X-App-Usage" in text and "X-Business-Use-Case-Usage" in text
    assert "estimated_time_to_regain_access" in text


def test_permission_errors_are_covered():
    text = topic_text("permissions")
    assert "(#200) Requires pages_manage_metadata permission to manage the object" in text
    assert "(#230) Requires pages_messaging permission to manage the object" in text
    assert "(#10)" in text and "2018028" in text


def test_app_webhook_fields_match_fbhub_fields():
    from fbhub.meta.fields import PLATFORM_FIELDS, REQUIRED_FIELDS

    text = topic_text("app-webhook")
    for f in (*REQUIRED_FIELDS, *PLATFORM_FIELDS):
        assert f"`{f}`" in text, f


# -- start-up cost ----------------------------------------------------------------------------------

PROBE = """
import sys
from fbhub.cli import app, explain_cmd
if "explain" not in {c.name for c in app.registered_commands}:
    app.command("explain")(explain_cmd.explain)
sys.argv = ["fbhub", "explain", "190/463"]
try:
    app(prog_name="fbhub")
except SystemExit:
    pass
print("HEAVY=" + ",".join(sorted({m.split(".")[0] for m in sys.modules
                                  if m.split(".")[0] in ("httpx", "keyring", "yaml")})))
"""


def test_explain_imports_no_heavy_modules():
    p = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60)
    assert "Graph error 190/463" in p.stdout, p.stderr
    assert p.stdout.strip().splitlines()[-1] == "HEAVY=", p.stdout
