"""CORS settings as a value: exactly Starlette's ``CORSMiddleware`` parameters, with its defaults.

``CorsConfig`` can hold broken settings on purpose (a trailing slash, a string instead of a
list): lessons and ``audit`` need to show what those do. ``CorsConfig.from_env`` is the
strict way in, for real deployments: it refuses values that could never match a browser.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from dotenv import dotenv_values
from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, ValidationError
from starlette.middleware.cors import CORSMiddleware

from .browser.http import is_token
from .origins import OriginError, origin_of

__all__ = ["DEFAULT_DEV_ORIGIN", "CorsConfig", "CorsConfigError"]

#: The seed article's development default for ``ALLOWED_ORIGINS``.
DEFAULT_DEV_ORIGIN = "http://localhost:3000"

StrList = Sequence[str] | str


class CorsConfigError(ValueError):
    """A CORS setting from the environment that cannot work; names the variable, the value and the fix."""


@dataclass(frozen=True, repr=False)
class CorsConfig:
    """The arguments of ``app.add_middleware(CORSMiddleware, ...)``, with Starlette's defaults.

    Lists are stored as tuples. A single string is kept as it is, because Starlette keeps it
    too (and then matches substrings of it): that is a trap ``audit`` reports.
    """

    allow_origins: StrList = ()
    allow_methods: StrList = ("GET",)
    allow_headers: StrList = ()
    allow_credentials: bool = False
    allow_origin_regex: str | None = None
    allow_private_network: bool = False
    expose_headers: StrList = ()
    max_age: int = 600

    def __post_init__(self) -> None:
        for name in LIST_SETTINGS:
            value = getattr(self, name)
            if not isinstance(value, str):
                object.__setattr__(self, name, tuple(value))

    def as_kwargs(self) -> dict[str, Any]:
        """The keyword arguments for ``CORSMiddleware``, lists as lists."""
        return {f.name: _as_list(getattr(self, f.name)) for f in fields(self)}

    def apply(self, app: Any) -> Any:
        """Add ``CORSMiddleware`` with these settings to ``app`` and return the app."""
        app.add_middleware(CORSMiddleware, **self.as_kwargs())
        return app

    def changed(self) -> dict[str, Any]:
        """The settings that differ from Starlette's defaults."""
        default = CorsConfig()
        return {k: v for k, v in self.as_kwargs().items() if v != _as_list(getattr(default, k))}

    def __repr__(self) -> str:
        arguments = "".join(f"    {name}={value!r},\n" for name, value in self.changed().items())
        return f"app.add_middleware(\n    CORSMiddleware,\n{arguments})"

    def summary(self) -> str:
        """One line: ``CORSMiddleware(allow_origins=['http://localhost:3000'])``, defaults left out."""
        arguments = ", ".join(f"{name}={value!r}" for name, value in self.changed().items())
        return f"CORSMiddleware({arguments})"

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, env_file: str | os.PathLike[str] | None = None
    ) -> CorsConfig:
        """Read CORS settings from environment variables (and a ``.env`` file), strictly.

        ``ALLOWED_ORIGINS`` is a comma-separated list of origins (default
        ``http://localhost:3000``); each must be exactly what a browser sends, or ``*``.
        Optional: ``CORS_ALLOW_CREDENTIALS`` (true/false), ``CORS_ALLOW_METHODS``,
        ``CORS_ALLOW_HEADERS``, ``CORS_EXPOSE_HEADERS`` (comma-separated) and
        ``CORS_MAX_AGE`` (seconds). Unset ones keep Starlette's defaults. Variables in
        ``environ`` (default: ``os.environ``) win over the file.
        """
        values: dict[str, str | None] = {}
        if env_file is not None:
            path = Path(env_file)
            if not path.is_file():
                raise CorsConfigError(f"the env file {str(path)!r} does not exist: check the path")
            values.update(dotenv_values(path))
        values.update(os.environ if environ is None else environ)
        try:
            settings = _EnvSettings.model_validate({k: v for k, v in values.items() if v is not None})
        except ValidationError as exc:
            raise _explain(exc) from None
        config: dict[str, Any] = {
            "allow_origins": _parse_origins(settings.ALLOWED_ORIGINS),
            "allow_credentials": settings.CORS_ALLOW_CREDENTIALS,
        }
        if settings.CORS_ALLOW_METHODS is not None:
            config["allow_methods"] = [
                m.upper() for m in _parse_tokens("CORS_ALLOW_METHODS", settings.CORS_ALLOW_METHODS)
            ]
        if settings.CORS_ALLOW_HEADERS is not None:
            config["allow_headers"] = _parse_tokens("CORS_ALLOW_HEADERS", settings.CORS_ALLOW_HEADERS)
        if settings.CORS_EXPOSE_HEADERS is not None:
            config["expose_headers"] = _parse_tokens("CORS_EXPOSE_HEADERS", settings.CORS_EXPOSE_HEADERS)
        if settings.CORS_MAX_AGE is not None:
            config["max_age"] = settings.CORS_MAX_AGE
        return cls(**config)


