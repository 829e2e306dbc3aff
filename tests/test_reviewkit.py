"""fbhub review-kit against the sandbox: settings present / missing / unknown, no secrets, placeholders kept."""

from __future__ import annotations

import re

import pytest

from fbhub.sandbox import run_sandbox

ROWS = ("App Domains", "Privacy Policy URL", "Terms of Service URL", "App icon", "Category: Messaging",
        "Website platform Site URL", "Contact email")


def _configure(cli, sb) -> dict[str, str]:
    op = sb.operator
    env = {"FBHUB_GRAPH_URL": sb.url, "FBHUB_APP_SECRET": op.app_secret,
           "FBHUB_PAGE_TOKENS": ",".join(op.page_tokens), "FBHUB_VERIFY_TOKEN": op.verify_token}
    r = cli("configure", "--non-interactive", "--domain", op.domain, "--app-id", op.app_id, env=env)
    assert r.exit_code == 0, r.output
    return env


def _row(text: str, label: str) -> str:
    m = re.search(rf"^\| {re.escape(label)} \| ([^|]+) \|", text, re.M)
    assert m, f"no row {label!r}"
    return m.group(1).strip()


@pytest.mark.parametrize("scenario", ["healthy", "app-settings-incomplete"])
def test_kit_marks_settings_from_the_live_app(cli, tmp_path, monkeypatch, scenario):
    with run_sandbox(scenario) as sb:
        monkeypatch.setenv("FBHUB_GRAPH_URL", sb.url)
        _configure(cli, sb)
        out = tmp_path / "kit.md"
        r = cli("review-kit", "--output", str(out))
        assert r.exit_code == 0, r.output
        op = sb.operator
    text = out.read_text()
    states = {label: _row(text, label) for label in ROWS}
    if scenario == "healthy":
        assert set(states.values()) == {"present"}, states
        assert "missing" not in r.stdout
    else:
        assert states == {"App Domains": "missing", "Privacy Policy URL": "missing",
                          "Terms of Service URL": "missing", "App icon": "missing",
                          "Category: Messaging": "missing", "Website platform Site URL": "present",
                          "Contact email": "present"}
        assert "5 app setting(s) missing" in r.stdout
        assert "App settings > Basic > App domains: add cx.example.com" in text
    # the deployment's details are filled in; the reviewer's credentials are not
    assert "CloudCX Messenger" in text and "https://cx.example.com" in text
    for ph in ("{company_name}", "{account_or_email_address}", "{password}", "{url_for_facebook_page}",
               "{email_address_or_phone_number}"):
        assert ph in text
    for secret in (op.app_secret, op.verify_token, op.user_token, *op.page_tokens):
        assert secret not in text
    # every permission the guide lists, with its description and screencast
    for perm in ("pages_show_list", "pages_manage_metadata", "pages_messaging", "business_management",
                 "Business Asset User Profile Access", "public_profile"):
        assert f"### {perm} (" in text
    assert text.count("**The screencast must show:**") == 5
    assert "Data handling questions" in text
    assert text.index("## 2. Order of the submission steps") < text.index("## 3. Permissions and features")


def test_kit_without_credentials_says_unknown(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = cli("review-kit", "--domain", "cx.example.com")
    assert r.exit_code == 0, r.output
    text = (tmp_path / "app-review-default.md").read_text()
    assert all(_row(text, label) == "unknown (no credentials)" for label in ROWS)
    assert "no App ID / App Secret" in r.stderr
    assert "https://cx.example.com" in text


def test_kit_with_a_wrong_secret_says_unknown(cli, tmp_path):
    with run_sandbox("wrong-secret") as sb:
        op = sb.operator
        r = cli("review-kit", "-o", str(tmp_path / "k.md"), "--domain", op.domain, "--app-id", op.app_id,
                env={"FBHUB_GRAPH_URL": sb.url, "FBHUB_APP_SECRET": op.app_secret})
    assert r.exit_code == 0, r.output
    text = (tmp_path / "k.md").read_text()
    assert _row(text, "App Domains").startswith("unknown (credentials did not check out")
    assert op.app_secret not in text and op.app_secret not in r.output


def test_kit_refuses_to_overwrite_without_force(cli, tmp_path):
    out = tmp_path / "kit.md"
    out.write_text("mine\n")
    r = cli("review-kit", "-o", str(out))
    assert r.exit_code == 2
    assert "already exists" in r.stderr and "--force" in r.stderr
    assert out.read_text() == "mine\n"
    r = cli("review-kit", "-o", str(out), "--force")
    assert r.exit_code == 0, r.output
    assert out.read_text().startswith("# App Review kit")
