"""Printing a poster or card with Chromium (Playwright driving the system's browser): a PDF of one page of
the material's size, or a PNG of it at a print-worthy scale. Nothing is fetched: the page is self-contained."""

from __future__ import annotations

import shutil
from collections.abc import Mapping

from bot.outreach.material import Size

FORMATS = ("pdf", "png")


class Overflow(ValueError):
    """The material does not fit its page (a very long agency name, many crisis lines on a card)."""


_OVERFLOWS = ("(() => { const s = document.querySelector('.sheet');"
              " return !!s && s.scrollHeight > s.clientHeight + 1; })()")


class NoBrowser(RuntimeError):
    """Chromium is not installed where the settings say (or on the PATH)."""


def chromium_path(env: Mapping[str, str]) -> str:
    """TSUNAGU_CHROMIUM, else chromium (or chromium-browser) on the PATH; NoBrowser without one."""
    path = env.get("TSUNAGU_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path or shutil.which(path) is None:
        raise NoBrowser("Chromium is needed to print; install it (apt-get install chromium) or set "
                        "TSUNAGU_CHROMIUM to its path.")
    return path


def print_material(html: str, size: Size, fmt: str, browser_path: str) -> bytes:
    """The page as PDF or PNG bytes (a blocking call: run it off the event loop); Overflow when it does not fit
    its page, rather than cut it off."""
    from playwright.sync_api import sync_playwright

    width, height = size.viewport
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_path, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=size.scale)
            page.route("**/*", lambda route: route.abort())  # self-contained: nothing leaves the machine
            page.set_content(html, wait_until="load")
            page.evaluate("document.fonts.ready")
            if page.evaluate(_OVERFLOWS):
                raise Overflow(f"The {size.name} cannot hold all of it.")
            if fmt == "pdf":
                return page.pdf(width=f"{size.width_mm}mm", height=f"{size.height_mm}mm", print_background=True,
                                prefer_css_page_size=True, margin={"top": "0", "right": "0", "bottom": "0",
                                                                   "left": "0"})
            return page.screenshot(type="png", full_page=False)
        finally:
            browser.close()
