"""Firefox's console warnings, through Firefox's own remote debugging protocol (the DevTools one).

WebDriver BiDi's log.entryAdded (what Playwright listens to) forwards JavaScript errors and
console API calls, not the console service's warnings, so a warning such as the one Firefox
prints when ``Access-Control-Allow-Headers: *`` is taken to cover ``Authorization`` never
reaches Playwright. Firefox DevTools' remote debugging protocol (what about:debugging and
web-ext use) does: Firefox started with ``--start-debugger-server=<port>`` serves it on TCP,
and a watcher on the tab sends every "error-message" resource, warnings included, with its
category, which for CORS messages is the security.properties key.

The protocol is length-prefixed JSON packets (``<length>:<json>``); only the few requests needed
here are sent: listTabs, getWatcher, watchTargets and watchResources.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from .calls import ConsoleLine

PREFS = {
    # Serve the remote debugging protocol without asking (there is nobody to ask).
    "devtools.debugger.remote-enabled": True,
    "devtools.chrome.enabled": True,
    "devtools.debugger.prompt-connection": False,
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class DevToolsConsole:
    """Watches one Firefox tab's console over the remote debugging protocol and hands on its warnings."""

    def __init__(self, port: int, page_url: str, on_line: Callable[[ConsoleLine], None]) -> None:
        self.on_line = on_line
        self._buffer = b""
        self._socket = socket.create_connection(("127.0.0.1", port), timeout=10)
        self._receive()  # the root actor's hello
        tabs = self._request({"to": "root", "type": "listTabs"}).get("tabs", [])
        tab = next((t for t in tabs if t.get("url") == page_url), None)
        if tab is None:
            raise RuntimeError(f"no tab at {page_url} among {[t.get('url') for t in tabs]}")
        watcher = self._request({"to": tab["actor"], "type": "getWatcher", "isServerTargetSwitchingEnabled": True})
        self._send({"to": watcher["actor"], "type": "watchTargets", "targetType": "frame"})
        self._send({"to": watcher["actor"], "type": "watchResources", "resourceTypes": ["error-message"]})
        self._socket.settimeout(None)
        self._reader = threading.Thread(target=self._read, name="cors-lab-firefox-devtools", daemon=True)
        self._reader.start()

    def _send(self, packet: dict[str, Any]) -> None:
        data = json.dumps(packet).encode()
        self._socket.sendall(str(len(data)).encode() + b":" + data)

    def _receive(self) -> dict[str, Any]:
        while b":" not in self._buffer:
            self._more()
        length, rest = self._buffer.split(b":", 1)
        while len(rest) < int(length):
            self._buffer = length + b":" + rest
            self._more()
            length, rest = self._buffer.split(b":", 1)
        self._buffer = rest[int(length) :]
        packet: dict[str, Any] = json.loads(rest[: int(length)])
        return packet

    def _more(self) -> None:
        chunk = self._socket.recv(65536)
        if not chunk:
            raise ConnectionError("Firefox closed the remote debugging connection")
        self._buffer += chunk

    def _request(self, packet: dict[str, Any]) -> dict[str, Any]:
        """Send a request and return the reply from that actor (events from others may come first)."""
        self._send(packet)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            reply = self._receive()
            if reply.get("from") == packet["to"]:
                if "error" in reply:
                    raise RuntimeError(f"{packet['type']}: {reply['error']}: {reply.get('message', '')}")
                return reply
        raise TimeoutError(f"no reply to {packet['type']}")

    def _read(self) -> None:
        try:
            while True:
                packet = self._receive()
                if packet.get("type") == "resources-available-array":
                    for kind, resources in packet.get("array", []):
                        if kind == "error-message":
                            for resource in resources:
                                self._take(resource.get("pageError", resource))
        except (OSError, ConnectionError, ValueError):
            return  # Firefox is closing

    def _take(self, error: dict[str, Any]) -> None:
        # Errors reach Playwright already (as page errors); only warnings are new here.
        if error.get("warning") and not error.get("error"):
            self.on_line(ConsoleLine("warning", str(error.get("errorMessage", "")), printed=""))

    def close(self) -> None:
        try:
            self._socket.close()
        except OSError:
            pass
