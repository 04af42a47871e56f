"""The course as a web site: `make docs` builds it from the committed outputs; every internal link works."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
DIAGRAM = 'class="cors-lab-fetch"'


class Page(HTMLParser):
    """A built page's links (href/src) and element ids."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)
            elif name in ("id", "name") and value:
                self.ids.add(value)


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [Path(sys.executable).parent / "sphinx-build", "-q", "-b", "html", ROOT / "docs", out],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return out


def outputs(notebook: Path) -> list[dict]:
    cells = json.loads(notebook.read_text())["cells"]
    return [o for c in cells if c["cell_type"] == "code" for o in c["outputs"]]


def html_of(output: dict) -> str:
    value = output.get("data", {}).get("text/html", "")
    return "".join(value) if isinstance(value, list) else value


def test_every_internal_link_and_image_resolves(site):
    pages = {path: parse(path) for path in site.rglob("*.html")}
    broken = []
    for path, page in pages.items():
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith("//"):
                continue  # the web, not this site
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{path.relative_to(site)}: {link}")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in pages[target].ids:
                broken.append(f"{path.relative_to(site)}: {link} (no such anchor)")
    assert broken == []


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_each_lesson_page_shows_its_committed_outputs_diagrams_and_widget_views(site, notebook):
    page = (site / "course" / f"{notebook.stem}.html").read_text(encoding="utf-8")
    committed = outputs(notebook)
    diagrams = sum(html_of(o).count(DIAGRAM) for o in committed)
    assert page.count(DIAGRAM) == diagrams
    if notebook.stem not in ("06_debugging",):
        assert diagrams > 0, "the lesson draws its requests as diagrams"
    # Never executed: the outputs are the committed ones, down to the ports of that run.
    ports = {m for o in committed for m in re.findall(r"127\.0\.0\.1:\d{4,5}", json.dumps(o))}
    assert all(port in page for port in ports)
    # Widgets: their text view, since no kernel backs the page.
    for output in committed:
        data = output.get("data", {})
        if "application/vnd.jupyter.widget-view+json" in data:
            text = "".join(data["text/plain"])
            assert html.escape(text, quote=False)[:80] in page, text[:80]


def test_the_lessons_link_to_each_other_and_the_index_lists_them(site):
    index = parse(site / "index.html")
    for notebook in NOTEBOOKS:
        assert f"course/{notebook.stem}.html" in index.links
    start = parse(site / "course/00_start_here.html")
    assert {f"{p.stem}.html" for p in NOTEBOOKS[1:]} <= set(start.links)
    assert "images/" in " ".join(parse(site / "index.html").links)  # the screenshot of the lab
