"""The per-address sign-in limit behind a TLS proxy: each real client is counted on its
own (X-Forwarded-For, trusted from EIP_TRUSTED_PROXIES hops only), and only failures
count."""

from tests import factories
from tests.conftest import sign_in

PROXY = "10.0.0.2"
LIMIT = 30  # failed sign-ins per address per 10 minutes (the default)


def _through_proxy(application, client_address: str | None):
    """A browser whose requests reach the app through the proxy at PROXY."""
    client = application.test_client()
    client.environ_base["REMOTE_ADDR"] = PROXY
    if client_address:
        client.environ_base["HTTP_X_FORWARDED_FOR"] = client_address
    return client


def test_behind_one_trusted_proxy_one_clients_failures_do_not_stop_another(make_app, app_context):
    behind_proxy = make_app(EIP_TRUSTED_PROXIES=1)
    attacker = _through_proxy(behind_proxy, "198.51.100.7")
    for _ in range(LIMIT):
        assert sign_in(attacker, "someone@example.org", "wrong password here").status_code == 400
    assert sign_in(attacker, "someone@example.org", "wrong password here").status_code == 429

    colleague = factories.user("practitioner")
    other = _through_proxy(behind_proxy, "203.0.113.20")
    assert sign_in(other, colleague.email, factories.PASSWORD).status_code == 302


def test_with_no_trusted_proxy_a_forged_forwarded_for_is_ignored(make_app, app_context):
    direct = make_app(EIP_TRUSTED_PROXIES=0, EIP_SIGN_IN_ATTEMPTS_PER_ADDRESS=3)
    for n in range(3):
        forger = _through_proxy(direct, f"192.0.2.{n + 1}")
        assert sign_in(forger, "someone@example.org", "wrong password here").status_code == 400
    # A new forged address each time: still one real address, and it is used up.
    forger = _through_proxy(direct, "192.0.2.99")
    assert sign_in(forger, "someone@example.org", "wrong password here").status_code == 429


def test_successful_sign_ins_do_not_count_against_the_address(make_app, app_context):
    """An office behind one NAT address: everyone signing in each morning is not an attack."""
    office = make_app(EIP_SIGN_IN_ATTEMPTS_PER_ADDRESS=3)
    staff = [factories.user("practitioner") for _ in range(5)]
    for person in staff:
        assert sign_in(office.test_client(), person.email, factories.PASSWORD).status_code == 302
    # Failures still count: three are allowed, the fourth is refused.
    for _ in range(3):
        sign_in(office.test_client(), "someone@example.org", "wrong password here")
    assert sign_in(office.test_client(), staff[0].email, factories.PASSWORD).status_code == 429
