"""The Kubernetes files stay in step with the package (no Docker engine or cluster runs here)."""

import re
from pathlib import Path

import yaml
from packaging.specifiers import SpecifierSet

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "deploy/kubernetes/Dockerfile").read_text()
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def instructions(name: str) -> list[str]:
    return [line.split(None, 1)[1] for line in DOCKERFILE.splitlines() if line.startswith(f"{name} ")]


def test_the_image_python_satisfies_requires_python():
    (base,) = instructions("FROM")
    image, _, tag = base.partition(":")
    assert image == "quay.io/jupyter/base-notebook"  # Zero to JupyterHub's own default image family
    python = re.fullmatch(r"python-(\d+\.\d+)", tag)
    assert python, tag
    assert SpecifierSet(PROJECT["requires-python"]).contains(python.group(1) + ".0")


def test_the_image_installs_the_package_with_its_own_dependencies_and_the_hub_extra():
    (install,) = [run for run in instructions("RUN") if "pip install" in run]
    assert '"/tmp/cors-lab[hub]"' in install  # the package from pyproject.toml: its dependencies, never a copy
    assert "hub" in PROJECT["optional-dependencies"]
    hub = {re.split(r"[<>=!~ ;]", r)[0] for r in PROJECT["optional-dependencies"]["hub"]}
    assert {"jupyterhub", "jupyter-server-proxy"} <= hub
    assert any(copy.endswith(". /tmp/cors-lab") for copy in instructions("COPY"))
    assert instructions("CMD") == ['["cors-lab", "singleuser"]']


def test_values_yaml_runs_the_course_image_with_authentication_on():
    values = yaml.safe_load((ROOT / "deploy/kubernetes/values.yaml").read_text())
    single = values["singleuser"]
    assert single["cmd"] == ["cors-lab", "singleuser"]
    assert single["defaultUrl"] == "/lab/tree/00_start_here.ipynb"
    authenticator = values["hub"]["config"]["JupyterHub"]["authenticator_class"]
    assert authenticator not in ("null", "dummy", None)
    hub_config = (ROOT / "deploy/jupyterhub/jupyterhub_config.py").read_text()
    assert 'c.Spawner.cmd = ["cors-lab", "singleuser"]' in hub_config  # the same start on one server
    assert f'c.Spawner.default_url = "{single["defaultUrl"]}"' in hub_config
