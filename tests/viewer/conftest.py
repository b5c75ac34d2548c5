"""Fixtures of the viewer tests: Debian's chromium driven by playwright."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


@pytest.fixture(scope="module")
def browser():
    """A headless chromium (the system's; never a downloaded one)."""
    exe = chromium_path()
    if exe is None:
        pytest.skip("no chromium on this machine (Debian: apt-get install chromium; .ci/run "
                    "installs it): the viewer's browser tests need one")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page_errors():
    """Factory: a new page of ``browser`` and the list its script errors go to."""
    opened = []

    def open_page(browser, **kw):
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, **kw)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
        page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}")
                if m.type == "error" else None)
        opened.append(page)
        return page, errors

    yield open_page
    for p in opened:
        p.close()
