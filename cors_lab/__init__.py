"""cors-lab: learn, teach and debug CORS for FastAPI backends, with live servers."""

import logging

__version__ = "0.1.0"

from .auditing import Finding, audit, audit_env
from .config import DEFAULT_DEV_ORIGIN, CorsConfig, CorsConfigError
from .demo import demo_api, frontend_app
from .driver import Browser, CorsBlockedError, FetchResult
from .live import LiveBrowser, live_browser
from .origins import Origin, OriginComparison, OriginError, compare_origins, origin_of
from .servers import PortInUseError, Server, ServerStartError, running_servers, serve, stop_all

__all__ = [
    "DEFAULT_DEV_ORIGIN",
    "Browser",
    "CorsBlockedError",
    "CorsConfig",
    "CorsConfigError",
    "FetchResult",
    "Finding",
    "LiveBrowser",
    "Origin",
    "OriginComparison",
    "OriginError",
    "PortInUseError",
    "Server",
    "ServerStartError",
    "__version__",
    "audit",
    "audit_env",
    "compare_origins",
    "demo_api",
    "frontend_app",
    "live_browser",
    "origin_of",
    "running_servers",
    "serve",
    "stop_all",
]

# A library stays quiet unless the application configures logging (the CLI does).
logging.getLogger(__name__).addHandler(logging.NullHandler())
