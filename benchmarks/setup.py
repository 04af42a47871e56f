"""From a fresh clone to the lab's URL: `make lab`, installing with uv and with pip.

Clones this checkout's HEAD into a temporary folder and runs `make lab` there until JupyterLab prints
its URL, once letting the Makefile use uv (the default) and once forcing pip (`make lab UV=`). Both
use this machine's download caches, so the figures are install and start-up work, not the network.
Target: uv's set-up under half of pip's.
Run: `.venv/bin/python benchmarks/setup.py` (a few minutes: pip is the slow one).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
URL = re.compile(r"http://localhost:\d+/lab\S*")


def fresh_clone_to_url(make_args: list[str], timeout: float = 900) -> float:
    with tempfile.TemporaryDirectory(prefix="cors-lab-setup-") as folder:
        clone = Path(folder) / "cors-lab"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        started = time.perf_counter()
        lab = subprocess.Popen(
            ["make", "lab", *make_args],
            cwd=clone,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # so the whole group (make, JupyterLab) can be stopped
        )
        found = threading.Event()

        def read() -> None:
            assert lab.stdout is not None
            for line in lab.stdout:
                if URL.search(line):
                    found.set()

        threading.Thread(target=read, daemon=True).start()
        try:
            if not found.wait(timeout):
                raise SystemExit(f"make lab {' '.join(make_args)} printed no URL within {timeout:g} s")
            return time.perf_counter() - started
        finally:
            os.killpg(lab.pid, signal.SIGTERM)
            lab.wait(60)


def main() -> None:
    with_uv = fresh_clone_to_url([])
    with_pip = fresh_clone_to_url(["UV="])
    print("fresh clone to the lab's URL (`make lab`, warm download caches):")
    print(f"  installing with pip: {with_pip:6.1f} s")
    print(
        f"  installing with uv:  {with_uv:6.1f} s  ({with_pip / with_uv:.1f}x faster; target >= 2x: "
        f"{'met' if with_pip >= 2 * with_uv else 'MISSED'})"
    )


if __name__ == "__main__":
    main()
