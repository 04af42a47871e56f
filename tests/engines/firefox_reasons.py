"""Firefox's CORS messages, read from the installed Firefox: the keys and templates of security.properties.

Firefox builds each CORS console line from one localisation key (``CORSMissingAllowOrigin2``...)
in ``chrome/<locale>/locale/<locale>/global/security/security.properties`` inside its omni.ja.
Reading the installed file (not a copy from Firefox's source) keeps the mapping true to the
Firefox that was measured; each measured line is matched back to the key that made it.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

PROPERTIES = "chrome/en-US/locale/en-US/global/security/security.properties"
PLACEHOLDER = re.compile(r"%(\d+\$)?S")


def installed_reasons(executable: str) -> dict[str, str]:
    """Every ``CORS*`` key of the installed Firefox's en-US security.properties, with its template."""
    omni = Path(executable).resolve().parent / "omni.ja"
    if not omni.is_file():
        return {}
    with zipfile.ZipFile(omni) as archive:
        text = archive.read(PROPERTIES).decode("utf-8")
    reasons: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("CORS") and "=" in line:
            key, template = line.split("=", 1)
            reasons[key.strip()] = template.strip()
    return reasons


def _pattern(template: str) -> re.Pattern[str]:
    pieces = PLACEHOLDER.split(template)
    # split() leaves the optional "1$" groups between the literal pieces: keep every other piece.
    literal = [piece for index, piece in enumerate(pieces) if index % 2 == 0 and piece is not None]
    return re.compile("^" + "(.*?)".join(re.escape(piece) for piece in literal) + "$", re.DOTALL)


def key_of(line: str, reasons: dict[str, str]) -> str | None:
    """The key whose template made ``line`` (Firefox's page-error name and message joined back)."""
    for key, template in reasons.items():
        if _pattern(template).match(line):
            return key
    return None
