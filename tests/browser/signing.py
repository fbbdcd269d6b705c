"""Signing in and out through the real pages, for every browser journey."""

from __future__ import annotations

from tests import factories


def fill_sign_in(page, email: str, password: str = factories.PASSWORD) -> None:
    """Submit the sign-in form; the caller checks where it led (a refusal is a test too)."""
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_in(page, email: str) -> None:
    """Sign in and insist it worked, so a journey never goes on as nobody."""
    fill_sign_in(page, email)
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() != "Sign in to EIP Tracker"


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
