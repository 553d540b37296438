"""A bad environment value stops the process with a message naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from shopkeeper.config.env import Env, EnvError


class TestEnvParsing:
    def test_booleans(self) -> None:
        env = Env({"A": "yes", "B": "0", "C": ""})
        assert env.bool("A", default=False) is True
        assert env.bool("B", default=True) is False
        assert env.bool("C", default=True) is True

    def test_bad_boolean_names_the_variable(self) -> None:
        with pytest.raises(EnvError, match="DEBUG") as caught:
            Env({"DEBUG": "maybe"}).bool("DEBUG", default=True)
        assert "maybe" in str(caught.value)

    def test_numbers_and_lists(self) -> None:
        env = Env({"N": "12", "L": "a.com, b.com,,"})
        assert env.int("N", 1) == 12
        assert env.list("L", []) == ["a.com", "b.com"]
        with pytest.raises(EnvError, match="N"):
            Env({"N": "twelve"}).int("N", 1)
        with pytest.raises(EnvError, match="must be at least 0"):
            Env({"N": "-1"}).int("N", 1, minimum=0)

    def test_database_urls(self) -> None:
        env = Env({"DATABASE_URL": "postgres://u:p@db.internal:5432/shop"})
        config = env.database("DATABASE_URL", "sqlite:///x.sqlite3")
        assert config["ENGINE"] == "django.db.backends.postgresql"
        assert config["NAME"] == "shop"
        assert Env({}).database("DATABASE_URL", "sqlite:////tmp/x.sqlite3")["NAME"] == "/tmp/x.sqlite3"
        with pytest.raises(EnvError, match=r"DATABASE_URL.*unsupported scheme 'mysql'"):
            Env({"DATABASE_URL": "mysql://u@h/db"}).database("DATABASE_URL", "")
        with pytest.raises(EnvError, match="no database name"):
            Env({"DATABASE_URL": "postgres://u@h:5432"}).database("DATABASE_URL", "")

    def test_urls(self) -> None:
        assert Env({"R": "redis://127.0.0.1:6379/0"}).url("R", {"redis"}) == "redis://127.0.0.1:6379/0"
        with pytest.raises(EnvError, match="REDIS_URL"):
            Env({"REDIS_URL": "127.0.0.1:6379"}).url("REDIS_URL", {"redis"})


def _start(**overrides: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "DEBUG"}}
    env.update(overrides)
    return subprocess.run(
        [sys.executable, "-m", "shopkeeper", "check"], env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("overrides", "variable"),
    [
        ({"DEBUG": "false"}, "SECRET_KEY"),
        ({"DEBUG": "perhaps"}, "DEBUG"),
        ({"DATABASE_URL": "oracle://db/shop"}, "DATABASE_URL"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
    ],
)
def test_the_process_refuses_to_start(overrides: dict[str, str], variable: str) -> None:
    result = _start(**overrides)
    assert result.returncode == 2, result.stderr
    assert f"refusing to start: Environment variable {variable}" in result.stderr


def test_production_settings_start_with_a_key() -> None:
    result = _start(DEBUG="false", SECRET_KEY="x" * 50, ALLOWED_HOSTS="shop.example.com")
    assert result.returncode == 0, result.stderr
    assert "shopkeeper.W001" not in result.stderr


def test_development_key_is_loud() -> None:
    result = _start(DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert "shopkeeper.W001" in result.stderr + result.stdout
