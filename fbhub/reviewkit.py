"""The App Review kit: one Markdown file with everything the operator needs to submit the Meta app.

The app settings are read from the live app through the ``app-settings`` checks of ``fbhub.checks``
(one check, one place) when credentials are available, and marked "unknown (no credentials)" otherwise.
Reviewer credentials are placeholders such as ``{company_name}`` and ``{password}``; fbhub never fills
them, and the whole text passes through the redactor before it is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from fbhub.checks.model import Status
from fbhub.errors import UsageError

if TYPE_CHECKING:
    from fbhub.checks.model import Report
    from fbhub.session import Session

# (check id, what Meta requires, where in the dashboard)
SETTINGS: tuple[tuple[str, str, str], ...] = (
    ("FB302", "App Domains", "App settings > Basic > App domains: your CX domain"),
    ("FB303", "Privacy Policy URL", "App settings > Basic > Privacy Policy URL"),
    ("FB304", "Terms of Service URL", "App settings > Basic > Terms of Service URL"),
    ("FB305", "App icon", "App settings > Basic > App icon: your organisation's icon"),
    ("FB301", "Category: Messaging", "App settings > Basic > Category: Messaging"),
    ("FB307", "Website platform Site URL", "App settings > Basic > Add platform > Website > Site URL"),
    ("FB306", "Contact email", "App settings > Basic > Contact email"),
)

PLACEHOLDERS = ("{company_name}", "{account_or_email_address}", "{password}", "{url_for_facebook_page}",
                "{email_address_or_phone_number}")


@dataclass
class SettingRow:
    label: str
    state: str  # present | missing | unknown (…)
    found: str
    where: str


@dataclass(frozen=True)
class Permission:
    name: str
    kind: str  # permission | feature
    what: str  # what Meta says it allows (our words)
    used_for: str  # what the CX platform uses it for
    description: str  # usage description template ({app}, {domain})
    screencast: str  # what the screencast must show ("" = none needed)


PERMISSIONS: tuple[Permission, ...] = (
    Permission(
        "pages_show_list", "permission",
        "Lets the app read the list of Pages a person manages, and check that the person manages a Page.",
        "When an administrator connects Facebook in the CX system, it lists the Pages they manage so they can "
        "pick the ones whose messages the agents handle.",
        "{app} connects the CloudCX contact-centre system at https://{domain} to Facebook Messenger. With "
        "pages_show_list, an administrator who logs in with Facebook sees the Pages they manage inside the CX "
        "system and chooses which Pages to connect; the list is used for nothing else.",
        "An administrator logs in to https://{domain}, opens Inbox > Channels > Facebook, logs in with "
        "Facebook and sees the list of the Pages they manage; they select a Page and it shows as connected."),
    Permission(
        "pages_manage_metadata", "permission",
        "Lets the app subscribe to a Page's webhooks and update the Page's settings.",
        "Subscribes each connected Page to the app's webhook, so that messages sent to the Page reach the CX "
        "system.",
        "{app} uses pages_manage_metadata to subscribe each Page an administrator connected in the CX system at "
        "https://{domain} to our Messenger webhook. That is how messages visitors send to the Page reach our "
        "agents; we change no other Page setting.",
        "A visitor sends a message to the connected Page on Facebook, and the message appears in the agent's "
        "inbox in the CX system at https://{domain}."),
    Permission(
        "pages_messaging", "permission",
        "Lets the app manage and access the Page's Messenger conversations.",
        "Agents read the conversations of connected Pages and reply to visitors from the CX system.",
        "{app} lets the agents of the CloudCX system at https://{domain} manage the Messenger conversations of "
        "the Pages their administrators connected: they receive the messages visitors send to the Page and "
        "answer them from the CX system. Messages are only sent in reply to a visitor.",
        "A visitor sends a message to the Page from Facebook; the agent sees it in the CX system at "
        "https://{domain} and replies; the reply arrives in the visitor's Messenger."),
    Permission(
        "business_management", "permission",
        "Lets the app read and write with the Business Manager API.",
        "Gives access to Pages owned by a business portfolio, so that messages from several Pages reach the "
        "CX system.",
        "{app} uses business_management so that Pages owned by the customer's Meta business portfolio can be "
        "connected to the CloudCX system at https://{domain}; agents then receive messages from different Pages "
        "in one place. We do not manage ad accounts or other business assets.",
        "Messages sent to two different connected Pages both arrive in the CX system at https://{domain}, each "
        "marked with its Page."),
    Permission(
        "Business Asset User Profile Access", "feature",
        "Lets the app read the user fields (id, name, picture) of people who engage with the business's Pages.",
        "Shows the visitor's name in the conversation, so agents can tell visitors apart.",
        "{app} uses Business Asset User Profile Access to show the name of the Facebook user who writes to a "
        "connected Page in the CloudCX system at https://{domain}. Agents can tell visitors apart and serve them "
        "better; the name is shown only in that conversation.",
        "Two different Facebook users send messages to the Page; in the CX system at https://{domain} each "
        "conversation shows the visitor's name, so the agent can tell them apart."),
    Permission(
        "public_profile", "permission",
        "Lets the app read the default public profile fields of the person who logs in; granted to every app.",
        "Identifies the administrator who logs in with Facebook to connect Pages.",
        "{app} uses public_profile to identify the administrator who logs in with Facebook in the CloudCX "
        "system at https://{domain} to connect their Pages.",
        ""),
)

SUBMISSION_STEPS: tuple[str, ...] = (
    "Connect a Facebook Page in a tenant and test message delivery between the Page and the CX system.",
    "(Optional) Add a Tester account with limited access (Business settings > Users > People, then Assign "
    "assets > the app) and test with it instead of your developer account.",
    "Record the five screencasts listed below (pages_show_list, pages_manage_metadata, business_management, "
    "Business Asset User Profile Access, pages_messaging).",
    "Complete the app settings (App settings > Basic) listed above, add the Website platform with the Site URL, "
    "and click Save changes.",
    "App Review > Permissions and Features: search public_profile, click Request advanced access, agree to the "
    "allowed usage, Confirm, fill in the form, Submit, and enter your password.",
    "Search each of pages_manage_metadata, pages_messaging, pages_show_list, Business Asset User Profile Access "
    "and business_management and click Request advanced access to add them to the submission; then Continue "
    "request.",
    "Messenger > Messenger API Settings > 3. Complete App Review > Request Permission: unselect "
    "pages_read_engagement, then Request Permission (you land on App Review > Requests).",
    "App Review > Requests > Data handling questions > Answer questions about data handling: answer for your "
    "organisation, then Submit.",
    "For each permission: open 'How will your app use …?', paste the usage description below, upload its "
    "screencast, agree to the allowed usage, Save. For pages_messaging also fill in the test instructions.",
    "Click Submit for Review and enter your password.",
    "When Advanced Access is granted, switch the App Mode to Live.",
)


def settings_rows(report: Report | None, *, why_unknown: str = "no credentials") -> list[SettingRow]:
    """One row per required setting, from an ``app-settings`` checks report (None: unknown)."""
    by_id = {r.id: r for r in report.results} if report is not None else {}
    rows = []
    for cid, label, where in SETTINGS:
        r = by_id.get(cid)
        if r is None:
            rows.append(SettingRow(label, f"unknown ({why_unknown})", "", where))
        elif r.status is Status.PASS:
            rows.append(SettingRow(label, "present", r.found, where))
        elif r.status in (Status.WARN, Status.FAIL):
            rows.append(SettingRow(label, "missing", r.found, r.fix or where))
        else:
            rows.append(SettingRow(label, f"unknown ({r.found or r.status.value})", "", where))
    return rows


@dataclass
class LiveSettings:
    """The kit's app settings as read from the live app, and what to warn about."""

    rows: list[SettingRow]
    app_name: str | None = None
    inconclusive: bool = False  # the Graph API could not be read: the command ends with exit 3
    warning: str = ""


