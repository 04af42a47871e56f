"""The tutorial as the learner sees it: real JupyterLab in headless Chromium.

A JupyterLab server from this venv (token login on, loopback only) serves a copy of the
notebooks. Each notebook is opened in Chromium and run through the UI; we assert no error
outputs, every widget rendered as a live widget (not its text fallback), and every server the
notebook started stopped at the end. The CORS playground and live_browser (directly, and through
jupyter-server-proxy as on JupyterHub) are clicked through.
Screenshots go to test-artifacts/jupyterlab/ (ignored by git).
"""

from __future__ import annotations

import collections
import json
import os
import queue
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import nbformat
import pytest
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
ARTIFACTS = ROOT / "test-artifacts" / "jupyterlab"
WIDGET_NAMES = ("OriginComparer:", "CorsPlayground:", "PreflightExplorer:", "EnvConfigPlayground:", "LiveBrowser:")


class Lab:
    """A running JupyterLab server and its REST API."""

    def __init__(self, process: subprocess.Popen, base: str, token: str, root: Path) -> None:
        self.process, self.base, self.token, self.root = process, base, token, root
        self.api = httpx.Client(base_url=base, headers={"Authorization": f"token {token}"}, timeout=30)

    def configure(self) -> None:
        """Settings for a robot: render every cell (no windowing, which leaves off-screen cells out of the
        page), start the notebook's kernel without asking, and no news pop-up over the screenshots."""
        for plugin, values in [
            ("@jupyterlab/notebook-extension:tracker", {"windowingMode": "none", "autoStartDefaultKernel": True}),
            ("@jupyterlab/apputils-extension:notification", {"fetchNews": "false"}),
        ]:
            self.api.put(f"/lab/api/settings/{plugin}", json={"raw": json.dumps(values)}).raise_for_status()

    def start_kernel_session(self, path: str) -> None:
        """Create the notebook's kernel session first, so no "Select Kernel" dialog races Run All."""
        response = self.api.post(
            "/api/sessions", json={"path": path, "name": path, "type": "notebook", "kernel": {"name": "python3"}}
        )
        response.raise_for_status()

    def shutdown_kernels(self) -> None:
        for session in self.api.get("/api/sessions").json():
            self.api.delete(f"/api/sessions/{session['id']}")

    def url(self, path: str, workspace: str) -> str:
        return f"{self.base}/lab/workspaces/{workspace}/tree/{path}?reset&token={self.token}"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    shutil.rmtree(ARTIFACTS, ignore_errors=True)  # only this run's screenshots
    root = tmp_path_factory.mktemp("lab")
    for name in NOTEBOOKS:
        shutil.copy(ROOT / "notebooks" / name, root / name)
    home = tmp_path_factory.mktemp("home")
    token = secrets.token_hex(16)
    env = {
        **os.environ,
        "HOME": str(home),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "BROWSER": "true",
        "JUPYTER_PORT": "0",
    }
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--ServerApp.ip=localhost",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True",
        "--ServerApp.open_browser=False",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    # As a context manager: the pipe is closed once the process has ended.
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env) as process:
        lab: Lab | None = None
        try:
            lab = Lab(process, _wait_for_url(process), token, root)
            lab.configure()
            yield lab
        finally:
            if lab is not None:
                lab.api.close()
            process.send_signal(signal.SIGINT)  # Jupyter shuts its kernels down on SIGINT, twice to skip the prompt
            time.sleep(0.2)
            process.send_signal(signal.SIGINT)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


def _wait_for_url(process: subprocess.Popen, timeout: float = 60.0) -> str:
    """JupyterLab's URL from its log; then keep draining the log, so a full pipe never blocks the server."""
    found: queue.Queue[str] = queue.Queue()
    seen: collections.deque[str] = collections.deque(maxlen=200)

    def drain() -> None:
        try:
            for line in process.stdout:
                seen.append(line)
                match = re.search(r"(http://localhost:\d+)/lab\?token=", line)
                if match:
                    found.put(match.group(1))
        except ValueError:  # the fixture closed the pipe after the process ended
            pass

    threading.Thread(target=drain, daemon=True).start()
    try:
        return found.get(timeout=timeout)
    except queue.Empty:
        raise AssertionError("JupyterLab did not start:\n" + "".join(seen)) from None


