"""``cors-lab serve``: the tutorial's backend and a frontend page, to try a real browser by hand."""

from __future__ import annotations

import time
from typing import Any

import typer
from rich.markup import escape

from ._app import app, fail, out


@app.command()
def serve(
    allow_origin: list[str] = typer.Option([], "--allow-origin", help="An allowed origin (repeatable)."),
    allow_credentials: bool = typer.Option(False, "--allow-credentials", help="allow_credentials=True."),
    allow_method: list[str] = typer.Option([], "--allow-method", help="An allowed method (repeatable)."),
    allow_header: list[str] = typer.Option([], "--allow-header", help="An allowed request header (repeatable)."),
    expose_header: list[str] = typer.Option([], "--expose-header", help="An exposed response header (repeatable)."),
    port: int = typer.Option(8000, "--port", help="The backend's port."),
    frontend_port: int = typer.Option(3000, "--frontend-port", help="The frontend page's port."),
) -> None:
    """Run the tutorial's backend and a frontend page on this machine, to try a real browser by hand.

    Without --allow-origin the backend has no CORSMiddleware. Ctrl-C stops both.

    Example: cors-lab serve --allow-origin http://localhost:3000 --allow-method PUT
    """
    from ..config import CorsConfig
    from ..demo import demo_api, frontend_app
    from ..servers import PortInUseError
    from ..servers import serve as start

    settings: dict[str, Any] = {}
    if allow_origin:
        settings["allow_origins"] = allow_origin
    if allow_credentials:
        settings["allow_credentials"] = True
    if allow_method:
        settings["allow_methods"] = allow_method
    if allow_header:
        settings["allow_headers"] = allow_header
    if expose_header:
        settings["expose_headers"] = expose_header
    if settings and not allow_origin:
        raise fail("CORS settings without --allow-origin allow no page: add --allow-origin http://localhost:3000")
    config = CorsConfig(**settings) if settings else None
    servers = []
    try:
        servers.append(start(demo_api(config), port=port, name="cors-lab-backend"))
        backend_url = f"http://localhost:{servers[0].port}"
        servers.append(
            start(
                frontend_app("cors-lab frontend", api_url=f"{backend_url}/users"),
                port=frontend_port,
                name="cors-lab-frontend",
            )
        )
    except (PortInUseError, PermissionError, ValueError) as error:
        for server in servers:
            server.stop()
        option = "--port" if not servers else "--frontend-port"
        raise fail(f"{error} (choose another with {option})") from None
    out.print(f"backend:  [bold]{backend_url}[/]  (GET /users, PUT /users/1, POST /login, GET /me, ...)")
    out.print(
        f"frontend: [bold]http://localhost:{servers[1].port}[/]  open it in your browser, press F12 for the console"
    )
    out.print("CORS: " + (escape(config.summary()) if config else "none (no CORSMiddleware)"))
    out.print("Ctrl-C stops both.")
    out.file.flush()  # a parent process reading a pipe sees the URLs at once
    try:
        while all(server.running for server in servers):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for server in servers:
            server.stop()
    out.print("stopped")
