"""``python -m cors_lab`` is the ``cors-lab`` command."""

from .cli import main

main()
