"""Read settings from the environment, refusing bad values with a message naming the variable."""

from __future__ import annotations

import builtins
import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

import dj_database_url


class EnvError(Exception):
    """A bad environment value: the process must not start."""

    def __init__(self, name: builtins.str, problem: str) -> None:
        super().__init__(f"Environment variable {name}: {problem}")
        self.name = name


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class Env:
    def __init__(self, environ: Mapping[builtins.str, builtins.str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ

    def raw(self, name: builtins.str) -> builtins.str | None:
        value = self._environ.get(name)
        if value is None or value.strip() == "":
            return None
        return value.strip()

    def str(self, name: builtins.str, default: builtins.str = "") -> builtins.str:
        value = self.raw(name)
        return default if value is None else value

    def bool(self, name: builtins.str, default: builtins.bool) -> builtins.bool:
        value = self.raw(name)
        if value is None:
            return default
        lowered = value.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise EnvError(name, f"expected true/false (1/0, yes/no, on/off), got {value!r}")

    def int(self, name: builtins.str, default: builtins.int, *, minimum: builtins.int | None = None) -> builtins.int:
        value = self.raw(name)
        if value is None:
            return default
        try:
            number = builtins.int(value)
        except ValueError:
            raise EnvError(name, f"expected a whole number, got {value!r}") from None
        if minimum is not None and number < minimum:
            raise EnvError(name, f"must be at least {minimum}, got {number}")
        return number

    def list(self, name: builtins.str, default: builtins.list[builtins.str]) -> builtins.list[builtins.str]:
        value = self.raw(name)
        if value is None:
            return list(default)
        return [item.strip() for item in value.split(",") if item.strip()]

    def int_list(
        self, name: builtins.str, default: builtins.list[builtins.int], *, minimum: builtins.int | None = None
    ) -> builtins.list[builtins.int]:
        """Comma-separated whole numbers, e.g. a retry schedule in seconds: "2,5,15"."""
        value = self.raw(name)
        if value is None:
            return list(default)
        numbers: builtins.list[builtins.int] = []
        for item in (part.strip() for part in value.split(",")):
            try:
                number = builtins.int(item)
            except ValueError:
                raise EnvError(name, f"expected whole numbers separated by commas, got {value!r}") from None
            if minimum is not None and number < minimum:
                raise EnvError(name, f"every number must be at least {minimum}, got {number}")
            numbers.append(number)
        return numbers

    def database(self, name: builtins.str, default: builtins.str) -> dict[builtins.str, Any]:
        value = self.raw(name) or default
        scheme = urlparse(value).scheme
        if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
            raise EnvError(
                name,
                f"unsupported scheme {scheme!r}; use sqlite:///path/to/file.sqlite3 "
                "or postgres://user:password@host:port/database",
            )
        try:
            config = dict(dj_database_url.parse(value, conn_max_age=60, conn_health_checks=True))
        except Exception as exc:  # dj-database-url raises several types
            raise EnvError(name, f"cannot parse {value!r}: {exc}") from None
        if scheme != "sqlite" and not config.get("NAME"):
            raise EnvError(name, f"no database name in {value!r}")
        return config

    def url(self, name: builtins.str, schemes: set[builtins.str]) -> builtins.str | None:
        value = self.raw(name)
        if value is None:
            return None
        parsed = urlparse(value)
        if parsed.scheme not in schemes:
            allowed = ", ".join(sorted(schemes))
            raise EnvError(name, f"expected a URL with scheme {allowed}, got {value!r}")
        if parsed.scheme in {"redis", "rediss", "amqp", "amqps"} and not parsed.hostname:
            raise EnvError(name, f"no host in {value!r}")
        return value
