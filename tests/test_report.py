"""fbhub.report: JSON (schema), JUnit, GitHub annotations, text, files and the support bundle."""

from __future__ import annotations

import io
import json
import os
import xml.etree.ElementTree as ET

import jsonschema
import pytest
from rich.console import Console

from fbhub import __version__, report
from fbhub.checks.model import CheckResult, Status
from fbhub.errors import UsageError
from fbhub.redact import register_secret
from fbhub.report import ReportMeta

SECRET = "EAAGplantedPAGEtoken9f3Kq7ZxW2mLb8rTXYZ"  # registered
UNREGISTERED = "zzUNREGISTEREDtoken987654321qq"  # only ever appears as access_token=...
ANSI = "\x1b["


def results() -> list[CheckResult]:
    return [
        CheckResult("FB101", "App exists", Status.PASS, found="CloudCX (live)", group="app"),
        CheckResult("FB102", "App is live", Status.WARN, found="development mode", fix="switch to Live",
                    group="app", topic="app-mode"),
        CheckResult("FB501", "Webhook callback reachable", Status.FAIL,
                    found=f"GET https://cx.example.com/hook?access_token={UNREGISTERED} returned 404",
                    fix=f"check the reverse proxy; token {SECRET}", target="webhook", group="webhook",
                    topic="webhook-callback", details={"token": SECRET, "n": 3}),
        CheckResult("FB502", "Webhook fields, 100% <ok>\n& more", Status.ERROR, found="rate limited: 50%,\r\nretry",
                    fix="wait: an hour", target="page:111,222", group="webhook"),
        CheckResult("FB601", "Page token valid", Status.SKIP, found="FB501 failed", target="page:111", group="pages"),
        CheckResult("VA701", "Advanced access for pages_messaging", Status.MANUAL, found="the API cannot tell",
                    fix="open App Review > Permissions", group="review", topic="app-review"),
    ]


@pytest.fixture(autouse=True)
def _secret():
    register_secret(SECRET)


@pytest.fixture
def meta() -> ReportMeta:
    return ReportMeta(command="doctor", profile="production", graph_version_requested="v24.0",
                      graph_versions_served=["v24.0"], duration_s=1.234, requests=14)


def all_outputs(meta: ReportMeta) -> dict[str, str]:
    rs = results()
    buf = io.StringIO()
    report.render_terminal(rs, meta, Console(file=buf, force_terminal=True, color_system="truecolor", width=200))
    return {
        "json": report.render(rs, meta, fmt="json"),
        "junit": report.render(rs, meta, fmt="junit"),
        "github": report.render(rs, meta, fmt="github"),
        "text": report.render(rs, meta, fmt="text"),
        "terminal": buf.getvalue(),
    }


# -- JSON ------------------------------------------------------------------------------------------

def test_json_validates_against_schema(meta):
    doc = json.loads(report.render(results(), meta, fmt="json"))
    schema = report.load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(doc)
    assert doc["tool"] == "fbhub" and doc["version"] == __version__ and doc["command"] == "doctor"
    assert doc["profile"] == "production"
    assert doc["graph"] == {"version_requested": "v24.0", "versions_served": ["v24.0"]}
    assert [r["id"] for r in doc["results"]] == [r.id for r in results()]
    assert doc["results"][5]["status"] == "confirm"


def test_json_summary_and_exit_code(meta):
    doc = report.to_json_doc(results(), meta, exit_code=1)
    assert doc["summary"] == {"pass": 1, "warn": 1, "fail": 1, "skip": 1, "error": 1, "confirm": 1, "total": 6}
    assert doc["exit_code"] == 1
    # render() derives the exit code: error only → 3 (inconclusive); warn with strict → 1
    only_error = [r for r in results() if r.status in (Status.PASS, Status.ERROR)]
    assert json.loads(report.render(only_error, meta, fmt="json"))["exit_code"] == 3
    warn = [r for r in results() if r.status in (Status.PASS, Status.WARN)]
    assert json.loads(report.render(warn, meta, fmt="json"))["exit_code"] == 0
    meta.strict = True
    assert json.loads(report.render(warn, meta, fmt="json"))["exit_code"] == 1


