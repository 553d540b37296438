"""Models of the app (filled in as it grows)."""

from __future__ import annotations
