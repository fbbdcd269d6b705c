"""From one case's records to its rows in the extract. Pure: no Flask, no queries.

Each function reads only the coded fields it needs, so what is not read cannot leak:
no name, contact, address, date of birth (beyond its age band), code word, case
reference or free-text field is ever touched here except the date of birth, which
`coarsen.age_band` turns into a band at once. Every value passes through `coarsen`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from typing import Any

from eip import clock
from eip.cases import outcome_data, outcomes
from eip.cases.deadlines import Deadlines, acknowledged_in_time
from eip.cases.rules import CLOSED_STATES
from eip.workdays import london_date
from evaluation import coarsen, referral_timeliness
from evaluation.columns import CASE_COLUMNS, DASH_COLUMNS, EVENT_COLUMNS, OUTCOME_COLUMNS, names
from evaluation.disclosure import QUASI_IDENTIFIERS  # (read from here too: figures)

INTERVENTION_PATHWAYS = frozenset({"intervention", "intervention_with_accommodation"})
DROPPED_OUT = frozenset({"disengaged", "withdrew_consent"})
REFERRAL_MADE = frozenset({"made", "accepted", "declined"})
STAYED = frozenset({"checked_in", "ended"})
_CASE_NAMES, _EVENT_NAMES, _DASH_NAMES, _OUTCOME_NAMES = (
    names(CASE_COLUMNS),
    names(EVENT_COLUMNS),
    names(DASH_COLUMNS),
    names(OUTCOME_COLUMNS),
)


@dataclass(frozen=True)
class Client:
    """What the extract reads of the client: the quasi-identifiers' sources only."""

    date_of_birth: date | None
    gender: str | None
    ethnicity: str | None
    # An anonymised case's client has no date of birth left, only the age band at this
    # referral (eip.privacy.anonymise), which the extract then reads instead.
    kept_age_band: str | None = None


@dataclass
class CaseBundle:
    """One case and every record of it the extract reads (loaded in batches)."""

    # The record lists default to one shared empty tuple: most cases have none of most
    # kinds, and the extract makes a bundle per case. Nothing appends to them.
    case: Any
    client: Any = None
    partner: Any = None  # a Client: the partner's quasi-identifiers' sources
    borough_name: str | None = None
    consultations: Sequence[Any] = ()
    late_decisions: Sequence[Any] = ()
    consents: Sequence[Any] = ()
    sessions: Sequence[Any] = ()
    meetings: Sequence[Any] = ()
    dash_reviews: Sequence[Any] = ()
    incidents: Sequence[Any] = ()
    onward_referrals: Sequence[Any] = ()
    actions: Sequence[Any] = ()
    children: Sequence[Any] = ()
    outcomes: Sequence[Any] = ()  # outcome measurements, any order
    placements: Sequence[Any] = ()
    # Per placement id: what it cost the pot (the ledger's exposure), in pence.
    placement_cost: dict[int, int] = field(default_factory=dict)

    # (rules, today, found): the referral timeliness last judged, for the case's other rows.
    timeliness_memo: tuple | None = field(default=None, init=False, repr=False, compare=False)
    # Worked out once for all of the case's rows (a plain attribute: functools'
    # cached_property takes a lock on every first read, once per case).
    _referred_on: date | None = field(default=None, init=False, repr=False, compare=False)
    _reviews: list[Any] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def referred_on(self) -> date:
        """`referral_date` of the case, worked out once for all of its rows."""
        found = self._referred_on
        if found is None:
            found = self._referred_on = referral_date(self.case)
        return found

    @property
    def reviews(self) -> list[Any]:
        """The DASH reviews in review order (day, then id), sorted once for all rows."""
        found = self._reviews
        if found is None:
            found = self._reviews = sorted(self.dash_reviews, key=_review_order)
        return found


def _review_order(review: Any) -> tuple[date, int]:
    return (review.completed_on, review.id)


def referral_date(case: Any) -> date:
    """The London date the referral was received (recorded time, else when it was entered)."""
    return london_date(case.received_at or case.created_at)


def _age_band(client: Client | None, referred: date) -> str:
    """From the date of birth on the referral date; an anonymised client's kept band."""
    if client is not None and client.date_of_birth is None and client.kept_age_band:
        kept = client.kept_age_band
        return kept if kept in coarsen.AGE_BAND_VALUES else coarsen.NOT_KNOWN
    return coarsen.age_band(client.date_of_birth if client else None, referred)


