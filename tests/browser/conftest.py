"""Browser tests: Playwright drives Debian's Chromium against a live server.

Every page a browser test loads is checked with axe-core against WCAG 2.2
A and AA; a violation fails the test that visited the page.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = Path(os.environ.get("EIP_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _static_read_whole(app):
    """Send static files from memory, closing each file before the response starts.

    Werkzeug's server closes a response's file only after draining the socket; when Chromium
    drops a connection (a favicon fetch cut off by the next navigation) that drain raises, the
    file is left to the garbage collector, and pytest blames whichever test runs then.
    """

    def serve(environ, start_response):
        body = app(environ, start_response)
        if not environ.get("PATH_INFO", "").startswith("/assets/"):
            return body
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return serve


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, _static_read_whole(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium (CI installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


# Run in the page: axe's result for the violations only (the passes' and the inapplicable
# rules' lists are most of what `axe.run` returns, and crossed the pipe for nothing).
AXE_RUN = "options => axe.run(document, options).then(results => results.violations)"
# The document as axe sees it, but for what differs between two loads of the same page and
# cannot change what axe finds: the values of hidden fields (CSRF and one-time tokens) and the
# scripts' nonces. With the viewport's width, the key of a check already made.
AXE_KEY = """() => {
  const copy = document.documentElement.cloneNode(true);
  for (const field of copy.querySelectorAll('input[type=hidden]')) field.removeAttribute('value');
  for (const element of copy.querySelectorAll('[nonce]')) element.removeAttribute('nonce');
  return `${window.innerWidth}x${window.innerHeight} ${copy.outerHTML}`;
}"""


class Axe:
    """axe-core from axe-playwright-python's copy, given to every document the context opens
    (`add_init_script`: the browser parses it, where sending its 572 KB over the pipe for each
    check cost more than many checks), and each result kept by the document it checked: the
    sign-in page, the homes and a case page are the same in many tests, and a document axe
    has seen (same markup, same viewport) gets the same answer (a violation is reported again
    in each test that loads it)."""

    def __init__(self) -> None:
        from axe_playwright_python.base import AXE_SCRIPT

        self.script = AXE_SCRIPT
        self.options = {
            "runOnly": {"type": "tag", "values": WCAG_TAGS},
            "resultTypes": ["violations"],
        }
        self.seen: dict[str, str | None] = {}

    def report(self, page) -> str | None:
        """The violations in the page's current document, as a report; None when there are
        none."""
        from axe_playwright_python.base import AxeResults

        key = hashlib.sha256(page.evaluate(AXE_KEY).encode()).hexdigest()
        if key not in self.seen:
            if not page.evaluate("typeof axe === 'object'"):
                page.evaluate(self.script)  # a document opened before the script was given
            violations = page.evaluate(AXE_RUN, self.options)
            results = AxeResults({"violations": violations})
            self.seen[key] = results.generate_report() if results.violations_count else None
        return self.seen[key]


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


class AxeChecker:
    """Runs axe once on every document the page loads, from the test's own thread.

    Checking from a `load` event handler races the test's next click in
    Playwright's sync API, so instead every call a test makes through the page
    (or a locator, keyboard ... it hands out) is followed by a check of the
    current document, marked in the page so it is checked only once.
    """

    def __init__(self, page, axe: Axe) -> None:
        self.page, self.axe = page, axe
        self.checked: list[str] = []
        self.failures: list[str] = []

    def check_current_document(self) -> None:
        from playwright.sync_api import Error

        # A key press or click may have started a navigation that tears the document down
        # while axe runs: wait for the next document and check that one instead.
        for attempt in range(3):
            try:
                self._check()
                return
            except Error as error:
                if "context was destroyed" not in str(error) or attempt == 2:
                    raise

    def _check(self) -> None:
        page = self.page
        if page.is_closed() or page.url == "about:blank":
            return
        page.wait_for_load_state("load")
        if page.evaluate("window.__eipAxeChecked === true"):
            return
        report = self.axe.report(page)
        page.evaluate("window.__eipAxeChecked = true")
        self.checked.append(page.url)
        if report:
            self.failures.append(f"{page.url}\n{report}")


class Checked:
    """A transparent proxy over a Playwright object that checks after each call."""

    def __init__(self, target, checker: AxeChecker) -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_checker", checker)

    def __getattr__(self, name):
        value = getattr(self._target, name)
        if not callable(value):
            return _wrap(value, self._checker)

        def call(*args, **kwargs):
            result = value(*args, **kwargs)
            if name not in ("on", "once", "remove_listener", "close", "is_closed"):
                self._checker.check_current_document()
            return _wrap(result, self._checker)

        return call

    def __setattr__(self, name, value) -> None:
        setattr(self._target, name, value)


def _wrap(value, checker):
    if hasattr(value, "_impl_obj") and type(value).__name__ in (
        "Locator",
        "FrameLocator",
        "Keyboard",
        "Mouse",
        "Frame",
        "ElementHandle",
    ):
        return Checked(value, checker)
    return value


@pytest.fixture
def page(browser, live_server, axe) -> Iterator:
    """A fresh browser context; every document it loads is checked with axe."""
    context = browser.new_context(base_url=live_server)
    context.add_init_script(script=axe.script)
    raw = context.new_page()
    raw.set_default_timeout(10_000)
    checker = AxeChecker(raw, axe)
    proxy = Checked(raw, checker)
    object.__setattr__(proxy, "axe_checked", checker.checked)
    yield proxy
    checker.check_current_document()
    context.close()
    assert not checker.failures, "axe found WCAG 2.2 A/AA violations:\n" + "\n".join(
        checker.failures
    )
