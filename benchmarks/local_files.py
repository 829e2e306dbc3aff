"""Local files under stress: an alias bomb, parallel config writers, parallel secret writers, a big config edit.

Each run is a fresh ``python -m fbhub`` child in a temporary home (file-backed test keyring), so nothing of
yours is touched. Prints, per scenario, what happened and how long it took:

- ``config show`` on a 9-level YAML alias bomb: exit code, wall seconds, peak RSS (wait4);
- N rounds of K parallel ``config set`` (different keys): settings lost (must be 0);
- K parallel ``secrets set page-token``: tokens stored, listed by ``secrets list`` and left after
  ``secrets delete`` (must be K, K, 0);
- ``config set`` on the shipped examples/config.yaml: comments before and after, wall seconds.

Usage: python benchmarks/local_files.py [--rounds 10] [--writers 4]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUPPORT = ROOT / "tests" / "support"

BOMB = "\n".join(
    ['version: 1', 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{c}: &{c} [{','.join(['*' + p] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi", strict=True)]
    + ["profiles: {default: {domain: cx.example.com, pages: *i}}", ""])


def env_for(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FBHUB_")}
    env.update(FBHUB_CONFIG=str(home / "config.yaml"), FBHUB_TEST_KEYRING_FILE=str(home / "keyring.json"),
               PYTHON_KEYRING_BACKEND="filekeyring.FileKeyring", FBHUB_SECRET_STORE="keyring",
               PYTHONPATH=str(SUPPORT) + os.pathsep + env.get("PYTHONPATH", ""))
    return env


def start(home: Path, *args: str, stdin: str | None = None) -> subprocess.Popen[str]:
    p = subprocess.Popen([sys.executable, "-m", "fbhub", *args], env=env_for(home), cwd=ROOT, text=True,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if stdin is not None and p.stdin is not None:
        p.stdin.write(stdin)
    if p.stdin is not None:
        p.stdin.close()
    return p


def alias_bomb(home: Path) -> None:
    (home / "config.yaml").write_text(BOMB, encoding="utf-8")
    t0 = time.monotonic()
    p = start(home, "config", "show")
    _, status, usage = os.wait4(p.pid, 0)
    secs = time.monotonic() - t0
    err = p.stderr.read() if p.stderr else ""
    print(f"alias bomb ({len(BOMB.encode())} bytes, 9 levels): exit {os.waitstatus_to_exitcode(status)}, "
          f"{secs:.2f} s, peak RSS {usage.ru_maxrss / 1024:.0f} MiB — {err.splitlines()[0] if err else ''}")


def parallel_config(home: Path, rounds: int, writers: int) -> None:
    keys = [("domain", "cx.example.com"), ("app_id", "1234567890123456"), ("timeout", "17"),
            ("graph_version", "v23.0"), ("retry_budget", "9")][:writers]
    lost = 0
    t0 = time.monotonic()
    for _ in range(rounds):
        (home / "config.yaml").write_text("version: 1\nprofiles:\n  default: {}\n", encoding="utf-8")
        procs = [start(home, "config", "set", k, v) for k, v in keys]
        codes = [p.wait() for p in procs]
        assert codes == [0] * len(procs), codes
        import yaml

        prof = yaml.safe_load((home / "config.yaml").read_text(encoding="utf-8"))["profiles"]["default"]
        lost += sum(1 for k, _ in keys if k not in prof)
    print(f"parallel config set: {rounds} rounds × {len(keys)} writers, {lost} settings lost, "
          f"{time.monotonic() - t0:.1f} s")


def parallel_secrets(home: Path, writers: int) -> None:
    tokens = [f"EAAGbenchToken{n}x0123456789abcdefghijklmnop" for n in range(writers)]
    t0 = time.monotonic()
    procs = [start(home, "secrets", "set", "page-token", stdin=t + "\n") for t in tokens]
    codes = [p.wait() for p in procs]
    kr = json.loads((home / "keyring.json").read_text())
    stored = sum(1 for k in kr if ":page-token:" in k)
    out = subprocess.run([sys.executable, "-m", "fbhub", "secrets", "list", "--json"], env=env_for(home),
                         capture_output=True, text=True, cwd=ROOT).stdout
    listed = sum(1 for r in json.loads(out)["secrets"] if r["secret"] == "page-token" and r["label"])
    subprocess.run([sys.executable, "-m", "fbhub", "secrets", "delete", "page-token", "--yes"], env=env_for(home),
                   capture_output=True, cwd=ROOT)
    kr = json.loads((home / "keyring.json").read_text())
    left = sum(1 for k in kr if ":page-token:" in k)
    print(f"parallel secrets set page-token: {writers} writers (exit {sorted(set(codes))}), {stored} stored, "
          f"{listed} listed, {left} left after delete, {time.monotonic() - t0:.1f} s")


def example_edit(home: Path) -> None:
    text = (ROOT / "examples" / "config.yaml").read_text(encoding="utf-8")
    (home / "config.yaml").write_text(text, encoding="utf-8")
    t0 = time.monotonic()
    p = start(home, "--profile", "staging", "config", "set", "timeout", "25")
    p.wait()
    after = (home / "config.yaml").read_text(encoding="utf-8")

    def count(t: str) -> int:
        return sum(1 for line in t.splitlines() if "#" in line)

    changed = sum(1 for a, b in zip(text.splitlines(), after.splitlines(), strict=False) if a != b)
    print(f"config set on examples/config.yaml: exit {p.returncode}, comment lines {count(text)} → {count(after)}, "
          f"{changed} line changed, {time.monotonic() - t0:.2f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--writers", type=int, default=4)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name, fn in (("bomb", lambda h: alias_bomb(h)), ("config", lambda h: parallel_config(h, a.rounds,
                                                                                                 a.writers)),
                         ("secrets", lambda h: parallel_secrets(h, max(a.writers, 5))), ("edit", example_edit)):
            home = Path(tmp) / name
            home.mkdir()
            fn(home)


if __name__ == "__main__":
    main()
