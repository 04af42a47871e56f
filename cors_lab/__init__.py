"""cors-lab: learn, teach and debug CORS for FastAPI backends, with live servers.

Names are loaded on first use (PEP 562), so ``import cors_lab`` stays quick and the command line
and library users do not pay for FastAPI, Jupyter or widgets until they use them.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .auditing import Finding, audit, audit_env
    from .browser.failures import FailureCode
    from .browser.machine import FetchWarning, StepKind, WarningKind
    from .config import DEFAULT_DEV_ORIGIN, CorsConfig, CorsConfigError
    from .demo import demo_api, frontend_app
    from .driver import AxiosErrorView, Browser, BrowserClosedError, CorsBlockedError, FetchResult, OpaqueResponseError
    from .explain import Explanation, NotACorsMessageError, explain_message
    from .live import LiveBrowser, live_browser
    from .origins import Origin, OriginComparison, OriginError, compare_origins, origin_of
    from .servers import PortInUseError, Server, ServerStartError, ServerStopError, running_servers, serve, stop_all
    from .side_by_side import EngineComparison, compare_engines
    from .versions import versions

# Each public name and the module that defines it.
_EXPORTS = {
    "Finding": "auditing",
    "audit": "auditing",
    "audit_env": "auditing",
    "FailureCode": "browser.failures",
    "FetchWarning": "browser.machine",
    "StepKind": "browser.machine",
    "WarningKind": "browser.machine",
    "DEFAULT_DEV_ORIGIN": "config",
    "CorsConfig": "config",
    "CorsConfigError": "config",
    "demo_api": "demo",
    "frontend_app": "demo",
    "AxiosErrorView": "driver",
    "Browser": "driver",
    "BrowserClosedError": "driver",
    "CorsBlockedError": "driver",
    "FetchResult": "driver",
    "OpaqueResponseError": "driver",
    "Explanation": "explain",
    "NotACorsMessageError": "explain",
    "explain_message": "explain",
    "EngineComparison": "side_by_side",
    "compare_engines": "side_by_side",
    "LiveBrowser": "live",
    "live_browser": "live",
    "Origin": "origins",
    "OriginComparison": "origins",
    "OriginError": "origins",
    "compare_origins": "origins",
    "origin_of": "origins",
    "PortInUseError": "servers",
    "Server": "servers",
    "ServerStartError": "servers",
    "ServerStopError": "servers",
    "running_servers": "servers",
    "serve": "servers",
    "stop_all": "servers",
    "versions": "versions",
}

__all__ = [
    "DEFAULT_DEV_ORIGIN",
    "AxiosErrorView",
    "Browser",
    "BrowserClosedError",
    "CorsBlockedError",
    "CorsConfig",
    "CorsConfigError",
    "EngineComparison",
    "Explanation",
    "FailureCode",
    "FetchResult",
    "FetchWarning",
    "Finding",
    "LiveBrowser",
    "NotACorsMessageError",
    "OpaqueResponseError",
    "Origin",
    "OriginComparison",
    "OriginError",
    "PortInUseError",
    "Server",
    "ServerStartError",
    "ServerStopError",
    "StepKind",
    "WarningKind",
    "__version__",
    "audit",
    "audit_env",
    "compare_engines",
    "compare_origins",
    "demo_api",
    "explain_message",
    "frontend_app",
    "live_browser",
    "origin_of",
    "running_servers",
    "serve",
    "stop_all",
    "versions",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'cors_lab' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


# A library stays quiet unless the application configures logging (the CLI does).
logging.getLogger(__name__).addHandler(logging.NullHandler())