def finest_values(bundle: CaseBundle) -> dict[str, str]:
    """The quasi-identifiers at their finest, before disclosure control."""
    return dict(zip(QUASI_IDENTIFIERS, finest_cells(bundle), strict=True))


def finest_cells(bundle: CaseBundle) -> tuple[str, ...]:
    """`finest_values` in QUASI_IDENTIFIERS' order (the extract keeps them as such)."""
    client, partner = bundle.client, bundle.partner
    referred = bundle.referred_on
    return (
        _age_band(client, referred),  # age_band
        coarsen.gender_group(client.gender if client else None),  # gender
        coarsen.ethnic_group(client.ethnicity if client else None),  # ethnic_group
        bundle.borough_name or coarsen.NOT_KNOWN,  # borough
        coarsen.referral_month(referred),  # referral_period
        _age_band(partner, referred),  # partner_age_band
        coarsen.gender_group(partner.gender if partner else None),  # partner_gender
        coarsen.ethnic_group(partner.ethnicity if partner else None),  # partner_ethnic_group
    )


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _held_consultation(bundle: CaseBundle) -> Any:
    held = [c for c in bundle.consultations if c.held_on is not None]
    return min(held, key=lambda c: (c.held_on, c.id)) if held else None


def _closed_on(case: Any) -> date | None:
    if case.status in CLOSED_STATES and case.closed_at is not None:
        return london_date(case.closed_at)
    return None


_REFERRAL_ACTIONS = {"marac_referral": "marac", "idva_referral": "idva"}


def _referred_to(bundle: CaseBundle) -> set[str]:
    """The agencies (marac, idva) the case was referred to: by a completed referral
    action or an onward referral made, accepted or declined."""
    found = {
        _REFERRAL_ACTIONS[a.kind]
        for a in bundle.actions
        if a.kind in _REFERRAL_ACTIONS and a.completed_at is not None
    }
    found.update(r.agency for r in bundle.onward_referrals if r.status in REFERRAL_MADE)
    return found


def completion(pathway: str, started: bool, closed: bool, outcome: str | None) -> str:
    if pathway not in INTERVENTION_PATHWAYS or not started:
        return "not_applicable"
    if not closed:
        return "open"
    if outcome == "completed":
        return "completed"
    if outcome in DROPPED_OUT:
        return "dropped_out"
    return "ended_otherwise"


def _timeliness(
    bundle: CaseBundle, rules: Deadlines, today: date | None
) -> dict[int, dict[str, referral_timeliness.Timeliness]]:
    """Each review's IDVA and MARAC referral timeliness, judged on `today` (the clock's
    London date when None); judged once for the case row and its DASH rows."""
    today = today or clock.today()
    memo = bundle.timeliness_memo
    if memo is not None and memo[0] is rules and memo[1] == today:
        return memo[2]
    found = referral_timeliness.by_review(
        bundle.reviews, bundle.actions, today, rules.extra_non_working_days
    )
    bundle.timeliness_memo = (rules, today, found)
    return found


def _timeliness_cells(found: dict[str, referral_timeliness.Timeliness]) -> tuple[str, ...]:
    """A review's (or the case's) timeliness of each kind, as its cells in the files'
    order: most reviews called for no referral, and share their cells."""
    idva, marac = found["idva"], found["marac"]
    if idva is referral_timeliness.NOT_DUE and marac is referral_timeliness.NOT_DUE:
        return _NOT_DUE_CELLS
    return (*_timeliness_pair(idva), *_timeliness_pair(marac))


def _timeliness_pair(found: referral_timeliness.Timeliness) -> tuple[str, str]:
    """The timeliness's two cells: its state and its working days, top-coded."""
    return found.state, _text(coarsen.top_coded(found.working_days, coarsen.WORKING_DAYS_TOP))


_CHILDREN_COLUMNS = tuple(f"children_{band}" for band in coarsen.CHILD_AGE_BAND_VALUES)
_NO_CHILDREN = (str(coarsen.top_coded(0, coarsen.CHILDREN_TOP)),) * len(_CHILDREN_COLUMNS)