def test_schema_rejects_bad_documents(meta):
    validator = jsonschema.Draft202012Validator(report.load_schema())
    doc = report.to_json_doc(results(), meta, exit_code=1)
    validator.validate(doc)
    for breakage in (lambda d: d["results"][0].update(status="ok"), lambda d: d["results"][0].update(id="FB1"),
                     lambda d: d.pop("summary"), lambda d: d.update(command="other"),
                     lambda d: d.update(exit_code=7)):
        bad = json.loads(json.dumps(doc))
        breakage(bad)
        assert not validator.is_valid(bad)


def test_empty_results(meta):
    doc = json.loads(report.render([], meta, fmt="json"))
    jsonschema.Draft202012Validator(report.load_schema()).validate(doc)
    assert doc["summary"]["total"] == 0 and doc["exit_code"] == 0
    assert ET.fromstring(report.to_junit([], meta)).find("testsuite").get("tests") == "0"
    assert "no checks ran" in report.to_plain([], meta)


# -- JUnit -----------------------------------------------------------------------------------------

def _suite(xml: str) -> ET.Element:
    root = ET.fromstring(xml.encode("utf-8"))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    return suites[0]


def test_junit_counts_and_cases(meta):
    xml = report.to_junit(results(), meta)
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    suite = _suite(xml)
    cases = suite.findall("testcase")
    assert len(cases) == len(results())
    assert suite.get("name") == "fbhub doctor"
    counts = [suite.get(k) for k in ("tests", "failures", "errors", "skipped")]
    assert counts == ["6", "1", "1", "2"]
    assert suite.get("time") == "1.234"
    by_id = {c.get("name").split()[0]: c for c in cases}
    assert by_id["FB501"].get("classname") == "fbhub.webhook"
    assert by_id["FB501"].get("name") == "FB501 Webhook callback reachable [webhook]"
    fail = by_id["FB501"].find("failure")
    assert "returned 404" in fail.get("message") and "reverse proxy" in fail.text
    assert "fbhub explain webhook-callback" in fail.text
    assert by_id["FB502"].find("error") is not None
    assert by_id["FB502"].get("name") == "FB502 Webhook fields, 100% <ok>\n& more [page:111,222]"  # escaped, intact
    assert by_id["FB601"].find("skipped") is not None
    assert by_id["VA701"].find("skipped").get("message").startswith("confirm in the dashboard")
    warn = by_id["FB102"]
    assert warn.find("failure") is None and warn.find("skipped") is None
    assert "development mode" in warn.find("system-out").text and "switch to Live" in warn.find("system-out").text
    assert len(by_id["FB101"]) == 0  # a pass is an empty testcase


def test_junit_strict_makes_warnings_failures(meta):
    meta.strict = True
    suite = _suite(report.to_junit(results(), meta))
    assert suite.get("failures") == "2" and suite.get("errors") == "1" and suite.get("skipped") == "2"
    warn = [c for c in suite.findall("testcase") if c.get("name").startswith("FB102")][0]
    assert warn.find("failure").get("type") == "warn"


def test_junit_survives_control_characters(meta):
    r = CheckResult("FB900", "odd", Status.FAIL, found="bell\x07 nul\x00 esc\x1b[31mred", fix="x\x0cy")
    case = _suite(report.to_junit([r], meta)).find("testcase")
    assert "\x1b" not in case.find("failure").get("message")


# -- GitHub ----------------------------------------------------------------------------------------

