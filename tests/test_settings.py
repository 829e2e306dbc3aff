"""Settings precedence (flag > env > file > default), profiles, config commands, atomic writes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from fbhub import configfile
from fbhub.errors import ConfigError, UsageError
from fbhub.settings import DEFAULT_GRAPH_URL, DEFAULT_GRAPH_VERSION, SETTINGS, resolve


def write_config(path: Path, profiles: dict, version: int = 1) -> None:
    path.write_text(yaml.safe_dump({"version": version, "profiles": profiles}))


@pytest.fixture
def cfg_path(isolated_env) -> Path:
    return Path(os.environ["FBHUB_CONFIG"])


def test_defaults_when_nothing_set(cfg_path):
    r = resolve()
    assert r.profile == "default"
    assert r["graph_url"] == DEFAULT_GRAPH_URL and r.sources["graph_url"] == "default"
    assert r["graph_version"] == DEFAULT_GRAPH_VERSION
    assert r.get("domain") is None and r.sources["domain"] == "default"
    assert "messages" in r["webhook_fields"]


@pytest.mark.parametrize("name,flag_value,env_value,file_value,expected", [
    ("domain", "flag.example.com", "env.example.com", "file.example.com", None),
    ("app_id", "111111", "222222", "333333", None),
    ("graph_version", "v25.0", "v23.0", "v22.0", None),
    ("graph_url", "http://127.0.0.1:1", "http://127.0.0.1:2", "http://127.0.0.1:3", None),
])
def test_precedence_flag_env_file_default(cfg_path, monkeypatch, name, flag_value, env_value, file_value, expected):
    env_name = SETTINGS[name].env
    write_config(cfg_path, {"default": {name: file_value}})
    r = resolve({name: flag_value}, env={env_name: env_value, "FBHUB_CONFIG": str(cfg_path)})
    assert (r[name], r.sources[name]) == (flag_value, "flag")
    r = resolve({}, env={env_name: env_value, "FBHUB_CONFIG": str(cfg_path)})
    assert (r[name], r.sources[name]) == (env_value, "env")
    r = resolve({}, env={"FBHUB_CONFIG": str(cfg_path)})
    assert (r[name], r.sources[name]) == (file_value, "file")
    write_config(cfg_path, {"default": {}})
    r = resolve({}, env={"FBHUB_CONFIG": str(cfg_path)})
    assert r.sources[name] == "default"


def test_profiles_kept_apart(cfg_path, monkeypatch):
    write_config(cfg_path, {"staging": {"domain": "staging.example.com"},
                            "production": {"domain": "cx.example.com"}})
    assert resolve(profile="staging")["domain"] == "staging.example.com"
    monkeypatch.setenv("FBHUB_PROFILE", "production")
    assert resolve()["domain"] == "cx.example.com"
    assert resolve(profile="staging")["domain"] == "staging.example.com"  # flag beats env


def test_config_flag_beats_env(tmp_path, cfg_path):
    other = tmp_path / "other.yaml"
    write_config(other, {"default": {"domain": "other.example.com"}})
    write_config(cfg_path, {"default": {"domain": "env.example.com"}})
    assert resolve(config_path=other)["domain"] == "other.example.com"


def test_invalid_yaml_names_file_and_line(cfg_path, cli):
    cfg_path.write_text("version: 1\nprofiles:\n  default:\n    domain: [unclosed\n")
    before = cfg_path.read_bytes()
    with pytest.raises(ConfigError) as ei:
        resolve()
    assert str(cfg_path) in str(ei.value) and ":" in str(ei.value)
    r = cli("config", "set", "domain", "cx.example.com")
    assert r.exit_code == 2
    assert "not valid YAML" in r.stderr and "Traceback" not in r.stderr
    assert cfg_path.read_bytes() == before  # never overwritten


def test_newer_config_format_refused(cfg_path, cli):
    write_config(cfg_path, {"default": {"domain": "cx.example.com"}}, version=7)
    r = cli("config", "show")
    assert r.exit_code == 2 and "newer fbhub" in r.stderr


def test_secret_in_config_file_refused(cfg_path, cli):
    write_config(cfg_path, {"default": {"app_secret": "0123456789abcdef0123456789abcdef"}})
    r = cli("config", "show")
    assert r.exit_code == 2
    assert "secret" in r.stderr and "0123456789abcdef" not in r.stderr + r.stdout
    assert f"{cfg_path}:3:" in r.stderr  # file and line


def test_unknown_setting_in_file_suggests(cfg_path, cli):
    write_config(cfg_path, {"default": {"domian": "cx.example.com"}})
    r = cli("config", "show")
    assert r.exit_code == 2 and "did you mean 'domain'" in r.stderr


def test_bad_env_value_names_variable(cli):
    r = cli("config", "show", env={"FBHUB_APP_ID": "12 34"})
    assert r.exit_code == 2
    assert "FBHUB_APP_ID" in r.stderr and "'12 34'" in r.stderr


def test_config_set_show_unset_roundtrip(cfg_path, cli):
    assert cli("config", "set", "domain", "https://CX.example.com/").exit_code == 0
    assert cli("config", "set", "app-id", "1234567890").exit_code == 0
    assert cli("config", "set", "pages", "111:Support,222:Sales").exit_code == 0
    assert cli("--profile", "staging", "config", "set", "domain", "staging.example.com").exit_code == 0
    data = yaml.safe_load(cfg_path.read_text())
    assert data["profiles"]["default"]["domain"] == "cx.example.com"
    assert data["profiles"]["default"]["pages"] == [{"id": "111", "name": "Support"}, {"id": "222", "name": "Sales"}]
    assert data["profiles"]["staging"] == {"domain": "staging.example.com"}
    assert oct(cfg_path.stat().st_mode & 0o777) == "0o600"
    r = cli("config", "show", "--json")
    import json

    doc = json.loads(r.stdout)
    rows = {x["name"]: x for x in doc["settings"]}
    assert rows["domain"]["value"] == "cx.example.com" and rows["domain"]["source"] == "file"
    assert rows["graph_url"]["source"] == "default"
    r = cli("config", "show", "--json", env={"FBHUB_DOMAIN": "env.example.com"})
    rows = {x["name"]: x for x in json.loads(r.stdout)["settings"]}
    assert rows["domain"] == {"name": "domain", "value": "env.example.com", "source": "env", "env": "FBHUB_DOMAIN"}
    assert cli("config", "unset", "domain").exit_code == 0
    assert "domain" not in yaml.safe_load(cfg_path.read_text())["profiles"]["default"]
    assert cli("config", "path").stdout.strip() == str(cfg_path)


def test_config_set_rejects_bad_value_and_keeps_file(cfg_path, cli):
    cli("config", "set", "domain", "cx.example.com")
    before = cfg_path.read_bytes()
    for args in (("domain", "https://cx.example.com/path"), ("app-id", "12ab"), ("graph-version", "24"),
                 ("app_secret", "x"), ("nosuch", "1"), ("webhook-fields", "messages,mesages")):
        r = cli("config", "set", *args)
        assert r.exit_code == 2, args
        assert r.stderr.startswith("error: ") and "Traceback" not in r.stderr
    assert cfg_path.read_bytes() == before


def test_atomic_write_crash_leaves_old_file(cfg_path, monkeypatch):
    cfg = configfile.ConfigFile.load(cfg_path)
    cfg.set("default", "domain", "old.example.com")
    cfg.save()
    before = cfg_path.read_bytes()

    def crash(tmp, path):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(configfile, "_before_replace", crash)
    cfg.set("default", "domain", "new.example.com")
    with pytest.raises(OSError):
        cfg.save()
    assert cfg_path.read_bytes() == before
    assert [p.name for p in cfg_path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_require_names_the_three_ways(cfg_path):
    with pytest.raises(ConfigError) as ei:
        resolve().require("domain")
    assert "--domain" in ei.value.hint and "FBHUB_DOMAIN" in ei.value.hint and "config set" in ei.value.hint


def test_bad_profile_name():
    with pytest.raises(UsageError):
        resolve(profile="../etc")


def test_graph_url_password_never_echoed(cli):
    r = cli("config", "show", env={"FBHUB_GRAPH_URL": "http://admin:hunter2hunter2@127.0.0.1:9"})
    assert r.exit_code == 2 and "hunter2" not in r.stderr and "user info" in r.stderr


def test_bad_profile_env_names_the_variable(cli):
    r = cli("config", "show", env={"FBHUB_PROFILE": "my profile"})
    assert r.exit_code == 2 and "FBHUB_PROFILE" in r.stderr


def test_state_file_follows_the_config_file(tmp_path):
    from fbhub.wizard.state import state_path

    assert state_path(tmp_path / "config.yaml") == tmp_path / "state.yaml"
    assert state_path(tmp_path / "staging.yaml") != state_path(tmp_path / "prod.yaml")


def test_stale_temp_files_from_a_killed_write_are_cleaned(cfg_path):
    import time

    stale = cfg_path.parent / f".{cfg_path.name}.abc123.tmp"
    fresh = cfg_path.parent / f".{cfg_path.name}.def456.tmp"
    stale.write_text("half")
    fresh.write_text("a writer still at work")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    cfg = configfile.ConfigFile.load(cfg_path)
    cfg.set("default", "domain", "cx.example.com")
    cfg.save()
    assert not stale.exists() and fresh.exists()
