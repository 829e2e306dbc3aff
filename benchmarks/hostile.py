"""fbhub against a hostile server: wall time, exit code and peak memory per scenario.

Each scenario runs a fresh ``python -m fbhub`` child under an address-space limit (1 GiB) against the hostile
server of the test suite (tests/hardening/hostile.py): a 100 MB answer, an endless one, a gzip bomb (1 MiB that
inflates to 1 GiB), a server dripping one byte a second (body, then headers), one that never answers, and JSON
nested 100,000 levels deep; then Ctrl-C (SIGINT) half a second into a run against a server that never answers
and one that drips. Prints exit code, wall seconds (from the start, or from the SIGINT) and peak RSS (wait4).

Usage: python benchmarks/hostile.py [--timeout 3] [--budget 2] [--command doctor]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "hardening"))

from hostile import HostileServer, run_fbhub  # noqa: E402

APP_ID = "1234567890123456"
ENV = {"FBHUB_APP_ID": APP_ID, "FBHUB_APP_SECRET": "9c1f0e6b3a7d4e2f8b5a6c7d1e0f2a3b",
       "FBHUB_PAGE_TOKENS": "EAAGq7XkP2mZr9LwT4vB8nYc3sHd6Jf1Ua5Qe0IoGhJkLmNpQrStUvWxYz",
       "FBHUB_VERIFY_TOKEN": "vt-Hq3Zr8LmXw2Kp7Nb5Tc9Yd4", "FBHUB_DOMAIN": "cx.example.com",
       "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--timeout", default="3")
    ap.add_argument("--budget", default="2")
    ap.add_argument("--command", default="doctor")
    args = ap.parse_args()
    home = tempfile.mkdtemp()
    base = {**ENV, "FBHUB_CONFIG": f"{home}/config.yaml", "FBHUB_TIMEOUT": args.timeout,
            "FBHUB_RETRY_BUDGET": args.budget}
    print(f"fbhub {args.command} against a hostile server (timeout {args.timeout} s, retry budget {args.budget} s, "
          "memory limit 1 GiB)")
    print(f"  {'scenario':<28} {'exit':>4} {'seconds':>8} {'peak RSS':>9}  what fbhub said")
    for mode in ("huge", "endless", "gzip-bomb", "drip", "drip-head", "never", "deep-json"):
        with HostileServer(mode) as srv:
            r = run_fbhub([args.command], {**base, "FBHUB_GRAPH_URL": srv.url}, kill_after=300)
        m = re.search(r"larger than [0-9]+ [KMG]iB|did not answer [^(]*within [0-9.]+ s|nested more than [0-9]+ "
                      r"levels|unexpected \w+", r.stdout + r.stderr)
        print(f"  {mode:<28} {r.exit_code:>4} {r.seconds:>8.1f} {r.peak_rss_mib:>6.0f} MiB  "
              f"{m.group(0) if m else (r.stdout + r.stderr).strip()[:60]}")
    for mode in ("never", "drip"):
        with HostileServer(mode) as srv:
            r = run_fbhub([args.command], {**base, "FBHUB_GRAPH_URL": srv.url, "FBHUB_TIMEOUT": "60",
                                           "FBHUB_RETRY_BUDGET": "60"},
                          kill_after=60, sigint_when=lambda s=srv: s.requests > 0)
        print(f"  {'Ctrl-C, ' + mode:<28} {r.exit_code:>4} {r.seconds:>8.2f} {r.peak_rss_mib:>6.0f} MiB  "
              "(seconds from SIGINT to exit)")


if __name__ == "__main__":
    main()
