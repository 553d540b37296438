"""A server process gets ready before its first request: importing the WSGI application loads
every page's views, the API and the search segmenter's dictionary (about 2 s that the first
shopper of each gunicorn worker used to wait)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROBE = """
import sys
import shopkeeper.config.wsgi
import jieba
assert jieba.dt.initialized, "the segmenter's dictionary is not loaded"
assert "shopkeeper.config.api" in sys.modules, "the URLconf (and the API) is not imported"
assert "shopkeeper.storefront.views" in sys.modules
print("ready")
"""


def test_importing_the_wsgi_application_prepares_the_process(tmp_path: Path) -> None:
    env = dict(os.environ, SHOPKEEPER_VAR_DIR=str(tmp_path / "var"))
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp_path / 'var' / 'shop.sqlite3'}")
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("ready")