class _EnvSettings(BaseModel):
    model_config = ConfigDict(extra="ignore")

    ALLOWED_ORIGINS: str = DEFAULT_DEV_ORIGIN
    CORS_ALLOW_CREDENTIALS: bool = False
    CORS_ALLOW_METHODS: str | None = None
    CORS_ALLOW_HEADERS: str | None = None
    CORS_EXPOSE_HEADERS: str | None = None
    CORS_MAX_AGE: NonNegativeInt | None = Field(default=None)


_FIXES = {
    "CORS_ALLOW_CREDENTIALS": "use true or false",
    "CORS_MAX_AGE": "use a whole number of seconds, such as 600",
}


def _explain(exc: ValidationError) -> CorsConfigError:
    error = exc.errors()[0]
    name = str(error["loc"][0])
    fix = _FIXES.get(name, "check the value")
    return CorsConfigError(f"{name}={error['input']!r} is not valid ({error['msg'].lower()}): {fix}")


def split_list(value: str) -> list[str]:
    """A comma-separated value as its items, each stripped, blanks dropped (``"a, b,"`` -> ``["a", "b"]``)."""
    return [item.strip() for item in value.split(",") if item.strip()]


def _parse_origins(value: str) -> list[str]:
    items = split_list(value)
    if not items:
        raise CorsConfigError(
            f"ALLOWED_ORIGINS={value!r} lists no origin: give comma-separated origins, such as "
            f"'{DEFAULT_DEV_ORIGIN},https://myfrontend.com', or unset it for the development default"
        )
    for item in items:
        if item == "*":
            continue
        if re.search(r"\s", item):
            raise CorsConfigError(
                f"ALLOWED_ORIGINS item {item!r} contains a space: separate origins with commas, "
                f"e.g. {','.join(item.split())!r}"
            )
        if item.lower() == "null":
            raise CorsConfigError(
                "ALLOWED_ORIGINS item 'null' would let in sandboxed iframes and local files, which any site "
                "can create: remove it and list the real origins of your frontend"
            )
        try:
            origin = str(origin_of(item))
        except OriginError as exc:
            raise CorsConfigError(f"ALLOWED_ORIGINS item {exc}") from None
        if origin != item:
            raise CorsConfigError(
                f"ALLOWED_ORIGINS item {item!r} is not an origin as a browser sends it, so it would never match: "
                f"use {origin!r} (scheme and host in lower case, no default port, no path or trailing slash)"
            )
    return items


def _parse_tokens(name: str, value: str) -> list[str]:
    items = split_list(value)
    for item in items:
        if not is_token(item):
            raise CorsConfigError(
                f"{name} item {item!r} is not a valid name: use comma-separated names such as 'GET,POST' "
                "or 'Authorization,Content-Type', or '*'"
            )
    return items


def _as_list(value: StrList) -> list[str] | str | Any:
    return list(value) if isinstance(value, tuple) else value


#: CORSMiddleware's parameter names, in its order, and those of them that take a list.
SETTINGS: tuple[str, ...] = tuple(f.name for f in fields(CorsConfig))
LIST_SETTINGS = ("allow_origins", "allow_methods", "allow_headers", "expose_headers")
