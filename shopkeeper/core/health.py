"""Health checks for /healthz: the database always, Redis and the Celery broker when configured."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings
from django.db import connections


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    millis: float
    detail: str = ""


def _timed(name: str, probe: Callable[[], str]) -> CheckResult:
    started = time.perf_counter()
    try:
        detail = probe()
        ok = True
    except Exception as exc:  # any failure of a dependency is a failed check, reported by name
        detail = f"{type(exc).__name__}: {exc}"[:300]
        ok = False
    return CheckResult(name=name, ok=ok, millis=round((time.perf_counter() - started) * 1000, 2), detail=detail)


def check_database(alias: str = "default") -> CheckResult:
    def probe() -> str:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return str(connections[alias].vendor)

    return _timed("database", probe)


def check_redis(url: str) -> CheckResult:
    def probe() -> str:
        import redis

        timeout = settings.SHOPKEEPER_HEALTH_TIMEOUT_SECONDS
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        try:
            client.ping()
        finally:
            client.close()
        return "PONG"

    return _timed("redis", probe)


def check_broker(url: str) -> CheckResult:
    def probe() -> str:
        if url.startswith("filesystem://"):
            queue = Path(str(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]))
            if not queue.is_dir():
                raise FileNotFoundError(f"queue folder {queue} is missing")
            backlog = sum(1 for _ in queue.iterdir())
            return f"embedded filesystem broker, {backlog} message(s) waiting"
        from kombu import Connection

        timeout = settings.SHOPKEEPER_HEALTH_TIMEOUT_SECONDS
        with Connection(url, connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
        return urlparse(url).scheme

    return _timed("broker", probe)


def run_checks() -> list[CheckResult]:
    results = [check_database()]
    redis_url = settings.REDIS_URL
    broker_url = settings.CELERY_BROKER_URL
    if redis_url:
        results.append(check_redis(redis_url))
    if broker_url != redis_url:
        results.append(check_broker(broker_url))
    else:
        results.append(CheckResult(name="broker", ok=results[-1].ok, millis=0.0, detail="same as redis"))
    return results