@pytest.fixture(scope="module")
def lab_context(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    yield context
    context.close()


def run_all(lab: Lab, context, path: str, timeout: float = 90.0):
    """Open a notebook in JupyterLab, run every cell through the UI, wait until all have run."""
    lab.start_kernel_session(path)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(lab.url(path, workspace=re.sub(r"\W", "-", path)))
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.commands.hasCommand('notebook:run-all-cells')")
    # Ready means: the kernel is connected and idle, and every code cell of the model is on the page.
    page.wait_for_function(
        """() => {
        const panel = window.jupyterapp.shell.currentWidget;
        const kernel = panel && panel.sessionContext.session && panel.sessionContext.session.kernel;
        if (!kernel || kernel.status !== 'idle') return false;
        const cells = panel.content.model.cells;
        let code = 0;
        for (let i = 0; i < cells.length; i++) if (cells.get(i).type === 'code') code++;
        return document.querySelectorAll('.jp-CodeCell .jp-InputPrompt').length === code;
    }""",
        timeout=60_000,
    )
    # The committed outputs carry execution counts: clear them, so a numbered prompt means "ran now".
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].every(p => !/\\d/.test(p.textContent))"
    )
    # Do not wait on the command's promise: a stuck cell would hang here instead of failing below.
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        prompts = page.eval_on_selector_all(".jp-CodeCell .jp-InputPrompt", "els => els.map(e => e.textContent)")
        if prompts and all(re.fullmatch(r"\[\d+\]:", p.strip()) for p in prompts):
            break
        time.sleep(0.25)
    else:
        raise AssertionError(f"{path}: not every cell ran within {timeout} s: {prompts}")
    # A fresh kernel ran them all, in order: [1], [2], ... (not the counts saved in the file).
    assert [p.strip() for p in prompts] == [f"[{n}]:" for n in range(1, len(prompts) + 1)], prompts
    return page, errors


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(target), full_page=False)
    print(f"screenshot: {target}")
    return target


def widget_cells(path: Path) -> int:
    """How many code cells show a widget, judging by their stored text fallback."""
    notebook = nbformat.read(path, as_version=4)
    count = 0
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if str(output.get("data", {}).get("text/plain", "")).startswith(WIDGET_NAMES):
                count += 1
    return count


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_in_jupyterlab(lab, lab_context, name):
    page, page_errors = run_all(lab, lab_context, name)
    try:
        errors = page.eval_on_selector_all(
            ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']", "els => els.map(e => e.innerText)"
        )
        assert errors == [], f"{name}: error or stderr outputs:\n" + "\n---\n".join(errors)
        expected_widgets = widget_cells(ROOT / "notebooks" / name)
        widgets = ".jp-OutputArea-output .jupyter-widgets.widget-vbox"
        try:  # widget views render a moment after their cell has run
            page.wait_for_function(
                f"() => document.querySelectorAll({widgets!r}).length >= {expected_widgets}", timeout=20_000
            )
        except Exception:
            screenshot(page, name.removesuffix(".ipynb") + "-FAILED")
            rendered = page.eval_on_selector_all(widgets, "els => els.length")
            raise AssertionError(f"{name}: {rendered} widgets rendered, {expected_widgets} expected") from None
        fallbacks = page.eval_on_selector_all(
            ".jp-OutputArea-output[data-mime-type='text/plain']", "els => els.map(e => e.innerText)"
        )
        assert not [t for t in fallbacks if t.startswith(WIDGET_NAMES)], f"{name}: a widget shows as text"
        outputs = page.eval_on_selector_all(
            ".jp-CodeCell",
            "els => els.map(e => e.querySelector("
            "'.jp-OutputArea-output') ? e.querySelector('.jp-OutputArea-output')"
            ".innerText.trim() : '')",
        )
        assert outputs[-1] == "[]", f"{name}: the last cell should show no running servers, shows {outputs[-1]!r}"
        assert page_errors == [], f"{name}: JavaScript errors: {page_errors}"
        stem = name.removesuffix(".ipynb")
        use_every_widget(page, stem)  # after Run All, which ends with stop_all(): each still works
        use_a_hint_button(page, stem)
        if stem.startswith("05"):
            see_the_proxy_section(page, stem)
        for width, file_browser in LAYOUTS:
            check_layout(page, stem, width, file_browser)
        assert page_errors == [], f"{name}: JavaScript errors: {page_errors}"
    finally:
        page.close()
        lab.shutdown_kernels()


