"""World files: round trip, operator section, and one-line errors with file and line."""

from __future__ import annotations

import textwrap

import pytest
import yaml

from fbhub.errors import ConfigError, UsageError
from fbhub.sandbox import World, build_scenario, load_world, run_sandbox

from .helpers import client


def test_round_trip(tmp_path):
    sc = build_scenario("demo")
    p = tmp_path / "demo.yaml"
    p.write_text(sc.to_yaml())
    loaded = load_world(p)
    assert loaded.name == "demo" and loaded.summary == sc.summary
    assert loaded.world.to_dict() == sc.world.to_dict()
    assert loaded.operator == sc.operator
    assert World.from_dict(yaml.safe_load(sc.world.to_yaml())).to_dict() == sc.world.to_dict()


def test_faults_round_trip(tmp_path):
    sc = build_scenario("flaky")
    sc.world.faults.rate_limit = {"/me": 5}
    sc.world.faults.batch_timeout_every = 3
    sc.world.faults.malformed = ["/*/roles"]
    sc.world.faults.reset_connections = {"*": 1}
    p = tmp_path / "w.yaml"
    p.write_text(sc.to_yaml())
    assert load_world(p).world.faults == sc.world.faults


MINIMAL = """\
version: 1
name: tiny
reachable_hosts: [cx.example.com]
apps:
  - id: "111"
    secret: "abcdefabcdefabcdefabcdefabcdefab"
    name: Tiny
users:
  - {id: "222", name: Pat Admin}
pages:
  - id: "333"
    name: Tiny Page
    roles: [{user: "222", tasks: [MESSAGING, MANAGE]}]
tokens:
  - value: EAAGtinypagetoken000
    type: PAGE
    app_id: "111"
    user_id: "222"
    page_id: "333"
    scopes: [pages_manage_metadata, pages_messaging]
    expires_in_days: 0
"""


def test_minimal_world_serves(tmp_path):
    p = tmp_path / "tiny.yaml"
    p.write_text(MINIMAL)
    with run_sandbox(str(p)) as sb:
        assert sb.operator.app_id == "111" and sb.operator.page_tokens == ["EAAGtinypagetoken000"]
        with client(sb) as c:
            r = c.post("/v24.0/333/subscribed_apps", data={"access_token": "EAAGtinypagetoken000",
                                                           "subscribed_fields": "messages"})
            assert r.json() == {"success": True}
            assert c.get("/v24.0/333/subscribed_apps",
                         params={"access_token": "EAAGtinypagetoken000"}).json()["data"][0]["name"] == "Tiny"


@pytest.mark.parametrize("text, line, fragment", [
    ("version: 1\napps: [\n", 3, "invalid YAML"),
    (MINIMAL.replace("    type: PAGE", "    type: PAGES"), 16, "'PAGES' is not one of USER, PAGE, APP, SYSTEM_USER"),
    (MINIMAL.replace('    page_id: "333"', '    page_id: "999"'), 19, "page_id 999 is not a page of this world"),
    (MINIMAL.replace("    name: Tiny\n", "    name: Tiny\n    colour: red\n"), 8, "unknown key 'colour' in apps[0]"),
    (MINIMAL.replace('    secret: "abcdefabcdefabcdefabcdefabcdefab"\n', ""), 5, "apps[0] has no 'secret'"),
    (MINIMAL.replace('id: "111"', "id: abc"), 5, "apps[0].id 'abc' is not a numeric id"),
    (MINIMAL + "faults:\n  latency: fast\n", 23, "faults.latency must be a number"),
    (MINIMAL.replace("[MESSAGING, MANAGE]", "[CHAT]"), 13, "unknown task 'CHAT'"),
    ("", None, "the world file is empty"),
    ("- a\n- b\n", 1, "the world file must be a mapping"),
])
def test_bad_world_files(tmp_path, text, line, fragment):
    p = tmp_path / "bad.yaml"
    p.write_text(text)
    with pytest.raises(ConfigError) as ei:
        load_world(p)
    e = ei.value
    assert isinstance(e, UsageError)
    assert fragment in e.message
    assert "\n" not in e.message
    assert e.message.startswith(str(p))
    assert e.line == line
    if line:
        assert f"line {line}:" in e.message
    assert e.hint


def test_missing_file(tmp_path):
    with pytest.raises(UsageError, match="world file not found"):
        load_world(tmp_path / "nope.yaml")


def test_operator_section(tmp_path):
    p = tmp_path / "op.yaml"
    p.write_text(textwrap.dedent(MINIMAL) + textwrap.dedent("""\
        operator:
          app_id: "111"
          app_secret: wrong
          page_tokens: [EAAGtinypagetoken000]
          domain: cx.example.com
          verify_token: vt
          pages: [{id: "333", name: Tiny Page}]
        """))
    sc = load_world(p)
    assert sc.operator.app_secret == "wrong" and sc.operator.pages == [{"id": "333", "name": "Tiny Page"}]
