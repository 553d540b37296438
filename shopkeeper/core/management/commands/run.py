"""`shopkeeper run`: the web server and the background worker together, on the embedded defaults.

Serves with gunicorn (several processes; static files through WhiteNoise) or, with --reload,
Django's autoreloading development server. Stops both when either stops or on Ctrl-C.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from shopkeeper.core.enums import Role


class Command(BaseCommand):
    help = "Start the web server and the background worker; print URLs and demo logins."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=None, help="Default: $PORT or 8000")
        parser.add_argument("--web-workers", type=int, default=2, help="gunicorn processes")
        parser.add_argument("--reload", action="store_true", help="Django's autoreloading dev server instead")
        parser.add_argument("--no-worker", action="store_true", help="Do not start the background worker")

    def handle(self, *args: Any, **options: Any) -> None:
        port = options["port"] or _port_from_env()
        host = options["host"]
        _ensure_port_free(host, port)
        _ensure_migrated()
        intro = banner(host, port, worker=not options["no_worker"])  # reads the database: before any child
        if options["reload"]:
            web = [sys.executable, "-m", "shopkeeper", "runserver", f"{host}:{port}"]
        else:
            web = [
                sys.executable, "-m", "gunicorn", "shopkeeper.config.wsgi:application",
                "--bind", f"{host}:{port}", "--workers", str(options["web_workers"]),
                "--access-logfile", "-", "--graceful-timeout", "10",
            ]  # fmt: skip
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # SIGHUP: the terminal closed
            signal.signal(signum, stop)
        children: list[tuple[str, subprocess.Popen[bytes]]] = []
        exit_code = 0
        try:
            if not options["no_worker"]:
                children.append(("worker", _start(worker_command(concurrency=1, beat=True))))
            children.append(("web", _start(web)))
            self.stdout.write(intro)
            self.stdout.flush()
            while not stopping:
                for name, child in children:
                    code = child.poll()
                    if code is not None:
                        self.stderr.write(f"{name} stopped (exit {code}); stopping the rest.")
                        exit_code = code or 1
                        stopping = True
                time.sleep(0.5)
        finally:  # whatever ended the loop, even an error of our own: no child outlives `run`
            _stop_all([child for _name, child in children])
        if exit_code:
            sys.exit(exit_code)


def _stop_all(children: list[subprocess.Popen[bytes]]) -> None:
    """Ask each child to stop (it stops its own processes: gunicorn its workers, Celery its pool),
    give it 15 s, then kill whatever of its process group is left (a worker's pool process when
    the worker itself was killed, say): nothing keeps `run`'s ports or its output open after it."""
    for child in children:
        if child.poll() is None:
            child.terminate()
    for child in children:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=15)
        _signal_group(child, signal.SIGKILL)
        child.wait()


def _ensure_migrated() -> None:
    """Refuse to start on a database with migrations not applied (the pages would fail one by one)."""
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        raise CommandError(f"Cannot reach the database ({exc}); check DATABASE_URL.") from None
    if pending:
        raise CommandError(f"The database has {len(pending)} migration(s) not applied; run `shopkeeper migrate` first.")


def _start(command: list[str]) -> subprocess.Popen[bytes]:
    """A child in a process group of its own, so that stopping reaches its own children too."""
    return subprocess.Popen(command, start_new_session=True)


def _signal_group(child: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # the group is gone already
        os.killpg(child.pid, signum)


def worker_command(*, concurrency: int, beat: bool, loglevel: str = "INFO") -> list[str]:
    command = [
        sys.executable, "-m", "celery", "-A", "shopkeeper.config", "worker",
        "--loglevel", loglevel, "--concurrency", str(concurrency),
    ]  # fmt: skip
    if beat:
        command += ["--beat", "--schedule", str(settings.CELERY_DIR / "beat-schedule")]
    return command


def _port_from_env() -> int:
    raw = os.environ.get("PORT", "8000").strip() or "8000"
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise CommandError(f"Environment variable PORT: expected a port number 1–65535, got {raw!r}")
    return int(raw)


def _ensure_port_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise CommandError(f"Cannot listen on {host}:{port} ({exc.strerror}); set PORT to another port.") from None


def banner(host: str, port: int, *, worker: bool) -> str:
    from shopkeeper.demo.services import DEMO_CUSTOMER_MOBILE, DEMO_PASSWORD, demo_loaded

    base = f"http://{host}:{port}"
    lines = [
        "",
        "Shopkeeper is running.",
        f"  Storefront   {base}/",
        f"  Console      {base}/console/",
        f"  API docs     {base}/api/v1/docs   (OpenAPI: {base}/api/v1/openapi.json)",
        f"  Health       {base}/healthz",
        f"  Database     {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"
        f"  Broker {settings.CELERY_BROKER_URL.split('://')[0]}"
        f"  Worker {'on' if worker else 'off'}",
    ]
    if demo_loaded() is not None:
        lines.append(f"  Demo logins (password {DEMO_PASSWORD}):")
        for role in Role:
            lines.append(f"    {role.value:<22} {role.label}")
        lines.append(f"  Demo customer  {DEMO_CUSTOMER_MOBILE}  (sign in at {base}/account/login/, same password)")
    lines.append("Press Ctrl-C to stop.\n")
    return "\n".join(lines)
