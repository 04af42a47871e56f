"""The WebKitGTK side of the WebKit driver: one WebView, driven by JSON lines on stdin.

This file runs under the system Python that has PyGObject and WebKitGTK 4.1 (Debian's
/usr/bin/python3 with python3-gi and gir1.2-webkit2-4.1), not under the project's venv, so it
imports nothing but the standard library and ``gi``. The parent (webkit_engine.py) sends one
request per line and reads one answer per line:

    {"op": "open", "url": ...}            -> {"ok": true}
    {"op": "script", "source": ...}       -> {"ok": true}            (run a script in the page)
    {"op": "run", "payload": {...}}       -> {"ok": true, "value": {...}}   (window.__corsLab.run)
    {"op": "flush", "token": ...}         -> {"ok": true}
    {"op": "version"}                     -> {"ok": true, "value": "2.50.6"}
    {"op": "quit"}

WebKit writes console messages (``CONSOLE SECURITY ERROR ...``) from its web process to stderr;
the parent reads them there. Answers go to a copy of the original stdout, and stdout itself is
pointed at stderr before any WebKit process starts, so nothing WebKit prints can corrupt them.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

answers = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
os.dup2(2, 1)

import gi  # noqa: E402  (after the file descriptors are in place)

gi.require_version("Gtk", "3.0")
gi.require_version("WebKit2", "4.1")
from gi.repository import GLib, Gtk, WebKit2  # noqa: E402

RUN_BODY = "return JSON.stringify(await window.__corsLab.run(JSON.parse(payload)));"


class Tab:
    def __init__(self) -> None:
        # The default (persistent) context, under the temporary HOME the parent gives us: WebKit
        # prints no console messages at all for an ephemeral session.
        context = WebKit2.WebContext.get_default()
        context.get_website_data_manager().set_tls_errors_policy(WebKit2.TLSErrorsPolicy.IGNORE)
        self.view = WebKit2.WebView.new_with_context(context)
        settings = self.view.get_settings()
        settings.set_enable_write_console_messages_to_stdout(True)  # printed to stderr, despite the name
        self.window = Gtk.OffscreenWindow()
        self.window.add(self.view)
        self.window.show_all()
        self.loop = GLib.MainLoop()

    def wait(self, start: Any) -> Any:
        """Start an async WebKit operation and run the main loop until its callback says done."""
        box: dict[str, Any] = {}

        def done(value: Any = None, error: str | None = None) -> None:
            box.update(value=value, error=error)
            self.loop.quit()

        start(done)
        self.loop.run()
        if box.get("error"):
            raise RuntimeError(box["error"])
        return box.get("value")

    def open(self, url: str) -> None:
        def start(done: Any) -> None:
            handlers: list[int] = []

            def finish(value: Any = None, error: str | None = None) -> None:
                for handler in handlers:
                    self.view.disconnect(handler)
                done(value, error)

            def changed(_view: Any, event: Any) -> None:
                if event == WebKit2.LoadEvent.FINISHED:
                    finish()

            def failed(_view: Any, _event: Any, failing_uri: str, error: Any) -> bool:
                finish(error=f"could not load {failing_uri}: {error.message}")
                return True

            handlers.append(self.view.connect("load-changed", changed))
            handlers.append(self.view.connect("load-failed", failed))
            self.view.load_uri(url)

        self.wait(start)

    def script(self, source: str) -> None:
        def start(done: Any) -> None:
            def finished(view: Any, result: Any) -> None:
                try:
                    view.evaluate_javascript_finish(result)
                    done()
                except GLib.Error as error:
                    done(error=error.message)

            self.view.evaluate_javascript(source, -1, None, None, None, finished)

        self.wait(start)

    def call(self, body: str, arguments: dict[str, str]) -> str:
        def start(done: Any) -> None:
            def finished(view: Any, result: Any) -> None:
                try:
                    done(view.call_async_javascript_function_finish(result).to_string())
                except GLib.Error as error:
                    done(error=error.message)

            variant = GLib.Variant("a{sv}", {name: GLib.Variant("s", value) for name, value in arguments.items()})
            self.view.call_async_javascript_function(body, -1, variant, None, None, None, finished)

        return str(self.wait(start))


def main() -> None:
    tab = Tab()
    for line in sys.stdin:
        request = json.loads(line)
        op = request["op"]
        try:
            value: Any = None
            if op == "quit":
                break
            elif op == "version":
                value = ".".join(
                    str(n)
                    for n in (WebKit2.get_major_version(), WebKit2.get_minor_version(), WebKit2.get_micro_version())
                )
            elif op == "open":
                tab.open(request["url"])
            elif op == "script":
                tab.script(request["source"])
            elif op == "run":
                value = json.loads(tab.call(RUN_BODY, {"payload": json.dumps(request["payload"])}))
            elif op == "flush":
                tab.call("return window.__corsLab.flush(token);", {"token": request["token"]})
            else:
                raise ValueError(f"unknown op {op!r}")
            answers.write(json.dumps({"ok": True, "value": value}) + "\n")
        except Exception as error:
            answers.write(json.dumps({"ok": False, "error": f"{type(error).__name__}: {error}"}) + "\n")


if __name__ == "__main__":
    main()
