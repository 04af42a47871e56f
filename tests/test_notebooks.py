"""The course's shape: numbered notebooks with a title, widgets, exercises, clean outputs, working links.

(nbval re-runs every notebook and compares its outputs; this checks what nbval does not.)
"""

import importlib
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
WIDGETS = ("OriginComparer:", "CorsPlayground:", "PreflightExplorer:", "EnvConfigPlayground:", "LiveBrowser:")


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def text_outputs(cell) -> list[str]:
    texts = []
    for output in cell.get("outputs", []):
        if "text" in output:
            texts.append(output["text"])
        texts.append(str(output.get("data", {}).get("text/plain", "")))
    return texts


def test_the_course_is_numbered_from_00_to_07():
    names = [path.name for path in NOTEBOOKS]
    assert [name[:2] for name in names] == [f"{n:02d}" for n in range(len(names))]
    assert all(re.fullmatch(r"\d\d_[a-z_]+\.ipynb", name) for name in names)
    assert len(names) == 8


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_shape(path):
    notebook = read(path)
    number = path.name[:2]
    first = notebook.cells[0]
    assert first.cell_type == "markdown" and re.match(rf"# {number} · \S", first.source), "a '# NN · Title' title"
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(c.get("outputs") is not None and c.execution_count for c in code), "committed with every cell run"
    errors = [o for c in code for o in c.outputs if o.output_type == "error" or o.get("name") == "stderr"]
    assert errors == [], f"error or stderr outputs: {errors}"
    assert not any(line.rstrip().endswith(";") for c in code for line in c.source.splitlines()), "no trailing ';'"
    assert "interact(" not in "".join(c.source for c in code)
    outputs = [text for c in code for text in text_outputs(c)]
    assert any(text.startswith(WIDGETS) for text in outputs), "at least one widget"
    if number != "00":
        assert any(re.search(r"\b\w+\.check\(", c.source) for c in code), "at least one exercise check"
        assert any(text.startswith(("\u2718 Not yet", "\u2714 Well done")) for text in outputs)
        assert_exercises_are_tagged(notebook)
    last, before = code[-1], code[-2]
    assert "cors_lab.stop_all()" in before.source or "cors_lab.stop_all()" in last.source
    assert last.source.strip() == "cors_lab.running_servers()"
    assert text_outputs(last) == ["[]"], "every server the notebook started is stopped"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_links_between_notebooks_resolve(path):
    markdown = "\n".join(c.source for c in read(path).cells if c.cell_type == "markdown")
    targets = re.findall(r"\]\(([^)#\s]+\.ipynb)(?:#[^)]*)?\)", markdown)
    assert targets, "links to other notebooks"
    missing = [t for t in targets if not (path.parent / t).is_file()]
    assert missing == []


def test_readme_lists_every_notebook_with_what_it_teaches():
    readme = (ROOT / "README.md").read_text()
    for path in NOTEBOOKS:
        row = next((line for line in readme.splitlines() if f"(notebooks/{path.name})" in line), None)
        assert row is not None, f"README has no row for {path.name}"
        assert len(row.split("|")[2].strip()) > 20, f"README's row for {path.name} says what it teaches"


def assert_exercises_are_tagged(notebook) -> None:
    """Each exercise is an answer cell, a check cell and a solution cell, tagged and naming their Exercise.

    The solution is the Exercise's own (one source), shown folded; the classroom export relies on the tags.
    """
    tagged = [(c.metadata.get("tags", []), c) for c in notebook.cells if c.cell_type == "code"]
    roles = [(tag.removeprefix("exercise-"), c) for tags, c in tagged for tag in tags if tag.startswith("exercise-")]
    assert roles, "tagged exercise cells"
    for at in range(0, len(roles), 3):
        triple = roles[at : at + 3]
        assert [role for role, _ in triple] == ["answer", "check", "solution"], triple
        names = {c.metadata["cors_lab"]["exercise"] for _, c in triple}
        assert len(names) == 1, names
        module, _, attribute = names.pop().partition(":")
        exercise = getattr(importlib.import_module(module), attribute)
        solution = triple[2][1]
        assert solution.source.strip().endswith(".solution()")
        html = [o["data"]["text/html"] for o in solution.outputs if "text/html" in o.get("data", {})]
        assert html and html[0].startswith("<details>") and exercise.solution_code.splitlines()[0].split()[0] in html[0]


#: "<name> <version>" in a lesson's text is a claim about this environment; each name and how to read
#: what is installed here.
_VERSION_CLAIM = re.compile(
    r"\b(Starlette|FastAPI|uvicorn|httpx|Python|JupyterLab|ipywidgets|Pydantic|nbval|Playwright|Chromium|Chrome"
    r"|Firefox|WebKitGTK|WebKit|Safari)\s+v?(\d+(?:\.\d+)*)(?!\s*(?:\+|or (?:newer|later)))",
    re.IGNORECASE,
)
_DISTRIBUTIONS = {
    "jupyterlab": "jupyterlab",
    "pydantic": "pydantic",
    "nbval": "nbval",
    "playwright": "playwright",
    "starlette": "starlette",
    "fastapi": "fastapi",
    "uvicorn": "uvicorn",
    "httpx": "httpx",
    "ipywidgets": "ipywidgets",
}


def _installed_version(name: str) -> str | None:
    """The version of ``name`` in this environment, or None when it cannot be read here."""
    import platform
    import subprocess
    from importlib import metadata

    lower = name.lower()
    if lower == "python":
        return platform.python_version()
    if lower in _DISTRIBUTIONS:
        try:
            return metadata.version(_DISTRIBUTIONS[lower])
        except metadata.PackageNotFoundError:
            return None
    executable = {"chromium": "CHROMIUM", "chrome": "CHROMIUM", "firefox": "FIREFOX"}.get(lower)
    if executable is None:
        return None  # WebKit and Safari versions are not readable from here: never state one
    import os

    path = (
        os.environ.get(executable) or {"CHROMIUM": "/usr/bin/chromium", "FIREFOX": "/usr/bin/firefox-esr"}[executable]
    )
    try:
        printed = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return None
    found = re.search(r"\d+(?:\.\d+)+", printed)
    return found.group(0) if found else None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebooks_state_no_version_the_environment_does_not_have(path):
    """Version-bound claims are phrased as "the Starlette installed here" and shown by a live cell."""
    wrong = []
    for cell in read(path).cells:
        for match in _VERSION_CLAIM.finditer(cell.source):
            name, claimed = match.group(1), match.group(2)
            installed = _installed_version(name)
            if installed is None or installed.split(".")[: len(claimed.split("."))] != claimed.split("."):
                wrong.append(f"{match.group(0)!r} (installed here: {installed or 'unknown'})")
    assert wrong == [], "hard-coded versions: " + ", ".join(wrong)
