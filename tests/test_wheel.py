"""`pip install cors-lab`, then `cors-lab lab`: the wheel alone carries the course.

The wheel is built from this checkout and installed (--no-deps) into a fresh virtualenv that borrows this
one's installed dependencies through a .pth file: a full install of JupyterLab would cost minutes, and what is
being tested is that the wheel, with no repository on the path, has everything the course needs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest
from test_cli import read_until, stop

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtualenv with the built wheel in it; returns its bin folder."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(work / "dist"), str(ROOT)],
        check=True,
        timeout=300,
    )
    (wheel,) = (work / "dist").glob("cors_lab-*.whl")
    env_dir = work / "env"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # Listed after the new env's own site-packages, and .pth files in it are not run: this checkout's
    # editable install of cors_lab stays invisible, so only the wheel's copy can be imported.
    (Path(purelib) / "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", "--ignore-installed"]
        + [str(wheel)],
        check=True,
        timeout=300,
    )
    return env_dir / "bin"


def clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "JUPYTER"))}
    return {**env, "HOME": str(home), "BROWSER": "true", "JUPYTER_PORT": "0"}


def test_the_installed_package_is_the_wheels_not_the_checkouts(installed, tmp_path):
    where = subprocess.run(
        [installed / "python", "-c", "import cors_lab.course as c; print(c.__file__); print(c.course_source())"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env=clean_env(tmp_path),
    ).stdout.split()
    assert all(path.startswith(str(installed.parent)) for path in where), where
    assert where[1].endswith("cors_lab/notebooks")


def test_notebook_00_runs_under_nbval_from_the_installed_course(installed, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    done = subprocess.run(
        [installed / "cors-lab", "reset", "00"], capture_output=True, text=True, cwd=tmp_path, env=clean_env(home)
    )
    assert done.returncode == 2  # no course folder yet: the error says how to make one
    lab = subprocess.Popen(
        [installed / "cors-lab", "lab"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=clean_env(home),
    )
    try:
        read_until(lab, r"^    http://localhost:\d+/lab/tree/00_start_here\.ipynb\?token=\w+$", timeout=120)
    finally:
        assert stop(lab) == 0
    course = tmp_path / "cors-lab-course"
    run = subprocess.run(
        [installed / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", "--nbval-current-env"]
        + [f"--nbval-sanitize-with={ROOT / 'notebooks/nbval-sanitize.cfg'}", "00_start_here.ipynb"],
        capture_output=True,
        text=True,
        cwd=course,
        env=clean_env(home),
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "passed" in run.stdout
    progress = subprocess.run(
        [installed / "cors-lab", "progress"], capture_output=True, text=True, cwd=tmp_path, env=clean_env(home)
    )
    assert progress.returncode == 0 and "0 of" in progress.stdout, progress.stderr
