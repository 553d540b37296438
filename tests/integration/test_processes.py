"""The processes `make run` starts really work: a Celery worker on the configured broker
(filesystem by default, Redis in the PostgreSQL run) and `shopkeeper run` serving HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["SHOPKEEPER_VAR_DIR"] = str(tmp_path / "var")
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    if "DATABASE_URL" not in env:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'var' / 'shop.sqlite3'}"
    return env


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_worker_consumes_tasks_from_the_configured_broker(tmp_path: Path) -> None:
    env = _env(tmp_path)
    worker = subprocess.Popen(
        [sys.executable, "-m", "shopkeeper", "worker", "--concurrency", "1", "--no-beat", "--loglevel", "WARNING"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        client = subprocess.run(
            [
                sys.executable,
                "-c",
                "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shopkeeper.config.settings');"
                "django.setup(); from shopkeeper.core.tasks import ping;"
                "print(ping.delay().get(timeout=60))",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=90,
        )
        assert client.returncode == 0, client.stderr
        assert client.stdout.startswith("pong ")
    finally:
        _stop(worker)


def test_shopkeeper_run_serves_web_and_worker(tmp_path: Path) -> None:
    env = _env(tmp_path)
    migrate = subprocess.run(
        [sys.executable, "-m", "shopkeeper", "migrate", "--no-input"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert migrate.returncode == 0, migrate.stderr
    port = _free_port()
    env["PORT"] = str(port)
    server = subprocess.Popen(
        [sys.executable, "-m", "shopkeeper", "run", "--web-workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        body = b""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    body = response.read()
                    assert response.status == 200
                    break
            except OSError:
                time.sleep(0.5)
        assert b'"status": "ok"' in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/console/login/", timeout=5) as response:
            assert response.status == 200
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/vendor/htmx.min.js", timeout=5) as response:
            assert response.status == 200
    finally:
        _stop(server)
    output = server.stdout.read().decode() if server.stdout else ""
    assert f"http://127.0.0.1:{port}/console/" in output
    assert f"http://127.0.0.1:{port}/api/v1/docs" in output
    assert server.returncode == 0


def test_a_taken_port_is_refused_clearly(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        env = _env(tmp_path) | {"PORT": str(busy.getsockname()[1])}
        result = subprocess.run(
            [sys.executable, "-m", "shopkeeper", "run"], env=env, capture_output=True, text=True, timeout=60
        )
    assert result.returncode != 0
    assert "set PORT to another port" in result.stderr


@pytest.mark.parametrize("port", ["eighty", "70000"])
def test_a_bad_port_is_refused_naming_the_variable(tmp_path: Path, port: str) -> None:
    env = _env(tmp_path) | {"PORT": port}
    result = subprocess.run(
        [sys.executable, "-m", "shopkeeper", "run"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "PORT" in result.stderr
