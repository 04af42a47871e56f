"""``audit``: find what is wrong with a FastAPI app's CORS before a browser (or an attacker) does.

Static reading explains why; probing proves what. ``audit(app)`` finds CORS wherever it is
(CORSMiddleware, a subclass, a custom middleware, a mounted sub-app), checks its settings, then
sends the app in-process the requests a browser and an attacker would, and reports what the
responses allow, each finding naming the probe that showed it.

One module per job: ``discovery`` (where CORS is), ``probing`` (in-process requests),
``settings`` (CORSMiddleware's arguments), ``environment`` (environment variables),
``app`` (the app's audit), ``findings`` (what a finding is).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..config import CorsConfig
from .environment import EnvReading, audit_env, read_env
from .findings import CODES, Code, Finding, Severity, by_severity
from .probing import Probe, ProbeResult

__all__ = [
    "CODES",
    "Code",
    "EnvReading",
    "Finding",
    "Probe",
    "ProbeResult",
    "Severity",
    "audit",
    "audit_env",
    "read_env",
]


def audit(
    target: Any, *, frontend: Sequence[str] = (), production: bool = False, timeout: float = 3.0
) -> list[Finding]:
    """Check a FastAPI/Starlette app (or any ASGI app), a ``CorsConfig``, or a dict of CORSMiddleware arguments.

    An app is also probed in-process; ``frontend`` names the origins that must get in (by default
    the exact origins in its allow_origins). ``production`` adds the production rules (no
    localhost, no plain http). Returns the findings, most severe first: a sound setup gives no
    errors or warnings.
    """
    from .settings import audit_config, config_from_kwargs

    if isinstance(target, CorsConfig):
        findings = audit_config(target, production=production)
    elif isinstance(target, Mapping):
        findings = audit_config(config_from_kwargs(target), production=production)
    elif hasattr(target, "user_middleware") or _is_asgi_object(target):
        from .app import audit_app

        findings = audit_app(target, frontend=frontend, production=production, timeout=timeout)
    else:
        raise TypeError(
            f"cannot audit {target!r}: pass a FastAPI or Starlette app, a CorsConfig, "
            "or a dict of CORSMiddleware keyword arguments"
        )
    return by_severity(findings)


def _is_asgi_object(target: Any) -> bool:
    """An ASGI app that is an object (a middleware around the app, socketio's ASGIApp), not a bare function."""
    import inspect

    return callable(target) and not inspect.isclass(target) and not inspect.isroutine(target)