def _children(bundle: CaseBundle) -> tuple[str, ...]:
    """The family's children counted per age band, in `_CHILDREN_COLUMNS`' order,
    top-coded; never an exact age."""
    if not bundle.children:  # many cases: the same cells every time
        return _NO_CHILDREN
    bands = Counter(coarsen.child_age_band(c.age_years, c.age_band) for c in bundle.children)
    return tuple(
        str(coarsen.top_coded(bands[band], coarsen.CHILDREN_TOP))
        for band in coarsen.CHILD_AGE_BAND_VALUES
    )


def _days(start: date, day: date | None) -> str:
    """`coarsen.days_since` as a cell: empty when there is no day."""
    return "" if day is None else str(coarsen.days_since(start, day))


def _dash_counts(reviews: Sequence[Any], scores: list[Any]) -> tuple[str, ...]:
    """dash_review_count, dash_score_first, dash_score_last and dash_scores_by_review."""
    return (
        str(len(reviews)),
        _text(scores[0]),
        _text(scores[-1]),
        ";".join(str(s) for s in scores),
    )


# The cells of a case with no DASH review, no placement, or no onward referral (most cases):
# what the rules give for none, worked out once.
_NO_DASH = ("", "0", "", "", "")
assert referral_timeliness.KINDS == ("idva", "marac"), "_timeliness_cells reads them so"
_NOT_DUE_CELLS = tuple(
    cell
    for _kind in referral_timeliness.KINDS
    for cell in _timeliness_pair(referral_timeliness.NOT_DUE)
)
_NO_ACCOMMODATION = (coarsen.yes_no(False), "0", coarsen.cost_band(0))
_NOT_REFERRED = (coarsen.yes_no(False), coarsen.yes_no(False))


def case_row(
    bundle: CaseBundle,
    case_id: str,
    quasi: Sequence[str],
    rules: Deadlines,
    today: date | None = None,
) -> dict[str, str]:
    """The case's row in cases.csv by column name (`case_cells`, for the figures)."""
    return dict(zip(_CASE_NAMES, case_cells(bundle, case_id, quasi, rules, today), strict=True))


