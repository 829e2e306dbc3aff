"""Fast start: --version and --help import none of httpx, keyring, yaml (nor rich for --version)."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import sys, runpy
sys.argv = ["fbhub"] + {args!r}
try:
    runpy.run_module("fbhub", run_name="__main__")
except SystemExit:
    pass
heavy = sorted(m for m in sys.modules
               if m.split(".")[0] in ("httpx", "keyring", "yaml", "rich", "prometheus_client", "ruamel"))
print("HEAVY=" + ",".join(sorted({{m.split(".")[0] for m in heavy}})))
"""


@pytest.mark.parametrize("args,allowed", [(["--version"], set()), (["--help"], {"rich"}),
                                          # urls shows the Verify Token, read from the secret store
                                          (["urls", "cx.example.com", "--json"], {"keyring"})])
def test_no_heavy_imports(args, allowed):
    p = subprocess.run([sys.executable, "-c", PROBE.format(args=args)], capture_output=True, text=True, timeout=60)
    line = [x for x in p.stdout.splitlines() if x.startswith("HEAVY=")][-1]
    loaded = set(filter(None, line[6:].split(",")))
    assert loaded <= allowed, loaded


def test_python_m_and_version():
    p = subprocess.run([sys.executable, "-m", "fbhub", "--version"], capture_output=True, text=True, timeout=60)
    from fbhub import __version__

    assert p.returncode == 0 and p.stdout.strip() == f"fbhub {__version__}"


@pytest.mark.parametrize("args,needle", [(["nosuch"], "No such command"), (["doctor", "--nosuch"], "--nosuch"),
                                         (["doctor", "--format"], "--format")])
def test_usage_errors_are_one_line_and_exit_2(args, needle):
    p = subprocess.run([sys.executable, "-m", "fbhub", *args], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("error: ") and needle in lines[0]
    assert lines[1].startswith("hint: ") and "Traceback" not in p.stderr
