"""The page shell in a real browser: accessible, keyboard-usable, CSP-clean."""


def test_home_page_loads_with_styles_and_scripts_and_no_csp_violations(page):
    console_errors = []
    page.on("console", lambda msg: msg.type == "error" and console_errors.append(msg.text))
    page.goto("/")
    assert page.locator("h1").inner_text() == "EIP Tracker"
    # The stylesheet applied (the header is not unstyled black-on-white) ...
    background = page.locator(".govuk-generic-header").evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    assert background not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)")
    # ... and GOV.UK Frontend's module ran under our CSP.
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    assert console_errors == []
    assert page.axe_checked == [page.url]


def test_the_skip_link_is_the_first_thing_the_keyboard_reaches(page):
    page.goto("/accessibility")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main-content")


def test_the_not_found_page_is_accessible(page):
    response = page.goto("/no-such-page")
    assert response.status == 404
    assert "Page not found" in page.locator("h1").inner_text()


def test_every_page_visited_is_checked_with_axe(page):
    page.goto("/")
    page.click("text=Accessibility statement")
    page.wait_for_load_state()
    assert len(page.axe_checked) == 2


def test_the_accessibility_check_catches_a_violation(browser, axe, live_server):
    from tests.browser.conftest import AxeChecker

    context = browser.new_context(base_url=live_server)
    raw = context.new_page()
    raw.route(
        "**/broken",
        lambda route: route.fulfill(
            content_type="text/html",
            body=(
                '<!doctype html><html lang="en"><title>x</title>'
                '<main><input type="text"></main></html>'
            ),
        ),
    )
    # Twice: the second load is the same document, answered from the first check's result.
    checkers = []
    for _ in range(2):
        raw.goto("/broken")
        checker = AxeChecker(raw, axe)
        checker.check_current_document()
        checkers.append(checker)
    context.close()
    for checker in checkers:
        assert checker.failures and "label" in checker.failures[0]