def case_cells(
    bundle: CaseBundle,
    case_id: str,
    quasi: Sequence[str],
    rules: Deadlines,
    today: date | None = None,
) -> tuple[str, ...]:
    """The case's row in cases.csv as its cells in the columns' order (the extract writes
    these straight, with no dict per case); `quasi` are its released quasi-identifier
    values; `today` judges referrals not yet made (the clock's London date when None)."""
    # Written for speed (it runs once per case of every extract): most cases have none of
    # most kinds of record, so each empty kind costs a test, not a pass over nothing.
    case = bundle.case
    referred = bundle.referred_on
    consultation = _held_consultation(bundle) if bundle.consultations else None
    pathway = consultation.outcome if consultation and consultation.outcome else "none"
    closed = case.status in CLOSED_STATES
    closed_on = london_date(case.closed_at) if closed and case.closed_at is not None else None
    outcome = (case.closure_outcome or "other") if closed else "open"
    acknowledged_on = london_date(case.acknowledged_at) if case.acknowledged_at else None
    reviews = bundle.reviews
    started = case.intervention_started_on
    if reviews:
        scores = [r.score for r in reviews]
        first = referral_timeliness.first_due(reviews, _timeliness(bundle, rules, today))
        dash = (
            reviews[0].risk_level,  # risk_at_intake
            *_dash_counts(reviews, scores),
        )
        timeliness = _timeliness_cells(first)
    else:
        dash, timeliness = _NO_DASH, _NOT_DUE_CELLS
    callouts_open = 0
    for i in bundle.incidents:
        if (
            i.police_callout
            and i.occurred_on >= referred
            and (closed_on is None or i.occurred_on <= closed_on)
        ):
            callouts_open += 1
    if bundle.placements:
        stays = [p for p in bundle.placements if p.state in STAYED and p.checked_in_on]
        cost = sum(bundle.placement_cost.get(p.id, 0) for p in bundle.placements)
        accommodation = (
            coarsen.yes_no(bool(stays)),  # accommodation_used
            str(sum(p.nights_used for p in stays)),  # accommodation_nights
            coarsen.cost_band(cost),  # accommodation_cost_band
        )
    else:
        accommodation = _NO_ACCOMMODATION
    offered = attended = 0
    for s in bundle.sessions:  # one pass for both counts
        if s.attendance != "cancelled_by_practitioner":
            offered += 1
            if s.attendance == "attended":
                attended += 1
    if bundle.actions or bundle.onward_referrals:
        referred_to = _referred_to(bundle)
        referrals = (
            coarsen.yes_no("marac" in referred_to),  # marac_referral
            coarsen.yes_no("idva" in referred_to),  # idva_referral
        )
    else:
        referrals = _NOT_REFERRED
    cells = (
        case_id,
        *quasi,
        pathway,  # pathway
        case.status,  # case_stage
        outcome,  # closure_outcome
        completion(pathway, started is not None, closed, case.closure_outcome),
        dash[0],  # risk_at_intake
        _text(case.closure_risk_level) if closed else "",  # risk_at_closure
        _days(referred, acknowledged_on),  # days_to_acknowledgement
        coarsen.yes_no(  # acknowledged_within_target
            acknowledged_in_time(referred, acknowledged_on, rules) if acknowledged_on else None
        ),
        _days(referred, consultation.held_on if consultation else None),  # days_to_consultation
        _days(referred, started),  # days_to_intervention_start
        _days(started, closed_on) if started and closed_on else "",  # intervention_days
        _days(referred, closed_on),  # days_to_closure
        str(offered),  # sessions_offered
        str(attended),  # sessions_attended
        str(len(bundle.meetings)),  # meetings_held
        *dash[1:],  # dash_review_count, dash_score_first, _last, dash_scores_by_review
        *referrals,  # marac_referral, idva_referral
        _text(case.childrens_services_status),  # childrens_services_at_referral
        _text(case.closure_childrens_services_status) if closed else "",  # ..._at_closure
        _text(coarsen.top_coded(case.police_callouts_12_months)),  # ..._before_referral
        str(coarsen.top_coded(callouts_open)),  # police_callouts_while_open
        *accommodation,  # accommodation_used, _nights, _cost_band
        _text(case.closure_living_arrangements) if closed else "",  # living_arrangements_...
        *timeliness,
        *_children(bundle),
    )
    assert len(cells) == len(_CASE_NAMES), "a row must fill exactly the documented columns"
    return cells


def event_cells(bundle: CaseBundle, case_id: str) -> list[tuple[str, str, str, str]]:
    """The case's events in day order (coded details only), each as its cells in
    events.csv's column order: the extract writes these straight, with no dict per row."""
    case = bundle.case
    referred = bundle.referred_on
    # (days since the referral, event, detail): sorted as such, then made rows. Each kind
    # of record is one comprehension, and only when the case has some (a case's events
    # are the most rows of an extract).
    found: list[tuple[int, str, str]] = []
    add = found.append
    if case.acknowledged_at:
        acknowledged = london_date(case.acknowledged_at)
        add(((acknowledged - referred).days, "acknowledged", _text(case.acknowledgement_method)))
    if bundle.late_decisions:
        found += [
            ((d.decided_on - referred).days, "late_referral_decision", d.decision)
            for d in bundle.late_decisions
        ]
    for c in bundle.consultations:
        if c.held_on:
            add(((c.held_on - referred).days, "consultation_held", _text(c.outcome)))
    for c in bundle.consents:
        add(
            (
                (c.recorded_on - referred).days,
                "consent_recorded",
                f"{c.person_role}:{c.kind}:{c.state}",
            )
        )
        if c.withdrawn_on:
            add(
                (
                    (c.withdrawn_on - referred).days,
                    "consent_withdrawn",
                    f"{c.person_role}:{c.kind}:withdrawn",
                )
            )
    if case.intervention_started_on:
        add(((case.intervention_started_on - referred).days, "intervention_started", ""))
    if bundle.sessions:
        found += [((s.held_on - referred).days, "session", s.attendance) for s in bundle.sessions]
    if bundle.meetings:
        found += [
            ((m.held_on - referred).days, "professionals_meeting", "") for m in bundle.meetings
        ]
    if bundle.dash_reviews:
        found += [
            ((r.completed_on - referred).days, "dash_review", r.risk_level)
            for r in bundle.dash_reviews
        ]
    if bundle.incidents:
        found += [((i.occurred_on - referred).days, "incident", i.source) for i in bundle.incidents]
    if bundle.onward_referrals:
        found += [
            ((r.referred_on - referred).days, "onward_referral", f"{r.agency}:{r.status}")
            for r in bundle.onward_referrals
        ]
    for a in bundle.actions:
        if a.kind in ("idva_referral", "marac_referral") and a.completed_at:
            agency = a.kind.removesuffix("_referral")
            made = london_date(a.completed_at)
            add(((made - referred).days, "onward_referral", f"{agency}:made"))
    for p in bundle.placements:
        add(((london_date(p.created_at) - referred).days, "accommodation_requested", p.state))
        if p.checked_in_on:
            add(((p.checked_in_on - referred).days, "accommodation_checked_in", ""))
        if p.moved_out_on:
            moved = "early" if p.ended_early else "at_term"
            add(((p.moved_out_on - referred).days, "accommodation_moved_out", moved))
    closed_on = _closed_on(case)
    if closed_on:
        add(((closed_on - referred).days, "closed", _text(case.closure_outcome)))
    found.sort()
    return [(case_id, str(day), event, detail) for day, event, detail in found]