def read_live_settings(session: Session) -> LiveSettings:
    """Check the app settings live with the ``app-settings`` checks (one check, one place), or mark them unknown."""
    from fbhub.checks.runner import run

    s = session.settings
    if not (s.get("app_id") and session.secrets.get("app-secret")):
        return LiveSettings(settings_rows(None), warning="no App ID / App Secret for this profile: app settings "
                            "are marked 'unknown (no credentials)'; run 'fbhub configure' first to check them live")
    report = run(session, ["credentials", "app-settings"])
    bad = [r for r in report.results if r.id in ("FB201", "FB202") and r.status is not Status.PASS]
    if bad and bad[0].status is Status.ERROR:
        why = "the Graph API could not be reached"
        return LiveSettings(settings_rows(None, why_unknown=why), inconclusive=True,
                            warning=f"{why} ({bad[0].found}); app settings are marked unknown — run it again later")
    if bad:
        why = "credentials did not check out"
        return LiveSettings(settings_rows(None, why_unknown=why),
                            warning=f"{why}: {bad[0].found}; app settings are marked unknown")
    app = report.facts.app
    name = app.data.get("name") if app is not None and app.ok and isinstance(app.data, dict) else None
    if report.inconclusive():
        return LiveSettings(settings_rows(report), app_name=name, inconclusive=True,
                            warning="some app settings could not be read (network or rate limit); they are marked "
                            "unknown — run it again later")
    return LiveSettings(settings_rows(report), app_name=name)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(*, profile: str, domain: str | None, app_id: str | None, app_name: str | None,
           rows: list[SettingRow], pages: list[dict[str, str]] | None = None,
           generated: str | None = None) -> str:
    """The kit as Markdown (not yet redacted)."""
    d = domain or "{CloudCX installation domain}"
    app = app_name or "This app"
    generated = generated or datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out: list[str] = []
    add = out.append
    add(f"# App Review kit — {app_name or 'Meta app'}" + (f" ({app_id})" if app_id else ""))
    add("")
    add(f"Profile `{profile}` · CX domain `{d}` · generated by `fbhub review-kit` on {generated}.")
    add("")
    add("Follow the sections in order. Text in `{braces}` is a placeholder: replace it yourself before "
        "pasting — fbhub never fills in passwords or other credentials.")
    add("")
    add("## 1. App settings Meta requires (App settings > Basic)")
    add("")
    add("| Setting | Status | Found / fix |")
    add("|---|---|---|")
    for r in rows:
        add(f"| {_cell(r.label)} | {_cell(r.state)} | {_cell(r.found if r.state == 'present' else r.where)} |")
    add("")
    if any(r.state.startswith("unknown") for r in rows):
        add("Status is unknown where fbhub could not read the live app; store the App ID and App Secret "
            "('fbhub configure') and run `fbhub review-kit --force` again.")
        add("")
    add("## 2. Order of the submission steps")
    add("")
    for i, step in enumerate(SUBMISSION_STEPS, 1):
        add(f"{i}. {step}")
    add("")
    add("## 3. Permissions and features")
    add("")
    for p in PERMISSIONS:
        add(f"### {p.name} ({p.kind})")
        add("")
        add(f"- **What it allows:** {p.what}")
        add(f"- **What the CX platform uses it for:** {p.used_for}")
        if p.screencast:
            add(f"- **The screencast must show:** {p.screencast.format(domain=d)}")
        else:
            add("- **Screencast:** none; request Advanced Access for it first, on its own.")
        add("")
        add("Usage description (paste into \"How will your app use …?\"):")
        add("")
        add("> " + p.description.format(app=app, domain=d))
        add("")
    add("## 4. Test instructions for the reviewer (pages_messaging)")
    add("")
    add("In \"Test and reproduce the functionality of your integration\", select your Facebook Page and paste "
        "this text after replacing the placeholders:")
    add("")
    add("```text")
    add("Step 1: Log in to the CX System with the following credentials:")
    add(f"Login address: https://{d}")
    add("Company: {company_name}")
    add("Username: {account_or_email_address}")
    add("Password: {password}")
    add("Step 2: Log in to Facebook with the following credentials and send a message to the Facebook Page: "
        "{url_for_facebook_page}")
    add("Email or phone: {email_address_or_phone_number}")
    add("Password: {password}")
    add("Step 3: Receive and reply to the message on your CX System.")
    add("```")
    add("")
    if pages:
        add("Configured Pages (for `{url_for_facebook_page}`): " + ", ".join(
            f"{p.get('name') or p['id']} — https://www.facebook.com/{p['id']}" for p in pages))
        add("")
    add("Use a test account with limited access for the reviewer, never your own administrator account.")
    add("")
    add("## 5. Data handling questions")
    add("")
    add("App Review > Requests > Data handling questions > Answer questions about data handling. Answer them "
        "for your organisation (data processors, the responsible entity, national-security requests); fbhub "
        "cannot answer them for you. Then click Submit.")
    add("")
    add("## 6. After approval")
    add("")
    add("Switch the App Mode to Live (App Dashboard top bar), then run `fbhub doctor`.")
    add("")
    return "\n".join(out)


def write(path: Path, text: str, *, force: bool = False) -> None:
    """Write the kit atomically; refuse to replace an existing file unless ``force``."""
    from fbhub.configfile import is_special_output, write_output
    from fbhub.redact import redact

    path = Path(path)
    if path.exists() and not force and not is_special_output(path):
        raise UsageError(f"{path} already exists", hint="pass --force to overwrite it, or --output another file")
    if path.is_dir():
        raise UsageError(f"{path} is a directory", hint="pass --output FILE.md")
    try:
        write_output(path, redact(text))
    except OSError as exc:
        raise UsageError(f"cannot write the review kit {path}: {exc.strerror or exc}",
                         hint="choose a writable location for --output") from None
