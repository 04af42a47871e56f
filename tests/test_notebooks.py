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