# The widths the layout must fit: a small laptop with the file browser open, and a wide screen without it.
LAYOUTS = [(1024, True), (1400, False)]
LAYOUT_FIGURES: dict[str, list[str]] = {}


def set_file_browser(page, open_: bool) -> None:
    page.evaluate(
        """(open) => {
        const shell = window.jupyterapp.shell;
        if (open) { shell.expandLeft(); window.jupyterapp.commands.execute('filebrowser:activate'); }
        else shell.collapseLeft();
    }""",
        open_,
    )
    page.wait_for_timeout(400)  # the panels' resize


def use_every_widget(page, stem: str) -> None:
    """Each widget after Run All: the playgrounds send (a verdict, never a fake connection error), the
    live demos start again and answer, the origin comparer shows its table."""
    for index, playground in enumerate(
        page.locator(".jp-OutputArea-output .widget-vbox:has(.cors-lab-server-log)").all()
    ):
        if not playground.get_by_role("button", name="Send fetch()").count():
            continue  # a live demo's log: below
        playground.scroll_into_view_if_needed()
        before = playground.locator(".cors-lab-server-log tr").count()
        playground.get_by_role("button", name="Send fetch()").click()
        # The server really received it again: its log grows (the widget restarted what stop_all() stopped).
        expect(playground.locator(".cors-lab-server-log tr")).not_to_have_count(before, timeout=10_000)
        text = playground.inner_text()
        assert "ERR_CONNECTION" not in text and "Failed to fetch" not in text.split("Server log")[0], text[:800]
        assert "started it again" in text, f"{stem}: playground {index} did not say its server was restarted"
        assert re.search(r"(Allowed|Blocked \(\w+\)): ", text), f"{stem}: playground {index}: no verdict: {text[:500]}"
    # By cell: a locator by ".cors-lab-stopped" would lose the demo once it starts again.
    stopped = page.eval_on_selector_all(
        ".jp-CodeCell", "cells => cells.flatMap((c, i) => c.querySelector('.cors-lab-stopped') ? [i] : [])"
    )
    for index in stopped:
        demo = page.locator(".jp-CodeCell").nth(index).locator(".jp-OutputArea-output .widget-vbox").first
        demo.scroll_into_view_if_needed()
        assert "re-run this cell" in demo.inner_text()
        restart = demo.get_by_role("button", name="Start this demo's servers again")
        if not restart.is_visible():
            continue  # replaced by a later cell (notebook 02 runs two), or stopped with demo.stop(): it says so
        restart.click()
        expect(demo.locator("iframe")).to_have_count(1)
        rows = demo.locator(".cors-lab-reports tr")
        before = rows.count()
        demo.frame_locator("iframe").locator("#send").click()
        expect(rows).to_have_count(max(before, 1) + 1, timeout=15_000)
        assert "they disagree" not in demo.inner_text()
        assert "stopped" not in demo.frame_locator("iframe").locator("#result").inner_text()
        screenshot(page, f"{stem}-live-{index}-after-run-all")
    for comparer in page.locator(".jp-OutputArea-output .widget-vbox:has(input[value*='localhost:3000/app'])").all():
        assert comparer.locator("table").count() >= 1, f"{stem}: the origin comparer shows no table"


def use_a_hint_button(page, stem: str) -> None:
    """An exercise check after Run All: its wrong-answer feedback is a live widget, and its Show a hint
    button reveals the first hint (then the next), in the page."""
    feedback = page.locator(".jp-OutputArea-output .cors-lab-feedback")
    if stem.startswith("00"):
        assert feedback.count() == 0  # no exercises in notebook 00
        return
    assert feedback.count() >= 1, f"{stem}: no exercise feedback rendered as a widget"
    first = feedback.first
    first.scroll_into_view_if_needed()
    hints = first.locator(".cors-lab-hints")
    assert hints.inner_text().strip() == "", f"{stem}: a hint shows before the button was pressed"
    button = first.get_by_role("button", name=re.compile(r"Show a hint \(1 of \d+\)"))
    button.click()
    expect(hints).to_contain_text("Hint 1 of", timeout=10_000)
    shown = hints.inner_text()
    assert "Hint 2 of" not in shown, shown
    assert shown.split(":", 1)[1].strip() not in first.locator(".widget-html").first.inner_text()  # new text
    screenshot(page, f"{stem}-hint")


