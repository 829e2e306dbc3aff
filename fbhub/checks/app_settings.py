"""FB3xx: the app settings App Review looks at, and the app's roles."""

from __future__ import annotations

from fbhub.checks.facts import Facts, Inputs, credentials_skip, error_text
from fbhub.checks.model import CheckResult, CheckSpec, Group, Status, failure_of

CHECKS = (
    CheckSpec("FB301", "app-settings", "App category is Messaging", "app-settings"),
    CheckSpec("FB302", "app-settings", "App Domains include the CX domain", "app-settings"),
    CheckSpec("FB303", "app-settings", "Privacy Policy URL is set", "app-settings"),
    CheckSpec("FB304", "app-settings", "Terms of Service URL is set", "app-settings"),
    CheckSpec("FB305", "app-settings", "App icon is uploaded", "app-settings"),
    CheckSpec("FB306", "app-settings", "Contact email is set", "app-settings"),
    CheckSpec("FB307", "app-settings", "Website platform Site URL is on the CX domain", "app-settings"),
    CheckSpec("FB308", "app-settings", "App roles (who can use a Development-mode app)", "dev-mode"),
)

GROUP = Group("app-settings", "App settings", CHECKS, graph=True)
result, skip_all = GROUP.result, GROUP.skip


def host_of(url: str | None) -> str:
    from urllib.parse import urlsplit

    try:
        return (urlsplit(url or "").hostname or "").lower()
    except ValueError:
        return ""


@GROUP.evaluator
def app_settings(inp: Inputs, facts: Facts) -> list[CheckResult]:
    ids = ("FB301", "FB302", "FB303", "FB304", "FB305", "FB306", "FB307", "FB308")
    if not facts.credentials_ok:
        return skip_all(ids, credentials_skip(facts))
    app = facts.app
    if app is None or not app.ok:
        st = failure_of(app) if app else Status.SKIP
        return [result(i, st, f"could not read the app's settings: {error_text(app.error) if app else ''}")
                for i in ids[:-1]] + _roles(facts)
    a = app.data or {}
    where = "App settings > Basic"
    out = []
    cat = a.get("category") or ""
    # FB301, FB305, FB307 stay warnings and say "Meta reports": the exact category string, the icon_url Meta
    # reports when no icon is set, and whether website_url is the Website platform's Site URL are unconfirmed.
    out.append(result("FB301", Status.PASS, f"Meta reports category {cat!r}") if cat.lower() == "messaging" else
               result("FB301", Status.WARN, f"Meta reports category {cat or 'none'!r}",
                      f"{where} > Category: select Messaging (the guide asks for it)"))
    domains = [str(d).lower() for d in a.get("app_domains") or []]
    d = inp.domain
    if d and any(d == x or d.endswith("." + x) for x in domains):
        out.append(result("FB302", Status.PASS, ", ".join(domains)))
    else:
        out.append(result("FB302", Status.FAIL if d else Status.WARN,
                          f"App Domains are {', '.join(domains) or 'empty'}"
                          + (f"; {d} is not among them" if d else ""),
                          f"{where} > App domains: add {d or 'your CX domain'}"))
    for cid, key, label in (("FB303", "privacy_policy_url", "Privacy Policy URL"),
                            ("FB304", "terms_of_service_url", "Terms of Service URL")):
        v = a.get(key)
        out.append(result(cid, Status.PASS, v) if v else
                   result(cid, Status.WARN, f"no {label}", f"{where} > {label}: your organisation's page "
                          "(App Review rejects apps without it)"))
    icon = a.get("icon_url")
    out.append(result("FB305", Status.PASS, "Meta reports an icon URL") if icon else
               result("FB305", Status.WARN, "Meta reports no icon URL",
                      f"{where} > App icon: upload your organisation's icon"))
    email = a.get("contact_email")
    out.append(result("FB306", Status.PASS, email) if email else
               result("FB306", Status.WARN, "no contact email", f"{where} > Contact email"))
    site = a.get("website_url")
    if site and d and host_of(site) == d:
        out.append(result("FB307", Status.PASS, f"Meta reports website_url {site}"))
    elif site:
        out.append(result("FB307", Status.WARN, f"Meta reports website_url {site}, not on {d}",
                          f"{where} > Website > Site URL: https://{d}/"))
    else:
        out.append(result("FB307", Status.WARN, "Meta reports no website_url (Website platform / Site URL)",
                          f"{where} > Add platform > Website > Site URL: https://{d or 'your-cx-domain'}/"))
    return out + _roles(facts)


def _roles(facts: Facts) -> list[CheckResult]:
    roles = facts.roles
    if roles is None:
        return []
    if not roles.ok:
        return [result("FB308", failure_of(roles) if roles.inconclusive else Status.WARN,
                       f"could not list the app's roles: {error_text(roles.error)}")]
    by_role: dict[str, list[str]] = {}
    for r in roles.data or []:
        by_role.setdefault(str(r.get("role", "?")), []).append(str(r.get("user", "?")))
    found = "; ".join(f"{k}: {', '.join(v)}" for k, v in sorted(by_role.items())) or "no roles"
    fix = ("while the app is in Development mode only these people can use it; add testers under "
           "App roles > Roles (the guide's optional Tester step)")
    return [result("FB308", Status.PASS, found, fix, details={"roles": by_role})]

