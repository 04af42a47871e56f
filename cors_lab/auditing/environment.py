"""``audit_env``: the CORS settings a project keeps in environment variables, read in the formats projects use.

Projects name the variable as they like (``BACKEND_CORS_ORIGINS``, ``CORS_ORIGINS``,
``<APP>_CORS_ALLOW_ORIGINS``...): it can be named, or is found among the set variables whose
name says CORS or ORIGIN. Values may be comma or ``;`` lists, JSON lists (pydantic-settings),
or quoted. Nothing is reported about a value the project does not have.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import DEFAULT_DEV_ORIGIN, CorsConfig
from .findings import Finding, by_severity
from .settings import audit_config

__all__ = ["PRODUCTION_NAMES", "EnvReading", "audit_env", "read_env"]

PRODUCTION_NAMES = ("ENVIRONMENT", "APP_ENV", "ENV", "FASTAPI_ENV")
#: Names real projects give their CORS variables.
KNOWN_NAMES = (
    "ALLOWED_ORIGINS",
    "CORS_ORIGINS",
    "BACKEND_CORS_ORIGINS",
    "CORS_ALLOW_ORIGINS",
    "CORS_ALLOWED_ORIGINS",
    "CORS_ALLOW_ORIGIN",
    "CORS_ALLOW_ORIGIN_REGEX",
    "CORS_ALLOW_CREDENTIALS",
    "CORS_ALLOW_METHODS",
    "CORS_ALLOW_HEADERS",
    "CORS_EXPOSE_HEADERS",
    "CORS_MAX_AGE",
)
_OTHER_SETTINGS = {
    "allow_methods": ("METHOD",),
    "allow_headers": ("ALLOW_HEADER",),
    "expose_headers": ("EXPOSE",),
    "allow_credentials": ("CREDENTIAL",),
    "max_age": ("MAX_AGE",),
    "allow_origin_regex": ("REGEX",),
}


@dataclass(frozen=True)
class EnvReading:
    """What was read: the variable that holds the origins, the others, and from where."""

    origins_name: str | None
    names: dict[str, str] = field(default_factory=dict)  # setting -> variable
    values: dict[str, str] = field(default_factory=dict)  # variable -> raw value
    env_file: str | None = None
    candidates: tuple[str, ...] = ()

    def describe(self) -> str:
        where = f" (with {self.env_file})" if self.env_file else ""
        if self.origins_name is None:
            return f"read no origins variable{where}"
        read = ", ".join(dict.fromkeys([self.origins_name, *self.names.values()]))
        others = [c for c in self.candidates if c not in read]
        also = f"; also set: {', '.join(others)}" if others else ""
        return f"read {read}{where}{also}"


def read_env(
    environ: Mapping[str, str] | None = None,
    *,
    env_file: str | os.PathLike[str] | None = None,
    names: Sequence[str] = (),
) -> EnvReading:
    """Find the project's CORS variables: ``names`` first, else ALLOWED_ORIGINS, else any *CORS*/*ORIGIN* one."""
    values: dict[str, str] = {}
    if env_file is not None:
        from dotenv import dotenv_values

        path = Path(env_file)
        if not path.is_file():
            raise FileNotFoundError(f"the env file {str(path)!r} does not exist: check the path")
        values.update({k: v for k, v in dotenv_values(path).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    candidates = tuple(n for n in values if ("CORS" in n.upper() or "ORIGIN" in n.upper()) and values[n].strip())
    origins_name = next((n for n in names if n in values), None)
    if origins_name is None and not names:
        origin_like = [
            n
            for n in candidates
            if _setting_of(n) == "allow_origins" and ("ORIGIN" in n.upper() or _looks_like_origins(values[n]))
        ]
        preferred = [n for n in origin_like if n.upper() == "ALLOWED_ORIGINS"]
        origins_name = next(iter(preferred or origin_like), None)
    settings: dict[str, str] = {}
    for name in candidates:
        setting = _setting_of(name)
        if setting != "allow_origins" and setting not in settings:
            settings[setting] = name
    return EnvReading(
        origins_name,
        settings,
        {n: values[n] for n in {*candidates, *(n for n in names if n in values), *PRODUCTION_NAMES} if n in values},
        str(env_file) if env_file is not None else None,
        candidates,
    )


def audit_env(
    environ: Mapping[str, str] | None = None,
    *,
    env_file: str | os.PathLike[str] | None = None,
    production: bool | None = None,
    names: Sequence[str] = (),
    course_default: bool = True,
) -> list[Finding]:
    """Check CORS settings kept in environment variables.

    ``names`` are the variables that may hold the origins (the first one set is read); without
    them ALLOWED_ORIGINS is read, or else the one set variable whose name says CORS or ORIGIN.
    ``course_default`` says that an unset ALLOWED_ORIGINS means ``CorsConfig.from_env``'s
    development default (the course's pattern); a project without that default passes False.
    ``production`` defaults to whether ENVIRONMENT, APP_ENV, ENV or FASTAPI_ENV says "prod" or "production".
    """
    reading = read_env(environ, env_file=env_file, names=names)
    return audit_reading(reading, production=production, names=names, course_default=course_default)


def audit_reading(
    reading: EnvReading, *, production: bool | None = None, names: Sequence[str] = (), course_default: bool = True
) -> list[Finding]:
    env = reading.values
    if production is None:
        production = any(env.get(name, "").strip().lower() in ("prod", "production") for name in PRODUCTION_NAMES)
    findings: list[Finding] = [*_near_misses(reading, names)]
    course = reading.origins_name is None and course_default and not names
    if course:
        findings.append(
            Finding(
                "env-default-origins",
                "error" if production else "info",
                f"ALLOWED_ORIGINS is not set, so only the development default {DEFAULT_DEV_ORIGIN!r} is allowed",
                "Set ALLOWED_ORIGINS to your frontend's origin(s) in production, e.g. "
                "ALLOWED_ORIGINS=https://myfrontend.com",
            )
        )
    elif reading.origins_name is None:
        wanted = f"{', '.join(names)} {'is' if len(names) == 1 else 'are'} not" if names else "no variable whose name "
        findings.append(
            Finding(
                "env-no-origins",
                "info",
                f"{wanted}{'' if names else 'contains CORS or ORIGIN is'} set: there is no origins value to check",
                "Name the variable your settings read: --var BACKEND_CORS_ORIGINS (repeatable), or --env-file",
            )
        )
        return by_severity(findings)
    label = reading.origins_name or "ALLOWED_ORIGINS"
    kwargs: dict[str, Any] = {"allow_origins": [DEFAULT_DEV_ORIGIN] if course else parse_list(env[label])}
    problems: list[Finding] = []
    for setting, name in reading.names.items():
        raw = env[name]
        if not raw.strip():
            continue  # an empty variable: the project's own default applies, which is not known here
        if setting in ("allow_methods", "allow_headers", "expose_headers"):
            kwargs[setting] = parse_list(raw)
        elif setting == "allow_credentials":
            flag = raw.strip().strip("'\"").lower()
            if flag in ("1", "true", "yes", "on"):
                kwargs[setting] = True
            elif flag not in ("0", "false", "no", "off", ""):
                problems.append(
                    Finding("env-invalid", "error", f"{name}={raw!r} is not a boolean", "Use true or false")
                )
        elif setting == "max_age":
            try:
                kwargs[setting] = int(raw.strip().strip("'\""))
            except ValueError:
                problems.append(
                    Finding(
                        "env-invalid",
                        "error",
                        f"{name}={raw!r} is not a whole number of seconds",
                        "Use a whole number, e.g. 600",
                    )
                )
        elif setting == "allow_origin_regex" and raw.strip():
            kwargs[setting] = raw.strip().strip("'\"")
    if not kwargs["allow_origins"]:
        findings.append(
            Finding(
                "env-invalid",
                "error",
                f"{label}={env[label]!r} lists no origin",
                f"Give the frontend's origins, e.g. {label}=https://myfrontend.com,https://admin.myfrontend.com",
            )
        )
    config = CorsConfig(**kwargs)
    findings += problems + audit_config(config, label=label, production=production, project=not course_default)
    return by_severity(findings)


def parse_list(value: str) -> list[str]:
    """A list as projects write it: JSON (pydantic-settings), or ',' / ';' separated, quotes removed."""
    text = value.strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            text = text.strip("[]")
        else:
            if isinstance(parsed, list):
                return [str(item) for item in parsed]
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1]
    separator = ";" if ";" in text and "," not in text else ","
    return [item.strip().strip("'\"") for item in text.split(separator) if item.strip().strip("'\"")]


def _looks_like_origins(value: str) -> bool:
    """CORS_ENABLED=true is not a list of origins; CORS_HOSTS=https://a.example is."""
    return "://" in value or value.strip().strip("'\"[]") == "*"


def _setting_of(name: str) -> str:
    upper = name.upper()
    for setting, words in _OTHER_SETTINGS.items():
        if any(word in upper for word in words):
            return setting
    return "allow_origins"


def _near_misses(reading: EnvReading, names: Sequence[str]) -> list[Finding]:
    findings = []
    for name in reading.candidates:
        upper = name.upper()
        if name in names or any(upper == k or upper.endswith("_" + k) for k in KNOWN_NAMES):
            continue
        for known in KNOWN_NAMES:
            if upper == known[:-1] or upper.endswith("_" + known[:-1]):
                meant = name + "S" if name.isupper() else name + "s"
                if meant in reading.values:
                    continue
                findings.append(
                    Finding(
                        "env-near-miss",
                        "warning",
                        f"{name} is set, but the usual name is {meant}: if your settings read {meant}, this value "
                        "is ignored",
                        f"Rename it to {meant} (or check the name your settings class reads)",
                    )
                )
                break
    return findings
