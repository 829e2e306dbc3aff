"""doctor at scale against the sandbox: 1, 10, 100, 500 and 1,500 pages at 100 ms added latency.

The sandbox runs in its own process (so doctor's memory is measured alone); each doctor run is a fresh
`python -m fbhub doctor --format json` process, its Pages in FBHUB_PAGES and their tokens in a file named by
FBHUB_PAGE_TOKENS_FILE (1,500 tokens do not fit in one environment variable). Prints wall time, HTTP requests
made, wall / latency (round trips), and doctor's peak memory (max RSS).
Goal: 1,500 pages within 4 round trips + 1.5 s, under 200 MiB.
Usage: python benchmarks/doctor_scale.py [--latency 0.1] [--pages 1,10,100,500,1500]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

SERVE = """
import json, sys
from fbhub.sandbox import build_scenario, serve_forever
sc = build_scenario("many-pages", pages=int(sys.argv[1]))
def ready(sb):
    print(json.dumps(sb.operator.env(sb.url)), flush=True)
serve_forever(sc, port=0, latency=float(sys.argv[2]), on_ready=ready)
"""


@contextlib.contextmanager
def sandbox_env(pages: int, latency: float):
    """A sandbox with ``pages`` healthy Pages in its own process; yields the env that points fbhub at it."""
    server = subprocess.Popen([sys.executable, "-c", SERVE, str(pages), str(latency)], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    try:
        with tempfile.TemporaryDirectory() as home:
            env = json.loads(server.stdout.readline())
            tokens = os.path.join(home, "page-tokens")
            with open(tokens, "w", encoding="utf-8") as f:  # one token a line, as an operator's secret file
                f.write(env.pop("FBHUB_PAGE_TOKENS").replace(",", "\n") + "\n")
            os.chmod(tokens, 0o600)
            base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # as installed: .pyc cached
            yield dict(base, **env, FBHUB_CONFIG=os.path.join(home, "config.yaml"),
                       FBHUB_PAGE_TOKENS_FILE=tokens, PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    finally:
        server.terminate()
        server.wait()


DOCTOR = [sys.executable, "-m", "fbhub", "doctor", "--format", "json"]


def run_one(pages: int, latency: float) -> dict:
    with sandbox_env(pages, latency) as env:
        t0 = time.perf_counter()
        proc = subprocess.run(DOCTOR, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - t0
    doc = json.loads(proc.stdout)
    return {"pages": pages, "wall": wall, "requests": doc.get("requests"), "exit": proc.returncode,
            "summary": doc["summary"], "stderr": proc.stderr[-500:]}


def child_usage(pages: int, latency: float) -> tuple[float, float]:
    """Run doctor once more as a forked child; wait4 gives that child's own max RSS (MiB) and CPU seconds."""
    with sandbox_env(pages, latency) as env:
        pid = os.fork()
        if pid == 0:  # child: become doctor
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            os.execve(sys.executable, DOCTOR, env)
        _, _, usage = os.wait4(pid, 0)
    return usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime  # ru_maxrss is KiB on Linux


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--latency", type=float, default=0.1)
    ap.add_argument("--pages", default="1,10,100,500,1500")
    args = ap.parse_args()
    print(f"machine: {platform.machine()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
          f"sandbox latency {args.latency * 1000:.0f} ms per HTTP request")
    print(f"{'pages':>6} {'wall s':>8} {'requests':>9} {'wall/latency':>13} {'peak MiB':>9} {'doctor CPU s':>13}"
          "  result")
    with sandbox_env(1, 0.0) as env:  # warm-up: compile and cache fbhub's bytecode once, as an install does
        subprocess.run(DOCTOR, env=env, capture_output=True)
    for n in [int(x) for x in args.pages.split(",")]:
        r = run_one(n, args.latency)
        rss, cpu = child_usage(n, args.latency)
        s = r["summary"]
        ok = "ok" if r["exit"] == 0 else f"exit {r['exit']}: {r['stderr']}"
        ratio = r["wall"] / args.latency
        print(f"{n:>6} {r['wall']:>8.2f} {r['requests']:>9} {ratio:>13.1f} {rss:>9.1f} {cpu:>13.2f}  "
              f"{s['pass']} passed, {s['fail']} failed · {ok}")
    print("goal: 1,500 pages within 4 round trips + 1.5 s (= %.1f s here) and peak memory under 200 MiB"
          % (4 * args.latency + 1.5))


if __name__ == "__main__":
    main()
