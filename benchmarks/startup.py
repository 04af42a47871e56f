"""How fast do the library and the command start? `import cors_lab` and `cors-lab --version`, as whole processes.

Prints the median (and min/max) of 15 fresh interpreter runs of each, against the target of 0.3 s, and
`python -c pass` for the interpreter's own start-up, which both include.
Run: `.venv/bin/python benchmarks/startup.py`.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_S = 0.3
ROUNDS = 15


def timed(command: list[str]) -> tuple[float, float, float]:
    subprocess.run(command, check=True, capture_output=True)  # warm the file cache once
    runs = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        runs.append(time.perf_counter() - started)
    return min(runs), statistics.median(runs), max(runs)


def main() -> None:
    cli = shutil.which("cors-lab", path=str(Path(sys.executable).parent)) or "cors-lab"
    rows = [
        ("python -c pass (the interpreter alone)", [sys.executable, "-c", "pass"], None),
        ("import cors_lab", [sys.executable, "-c", "import cors_lab"], TARGET_S),
        ("cors-lab --version", [cli, "--version"], TARGET_S),
    ]
    print(f"start-up, {ROUNDS} fresh processes each: min / median / max")
    for label, command, target in rows:
        low, median, high = timed(command)
        verdict = "" if target is None else f"  (target < {target} s: {'met' if median < target else 'MISSED'})"
        print(f"  {label:<40} {low:.3f} / {median:.3f} / {high:.3f} s{verdict}")


if __name__ == "__main__":
    main()
