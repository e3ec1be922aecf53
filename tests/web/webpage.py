"""Helpers of the browser tests: wait, run axe-core, read the network log, screenshot."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "docs" / "img"


def wait_replaced(driver: Any, element: Any, timeout: float = 60.0) -> None:
    """Wait until ``element``'s page has been replaced by the next one (after a click that
    navigates). Selenium's ``staleness_of`` lets through chromedriver's « Node with given id
    does not belong to the document », which it sometimes answers instead of a stale
    element while the old page unloads."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    def gone() -> bool:
        try:
            element.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as exc:
            if "does not belong to the document" in str(exc):
                return True
            raise
        return False

    wait_for(gone, timeout, what="the next page")


def wait_for(check: Callable[[], Any], timeout: float = 30.0, what: str = "condition") -> Any:
    """Poll ``check`` until it returns something true; an element not there yet, or gone
    stale meanwhile (the page or a control redrawn under it), is looked for again."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException

    deadline = time.monotonic() + timeout
    while True:
        try:
            value = check()
        except (NoSuchElementException, StaleElementReferenceException):
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.1)


def axe_violations(driver: Any) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations of the current page (npm ``axe-core``)."""
    from zoning.map.assets import node_modules

    if not driver.execute_script("return typeof window.axe !== 'undefined';"):
        source = (node_modules() / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
        driver.execute_script(source + "\n;window.axe = axe;")
    result = driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(function (r) { done(JSON.stringify(r.violations)); })"
        ".catch(function (e) { done(JSON.stringify([{id: 'axe-error', impact: 'critical',"
        " help: String(e), nodes: []}])); });"
    )
    violations = json.loads(result)
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n.get("target") for n in v.get("nodes", [])][:5],
        }
        for v in violations
        if v.get("impact") in ("serious", "critical")
    ]


def network_problems(driver: Any, base_url: str) -> list[str]:
    """Requests since the last call that left the server, or failed (from DevTools' log)."""
    problems = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        method, params = message.get("method"), message.get("params", {})
        if method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            if not url.startswith((base_url, "data:", "blob:", "about:")):
                problems.append(f"request outside the server: {url}")
        elif method == "Network.loadingFailed":
            if params.get("canceled"):
                continue  # a navigation away from a page cancels its pending requests
            problems.append(f"failed request: {params.get('errorText')} ({params.get('type')})")
        elif method == "Network.responseReceived":
            status = params["response"]["status"]
            if status >= 400 and params.get("type") != "Document":
                problems.append(f"HTTP {status}: {params['response']['url']}")
    return problems


def screenshot(driver: Any, name: str) -> Path:
    """Save a full-height screenshot of the page as ``docs/img/<name>.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.execute_script("window.scrollTo(0, 0);")
    height = driver.execute_script("return document.documentElement.scrollHeight;")
    driver.set_window_size(1280, min(max(int(height), 800), 2400))
    path = SCREENSHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    driver.set_window_size(1280, 1000)
    return path


def frame_map_ready(driver: Any, timeout: float = 120.0) -> None:
    """Wait until the map page in the page's first frame has drawn (its ``window.zoning``)."""
    from selenium.webdriver.common.by import By

    driver.switch_to.frame(driver.find_element(By.CSS_SELECTOR, "iframe.zoning-frame"))
    try:
        wait_for(
            lambda: driver.execute_script("return !!(window.zoning && window.zoning.map)"),
            timeout=timeout,
            what="the map in the frame",
        )
    finally:
        driver.switch_to.default_content()