def see_the_proxy_section(page, stem: str) -> None:
    """Notebook 05's section on proxies ran live under Run All: the three verdicts it teaches are on the page."""
    outputs = page.locator(".jp-OutputArea-output")
    for words in (
        "same origin as the page? True | preflight sent? False",
        "(MultipleAllowOriginValues)",
        "contains multiple values 'http://localhost:5173, *'",
        "--forwarded-allow-ips=127.0.0.1   -> 307 Location: http://api.myfrontend.com/users",
    ):
        found = outputs.filter(has_text=words)
        assert found.count() == 1, f"{stem}: no output shows {words!r}"
    found = outputs.filter(has_text="(MultipleAllowOriginValues)").first
    found.scroll_into_view_if_needed()
    screenshot(page, f"{stem}-behind-a-proxy")


def check_layout(page, stem: str, width: int, file_browser: bool) -> None:
    """Nothing is cut off: every widget and diagram fits its output area, and each playground's Send
    button and "Browser: fetch()" column are inside the visible notebook."""
    page.set_viewport_size({"width": width, "height": 900})
    set_file_browser(page, file_browser)
    boxes = page.evaluate(
        """() => {
        const out = [];
        const notebook = document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer, .jp-NotebookPanel-notebook')
            .getBoundingClientRect();
        for (const widget of document.querySelectorAll('.jp-OutputArea-output > .jupyter-widgets.widget-vbox')) {
            const area = widget.closest('.jp-OutputArea-output').getBoundingClientRect();
            const rect = widget.getBoundingClientRect();
            const item = {kind: 'widget', right: rect.right, area: area.right, notebook: notebook.right,
                          scroll: widget.scrollWidth, client: widget.clientWidth};
            const send = [...widget.querySelectorAll('button')].find(b => b.textContent.includes('Send fetch()'));
            const column = [...widget.querySelectorAll('.widget-html')].find(h => h.textContent === 'Browser: fetch()');
            if (send) { const r = send.getBoundingClientRect(); item.send = [r.left, r.top, r.right, r.bottom]; }
            if (column) { const r = column.getBoundingClientRect(); item.column = [r.left, r.top, r.right, r.bottom]; }
            out.push(item);
        }
        for (const diagram of document.querySelectorAll('.jp-OutputArea-output .cors-lab-fetch')) {
            const area = diagram.closest('.jp-OutputArea-output').getBoundingClientRect();
            const rect = diagram.getBoundingClientRect();
            out.push({kind: 'diagram', right: rect.right, area: area.right, notebook: notebook.right,
                      scroll: diagram.scrollWidth, client: diagram.clientWidth});
        }
        return out;
    }"""
    )
    label = f"{stem} at {width} px{' with the file browser open' if file_browser else ''}"
    cut = page.eval_on_selector_all(
        ".jp-OutputArea-output .widget-label",
        "els => els.filter(e => e.offsetWidth && e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)",
    )
    assert cut == [], f"{label}: truncated labels: {cut}"
    for box in boxes:
        assert box["right"] <= box["area"] + 1, f"{label}: a {box['kind']} overflows its output area: {box}"
        assert box["scroll"] <= box["client"] + 1, f"{label}: a {box['kind']} is cut off inside: {box}"
        for part in ("send", "column"):
            if part in box:
                assert box[part][2] <= min(box["area"], box["notebook"]) + 1, f"{label}: the {part} is cut off: {box}"
    playgrounds = [b for b in boxes if "send" in b]
    LAYOUT_FIGURES.setdefault(stem, []).append(
        f"{label}: "
        + "; ".join(
            f"Send button x {b['send'][0]:.0f}-{b['send'][2]:.0f}, 'Browser: fetch()' x {b['column'][0]:.0f}-"
            f"{b['column'][2]:.0f}, output area right {b['area']:.0f}, notebook right {b['notebook']:.0f}"
            for b in playgrounds
        )
    )
    print(LAYOUT_FIGURES[stem][-1])
    target = page.locator(".jp-OutputArea-output > .jupyter-widgets.widget-vbox:has(.cors-lab-server-log)")
    (
        target.first if target.count() else page.locator(".jp-OutputArea-output .widget-vbox").first
    ).scroll_into_view_if_needed()
    screenshot(page, f"{stem}-{width}")


