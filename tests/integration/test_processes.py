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
    server, port = _run_started(env)
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
    # the output ends when the last process holding it has gone: nothing of `run` outlives it
    output = server.communicate(timeout=30)[0].decode()
    assert f"http://127.0.0.1:{port}/console/" in output
    assert f"http://127.0.0.1:{port}/api/v1/docs" in output
    assert server.returncode == 0
    assert _processes_with(env["SHOPKEEPER_VAR_DIR"]) == []


def test_run_stops_the_worker_s_own_processes_even_when_the_worker_is_killed(tmp_path: Path) -> None:
    """`run` gives each child a process group: a worker killed mid-way leaves no pool process
    behind (one once kept the output pipe open, and whoever read it waited for ever)."""
    env = _env(tmp_path)
    server, _port = _run_started(env)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(_processes_with(env["SHOPKEEPER_VAR_DIR"])) < 4:
            time.sleep(0.5)  # run, the worker and its pool process, gunicorn and its worker
        started = _processes_with(env["SHOPKEEPER_VAR_DIR"])
        assert len(started) >= 4, started
        worker = next(pid for pid in started if _parent(pid) == server.pid and b"celery" in _cmdline(pid))
        os.kill(worker, signal.SIGKILL)  # its pool process is orphaned, still holding the output
        output = server.communicate(timeout=60)[0].decode()  # run sees the worker stop and stops
    finally:
        _stop(server)
    assert "worker stopped" in output
    assert server.returncode != 0
    assert _processes_with(env["SHOPKEEPER_VAR_DIR"]) == []


def test_run_refuses_a_database_not_migrated_and_starts_nothing(tmp_path: Path) -> None:
    env = _env(tmp_path)
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'var' / 'empty.sqlite3'}"
    env["PORT"] = str(_free_port())
    result = subprocess.run(
        [sys.executable, "-m", "shopkeeper", "run", "--web-workers", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert result.returncode != 0
    assert "not applied; run `shopkeeper migrate` first" in result.stderr
    assert _processes_with(env["SHOPKEEPER_VAR_DIR"]) == []


def _run_started(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    """`shopkeeper run` on a migrated database and a free port (set in `env`), output piped."""
    _migrate(env)
    port = _free_port()
    env["PORT"] = str(port)
    server = subprocess.Popen(
        [sys.executable, "-m", "shopkeeper", "run", "--web-workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    return server, port


def _migrate(env: dict[str, str]) -> None:
    migrate = subprocess.run(
        [sys.executable, "-m", "shopkeeper", "migrate", "--no-input"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert migrate.returncode == 0, migrate.stderr


def _processes_with(var_dir: str) -> list[int]:
    """The live processes whose environment names this test's var directory (Linux's /proc)."""
    marker = f"SHOPKEEPER_VAR_DIR={var_dir}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0") and b"Z" not in _state(entry):
                found.append(int(entry.name))
        except OSError:
            continue  # gone meanwhile, or not ours to read
    return sorted(found)


def _state(entry: Path) -> bytes:
    return (entry / "stat").read_bytes().rsplit(b")", 1)[1].split()[0]


def _parent(pid: int) -> int:
    return int((Path("/proc") / str(pid) / "stat").read_bytes().rsplit(b")", 1)[1].split()[1])


def _cmdline(pid: int) -> bytes:
    return (Path("/proc") / str(pid) / "cmdline").read_bytes()


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
