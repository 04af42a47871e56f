"""One request in Chromium, Firefox and WebKit at once: each engine's verdict and its own words.

``compare_engines(page, url, app=app)`` runs the request through ``Browser(page, engine=...)``
once per engine (each a fresh page: no cookies, no cached preflights) and shows the three side
by side, so a learner sees that the decision is (nearly always) the same and the words are not.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .browser.engines import ENGINE_NAMES, ENGINES, EngineName
from .driver import Browser, FetchResult
from .palette import BORDER, GREEN, GREY, RED

__all__ = ["EngineComparison", "compare_engines"]

Call = Literal["fetch", "xhr", "axios"]


@dataclass(frozen=True)
class EngineComparison:
    """The same request's result in each engine, by engine name."""

    results: Mapping[EngineName, FetchResult]

    @property
    def agree(self) -> bool:
        """Whether every engine decides the same (allowed or not, and the same code); words may differ."""
        return len({(r.ok, r.error_code) for r in self.results.values()}) == 1

    def __repr__(self) -> str:
        lines = []
        for name, result in self.results.items():
            label = ENGINES[name].label
            lines.append(
                f"{label}: " + (f"allowed, status {result.status}" if result.ok else f"blocked ({result.error_code})")
            )
            lines += [f"    console: {line}" for line in result.console_messages]
            if result.js_error:
                lines.append(f"    script: {result.js_error}")
        verdict = "the engines agree" if self.agree else "the engines DISAGREE"
        return "\n".join([f"{verdict}:", *lines])

    def _repr_html_(self) -> str:
        cells = []
        for name, result in self.results.items():
            colour = GREEN if result.ok else RED
            verdict = f"allowed, status {result.status}" if result.ok else f"blocked ({result.error_code})"
            console = (
                "".join(
                    f'<div style="font-family:monospace;font-size:90%;overflow-wrap:anywhere;margin:2px 0">'
                    f"{html.escape(line)}</div>"
                    for line in result.console_messages
                )
                or f'<div style="color:{GREY}">(nothing in the console)</div>'
            )
            script = (
                f'<div style="margin-top:4px"><b>script:</b> <code>{html.escape(result.js_error)}</code></div>'
                if result.js_error
                else ""
            )
            cells.append(
                f'<div style="flex:1 1 18em;min-width:0;border:1px solid {BORDER};padding:4px 8px">'
                f"<b>{html.escape(ENGINES[name].label)}</b>"
                f'<div style="color:{colour};font-weight:bold">{html.escape(verdict)}</div>{console}{script}</div>'
            )
        note = (
            "All three decide the same; only the words differ."
            if self.agree
            else "The engines decide differently here (docs/engines.md says why)."
        )
        return (
            '<div class="cors-lab-engines" style="display:flex;flex-wrap:wrap;gap:8px;line-height:1.4">'
            + "".join(cells)
            + f'</div><div style="color:{GREY}">{html.escape(note)}</div>'
        )


def compare_engines(
    page_origin: str,
    url: str,
    *,
    app: Any = None,
    call: Call = "fetch",
    engines: tuple[EngineName, ...] = ENGINE_NAMES,
    **options: Any,
) -> EngineComparison:
    """Run one request in each engine's model: ``call`` is 'fetch' (``options`` as ``Browser.fetch``
    takes them), 'xhr' (as ``Browser.xhr``) or 'axios' (as ``Browser.axios``)."""
    if call not in ("fetch", "xhr", "axios"):
        raise ValueError(f"call={call!r} is not a way a page makes requests: use 'fetch', 'xhr' or 'axios'")
    results: dict[EngineName, FetchResult] = {}
    for name in engines:
        with Browser(page_origin, app=app, engine=name) as page:
            results[name] = getattr(page, call)(url, **options)
    return EngineComparison(results)
