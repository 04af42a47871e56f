"""Loading the user's app for ``audit`` and ``check``, as uvicorn does (``main:app``, ``--factory``, ``--app-dir``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from ._app import fail

__all__ = ["load_app"]


def load_app(spec: str, *, factory: bool = False, app_dir: Path | None = None) -> Any:
    """The ASGI app named by ``spec``; a usage error naming the value and the fix otherwise."""
    from uvicorn.importer import ImportFromStringError, import_from_string

    folder = Path.cwd() if app_dir is None else app_dir
    if not folder.is_dir():
        raise fail(f"--app-dir {str(folder)!r} is not a folder: give the folder that holds the app's module")
    if str(folder.resolve()) not in sys.path:
        sys.path.insert(0, str(folder.resolve()))
    if ":" not in spec:
        raise fail(f"{spec!r} is not MODULE:ATTR: write it as for uvicorn, e.g. main:app or app.main:create_app")
    try:
        target = import_from_string(spec)
    except ImportFromStringError as error:
        hint = "" if app_dir else " (if the module lives in another folder, add --app-dir FOLDER)"
        raise fail(f"cannot load {spec!r}: {error}{hint}") from None
    except ModuleNotFoundError as error:
        hint = "" if app_dir else " (if the module lives in another folder, add --app-dir FOLDER)"
        raise fail(f"cannot load {spec!r}: {error}{hint}") from None
    except Exception as error:  # the module itself failed while importing
        raise fail(f"importing {spec!r} failed: {type(error).__name__}: {error}") from None
    if factory:
        if not callable(target):
            raise fail(f"--factory: {spec!r} is {type(target).__name__}, not a function that builds the app")
        try:
            target = target()
        except TypeError as error:
            raise fail(f"--factory: calling {spec}() failed: {error} (the factory must take no arguments)") from None
        except Exception as error:
            raise fail(f"--factory: calling {spec}() failed: {type(error).__name__}: {error}") from None
    elif not hasattr(target, "user_middleware") and callable(target) and not hasattr(target, "app"):
        if getattr(target, "__code__", None) is not None and target.__code__.co_argcount == 0:
            raise fail(f"{spec!r} is a function, not an app: if it builds the app, add --factory")
    import inspect

    if not hasattr(target, "user_middleware") and (
        not callable(target) or inspect.isclass(target) or inspect.isroutine(target)
    ):
        raise fail(f"{spec!r} is {type(target).__name__}, not a FastAPI or Starlette app")
    return target
