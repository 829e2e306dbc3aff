"""FB7xx: the pinned Graph API version is supported and served."""

from __future__ import annotations

from fbhub.checks.facts import Facts, Inputs
from fbhub.checks.model import CheckResult, CheckSpec, Group, Status
from fbhub.meta.versions import DEFAULT_GRAPH_VERSION

# A pinned version warns this many days before Meta stops serving it.
VERSION_EOL_WARN_DAYS = 90

CHECKS = (
    CheckSpec("FB701", "graph-version", "Pinned Graph API version is supported", "version-deprecated"),
    CheckSpec("FB702", "graph-version", "Meta serves the version asked for", "version-deprecated"),
)

GROUP = Group("graph-version", "Graph API version", CHECKS, graph=True)
result, skip_all = GROUP.result, GROUP.skip


@GROUP.evaluator
def graph_version(inp: Inputs, facts: Facts) -> list[CheckResult]:
    from fbhub.graph.versions import is_known, latest_version, version_eol, version_key

    v = inp.graph_version
    eol = version_eol(v)
    out = []
    if not is_known(v):
        newer = version_key(v) > version_key(latest_version())
        out.append(result("FB701", Status.WARN if newer else Status.FAIL,
                          f"{v} is {'newer than any version fbhub knows' if newer else 'not a Graph API version'}",
                          "check https://developers.facebook.com/docs/graph-api/changelog/versions/ and pin a "
                          f"version Meta serves, e.g. 'fbhub config set graph_version {DEFAULT_GRAPH_VERSION}'"))
    elif eol is None:
        out.append(result("FB701", Status.PASS, f"{v} (no end-of-life date announced)"))
    else:
        left = (eol - inp.today).days
        if left < 0:
            out.append(result("FB701", Status.FAIL, f"{v} reached its end of life on {eol}; Meta silently serves a "
                              "newer version",
                              f"pin a current version: 'fbhub config set graph_version {DEFAULT_GRAPH_VERSION}'"))
        elif left <= VERSION_EOL_WARN_DAYS:
            out.append(result("FB701", Status.WARN, f"{v} ends on {eol} (in {left} days)",
                              "plan the upgrade: 'fbhub config set graph_version <newer>' after testing"))
        else:
            out.append(result("FB701", Status.PASS, f"{v}, supported until {eol}"))
    served = sorted(facts.versions_served)
    other = [s for s in served if s != v]
    if not served:
        out.append(result("FB702", Status.SKIP, "no Graph response was seen"))
    elif other:
        out.append(result("FB702", Status.WARN, f"asked for {v}, Meta answered with {', '.join(other)}",
                          "the pinned version has expired or is unknown; pin a supported version",
                          details={"served": served}))
    else:
        out.append(result("FB702", Status.PASS, f"served {v}"))
    return out

