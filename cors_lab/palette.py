"""The colours of every HTML view (notebook displays, widgets, findings), so they read as one course.

GitHub's Primer palette: readable on JupyterLab's light theme and on the docs site.
"""

from __future__ import annotations

__all__ = ["BLUE", "BORDER", "GREEN", "GREY", "HIGHLIGHT", "LINK", "RED", "RED_BACKGROUND", "YELLOW"]

GREEN = "#1a7f37"  # allowed, passed
RED = "#cf222e"  # blocked, failed
YELLOW = "#9a6700"  # a warning
BLUE = "#0969da"  # information
LINK = "#0550ae"  # what to look at (CORS headers)
GREY = "#57606a"  # secondary text
BORDER = "#d0d7de"
RED_BACKGROUND = "#ffebe9"  # behind a console error line
HIGHLIGHT = "#fde2e1"  # a cell that differs
