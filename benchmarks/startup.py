"""Start-up benchmark: `fbhub --version` and `fbhub --help` against `python -c "import typer"`.

Prints the median wall time of each over N runs and the ratio to the typer baseline (goal: --version <= 1.15).
Usage: python benchmarks/startup.py [N]
"""

from __future__ import annotations

import platform
import statistics
import subprocess
import sys
import time


def median_time(cmd: list[str], n: int) -> float:
    subprocess.run(cmd, capture_output=True, check=False)  # warm the file cache
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=False)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    py = sys.executable
    base = median_time([py, "-c", "import typer"], n)
    version = median_time([py, "-m", "fbhub", "--version"], n)
    helps = median_time([py, "-m", "fbhub", "--help"], n)
    print(f"machine: {platform.machine()} {platform.processor() or ''} · Python {platform.python_version()} · "
          f"{n} runs each, median")
    print(f"python -c 'import typer'   {base * 1000:7.1f} ms   ratio 1.00")
    print(f"fbhub --version            {version * 1000:7.1f} ms   ratio {version / base:.2f}  (goal <= 1.15)")
    print(f"fbhub --help               {helps * 1000:7.1f} ms   ratio {helps / base:.2f}")


if __name__ == "__main__":
    main()