def event_rows(bundle: CaseBundle, case_id: str) -> Iterator[dict[str, str]]:
    """`event_cells` by column name."""
    for cells in event_cells(bundle, case_id):
        yield dict(zip(_EVENT_NAMES, cells, strict=True))


def dash_cells(
    bundle: CaseBundle, case_id: str, rules: Deadlines, today: date | None = None
) -> list[tuple[str, ...]]:
    """The case's DASH reviews in review order, each as its cells in dash_reviews.csv's
    column order."""
    reviews = bundle.reviews
    if not reviews:
        return []
    referred = bundle.referred_on
    timeliness = _timeliness(bundle, rules, today)
    found = []
    for number, review in enumerate(reviews, start=1):
        of_review = timeliness[review.id]
        found.append(
            (
                case_id,
                str(number),
                _days(referred, review.completed_on),
                str(review.score),
                review.risk_level,
                coarsen.yes_no(review.professional_judgement_high),
                _text(coarsen.top_coded(review.police_callouts_12_months)),
                _text(review.high_risk_threshold),
                _text(review.marac_threshold),
                *_timeliness_cells(of_review),
            )
        )
    return found


def dash_rows(
    bundle: CaseBundle, case_id: str, rules: Deadlines, today: date | None = None
) -> Iterator[dict[str, str]]:
    """`dash_cells` by column name."""
    for cells in dash_cells(bundle, case_id, rules, today):
        yield dict(zip(_DASH_NAMES, cells, strict=True))


def _feels_safe(data: outcome_data.MeasureData) -> int | None:
    return data.partner_feels_safe if outcomes.partner_asked(data.partner_source) else None


def outcome_rows(bundle: CaseBundle, case_id: str) -> Iterator[dict[str, str]]:
    """The case's outcome measurements in point order, every answer in bands
    (outcome_data.banded), with the change since intake; the day as weeks since the
    referral, in bands."""
    measured = outcome_data.by_point(bundle.outcomes)
    intake = measured.get(outcomes.INTAKE)
    for point, data in measured.items():
        behaviour = safe = None
        if intake is not None and point != outcomes.INTAKE:
            behaviour = outcome_data.change(intake.behaviour_score, data.behaviour_score)
            safe = outcome_data.change(_feels_safe(intake), _feels_safe(data))
        row = {
            "case_id": case_id,
            "point": point,
            "weeks_since_referral": coarsen.weeks_band(bundle.referred_on, data.measured_on),
            **outcome_data.banded(data),
            "behaviour_change": outcome_data.change_band(behaviour),
            "partner_feels_safe_change": outcome_data.change_band(safe),
        }
        assert list(row) == _OUTCOME_NAMES, "a row must fill exactly the documented columns"
        yield row


_OUTCOME_CELLS = itemgetter(*_OUTCOME_NAMES)


def outcome_cells(bundle: CaseBundle, case_id: str) -> list[tuple[str, ...]]:
    """`outcome_rows` as cells in outcomes.csv's column order."""
    return [_OUTCOME_CELLS(row) for row in outcome_rows(bundle, case_id)]
