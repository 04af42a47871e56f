"""The course as a web site: Sphinx with myst-nb, from the notebooks' committed outputs (never executed).

Build it with `make docs` (sphinx-build -b html docs docs/_build/html). docs/course is a link to
../notebooks, so the site always shows the notebooks as committed.
"""

from cors_lab import __version__

project = "cors-lab"
author = "cors-lab contributors"
release = __version__
extensions = ["myst_nb"]

exclude_patterns = ["_build", "course/.ipynb_checkpoints", "course/nbval-sanitize.cfg", "**/.ipynb_checkpoints"]
# The committed outputs are the lesson: show them as they are.
nb_execution_mode = "off"
# The widgets' live views need a kernel; without one, show each widget's text view (its summary) instead.
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
myst_heading_anchors = 3
html_theme = "alabaster"
html_title = f"cors-lab {release}"
html_theme_options = {"page_width": "1200px", "body_max_width": "none"}
