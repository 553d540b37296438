"""Browser fixtures: Debian's Chromium driven by Playwright for Python (no browser download)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("SHOPKEEPER_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between page actions are ordinary blocking calls, which Django would otherwise refuse.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A page on a phone-sized touch screen, the way most shoppers arrive."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    path = Path(settings.VAR_DIR) / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """When a browser test fails, keep what each open page showed: a screenshot and the HTML
    under var/screenshots/failures/, and the page's address and text in the report itself (CI
    keeps the output of a failed run; files on its machine may be gone)."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    browser = getattr(item, "funcargs", {}).get("browser")
    if report.when != "call" or not report.failed or browser is None:
        return
    folder = Path(settings.VAR_DIR) / "screenshots" / "failures"
    folder.mkdir(parents=True, exist_ok=True)
    name = item.name.replace("/", "_")[:80]
    shown: list[str] = []
    for number, page in enumerate(page for context in browser.contexts for page in context.pages):
        stem = folder / f"{name}-{number}"
        try:
            page.screenshot(path=f"{stem}.png", full_page=True, timeout=5_000)
            Path(f"{stem}.html").write_text(page.content(), encoding="utf-8")
            text = page.inner_text("body", timeout=5_000)
        except Exception as error:  # a page that is gone or hangs must not hide the real failure
            shown.append(f"page {number}: {page.url} (could not be saved: {error})")
            continue
        shown.append(f"page {number}: {page.url}\nsaved as {stem}.png and .html\n{text[:2000]}")
    if shown:
        report.sections.append(("what the browser showed", "\n\n".join(shown)))
