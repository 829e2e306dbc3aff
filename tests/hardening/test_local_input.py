"""Names are data, short secrets are refused, and input edge cases are one error line (issue 13, items 16-18)."""

from __future__ import annotations

import json

import pytest

from fbhub.sandbox import run_sandbox

from .support import ERROR_LINE, run_cli, sandbox_env

FORGED = "Acme\u202eSupport\nFB999  PASS  forged line [link=https://evil.example]click[/link] [/]\x1b[31m"


def _one_error(r, *needles: str) -> None:
    assert r.exit_code == 2, (r.stdout, r.stderr)
    errors = [line for line in r.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and ERROR_LINE.match(errors[0]), r.stderr
    for n in needles:
        assert n in errors[0], errors[0]
    assert "Traceback" not in r.stderr and "unexpected" not in r.stderr


# -- item 16: names are data, never markup ----------------------------------------------------------------------

def test_config_show_prints_markup_in_names_as_text(isolated_env):
    (isolated_env / "config.yaml").write_text(
        'version: 1\nprofiles:\n  default:\n    pages:\n'
        '      - {id: "111", name: "[link=https://evil.example]click me[/link]"}\n'
        '      - {id: "222", name: "[/]"}\n'
        '      - {id: "333", name: "Sales\\u202e\\nFB999 PASS forged"}\n', encoding="utf-8")
    r = run_cli("config", "show")
    assert r.exit_code == 0, r.stderr  # "[/]" crashed the renderer
    assert "[link=https://evil.example]click me[/link]" in r.stdout
    assert "222:[/]" in r.stdout
    assert "\u202e" not in r.stdout
    assert not any(line.lstrip().startswith("FB999") for line in r.stdout.splitlines())


@pytest.mark.parametrize("fmt", ["text", "github", "junit"])
def test_a_page_name_from_graph_cannot_forge_report_lines(fmt, isolated_env):
    with run_sandbox("healthy") as sb:
        pid = sb.operator.pages[0]["id"]
        sb.world.pages[pid].name = FORGED
        r = run_cli("doctor", "--format", fmt, env=sandbox_env(sb))
    assert r.exit_code == 0, r.stderr
    out = r.stdout
    assert "\u202e" not in out and "\x1b" not in out
    assert not any(line.lstrip().startswith("FB999") for line in out.splitlines()), out
    if fmt == "text":
        assert "[link=https://evil.example]click[/link] [/]" in out  # shown as typed, not a link


def test_urls_shows_the_domain_as_text(isolated_env):
    r = run_cli("urls", "cx.example.com")
    assert r.exit_code == 0 and "https://cx.example.com/fb/webhook" in r.stdout


# -- item 17: short or common-word secrets ----------------------------------------------------------------------

@pytest.mark.parametrize("value,why", [("requests", "characters"), ("abcdefghijklmnop", "words"),
                                       ("message_deliveries", "words"), ("aaaaaaaaaaaaaaaa1", "different characters")])
def test_guessable_verify_token_in_env_is_refused_with_the_reason(value, why, isolated_env):
    with run_sandbox("healthy") as sb:
        r = run_cli("doctor", "--format", "json", env=sandbox_env(sb, FBHUB_VERIFY_TOKEN=value))
    _one_error(r, "FBHUB_VERIFY_TOKEN", why)
    assert value not in r.stderr


def test_guessable_verify_token_is_not_stored(isolated_env, keyring_data):
    r = run_cli("secrets", "set", "verify-token", input="requests\n")
    _one_error(r, "verify token")
    assert not any("verify-token" in k for k in keyring_data())


def test_a_weak_verify_token_already_in_the_keyring_is_refused(isolated_env):
    import keyring

    keyring.set_password("fbhub", "default:verify-token", "requests")
    with run_sandbox("healthy") as sb:
        env = sandbox_env(sb)
        env.pop("FBHUB_VERIFY_TOKEN", None)
        r = run_cli("doctor", "--format", "json", env=env)
    _one_error(r, "Webhook verify token", "refused")


def test_masks_of_short_secrets_show_nothing_of_them():
    from fbhub.redact import mask

    for value in ("x7Kq9mZp2Lw4", "x7Kq9mZp2Lw4aB5", "EAAGx7Kq9mZp"):
        assert mask(value) == "…" * 3
        assert not any(c in mask(value) for c in value)
    assert mask("EAAGx7Kq9mZp2Lw4") == "EAAG…2Lw4"  # 16 and more: still recognisable


def test_a_strong_twelve_character_verify_token_keeps_the_report_valid(isolated_env):
    import jsonschema

    from fbhub.report import SCHEMA_PATH

    token = "x7Kq9mZp2Lw4"
    with run_sandbox("healthy") as sb:
        r = run_cli("doctor", "--format", "json", env=sandbox_env(sb, FBHUB_VERIFY_TOKEN=token))
    assert r.exit_code in (0, 1), r.stderr
    doc = json.loads(r.stdout)
    jsonschema.validate(doc, json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    assert token not in r.stdout + r.stderr


# -- item 18: input edge cases ----------------------------------------------------------------------------------

@pytest.mark.parametrize("domain,needle", [("[fe80::1%eth0]", "zone"), ("xn--zz.example.com", "punycode"),
                                           ("cx.example.com:443", "port"), (":443", "port"),
                                           ("https://cx.example.com:443/", "port")])
def test_domain_edge_cases_are_one_error_line(domain, needle, isolated_env):
    r = run_cli("urls", domain)
    _one_error(r, needle)
    assert r.stdout == ""


@pytest.mark.parametrize("how", ["flag", "env"])
def test_graph_url_with_a_path_is_refused(how, isolated_env):
    url = "https://graph.facebook.com/v19.0"
    args = ["doctor", "--graph-url", url] if how == "flag" else ["doctor"]
    r = run_cli(*args, env={"FBHUB_GRAPH_URL": url} if how == "env" else None)
    _one_error(r, "path")


@pytest.mark.parametrize("bad", ["abcdefgh\x00ijklmnop", "abcdefgh\x1b[2Jijklmnop", "abcdefgh\x7fijklmnop"])
def test_verify_token_with_control_characters_is_refused(bad, isolated_env, keyring_data):
    r = run_cli("secrets", "set", "verify-token", input=bad + "\n")
    _one_error(r, "control character")
    assert not any("verify-token" in k for k in keyring_data())
    if "\x00" not in bad:  # an environment variable cannot hold NUL
        with run_sandbox("healthy") as sb:
            r = run_cli("doctor", env=sandbox_env(sb, FBHUB_VERIFY_TOKEN=bad))
        _one_error(r, "FBHUB_VERIFY_TOKEN", "control character")