PLAYGROUND_NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "metadata": {},
            "execution_count": None,
            "outputs": [],
            "source": "import cors_lab\nfrom cors_lab.widgets import CorsPlayground\n"
            "playground = CorsPlayground(path='/users/1', method='PUT', json_body=True)\nplayground",
        },
        {
            "cell_type": "code",
            "metadata": {},
            "execution_count": None,
            "outputs": [],
            "source": "demo = cors_lab.live_browser({'allow_origins': ['{page}'], 'allow_methods': ['GET']})\ndemo",
        },
        {
            "cell_type": "code",
            "metadata": {},
            "execution_count": None,
            "outputs": [],
            "source": "proxied = cors_lab.live_browser(via='proxy', name='proxied')\nproxied",
        },
    ],
    "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}


def test_playground_and_live_browser_through_the_ui(lab, lab_context):
    (lab.root / "zz_ui_drive.ipynb").write_text(json.dumps(PLAYGROUND_NOTEBOOK))
    page, _ = run_all(lab, lab_context, "zz_ui_drive.ipynb")
    try:
        playground = page.locator(".jp-CodeCell").nth(0).locator(".widget-vbox").first
        playground.get_by_role("button", name="Send fetch()").click()
        page.wait_for_function("() => document.body.innerText.includes('Blocked (PreflightInvalidStatus)')")
        text = playground.inner_text()
        assert "It does not have HTTP ok status." in text and "add 'PUT' to allow_methods" in text

        methods = playground.locator(".widget-text").filter(has_text="allow_methods").locator("input")
        methods.fill("GET, PUT")
        methods.press("Enter")
        playground.get_by_role("button", name="Send fetch()").click()
        page.wait_for_function("() => document.body.innerText.includes('Allowed: PUT')")

        origin = playground.locator(".widget-text").filter(has_text="page origin").locator("input")
        origin.fill("http://evil.example")
        origin.press("Enter")
        playground.get_by_role("button", name="Send fetch()").click()
        page.wait_for_function("() => document.body.innerText.includes('Blocked (PreflightMissingAllowOriginHeader)')")
        assert "from origin 'http://evil.example' has been blocked by CORS policy" in playground.inner_text()

        live = page.locator(".jp-CodeCell").nth(1)
        page.wait_for_function("() => document.body.innerText.includes('connected: your browser (Chromium')")
        frame = live.frame_locator("iframe")
        frame.locator("#send").click()  # the prefilled GET /users: allowed
        expect(live.locator(".cors-lab-reports tr")).to_have_count(2)
        frame.locator("#method").select_option("DELETE")
        frame.locator("#send").click()
        expect(live.locator(".cors-lab-reports tr")).to_have_count(3)  # a header row and the two requests
        table = live.inner_text()
        assert "blocked: Access to fetch at" in table and "they disagree" not in table
        assert table.count("\u2714") == 2
        screenshot(page, "ui_playground_and_live_browser")

        # Through Jupyter's proxy (as on JupyterHub or Binder): one origin, so no CORS, and the model agrees.
        proxied = page.locator(".jp-CodeCell").nth(2)
        proxied.scroll_into_view_if_needed()
        try:
            page.wait_for_function("() => document.body.innerText.includes('connected through Jupyter')")
        except Exception:
            screenshot(page, "ui_proxy-FAILED")
            raise
        proxied.frame_locator("iframe").locator("#send").click()
        expect(proxied.locator(".cors-lab-reports tr")).to_have_count(2)
        row = proxied.locator(".cors-lab-reports tr").nth(1).inner_text()
        assert "resolved, status 200" in row and "resolves, status 200" in row and "\u2714" in row
        assert "/proxy/" in row
        screenshot(page, "ui_live_browser_through_jupyter_proxy")
    finally:
        page.close()
        lab.shutdown_kernels()
