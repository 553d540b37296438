"""Payments settings from the environment: SITE_URL follows `shopkeeper run`'s address, and the
sandbox gateway refuses to start with DEBUG off unless enabled on purpose with a real secret."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from shopkeeper.config.env import Env, EnvError

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION = {"DEBUG": "false", "SECRET_KEY": "x" * 50}


def settings_in(env: dict[str, str], tmp_path: Path, expression: str) -> subprocess.CompletedProcess[str]:
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SANDBOX_", "SITE_URL", "PORT", "HOST", "DEBUG", "SECRET_KEY"))
    }
    environ |= {"SHOPKEEPER_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "shopkeeper.config.settings", **env}
    code = f"from shopkeeper.config import settings as s; print({expression})"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60, check=False
    )


def test_int_list() -> None:
    assert Env({"X": "2, 5,15"}).int_list("X", [1]) == [2, 5, 15]
    assert Env({}).int_list("X", [1]) == [1]
    with pytest.raises(EnvError, match="whole numbers"):
        Env({"X": "2,x"}).int_list("X", [1])
    with pytest.raises(EnvError, match="at least 0"):
        Env({"X": "-1"}).int_list("X", [1], minimum=0)


@pytest.mark.parametrize(
    ("env", "site_url"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"PORT": "8080"}, "http://127.0.0.1:8080"),
        ({"HOST": "0.0.0.0", "PORT": "9000"}, "http://127.0.0.1:9000"),  # noqa: S104
        ({"SITE_URL": "https://shop.example.com/"}, "https://shop.example.com"),
    ],
)
def test_site_url(env: dict[str, str], site_url: str, tmp_path: Path) -> None:
    result = settings_in(env, tmp_path, "s.SITE_URL")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == site_url


def test_a_bad_site_url_stops_the_process(tmp_path: Path) -> None:
    result = settings_in({"SITE_URL": "shop.example.com"}, tmp_path, "s.SITE_URL")
    assert result.returncode != 0
    assert "Environment variable SITE_URL" in result.stderr


def test_the_sandbox_follows_debug(tmp_path: Path) -> None:
    assert settings_in({}, tmp_path, "s.SANDBOX_GATEWAY_ENABLED").stdout.strip() == "True"
    assert settings_in(PRODUCTION, tmp_path, "s.SANDBOX_GATEWAY_ENABLED").stdout.strip() == "False"


def test_the_sandbox_with_debug_off_needs_a_real_secret(tmp_path: Path) -> None:
    enabled = {**PRODUCTION, "SANDBOX_GATEWAY_ENABLED": "true"}
    refused = settings_in(enabled, tmp_path, "s.SANDBOX_GATEWAY_ENABLED")
    assert refused.returncode != 0
    assert "Environment variable SANDBOX_GATEWAY_SECRET: must be set" in refused.stderr
    short = settings_in({**enabled, "SANDBOX_GATEWAY_SECRET": "short"}, tmp_path, "1")
    assert "too short" in short.stderr
    allowed = settings_in({**enabled, "SANDBOX_GATEWAY_SECRET": "s" * 40}, tmp_path, "s.SANDBOX_GATEWAY_ENABLED")
    assert allowed.stdout.strip() == "True", allowed.stderr


def test_the_retry_schedule_is_configurable(tmp_path: Path) -> None:
    result = settings_in({"SANDBOX_NOTIFY_RETRY_SECONDS": "1,1,2"}, tmp_path, "s.SANDBOX_NOTIFY_RETRY_SECONDS")
    assert result.stdout.strip() == "[1, 1, 2]"
