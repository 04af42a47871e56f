"""The `cors-lab` command, run as a real subprocess."""

import os
import re
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

import cors_lab

CLI = Path(sys.executable).parent / "cors-lab"


def read_until(process: subprocess.Popen, pattern: str, timeout: float) -> re.Match:
    """Read the process's output until a line matches; fail with what it printed if it does not."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not selector.select(timeout=0.5):
                continue
            line = process.stdout.readline()
            if not line:
                break
            seen.append(line)
            if match := re.search(pattern, line):
                return match
    raise AssertionError(f"no line matched {pattern!r} in:\n{''.join(seen)}")


def test_version_and_help_from_the_console_script():
    version = subprocess.run([CLI, "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.strip() == f"cors-lab {cors_lab.__version__}"
    for flag in ("--help", "-h"):
        shown = subprocess.run([CLI, flag], capture_output=True, text=True, check=True, env={"COLUMNS": "100"})
        assert "Usage: cors-lab" in shown.stdout and "lab" in shown.stdout and "Example:" in shown.stdout


def test_unknown_command_is_a_usage_error():
    wrong = subprocess.run([CLI, "nonsense"], capture_output=True, text=True)
    assert wrong.returncode == 2
    assert "No such command 'nonsense'" in wrong.stderr


def test_lab_starts_jupyterlab_on_loopback_with_token_auth(tmp_path):
    env = {**os.environ, "BROWSER": "true", "JUPYTER_RUNTIME_DIR": str(tmp_path), "JUPYTER_PORT": "0"}
    process = subprocess.Popen([CLI, "lab"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        match = read_until(process, r"(http://127\.0\.0\.1:\d+)/lab\?token=(\w+)", timeout=60)
        base, token = match.groups()
        assert httpx.get(f"{base}/api/contents").status_code == 403  # no token, no entry
        listing = httpx.get(f"{base}/api/contents", headers={"Authorization": f"token {token}"})
        assert listing.status_code == 200
        assert "00_start_here.ipynb" in {item["name"] for item in listing.json()["content"]}
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)


def test_lab_with_a_folder_that_has_no_notebooks_is_a_clear_error(tmp_path):
    done = subprocess.run([CLI, "lab", "--notebooks", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 2
    assert f"{tmp_path / '00_start_here.ipynb'} not found" in done.stderr
    assert "Traceback" not in done.stderr
