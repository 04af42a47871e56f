"""Firefox's wording templates, key by key, against the installed Firefox's en-US localisation."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from cors_lab.browser.firefox import TEMPLATES

from . import locate
from .firefox_reasons import PROPERTIES

#: The localisation files the keys come from: security.properties, caps.properties (the security
#: errors) and dom.properties (XMLHttpRequest's warnings).
FILES = (
    PROPERTIES,
    PROPERTIES.replace("security.properties", "caps.properties"),
    PROPERTIES.replace("security/security.properties", "dom/dom.properties"),
)


def test_firefox_templates_are_the_installed_firefoxs():
    try:
        executable = locate.firefox()
    except locate.Missing as missing:
        pytest.skip(str(missing))
    omni = Path(executable).resolve().parent / "omni.ja"
    if not omni.is_file():
        pytest.skip(f"{executable} has no omni.ja next to it: cannot read its localisation")
    installed: dict[str, str] = {}
    with zipfile.ZipFile(omni) as archive:
        for name in FILES:
            for line in archive.read(name).decode("utf-8").splitlines():
                if "=" in line and not line.startswith("#"):
                    key, template = line.split("=", 1)
                    installed[key.strip()] = template.strip()
    differ = {
        key: (template, installed.get(key)) for key, template in TEMPLATES.items() if installed.get(key) != template
    }
    assert not differ, f"templates that differ from {omni}: {differ}"