def test_github_annotations(meta):
    out = report.to_github(results(), meta)
    lines = out.splitlines()
    cmds = [line for line in lines if line.startswith("::")]
    assert [c.split(" ", 1)[0] for c in cmds] == ["::warning", "::error", "::error", "::notice"]
    fail = next(c for c in cmds if "FB501" in c)
    assert fail.startswith("::error title=FB501 Webhook callback reachable [webhook]::")
    assert "returned 404 — check the reverse proxy" in fail
    err = next(c for c in cmds if "FB502" in c)
    title, msg = err[len("::error "):].split("::", 1)
    # properties: % , : CR LF escaped; message: % CR LF escaped (the ':' of the message stays)
    assert title == "title=FB502 Webhook fields%2C 100%25 <ok>%0A& more [page%3A111%2C222] (could not check)"
    assert msg == "rate limited: 50%25,%0Aretry — wait: an hour"
    assert "\r" not in out
    assert lines[-1].startswith("fbhub doctor: 1 failed, 1 could not be checked, 1 warning")


def test_github_strict_and_escape_helpers(meta):
    meta.strict = True
    assert "::warning" not in report.to_github(results(), meta)
    assert report.gh_escape_data("a%b\r\nc") == "a%25b%0D%0Ac"
    assert report.gh_escape_property("a:b,c%") == "a%3Ab%2Cc%25"


# -- text ------------------------------------------------------------------------------------------

def test_plain_text_report(meta):
    out = report.to_plain(results(), meta)
    assert ANSI not in out
    assert not any(ch in out for ch in "─│┌┐└┘━┃╭╮")
    lines = out.splitlines()
    assert lines[0].startswith("fbhub doctor · profile production · Graph API v24.0")
    # groups in order of appearance, each row with id, badge, title, found; rows about a target sit under it
    assert [ln for ln in lines if ln and not ln.startswith(" ")][1:5] == ["app", "webhook", "pages", "review"]
    row = next(ln for ln in lines if "FB501" in ln)
    assert "FAIL" in row and "Webhook callback reachable — GET" in row
    i = lines.index(row)
    assert lines[i - 1] == "  webhook" and row.startswith("    FB501")
    assert lines[i + 1].strip().startswith("fix: check the reverse proxy")
    assert lines[i + 2].strip() == "explain: fbhub explain webhook-callback"
    assert lines[i + 1].index("fix") == row.index("Webhook")  # indented under the title
    pass_row = lines.index(next(ln for ln in lines if "FB101" in ln))
    assert "FB102" in lines[pass_row + 1]  # no fix line under a pass
    assert "CONFIRM" in out and "ERROR" in out and "SKIP" in out
    assert lines[-1] == ("1 failed, 1 could not be checked, 1 warning, 1 passed, 1 skipped, "
                         "1 to confirm in the dashboard · 1.2 s · 14 requests")


def test_summary_line_wording(meta):
    rs = [CheckResult(f"FB{i:03d}", "t", s) for i, s in enumerate([Status.FAIL] * 3 + [Status.WARN]
                                                                  + [Status.PASS] * 12 + [Status.MANUAL] * 2)]
    assert report.summary_line(rs, meta) == ("3 failed, 1 warning, 12 passed, 2 to confirm in the dashboard"
                                             " · 1.2 s · 14 requests")
    meta.requests = None
    meta.duration_s = 0.04
    assert report.summary_line(rs[3:5], meta) == "1 warning, 1 passed · 0.0 s"


@pytest.mark.parametrize("kwargs", [{"force_terminal": False}, {"force_terminal": True, "no_color": True}])
def test_terminal_plain_when_piped_or_no_color(meta, kwargs):
    buf = io.StringIO()
    report.render_terminal(results(), meta, Console(file=buf, width=80, **kwargs))
    out = buf.getvalue()
    assert ANSI not in out
    plain = report.to_plain(results(), meta)
    if kwargs["force_terminal"]:  # a terminal: wrapped with a hanging indent, no word or URL cut
        from fbhub.wrap import wrap_text

        assert out == wrap_text(plain, 80) and out.split() == plain.split()
    else:  # piped: not wrapped at all
        assert out == plain


