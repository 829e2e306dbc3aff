"""FB2xx: Meta knows the App ID and accepts the App Secret."""

from __future__ import annotations

from fbhub.checks.facts import Facts, Inputs, error_text
from fbhub.checks.model import CheckResult, CheckSpec, Group, Status, failure_of
from fbhub.meta.error_codes import RATE_LIMIT_CODES
from fbhub.meta.versions import DEFAULT_GRAPH_VERSION

CHECKS = (
    CheckSpec("FB201", "credentials", "App ID is known to Meta", "app-credentials"),
    CheckSpec("FB202", "credentials", "App Secret matches the App ID", "app-credentials"),
)

GROUP = Group("credentials", "Credentials", CHECKS, graph=True)
result, skip_all = GROUP.result, GROUP.skip


@GROUP.evaluator
def credentials(inp: Inputs, facts: Facts) -> list[CheckResult]:
    from fbhub.graph.errors import InvalidAppId, InvalidAppSecret

    if not inp.app_id or not inp.has_app_secret:
        return skip_all(("FB201", "FB202"), "App ID or App Secret is not set (see FB102/FB103)")
    cred = facts.credentials
    if cred is None:
        return skip_all(("FB201", "FB202"), "not checked")
    if cred.ok:
        return [result("FB201", Status.PASS, f"App ID {inp.app_id}"),
                result("FB202", Status.PASS, "Meta issued an app access token")]
    err = cred.error
    if isinstance(err, InvalidAppId):
        return [result("FB201", Status.FAIL, f"Meta does not know App ID {inp.app_id}: {error_text(err)}",
                       "copy the App ID from App settings > Basic of the right app; then the same value into "
                       "the Connector Hub (Advance > Connector Hub Setting > Facebook > Client-id)"),
                result("FB202", Status.SKIP, "the App ID is unknown (FB201)")]
    if isinstance(err, InvalidAppSecret):
        return [result("FB201", Status.PASS, f"App ID {inp.app_id}"),
                result("FB202", Status.FAIL, "Meta refused the App Secret: it does not belong to this App ID, or "
                       "it was reset", "App settings > Basic > App secret > Show; store it with 'fbhub secrets set "
                       "app-secret' and paste it as Client-Secret in the Connector Hub")]
    if getattr(err, "code", None) == 2500:  # "Unknown path components": the version in the URL does not exist
        return [result("FB201", Status.FAIL, f"Meta does not know the path asked for: {error_text(err)}",
                       f"the Graph API version {inp.graph_version} does not exist; pin one Meta serves, e.g. "
                       f"'fbhub config set graph_version {DEFAULT_GRAPH_VERSION}'"),
                result("FB202", Status.SKIP, "credentials could not be checked (FB201)")]
    st = failure_of(cred)
    if st is Status.ERROR and _rate_limited(err):
        fix = ("Meta is rate limiting this app: wait (usually minutes; the usage headers say how long) and run "
               "it again — see 'fbhub explain rate-limit'")
    elif st is Status.ERROR:
        fix = "retry later; check the network path to the Graph API"
    else:
        fix = "see 'fbhub explain app-credentials'"
    return [result("FB201", st, f"could not get an app access token: {error_text(err)}", fix),
            result("FB202", Status.SKIP, "credentials could not be checked (FB201)")]


def _rate_limited(err: object) -> bool:
    text = str(getattr(err, "message", "") or err or "")
    return getattr(err, "code", None) in RATE_LIMIT_CODES or "(#4)" in text or "request limit" in text.lower() \
        or "rate limit" in text.lower()

