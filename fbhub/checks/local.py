"""FB1xx: what the operator configured here (no Graph call)."""

from __future__ import annotations

from fbhub.checks.facts import Facts, Inputs, page_target
from fbhub.checks.model import CheckResult, CheckSpec, Group, Status

CHECKS = (
    CheckSpec("FB101", "local", "CX domain is set and public", "local-setup"),
    CheckSpec("FB102", "local", "App ID is set", "local-setup"),
    CheckSpec("FB103", "local", "App Secret is available", "local-setup"),
    CheckSpec("FB104", "local", "Page access tokens are available", "local-setup"),
    CheckSpec("FB105", "local", "Webhook verify token is available", "local-setup"),
    CheckSpec("FB106", "local", "Every configured page has a token", "local-setup", per="page"),
)

GROUP = Group("local", "Local setup", CHECKS)
result, skip_all = GROUP.result, GROUP.skip


def local(inp: Inputs) -> list[CheckResult]:
    out = []
    store_note = f" (the OS keyring is unusable: {inp.keyring_problem})" if inp.keyring_problem else ""
    if not inp.domain:
        out.append(result("FB101", Status.FAIL, "no domain is set",
                          "run 'fbhub config set domain cx.example.com' or set FBHUB_DOMAIN"))
    elif inp.domain_warnings:
        out.append(result("FB101", Status.WARN, f"{inp.domain}: {inp.domain_warnings[0]}",
                          "use the CX server's public host name with a valid HTTPS certificate"))
    else:
        out.append(result("FB101", Status.PASS, inp.domain))
    out.append(result("FB102", Status.PASS, inp.app_id) if inp.app_id else
               result("FB102", Status.FAIL, "no App ID is set",
                      "copy it from App settings > Basic; run 'fbhub config set app_id <id>' or set FBHUB_APP_ID"))
    out.append(result("FB103", Status.PASS, "present") if inp.has_app_secret else
               result("FB103", Status.FAIL, "no App Secret is stored" + store_note,
                      "run 'fbhub secrets set app-secret' or set FBHUB_APP_SECRET"))
    n = len(inp.token_labels)
    out.append(result("FB104", Status.PASS, f"{n} token(s)") if n else
               result("FB104", Status.FAIL, "no page access token is stored" + store_note,
                      "generate one in Messenger > Messenger API Settings > Generate access tokens, then "
                      "'fbhub secrets set page-token --page ID' (or FBHUB_PAGE_TOKENS)"))
    out.append(result("FB105", Status.PASS, "present") if inp.has_verify_token else
               result("FB105", Status.WARN, "no webhook verify token is stored" + store_note,
                      "run 'fbhub secrets set verify-token --generate' (or set FBHUB_VERIFY_TOKEN); "
                      "subscribe-app and --probe need it"))
    return out


def configured_pages_have_tokens(inp: Inputs, facts: Facts) -> list[CheckResult]:
    token_pages = {t.page_id for t in facts.tokens if t.page_id} | set(inp.token_labels)
    out = []
    for p in inp.pages:
        tgt = page_target(p["id"], p.get("name", ""))
        if p["id"] in token_pages:
            out.append(result("FB106", Status.PASS, "token found", target=tgt))
        elif not facts.tokens:
            out.append(result("FB106", Status.FAIL, "no token stored for this page",
                              f"run 'fbhub secrets set page-token --page {p['id']}'", target=tgt))
        elif not any(t.inspected for t in facts.tokens):
            out.append(result("FB106", Status.SKIP, "the tokens' Pages are unknown until the credentials check out "
                              "(FB2xx)", target=tgt))
        elif any(not t.page_id for t in facts.tokens):
            out.append(result("FB106", Status.SKIP, "some tokens could not be matched to a Page (see FB5xx)",
                              target=tgt))
        else:
            out.append(result("FB106", Status.FAIL, "none of the stored tokens is for this page",
                              f"generate a token for it and run 'fbhub secrets set page-token --page {p['id']}'",
                              target=tgt))
    return out


@GROUP.evaluator
def evaluate(inp: Inputs, facts: Facts) -> list[CheckResult]:
    return local(inp) + configured_pages_have_tokens(inp, facts)