def test_terminal_env_no_color_is_plain(meta, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    buf = io.StringIO()
    report.render_terminal(results(), meta, Console(file=buf, force_terminal=True, color_system="truecolor"))
    assert ANSI not in buf.getvalue()


def test_terminal_colours(meta, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    buf = io.StringIO()
    report.render_terminal(results(), meta, Console(file=buf, force_terminal=True, color_system="standard",
                                                    width=200))
    out = buf.getvalue()
    assert ANSI in out
    assert "\x1b[1;31mFAIL" in out and "\x1b[1;32mPASS" in out and "\x1b[1;36mCONFIRM" in out
    assert "fbhub explain webhook-callback" in out


def test_terminal_text_is_not_markup(meta):
    r = CheckResult("FB901", "[bold]not markup[/bold]", Status.FAIL, found="[red]x[/red]", fix="[link]y")
    buf = io.StringIO()
    report.render_terminal([r], meta, Console(file=buf, force_terminal=True, color_system="standard", width=200))
    assert "[bold]not markup[/bold]" in buf.getvalue() and "[red]x[/red]" in buf.getvalue()


def test_server_escape_sequences_are_not_passed_to_the_terminal(meta):
    r = CheckResult("FB902", "t", Status.FAIL, found="evil \x1b]0;title\x07 \x1b[2J clear\r\x9b")
    out = report.to_plain([r], meta)
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out and "clear" in out


# -- dispatcher, files -----------------------------------------------------------------------------

def test_render_dispatch(meta):
    buf = io.StringIO()
    assert report.render(results(), meta, fmt="text", console=Console(file=buf)) is None
    assert "FB501" in buf.getvalue()
    with pytest.raises(UsageError, match="unknown report format 'xml'"):
        report.render(results(), meta, fmt="xml")


def test_write_report_atomic_and_mode(tmp_path, meta):
    path = tmp_path / "out" / "doctor.xml"
    report.write_report(path, report.to_junit(results(), meta))
    assert oct(path.stat().st_mode & 0o777) == oct(0o644)
    _suite(path.read_text(encoding="utf-8"))
    assert [p.name for p in path.parent.iterdir()] == ["doctor.xml"]
    with pytest.raises(UsageError, match="is a directory"):
        report.write_report(tmp_path, "x")


def test_emit_to_file_and_stdout(tmp_path, meta, capsys):
    report.emit(results(), meta, fmt="json", output=tmp_path / "r.json")
    assert json.loads((tmp_path / "r.json").read_text())["exit_code"] == 1
    report.emit(results(), meta, fmt="github")
    assert "::error title=FB501" in capsys.readouterr().out


# -- secrets never leave ---------------------------------------------------------------------------

def test_planted_secrets_never_appear_in_any_format(meta, tmp_path):
    meta.extra = {"note": f"access_token={UNREGISTERED}", "t": SECRET}
    outputs = all_outputs(meta)
    report.write_report(tmp_path / "r.txt", f"{SECRET} access_token={UNREGISTERED}")
    outputs["file"] = (tmp_path / "r.txt").read_text()
    for name, text in outputs.items():
        assert SECRET not in text, name
        assert UNREGISTERED not in text, name
        assert "EAAG…TXYZ" in text, name  # still recognisable, masked
    assert "access_token=zzUN…21qq" in outputs["text"]  # the finding stays readable, only the value is masked


def test_secret_hidden_even_when_escaping_would_split_it(meta):
    odd = "s3cr3t&value%with<specials>"
    register_secret(odd)
    r = CheckResult("FB903", "t", Status.FAIL, found=f"got {odd}", fix=f"x {odd}\n{odd}")
    for fmt in report.FORMATS:
        text = report.render([r], meta, fmt=fmt)
        assert odd not in text
        for enc in ("s3cr3t&amp;value", "value%25with", "%3Cspecials"):
            assert enc not in text, (fmt, enc)


def test_support_bundle(tmp_path, meta):
    from fbhub.settings import resolve

    settings = resolve(profile="production", env={"FBHUB_DOMAIN": "cx.example.com", "FBHUB_APP_ID": "1234567890123456"},
                       config_path=tmp_path / "none.yaml")
    path = tmp_path / "bundle.json"
    bundle = report.write_bundle(path, results(), meta, settings,
                                 {"app-secret": True, "page-token": SECRET, "verify-token": False})
    text = path.read_text(encoding="utf-8")
    assert SECRET not in text and UNREGISTERED not in text
    on_disk = json.loads(text)
    assert on_disk == bundle
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)
    assert bundle["fbhub"]["version"] == __version__
    assert bundle["python"]["version"].count(".") == 2 and bundle["platform"]["system"]
    assert bundle["graph"] == {"version_requested": "v24.0", "versions_served": ["v24.0"], "transport_notes": []}
    assert bundle["graph_exchanges"] == []  # none given here; doctor --bundle passes its run's exchanges
    assert bundle["settings"]["domain"] == {"value": "cx.example.com", "source": "env"}
    assert bundle["settings"]["timeout"] == {"value": 10.0, "source": "default"}
    assert bundle["secrets_present"] == {"app-secret": True, "page-token": True, "verify-token": False}
    assert all(k.startswith("FBHUB_") for k in bundle["env_vars_set"])
    jsonschema.Draft202012Validator(report.load_schema()).validate(bundle["report"])
    assert len(bundle["report"]["results"]) == 6


def test_bundle_accepts_plain_mapping_and_withholds_secretish_settings(meta):
    bundle = report.build_bundle([], meta, {"domain": {"value": "cx.example.com", "source": "file"},
                                            "app_id": ("1234567890123456", "flag"),
                                            "app_secret": SECRET + "-other"}, {})
    assert bundle["settings"]["app_id"] == {"value": "1234567890123456", "source": "flag"}
    assert bundle["settings"]["app_secret"]["value"] == "(withheld)"
    assert SECRET not in json.dumps(bundle)


def test_report_module_is_light():
    import subprocess
    import sys

    code = ("import sys, fbhub.report; "
            "print(sorted(m for m in ('rich', 'yaml', 'httpx', 'keyring') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={**os.environ}).stdout.strip()
    assert out == "[]"


def test_all_pass_pages_fold_into_one_line(meta):
    ok = [CheckResult(f"FB60{i}", f"t{i}", Status.PASS, target="page 1 (A)", group="page-subscription")
          for i in range(1, 5)]
    bad = [CheckResult("FB601", "subscribed", Status.FAIL, found="not subscribed", fix="subscribe it",
                       target="page 2 (B)", group="page-subscription"),
           CheckResult("FB604", "others", Status.PASS, target="page 2 (B)", group="page-subscription")]
    out = report.to_plain(ok + bad, meta)
    assert "  page 1 (A): all 4 checks passed (FB601–FB604)" in out.splitlines()
    assert "FB602" not in out  # folded
    lines = out.splitlines()
    i = lines.index("  page 2 (B)")
    assert "FB601" in lines[i + 1] and "FAIL" in lines[i + 1] and any("FB604" in ln for ln in lines[i + 2:])


@pytest.mark.parametrize("strict", [False, True])
def test_coloured_and_plain_text_are_one_layout(meta, strict, monkeypatch):
    """The terminal report, stripped of its colours, is the plain report line for line (no wrapping: wide)."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")  # rich draws a dumb terminal 80 columns wide
    meta.strict = strict
    rs = results() + [CheckResult(f"FB60{i}", f"t{i}", Status.PASS, target="page 1 (A)", group="page-subscription")
                      for i in range(1, 4)]
    console = Console(file=io.StringIO(), force_terminal=True, color_system="truecolor", width=400, record=True)
    report.render_terminal(rs, meta, console)
    assert "\x1b[" in console.file.getvalue()  # drawn in colour
    coloured = [line.rstrip() for line in console.export_text(styles=False).splitlines()]
    plain = [line.rstrip() for line in report.to_plain(rs, meta).splitlines()]
    assert coloured == plain
