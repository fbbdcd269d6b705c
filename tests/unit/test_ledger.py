"""The budget ledger: DOMAIN.md's arithmetic, the checks, and properties over any sequence."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from accommodation.ledger import (
    COMMIT,
    INVOICE,
    PAYMENT,
    RELEASE,
    REVERSAL,
    Entry,
    PlacementTotals,
    PotTotals,
    all_placement_totals,
    check_commit,
    check_invoice,
    check_payment,
    check_release,
    check_reversal,
    nights_between,
    placement_totals,
    pot_totals,
    release_for_early_move_out,
    reversal_of,
)
from eip.domain import RuleBroken
from eip.formatting import format_pence

POT = 1_400_000  # £14,000


def ledger(*rows):
    """Entries numbered from 1, from (kind, placement, amount[, reverses]) rows."""
    return [
        Entry(*row[:3], reverses=row[3] if len(row) > 3 else None, id=number)
        for number, row in enumerate(rows, start=1)
    ]


# ---------------------------------------------------------------------------
# Entries


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"kind": "refund", "placement_id": 1, "amount_pence": 1}, ValueError),
        ({"kind": COMMIT, "placement_id": 1, "amount_pence": 0}, ValueError),
        ({"kind": COMMIT, "placement_id": 1, "amount_pence": -5}, ValueError),
        ({"kind": COMMIT, "placement_id": 1, "amount_pence": 1.5}, TypeError),
        ({"kind": COMMIT, "placement_id": 1, "amount_pence": True}, TypeError),
        ({"kind": REVERSAL, "placement_id": 1, "amount_pence": 5}, ValueError),
        ({"kind": COMMIT, "placement_id": 1, "amount_pence": 5, "reverses": 1}, ValueError),
    ],
)
def test_entries_refuse_impossible_values(kwargs, error):
    with pytest.raises(error):
        Entry(**kwargs)


def test_entries_are_immutable():
    entry = Entry(COMMIT, 1, 100, id=1)
    with pytest.raises(AttributeError):
        entry.amount_pence = 5  # type: ignore[misc]


def test_reversal_of_copies_placement_and_amount():
    assert reversal_of(Entry(INVOICE, 3, 700, id=9)) == Entry(REVERSAL, 3, 700, reverses=9)
    with pytest.raises(ValueError, match="written entry"):
        reversal_of(Entry(INVOICE, 3, 700))


# ---------------------------------------------------------------------------
# Worked examples (DOMAIN.md, temporary accommodation rules)


def test_empty_ledger():
    assert pot_totals([], POT) == PotTotals(POT, 0, 0, 0, 0, POT)
    assert placement_totals([], 1) == PlacementTotals(0, 0, 0, 0, 0)


def test_approval_commits_rate_times_nights():
    entries = ledger((COMMIT, 1, 28 * 5_000))  # 28 nights at £50
    assert placement_totals(entries, 1) == PlacementTotals(140_000, 0, 0, 140_000, 0)
    assert pot_totals(entries, POT).available == POT - 140_000


def test_early_move_out_invoice_and_payment():
    # 28 nights approved at £50; checked in 1 March, moved out 11 March: 10 nights used.
    used = nights_between(date(2021, 3, 1), date(2021, 3, 11))
    released = release_for_early_move_out(28, used, 5_000)
    assert (used, released) == (10, 90_000)
    entries = ledger(
        (COMMIT, 1, 140_000), (RELEASE, 1, released), (INVOICE, 1, 50_000), (PAYMENT, 1, 20_000)
    )
    assert placement_totals(entries, 1) == PlacementTotals(
        committed=50_000, invoiced=50_000, paid=20_000, exposure=50_000, unpaid_invoiced=30_000
    )
    assert pot_totals(entries, POT) == PotTotals(POT, 50_000, 50_000, 20_000, 50_000, 1_350_000)


def test_payment_never_changes_exposure():
    before = ledger((COMMIT, 1, 10_000), (INVOICE, 1, 8_000))
    after = [*before, Entry(PAYMENT, 1, 8_000, id=3)]
    assert pot_totals(before, POT).available == pot_totals(after, POT).available == POT - 10_000


def test_exposure_is_the_larger_of_committed_and_invoiced():
    # An invoice for the nights used, then a release that takes committed below it.
    entries = ledger((COMMIT, 1, 10_000), (INVOICE, 1, 8_000), (RELEASE, 1, 5_000))
    totals = placement_totals(entries, 1)
    assert (totals.committed, totals.invoiced, totals.exposure) == (5_000, 8_000, 8_000)
    assert pot_totals(entries, POT).available == POT - 8_000


def test_cancellation_releases_the_whole_commitment():
    entries = ledger((COMMIT, 1, 140_000), (RELEASE, 1, 140_000))
    assert pot_totals(entries, POT).available == POT


def test_reversal_undoes_the_effect_on_the_reversed_kind():
    entries = ledger((COMMIT, 1, 10_000), (INVOICE, 1, 4_000), (REVERSAL, 1, 4_000, 2))
    assert placement_totals(entries, 1) == PlacementTotals(10_000, 0, 0, 10_000, 0)
    entries = ledger((COMMIT, 1, 10_000), (RELEASE, 1, 3_000), (REVERSAL, 1, 3_000, 2))
    assert placement_totals(entries, 1).committed == 10_000


def test_totals_are_per_placement_and_add_up():
    entries = ledger((COMMIT, 1, 10_000), (COMMIT, 2, 20_000), (INVOICE, 2, 5_000))
    assert placement_totals(entries, 2).exposure == 20_000
    assert placement_totals(entries, 3) == PlacementTotals(0, 0, 0, 0, 0)
    assert set(all_placement_totals(entries)) == {1, 2}
    assert pot_totals(entries, POT).exposure == 30_000


@pytest.mark.parametrize(
    "rows",
    [
        [(COMMIT, 1, 5), (REVERSAL, 1, 5, 7)],  # unknown entry
        [(COMMIT, 1, 5), (REVERSAL, 1, 5, 1), (REVERSAL, 1, 5, 2)],  # a reversal reversed
        [(COMMIT, 1, 5), (REVERSAL, 1, 5, 1), (REVERSAL, 1, 5, 1)],  # reversed twice
        [(COMMIT, 1, 5), (REVERSAL, 2, 5, 1)],  # another placement
        [(COMMIT, 1, 5), (REVERSAL, 1, 4, 1)],  # another amount
    ],
)
def test_a_corrupt_ledger_is_an_error_not_a_wrong_figure(rows):
    with pytest.raises(ValueError):
        pot_totals(ledger(*rows), POT)


def test_duplicate_ids_are_an_error():
    with pytest.raises(ValueError, match="Two ledger entries"):
        pot_totals([Entry(COMMIT, 1, 5, id=1), Entry(COMMIT, 1, 5, id=1)], POT)


# ---------------------------------------------------------------------------
# Checks


def test_commit_up_to_the_last_penny_and_not_one_more():
    entries = ledger((COMMIT, 1, POT - 10_000))
    assert check_commit(entries, POT, 2, 10_000) is None
    assert check_commit(entries, POT, 2, 10_001) == (
        "There is not enough money in the pot: this needs £100.01 and only £100.00 is available"
    )


def test_commit_needs_only_the_rise_in_exposure():
    # Invoiced above committed (after a release): committing up to the invoice costs nothing.
    entries = ledger(
        (COMMIT, 1, 3_000), (INVOICE, 1, 3_000), (RELEASE, 1, 2_000), (COMMIT, 2, POT - 3_000)
    )
    assert pot_totals(entries, POT).available == 0
    assert check_commit(entries, POT, 1, 2_000) is None
    assert "needs £0.01 and only £0.00" in check_commit(entries, POT, 1, 2_001)


@pytest.mark.parametrize("check", ["commit", "release", "invoice", "payment"])
@pytest.mark.parametrize("amount", [0, -1])
def test_checks_refuse_non_positive_amounts(check, amount):
    entries = ledger((COMMIT, 1, 500), (INVOICE, 1, 500))
    calls = {
        "commit": lambda: check_commit(entries, POT, 1, amount),
        "release": lambda: check_release(entries, 1, amount),
        "invoice": lambda: check_invoice(entries, 1, amount),
        "payment": lambda: check_payment(entries, 1, amount),
    }
    assert calls[check]() == "The amount must be more than £0"


def test_checks_refuse_non_integer_amounts():
    with pytest.raises(TypeError):
        check_commit([], POT, 1, 1.5)  # type: ignore[arg-type]


def test_release_up_to_what_is_committed():
    entries = ledger((COMMIT, 1, 10_000), (RELEASE, 1, 4_000))
    assert check_release(entries, 1, 6_000) is None
    assert check_release(entries, 1, 6_001) == (
        "Cannot release £60.01: only £60.00 is committed for this placement"
    )
    assert check_release(entries, 2, 1) is not None


def test_invoice_above_commitment_needs_an_added_commitment():
    entries = ledger((COMMIT, 1, 10_000), (INVOICE, 1, 7_000))
    assert check_invoice(entries, 1, 3_000) is None
    assert check_invoice(entries, 1, 4_250) == (
        "This invoice is more than is committed for this placement: it needs the SPOC "
        "to approve an added commitment of £12.50 first"
    )
    added = [*entries, Entry(COMMIT, 1, 1_250, id=3)]
    assert check_invoice(added, 1, 4_250) is None


def test_payment_up_to_unpaid_invoiced():
    entries = ledger((COMMIT, 1, 10_000), (INVOICE, 1, 7_000), (PAYMENT, 1, 2_000))
    assert check_payment(entries, 1, 5_000) is None
    assert check_payment(entries, 1, 5_001) == (
        "Cannot pay £50.01: only £50.00 is invoiced and unpaid for this placement"
    )


@pytest.mark.parametrize(
    ("rows", "entry_id", "refusal"),
    [
        ([(COMMIT, 1, 500)], 2, "There is no such ledger entry to reverse"),
        ([(COMMIT, 1, 500), (REVERSAL, 1, 500, 1)], 2, "A reversal cannot itself be reversed"),
        ([(COMMIT, 1, 500), (REVERSAL, 1, 500, 1)], 1, "This entry has already been reversed"),
        ([(COMMIT, 1, 500), (RELEASE, 1, 200)], 1, "Reverse the release of this commitment"),
        ([(COMMIT, 1, 500), (INVOICE, 1, 500), (PAYMENT, 1, 1)], 2, "Reverse the payment"),
        (
            [(COMMIT, 1, 500), (RELEASE, 1, 500), (COMMIT, 2, POT)],
            2,
            "There is not enough money in the pot: this needs £5.00 and only £0.00",
        ),
    ],
)
def test_reversal_refusals(rows, entry_id, refusal):
    assert check_reversal(ledger(*rows), entry_id, pot_pence=POT).startswith(refusal)


@pytest.mark.parametrize(
    ("rows", "entry_id"),
    [
        ([(COMMIT, 1, 500)], 1),
        ([(COMMIT, 1, 500), (INVOICE, 1, 500)], 1),  # committed may fall below invoiced
        ([(COMMIT, 1, 500), (RELEASE, 1, 500)], 2),
        ([(COMMIT, 1, 500), (INVOICE, 1, 500)], 2),
        ([(COMMIT, 1, 500), (INVOICE, 1, 500), (PAYMENT, 1, 500)], 3),
        ([(COMMIT, 1, POT), (INVOICE, 1, POT), (RELEASE, 1, 100)], 3),  # exposure unchanged
    ],
)
def test_reversals_allowed(rows, entry_id):
    assert check_reversal(ledger(*rows), entry_id, pot_pence=POT) is None


# ---------------------------------------------------------------------------
# Nights and early move-out


@pytest.mark.parametrize(
    ("check_in", "move_out", "nights"),
    [
        (date(2021, 3, 1), date(2021, 3, 1), 0),
        (date(2021, 3, 1), date(2021, 3, 2), 1),
        (date(2021, 2, 27), date(2021, 3, 27), 28),  # across the end of February
        (date(2021, 3, 27), date(2021, 3, 29), 2),  # across the clocks changing
    ],
)
def test_nights_between(check_in, move_out, nights):
    assert nights_between(check_in, move_out) == nights


def test_move_out_before_check_in_is_refused():
    with pytest.raises(RuleBroken, match="cannot be before the check-in") as refused:
        nights_between(date(2021, 3, 2), date(2021, 3, 1))
    assert refused.value.field == "move_out"


@pytest.mark.parametrize(
    ("approved", "used", "rate", "released"),
    [(28, 10, 5_000, 90_000), (28, 0, 5_000, 140_000), (28, 28, 5_000, 0), (7, 3, 0, 0)],
)
def test_release_for_early_move_out(approved, used, rate, released):
    assert release_for_early_move_out(approved, used, rate) == released


@pytest.mark.parametrize(("used", "message"), [(-1, "before the check-in"), (29, "extension")])
def test_release_for_early_move_out_refuses_impossible_nights(used, message):
    with pytest.raises(RuleBroken, match=message):
        release_for_early_move_out(28, used, 5_000)


@pytest.mark.parametrize(("approved", "rate"), [(-1, 5_000), (28, -1)])
def test_release_for_early_move_out_refuses_negative_settings(approved, rate):
    with pytest.raises(ValueError):
        release_for_early_move_out(approved, 0, rate)


# ---------------------------------------------------------------------------
# Properties: any sequence of operations the checks allow keeps the pot safe


SMALL_POT = 100_000
MODEL_KINDS = (COMMIT, RELEASE, INVOICE, PAYMENT)
placements = st.integers(min_value=1, max_value=3)
# Round sums, so that amounts often match exactly, and odd pence, so that edges are met too.
amounts = st.one_of(
    st.integers(min_value=1, max_value=12).map(lambda n: n * 5_000),
    st.integers(min_value=1, max_value=60_000),
)


class LedgerMachine(RuleBasedStateMachine):
    """Drives the checks like the services will, with an independent model of the sums."""

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[Entry] = []
        # The model: net sums per placement and kind, kept by hand, not by the module.
        self.model: dict[int, dict[str, int]] = {}

    def _append(self, kind, placement_id, amount, reverses=None):
        entry = Entry(kind, placement_id, amount, reverses=reverses, id=len(self.entries) + 1)
        self.entries.append(entry)
        target = self.entries[reverses - 1] if reverses else entry
        sign = -1 if reverses else 1
        sums = self.model.setdefault(placement_id, dict.fromkeys(MODEL_KINDS, 0))
        sums[target.kind] += sign * amount

    def _attempt(self, refusal, kind, placement_id, amount, reverses=None):
        if refusal is None:
            self._append(kind, placement_id, amount, reverses)
        else:
            assert isinstance(refusal, str)
            assert refusal

    @rule(placement_id=placements, amount=amounts)
    def commit(self, placement_id, amount):
        refusal = check_commit(self.entries, SMALL_POT, placement_id, amount)
        self._attempt(refusal, COMMIT, placement_id, amount)

    @rule(placement_id=placements, amount=amounts)
    def release(self, placement_id, amount):
        refusal = check_release(self.entries, placement_id, amount)
        self._attempt(refusal, RELEASE, placement_id, amount)

    @rule(placement_id=placements, amount=amounts)
    def invoice(self, placement_id, amount):
        refusal = check_invoice(self.entries, placement_id, amount)
        self._attempt(refusal, INVOICE, placement_id, amount)

    @rule(placement_id=placements, amount=amounts)
    def payment(self, placement_id, amount):
        refusal = check_payment(self.entries, placement_id, amount)
        self._attempt(refusal, PAYMENT, placement_id, amount)

    @rule(placement_id=placements, kind=st.sampled_from([RELEASE, INVOICE, PAYMENT]))
    def use_everything_left(self, placement_id, kind):
        """Release all that is committed, invoice up to it, or pay all that is unpaid: the
        exact edges where a later reversal would break a limit."""
        totals = placement_totals(self.entries, placement_id)
        amount = {
            RELEASE: totals.committed,
            INVOICE: totals.committed - totals.invoiced,
            PAYMENT: totals.unpaid_invoiced,
        }[kind]
        if amount > 0:
            check = {RELEASE: check_release, INVOICE: check_invoice, PAYMENT: check_payment}[kind]
            assert check(self.entries, placement_id, amount) is None
            self._append(kind, placement_id, amount)

    @rule(placement_id=placements)
    def commit_everything_available(self, placement_id):
        available = pot_totals(self.entries, SMALL_POT).available
        if available > 0:
            assert check_commit(self.entries, SMALL_POT, placement_id, available) is None
            self._append(COMMIT, placement_id, available)

    @rule(kind=st.sampled_from(MODEL_KINDS))
    def reverse_latest(self, kind):
        """Reverse the latest entry of a kind not yet reversed: the likeliest real mistake."""
        done = {e.reverses for e in self.entries}
        candidates = [e for e in self.entries if e.kind == kind and e.id not in done]
        if candidates:
            target = candidates[-1]
            refusal = check_reversal(self.entries, target.id, pot_pence=SMALL_POT)
            self._attempt(refusal, REVERSAL, target.placement_id, target.amount_pence, target.id)

    @rule(data=st.data())
    def reverse(self, data):
        if not self.entries:
            return
        entry_id = data.draw(st.integers(min_value=1, max_value=len(self.entries)))
        refusal = check_reversal(self.entries, entry_id, pot_pence=SMALL_POT)
        if refusal is None:
            target = self.entries[entry_id - 1]
            self._append(REVERSAL, target.placement_id, target.amount_pence, reverses=entry_id)

    @rule(placement_id=placements, amount=amounts)
    def refused_commit_is_exactly_an_overspend(self, placement_id, amount):
        before = pot_totals(self.entries, SMALL_POT)
        after = pot_totals([*self.entries, Entry(COMMIT, placement_id, amount)], SMALL_POT)
        refused = check_commit(self.entries, SMALL_POT, placement_id, amount) is not None
        assert refused == (after.available < 0)
        if refused:
            assert format_left(before.available) in check_commit(
                self.entries, SMALL_POT, placement_id, amount
            )

    @invariant()
    def available_never_negative(self):
        assert pot_totals(self.entries, SMALL_POT).available >= 0

    @invariant()
    def per_placement_limits_hold(self):
        for totals in all_placement_totals(self.entries).values():
            assert 0 <= totals.paid <= totals.invoiced
            assert totals.committed >= 0
            assert totals.unpaid_invoiced >= 0

    @invariant()
    def totals_match_the_model_and_reconcile(self):
        per_placement = all_placement_totals(self.entries)
        for placement_id, sums in self.model.items():
            committed = sums[COMMIT] - sums[RELEASE]
            assert per_placement[placement_id] == PlacementTotals(
                committed=committed,
                invoiced=sums[INVOICE],
                paid=sums[PAYMENT],
                exposure=max(committed, sums[INVOICE]),
                unpaid_invoiced=sums[INVOICE] - sums[PAYMENT],
            )
        pot = pot_totals(self.entries, SMALL_POT)
        rows = per_placement.values()
        assert pot.committed == sum(t.committed for t in rows)
        assert pot.invoiced == sum(t.invoiced for t in rows)
        assert pot.paid == sum(t.paid for t in rows)
        assert pot.exposure == sum(t.exposure for t in rows)
        assert pot.available == SMALL_POT - pot.exposure


def format_left(pence):
    return f"only {format_pence(pence)} is available"


LedgerMachine.TestCase.settings = settings(
    max_examples=100, stateful_step_count=30, deadline=None, database=None
)
TestLedgerMachine = LedgerMachine.TestCase


# ---------------------------------------------------------------------------
# The preview of a commitment, the running totals and the live-stay invariant (review fixes)


def test_commit_effect_is_the_rise_in_exposure_the_check_allows():
    from accommodation.ledger import commit_effect

    entries = ledger(
        (COMMIT, 1, 3_000), (INVOICE, 1, 3_000), (RELEASE, 1, 2_000), (COMMIT, 2, POT - 4_000)
    )
    effect = commit_effect(entries, POT, 1, 2_500)
    assert (effect.available_before, effect.rise, effect.available_after) == (
        1_000,
        500,
        500,
    )
    assert check_commit(entries, POT, 1, 2_500) is None
    over = commit_effect(entries, POT, 1, 3_001)
    assert over.available_after == -1
    assert check_commit(entries, POT, 1, 3_001) == (
        f"There is not enough money in the pot: this needs {format_pence(over.rise)} "
        "and only £10.00 is available"
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(MODEL_KINDS), placements, amounts), min_size=1, max_size=20)
)
def test_running_totals_match_the_pot_totals_after_every_entry(rows):
    from accommodation.ledger import Running

    running, entries = Running(POT), []
    for number, (kind, placement_id, amount) in enumerate(rows, start=1):
        entries.append(Entry(kind, placement_id, amount, id=number))
        running.add(placement_id, kind, amount)
        totals = pot_totals(entries, POT)
        assert (running.committed, running.exposure, running.available) == (
            totals.committed,
            totals.exposure,
            totals.available,
        )


def test_a_release_cannot_leave_a_live_stay_short_but_an_ended_one_may_give_all_back():
    from accommodation.ledger import check_keeps_commitment

    entries = ledger((COMMIT, 1, 28 * 6_500))
    release = Entry(RELEASE, 1, 28 * 6_500)
    assert "need £1,170.00" in check_keeps_commitment(entries, release, 18 * 6_500)
    assert check_keeps_commitment(entries, release, 0) is None
