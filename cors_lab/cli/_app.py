"""The ``cors-lab`` Typer app and what its commands share: the consoles, exit codes and usage errors.

Each command lives in a module of its own and imports its heavy parts (FastAPI, the browser model,
Jupyter) only when it runs, so ``cors-lab --version`` and ``--help`` start quickly.
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.markup import escape

__all__ = ["EXIT_ALLOWED", "EXIT_BLOCKED", "EXIT_USAGE", "app", "err", "fail", "out"]

app = typer.Typer(
    name="cors-lab",
    help="Learn, teach and debug CORS for FastAPI backends.\n\nExample: cors-lab check "
    "http://localhost:8000/users --origin http://localhost:3000",
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)
# Colour only on a terminal: a notebook cell or a pipe gets plain text, whatever FORCE_COLOR says.
out = Console(highlight=False, soft_wrap=True, force_terminal=sys.stdout.isatty())
err = Console(stderr=True, highlight=False, soft_wrap=True, force_terminal=sys.stderr.isatty())

EXIT_ALLOWED, EXIT_BLOCKED, EXIT_USAGE = 0, 1, 2


def fail(message: str) -> typer.Exit:
    """Print a usage error and return the exit to raise (``raise fail("...")``)."""
    err.print(f"[bold red]error:[/] {escape(message)}")
    return typer.Exit(EXIT_USAGE)
