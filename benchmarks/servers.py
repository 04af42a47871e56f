"""How fast is an in-process `serve()` compared with starting uvicorn as a subprocess?

Prints, for the same app (the tutorial's demo API), the median over several rounds of:
start-to-first-response (start, then GET /users until it answers) and the whole cycle (start,
one request, stop). Targets: in-process start-to-first-response under 50 ms, and at least 20x
faster than the subprocess.  Run: `make benchmarks` or `.venv/bin/python benchmarks/servers.py`.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import time

import httpx

from cors_lab import demo_api, serve


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def in_process_round(client: httpx.Client) -> tuple[float, float]:
    started = time.perf_counter()
    server = serve(demo_api())
    client.get(f"{server.url}/users").raise_for_status()
    first_response = time.perf_counter()
    server.stop()
    return first_response - started, time.perf_counter() - started


def subprocess_round(client: httpx.Client) -> tuple[float, float]:
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "cors_lab.demo:demo_api",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
    )
    try:
        while True:
            try:
                client.get(f"http://127.0.0.1:{port}/users").raise_for_status()
                break
            except httpx.TransportError:
                if process.poll() is not None:
                    raise SystemExit(f"uvicorn exited with {process.returncode}") from None
                time.sleep(0.002)
        first_response = time.perf_counter()
    finally:
        process.terminate()
        process.wait(10)
    return first_response - started, time.perf_counter() - started


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    rounds = parser.parse_args().rounds
    with httpx.Client() as client:
        in_process_round(client)  # warm up imports and the first-time costs
        local = [in_process_round(client) for _ in range(rounds)]
        child = [subprocess_round(client) for _ in range(rounds)]

    local_first, local_cycle = (median_ms([r[i] for r in local]) for i in (0, 1))
    child_first, child_cycle = (median_ms([r[i] for r in child]) for i in (0, 1))
    print(f"median of {rounds} rounds, same app (cors_lab.demo_api), GET /users")
    print(f"{'':28}{'start to first response':>26}{'start, request, stop':>24}")
    print(f"{'in-process serve()':28}{local_first:>23.1f} ms{local_cycle:>21.1f} ms")
    print(f"{'uvicorn subprocess':28}{child_first:>23.1f} ms{child_cycle:>21.1f} ms")
    print(f"{'speed-up':28}{child_first / local_first:>24.1f}x{child_cycle / local_cycle:>22.1f}x")
    print(
        f"target: in-process start to first response < 50 ms: {'met' if local_first < 50 else 'MISSED'}; "
        f">= 20x faster than a subprocess: {'met' if child_first / local_first >= 20 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
