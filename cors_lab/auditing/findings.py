"""``Finding``: one problem the audit found, with a stable code, and the probe that showed it."""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass
from typing import Any, Literal, get_args

__all__ = ["CODES", "Code", "Finding", "Severity", "by_severity"]

Severity = Literal["error", "warning", "info"]

#: Every finding's code. Programs decide on these, never on the English of a message.
Code = Literal[
    # the settings (CORSMiddleware's arguments, wherever they come from)
    "wildcard-with-credentials",
    "allow-origins-string",
    "allow-methods-string",
    "allow-headers-string",
    "expose-headers-string",
    "origin-not-a-string",
    "origin-empty",
    "origin-null",
    "origin-whitespace",
    "origin-invalid",
    "origin-never-matches",
    "origins-joined",
    "origin-pydantic-url",
    "regex-in-allow-origins",
    "http-next-to-https",
    "origin-regex-invalid",
    "origin-regex-too-loose",
    "method-entry-invalid",
    "header-entry-invalid",
    "wildcard-headers-with-credentials",
    "wildcard-methods-with-credentials",
    "expose-wildcard-with-credentials",
    "authorization-not-allowed",
    "max-age-over-cap",
    "sensitive-expose-headers",
    # the app, as probed
    "no-cors-middleware",
    "frontend-blocked",
    "several-cors-middleware",
    "origin-reflected-with-credentials",
    "lookalike-origin-allowed",
    "null-origin-allowed",
    "wildcard-unauthenticated-writes",
    "middleware-answers-outside-cors",
    "middleware-outside-cors",
    "errors-without-cors-headers",
    "trailing-slash-redirects",
    "websockets-not-covered",
    # production rules
    "production-wildcard",
    "production-localhost",
    "production-http",
    "production-credentials-over-http",
    # the environment
    "env-invalid",
    "env-default-origins",
    "env-no-origins",
    "env-near-miss",
]
CODES: tuple[str, ...] = get_args(Code)
_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Finding:
    """One problem: a stable ``code``, how bad it is, what is wrong (naming the value), and the fix.

    ``probe`` is the request the audit sent to the app that showed it, and what came back
    (None for what the settings alone show). ``where`` is the path a sub-app is mounted at
    ("" for the app itself); ``about`` the values it concerns (the origins an entry meant, the
    middleware that answered), for programs to match on instead of the message.
    """

    code: Code
    severity: Severity
    message: str
    fix: str
    probe: str | None = None
    where: str = ""
    about: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = f"[{self.severity}] {self.code}: {self.message}\n    fix: {self.fix}"
        return text + (f"\n    probe: {self.probe}" if self.probe else "")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def _repr_html_(self) -> str:
        colour = {"error": "#cf222e", "warning": "#9a6700", "info": "#0969da"}[self.severity]
        probe = f"<br><b>Probe:</b> <code>{html.escape(self.probe)}</code>" if self.probe else ""
        return (
            f'<div style="border-left:4px solid {colour};padding-left:8px;margin:4px 0">'
            f'<b style="color:{colour}">{self.severity}</b> <code>{html.escape(self.code)}</code>: '
            f"{html.escape(self.message)}<br><b>Fix:</b> {html.escape(self.fix)}{probe}</div>"
        )


def by_severity(findings: list[Finding]) -> list[Finding]:
    """Most severe first, each finding once (the first of equal ones is kept)."""
    unique: list[Finding] = []
    for finding in findings:
        if finding not in unique:
            unique.append(finding)
    return sorted(unique, key=lambda finding: _ORDER[finding.severity])
