"""Open a generated map in real headless Chromium (Selenium) and read what it drew.

No network is used: the pages are self-contained and Chromium is started with
background networking off. Every page load also records JavaScript errors through
``window.onerror`` (installed before any script of the page runs) and the browser log.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

_ERROR_TRAP = """
window.__errors = [];
window.addEventListener('error', function (e) {
    window.__errors.push(String(e.message || e.type) + ' @ ' + (e.filename || '') + ':' + e.lineno);
});
window.addEventListener('unhandledrejection', function (e) {
    window.__errors.push('unhandled rejection: ' + String(e.reason));
});
"""


def chromium_available() -> bool:
    """Whether Chromium and its driver are installed."""
    return Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()


#: Flags that cut Chromium off any network: every host name fails to resolve and every
#: connection goes to a closed loopback proxy port.
OFFLINE_FLAGS = ("--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9")


@contextmanager
def chromium(
    width: int = 1280,
    height: int = 900,
    extra_flags: Sequence[str] = (),
    network_log: bool = False,
) -> Iterator[Any]:
    """A headless Chromium driven by Selenium, with a fresh profile, closed on exit.

    ``extra_flags`` go to Chromium's command line (e.g. :data:`OFFLINE_FLAGS`);
    ``network_log`` records the DevTools network events (``driver.get_log("performance")``).
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="zoning-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-dev-shm-usage",
        # French, as our users' browsers: Chromium's own controls in the guides' screenshots
        # (on Linux the UI language comes from LANGUAGE, below; --lang sets the pages').
        "--lang=fr-FR",
        f"--user-data-dir={profile}",
        f"--window-size={width},{height}",
        *extra_flags,
    ):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": "fr-FR,fr"})
    prefs = {"browser": "ALL", **({"performance": "ALL"} if network_log else {})}
    options.set_capability("goog:loggingPrefs", prefs)
    french = {**os.environ, "LANGUAGE": "fr", "LANG": "C.UTF-8"}
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER, env=french))
    try:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _ERROR_TRAP})
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def open_map(driver: Any, path: Path, timeout: float = 30.0) -> float:
    """Load a map file and wait until its ``window.zoning`` hook exists.

    Returns
    -------
    float
        Seconds from navigation start to the hook being ready (time to first render:
        Leaflet draws synchronously while the page's scripts run).
    """
    start = time.perf_counter()
    driver.get(path.resolve().as_uri())
    deadline = start + timeout
    while time.perf_counter() < deadline:
        if driver.execute_script("return !!(window.zoning && window.zoning.map);"):
            # Two animation frames: the SVG is laid out and painted.
            driver.execute_async_script(
                "var done = arguments[arguments.length - 1];"
                "requestAnimationFrame(function () { requestAnimationFrame(done); });"
            )
            return time.perf_counter() - start
        time.sleep(0.05)
    raise TimeoutError(f"map {path} did not render within {timeout} s: {js_errors(driver)}")


def js_errors(driver: Any) -> list[str]:
    """JavaScript errors seen so far: trapped ``window.onerror`` plus SEVERE log lines."""
    trapped = driver.execute_script("return window.__errors || [];") or []
    logged = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    return [*trapped, *logged]


def external_requests(driver: Any) -> list[str]:
    """Resources the page fetched over http(s) (must be none for an offline map)."""
    names: list[str] = driver.execute_script(
        "return performance.getEntriesByType('resource').map(function (e) { return e.name; });"
    )
    return [n for n in names if n.startswith(("http:", "https:"))]


def wait_until(driver: Any, condition: Any, timeout: float = 30.0, what: str = "") -> Any:
    """``WebDriverWait`` on ``condition(driver)`` (true value returned), a stale element
    meanwhile retried: pages and Leaflet controls rebuild their DOM as they go."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(
        driver, timeout, poll_frequency=0.1, ignored_exceptions=(StaleElementReferenceException,)
    )
    return wait.until(condition, message=f"timed out waiting for {what or condition}")


def texts_of(driver: Any, selector: str, timeout: float = 30.0) -> list[str]:
    """The ``textContent`` of every element matching ``selector``, once there is one, read
    in one script (no element reference held across a redraw)."""
    script = (
        "return Array.from(document.querySelectorAll(arguments[0]))"
        ".map(function (e) { return e.textContent.trim(); });"
    )
    return list(wait_until(driver, lambda d: d.execute_script(script, selector), timeout, selector))


def toggle_layer(driver: Any, text: str, timeout: float = 30.0) -> None:
    """Click the box of the layer-control entry whose label holds ``text``, found afresh:
    Leaflet rebuilds the control's labels on every layer change, so a reference held
    from before a click goes stale."""
    from selenium.webdriver.common.by import By

    def click(d: Any) -> bool:
        for label in d.find_elements(By.CSS_SELECTOR, ".leaflet-control-layers label"):
            if text in label.text:
                label.find_element(By.TAG_NAME, "input").click()
                return True
        return False

    wait_until(driver, click, timeout, f"the layer « {text} »")
