"""The repository's promises about itself: dependencies in sync, the two commands, CI."""

import re
import subprocess
from pathlib import Path

import yaml
from packaging.requirements import Requirement

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def normalised(requirement: str) -> str:
    parsed = Requirement(requirement)
    return f"{re.sub(r'[-_.]+', '-', parsed.name).lower()}{parsed.specifier}"  # markers: conda has none


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = pyproject()["project"]
    wanted = {normalised(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert environment["name"] == "cors-lab"
    assert environment["channels"] == ["conda-forge"]
    conda, pip = [], []
    for entry in environment["dependencies"]:
        if isinstance(entry, dict):
            pip.extend(entry["pip"])
        else:
            conda.append(entry)
    requirements = [r for r in conda + pip if not r.startswith("-e")]
    listed = {normalised(r) for r in requirements if Requirement(r).name not in ("python", "pip")}
    assert listed == wanted
    assert f"python{project['requires-python']}" in conda
    assert "-e ." in pip  # Binder gets the package itself too


def test_ci_runs_exactly_the_readme_test_command():
    ci = [line for line in (ROOT / ".ci/run").read_text().splitlines() if line.strip() and not line.startswith("#")]
    assert ci == ["exec make test"]
    readme = (ROOT / "README.md").read_text()
    assert "make lab" in readme and "make test" in readme


def test_make_targets_do_not_reinstall_an_up_to_date_venv():
    dry_run = subprocess.run(["make", "-n", "-C", str(ROOT), "test"], capture_output=True, text=True, check=True)
    planned = dry_run.stdout
    if (ROOT / ".venv/.installed-test").stat().st_mtime >= (ROOT / "pyproject.toml").stat().st_mtime:
        assert "pip install" not in planned
    assert "ensure_browsers.py" in planned and "pytest" in planned


def test_the_lab_keeps_jupyter_token_auth_on():
    sources = (ROOT / "Makefile").read_text() + "".join(p.read_text() for p in (ROOT / "cors_lab/cli").glob("*.py"))
    for weakening in ("token=''", 'token=""', "disable_check_xsrf", "password=''", "0.0.0.0"):
        assert weakening not in sources
    assert "--ServerApp.ip=localhost" in sources


def test_every_public_name_is_exported_lazily():
    import cors_lab

    assert set(cors_lab.__all__) == set(cors_lab._EXPORTS) | {"__version__"}
    for name in cors_lab.__all__:
        assert getattr(cors_lab, name) is not None
