"""Programme figures from extract rows: counts, timeliness, meetings, DASH change and
accommodation, each protected by `evaluation.tables`. Pure: no Flask, no database.

The rows are cases.csv's rows (strings), whether read back from a released extract (what
evaluators see) or built live from the database (what managers see), so both get the same
figures by the same rules. The rows are read once, as a stream; only counters and the
numbers that medians need are kept.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from eip.cases import choices, outcome_data, outcomes
from eip.formatting import format_pence
from evaluation import coarsen, disclosure
from evaluation.tables import Protected, median, protect, share_shown, statistic_shown

PATHWAYS: tuple[tuple[str, str], ...] = (
    *choices.CONSULTATION_OUTCOME,
    ("none", "No consultation outcome yet"),
)
OUTCOME_GROUPS: tuple[tuple[str, str], ...] = (
    ("open", "Open"),
    ("completed", "Completed"),
    ("dropped_out", "Disengaged or withdrew consent"),
    ("ended_otherwise", "Ended otherwise"),
)
_OUTCOME_GROUP = {
    "open": "open",
    "completed": "completed",
    "disengaged": "dropped_out",
    "withdrew_consent": "dropped_out",
}
DASH_CHANGES = (
    ("lower", "Score went down"),
    ("same", "Score unchanged"),
    ("higher", "Score went up"),
)
COST_BAND_LABELS = {
    "under_500": "Under £500",
    "500_to_999": "£500 to £999",
    "1000_to_1999": "£1,000 to £1,999",
    "2000_or_more": "£2,000 or more",
}
# The risk and safety figures (issue 17's fields, issue 19): referral timeliness where a
# DASH review called for a referral, children by age band, the partner as released.
TIMELINESS = (
    ("met", "Made within the target"),
    ("missed", "Missed the target"),
    ("pending", "Not made yet, not yet due"),
    ("not_made", "Closed before it was due, not made"),
)
REFERRALS = (("idva", "the IDVA service"), ("marac", "MARAC"))
CHILD_BANDS: tuple[tuple[str, str], ...] = (
    *((code, label) for code, label in choices.CHILD_AGE_BAND if code != coarsen.NOT_KNOWN),
    (coarsen.NOT_KNOWN, "Age not known"),
)
_SHOWN_AS = {
    coarsen.NOT_KNOWN: "Not known",
    disclosure.ANY: "Not shown at this release's level",
    disclosure.SUPPRESSED: "Suppressed",
    "under_35": "Under 35",
    "35_54": "Aged 35 to 54",
    "55_plus": "Aged 55 or over",
    "asian_black_mixed_or_other": "Asian, Black, Mixed or Other",
    "another_gender": "Another gender",
}
# The partner's quasi-identifiers as released: (column, caption, header, the codes' labels).
PARTNER_TABLES: tuple[tuple[str, str, str, dict[str, str]], ...] = (
    ("partner_gender", "Partners by gender", "Gender", dict(choices.GENDER)),
    ("partner_age_band", "Partners by age band", "Age band", dict(choices.AGE_BAND)),
    ("partner_ethnic_group", "Partners by ethnic group", "Ethnic group",
     dict(choices.ETHNIC_GROUP)),
)  # fmt: skip
# The outcome measures (outcomes.csv, issue 19), by measurement point.
OUTCOME_POINTS: tuple[tuple[str, str], ...] = tuple(
    (point, outcomes.point_label(point)) for point in outcomes.POINTS
)
BEHAVIOUR_BANDS: tuple[tuple[str, str], ...] = (
    ("0", "0 (none of the behaviours)"),
    ("1-5", "1 to 5"),
    ("6-10", "6 to 10"),
    ("11-20", "11 to 20"),
    ("21-40", "21 to 40"),
    (outcome_data.NOT_KNOWN, "Not known"),
)
FEELS_SAFE_BANDS: tuple[tuple[str, str], ...] = (
    ("0-3", "0 to 3 (not safe)"),
    ("4-6", "4 to 6"),
    ("7-10", "7 to 10 (safe)"),
    (outcome_data.NOT_ASKED, "Partner not asked, or chose not to answer"),
    (outcome_data.NOT_KNOWN, "Not known"),
)
CHANGES: tuple[tuple[str, str], ...] = (
    ("fell", "Fell"),
    ("no_change", "No change"),
    ("rose", "Rose"),
)
# (key, outcomes.csv column, caption, the column's bands)
OUTCOME_BY_POINT = (
    ("behaviour_by_point", "behaviour_score",
     "The client's abusive behaviour score (0-40) at each measurement point", BEHAVIOUR_BANDS),
    ("feels_safe_by_point", "partner_feels_safe",
     "How safe the partner feels (0-10) at each measurement point", FEELS_SAFE_BANDS),
)  # fmt: skip
OUTCOME_CHANGES = (
    ("behaviour_change", "behaviour_change",
     "The client's abusive behaviour score, intake to the latest measurement (fell is better)"),
    ("feels_safe_change", "partner_feels_safe_change",
     "How safe the partner feels, intake to the latest measurement (rose is better)"),
)  # fmt: skip
_LAST = {disclosure.OTHER_BOROUGH: 1, coarsen.NOT_KNOWN: 2, disclosure.ANY: 3}
CASES = (("cases", "Cases"),)


@dataclass(frozen=True)
class CountTable:
    key: str
    caption: str
    row_header: str
    rows: tuple[tuple[str, str], ...]
    columns: tuple[tuple[str, str], ...]
    protected: Protected

    @property
    def two_way(self) -> bool:
        return len(self.columns) > 1

    def cell(self, i: int, j: int = 0) -> str:
        return self.protected.shown(("cell", i, j))

    def row_total(self, i: int) -> str:
        return self.protected.shown(("row", i))

    def column_total(self, j: int) -> str:
        return self.protected.shown(("col", j))

    def total(self) -> str:
        return self.protected.shown(("all",) if self.two_way else ("col", 0))

    def cell_bars(self) -> list[tuple[str, int | None, str]]:
        """(column: row, count or None when hidden, shown text) per cell, column by column:
        a chart of a two-way table whose row totals mean nothing (the same case at every
        measurement point)."""
        found = []
        for j, (_c, column) in enumerate(self.columns):
            for i, (_code, label) in enumerate(self.rows):
                pos = ("cell", i, j)
                hidden = self.protected.is_hidden(pos)
                value = None if hidden else self.protected.value(pos)
                found.append((f"{column}: {label}", value, self.protected.shown(pos)))
        return found

    def bars(self) -> list[tuple[str, int | None, str]]:
        """(label, count or None when hidden, shown text) per row, for a chart."""
        found = []
        for i, (_code, label) in enumerate(self.rows):
            pos = ("row", i) if self.two_way else ("cell", i, 0)
            hidden = self.protected.is_hidden(pos)
            value = None if hidden else self.protected.value(pos)
            found.append((label, value, self.protected.shown(pos)))
        return found


@dataclass(frozen=True)
class Statistic:
    key: str
    label: str
    value: str
    cases: int
    shown: bool
    k: int = 5

    @property
    def cases_text(self) -> str:
        """How many cases it rests on; a small number is itself a small count."""
        return f"<{self.k}" if 0 < self.cases < self.k else str(self.cases)


@dataclass
class Figures:
    k: int
    cases: str
    tables: dict[str, CountTable] = field(default_factory=dict)
    statistics: dict[str, Statistic] = field(default_factory=dict)

    def csv_rows(self) -> list[list[str]]:
        """Every figure as (section, row, column, value), hidden ones as shown."""
        out = [["section", "row", "column", "value"], ["cases", "all", "cases", self.cases]]
        for table in self.tables.values():
            for i, (_code, label) in enumerate(table.rows):
                for j, (_c, column) in enumerate(table.columns):
                    out.append([table.caption, label, column, table.cell(i, j)])
                if table.two_way:
                    out.append([table.caption, label, "Total", table.row_total(i)])
            if table.two_way:
                for j, (_c, column) in enumerate(table.columns):
                    out.append([table.caption, "Total", column, table.column_total(j)])
            out.append([table.caption, "Total", "Total", table.total()])
        for stat in self.statistics.values():
            out.append(["statistics", stat.label, f"over {stat.cases_text} cases", stat.value])
        return out


def _int(text: str | None) -> int | None:
    if text is None or text == "":
        return None
    return int(text)


def _number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


class _Tally:
    def __init__(self) -> None:
        self.cases = 0
        self.pathway_outcome: Counter[tuple[str, str]] = Counter()
        self.borough: Counter[str] = Counter()
        self.ack_days: list[int] = []
        self.consult_days: list[int] = []
        self.within = [0, 0]  # yes, of
        self.meetings = [0, 0, 0]  # meetings, intervention days, cases
        self.dash_change: list[int] = []
        self.accommodation: list[int] = []  # nights per case that used it
        self.cost_band: Counter[str] = Counter()
        self.marac = self.idva = 0
        self.timeliness = {agency: Counter() for agency, _l in REFERRALS}
        self.working_days: dict[str, list[int]] = {agency: [] for agency, _l in REFERRALS}
        self.children: Counter[str] = Counter()
        self.has_risk_and_safety = False
        self.partner: dict[str, Counter[str]] = {c: Counter() for c, *_r in PARTNER_TABLES}
        self.outcome_points: Counter[str] = Counter()
        self.by_point: dict[str, Counter[tuple[str, str]]] = {
            column: Counter() for _k, column, _c, _b in OUTCOME_BY_POINT
        }
        # Per case (pseudonymous ID): its latest change band. A code per measured case only.
        self.latest_change: dict[str, dict[str, str]] = {c: {} for _k, c, _c in OUTCOME_CHANGES}

    def add_risk_and_safety(self, row: Mapping[str, str]) -> None:
        """The fields extracts carry since issue 19: `get`, because an extract released
        before has none of them (its figures show none)."""
        self.has_risk_and_safety |= "idva_referral_timeliness" in row
        for agency, _label in REFERRALS:
            self.timeliness[agency][row.get(f"{agency}_referral_timeliness", "")] += 1
            days = _int(row.get(f"{agency}_referral_working_days"))
            if days is not None:
                self.working_days[agency].append(days)
        for band, _label in CHILD_BANDS:
            self.children[band] += _int(row.get(f"children_{band}")) or 0
        for column, counter in self.partner.items():
            if column in row:
                counter[row[column]] += 1

    def add_outcome(self, row: Mapping[str, str]) -> None:
        """One measurement (outcomes.csv's row). Rows come case by case in point order, so
        the change kept for a case is its latest measurement's."""
        self.outcome_points[row["point"]] += 1
        for _key, column, _caption, _bands in OUTCOME_BY_POINT:
            self.by_point[column][(row[column], row["point"])] += 1
        if row["point"] != outcomes.INTAKE:
            for _key, column, _caption in OUTCOME_CHANGES:
                self.latest_change[column][row["case_id"]] = row[column]

    def add(self, row: Mapping[str, str]) -> None:
        self.cases += 1
        outcome = row["closure_outcome"]
        group = _OUTCOME_GROUP.get(outcome, "ended_otherwise")
        self.pathway_outcome[(row["pathway"], group)] += 1
        self.borough[row["borough"]] += 1
        for name, found in (
            ("days_to_acknowledgement", self.ack_days),
            ("days_to_consultation", self.consult_days),
        ):
            value = _int(row[name])
            if value is not None:
                found.append(value)
        if row["acknowledged_within_target"]:
            self.within[1] += 1
            self.within[0] += row["acknowledged_within_target"] == "yes"
        days = _int(row["intervention_days"])
        if days is not None:
            self.meetings[0] += int(row["meetings_held"])
            self.meetings[1] += max(days, 1)
            self.meetings[2] += 1
        if int(row["dash_review_count"] or 0) >= 2:
            self.dash_change.append(int(row["dash_score_last"]) - int(row["dash_score_first"]))
        if row["accommodation_used"] == "yes":
            self.accommodation.append(int(row["accommodation_nights"]))
            self.cost_band[row["accommodation_cost_band"]] += 1
        self.marac += row["marac_referral"] == "yes"
        self.idva += row["idva_referral"] == "yes"
        self.add_risk_and_safety(row)


def _one_way(key, caption, header, labelled: list[tuple[str, str, int]], k) -> CountTable:
    protected = protect([[count] for _code, _label, count in labelled], k, row_totals=False)
    rows = tuple((code, label) for code, label, _count in labelled)
    return CountTable(key, caption, header, rows, CASES, protected)


def _borough_order(name: str) -> tuple[int, str]:
    return (_LAST.get(name, 4 if name == disclosure.SUPPRESSED else 0), name)


def _stat(key: str, label: str, value: float | None, cases: int, k: int) -> Statistic:
    if value is not None and statistic_shown(value, cases, k):
        return Statistic(key, label, _number(value), cases, True, k)
    return Statistic(key, label, f"Hidden: fewer than {k} cases", cases, False, k)


def build(
    rows: Iterable[Mapping[str, str]],
    k: int,
    *,
    spend_pence: int | None = None,
    target_days: int | None = None,
    outcome_rows: Iterable[Mapping[str, str]] | None = None,
) -> Figures:
    """The figures from case rows; `spend_pence` (managers' live figures only) adds the
    money the pot has spent or promised, from the ledger; `target_days` names the
    acknowledgement target the rows were judged against; `outcome_rows` are outcomes.csv's
    (read after the case rows), None for a release made before extracts carried them."""
    t = _Tally()
    for row in rows:
        t.add(row)
    for row in outcome_rows or ():
        t.add_outcome(row)
    figures = Figures(k=k, cases=str(t.cases) if not 0 < t.cases < k else f"<{k}")
    counts = [[t.pathway_outcome[(p, o)] for o, _l in OUTCOME_GROUPS] for p, _pl in PATHWAYS]
    figures.tables["pathway_outcome"] = CountTable(
        "pathway_outcome",
        "Cases by pathway and outcome",
        "Pathway",
        PATHWAYS,
        OUTCOME_GROUPS,
        protect(counts, k, row_totals=True),
    )
    boroughs = sorted(t.borough, key=_borough_order)
    figures.tables["borough"] = _one_way(
        "borough",
        "Cases by referring borough",
        "Borough",
        [(b, b, t.borough[b]) for b in boroughs],
        k,
    )
    changes = Counter("lower" if c < 0 else "same" if c == 0 else "higher" for c in t.dash_change)
    figures.tables["dash_change"] = _one_way(
        "dash_change",
        "DASH score, first review to latest",
        "Change",
        [(code, label, changes[code]) for code, label in DASH_CHANGES],
        k,
    )
    figures.tables["cost_band"] = _one_way(
        "cost_band",
        "Cases that used temporary accommodation, by cost",
        "Cost to the pot",
        [(code, label, t.cost_band[code]) for code, label in COST_BAND_LABELS.items()],
        k,
    )
    s = figures.statistics
    s["ack_median"] = _stat(
        "ack_median", "Median days to acknowledgement", median(t.ack_days), len(t.ack_days), k
    )
    s["consult_median"] = _stat(
        "consult_median",
        "Median days to the case consultation",
        median(t.consult_days),
        len(t.consult_days),
        k,
    )
    yes, of = t.within
    label = (
        f"Acknowledged within {target_days} working day{'s' if target_days != 1 else ''}"
        if target_days
        else "Acknowledged within the target of working days"
    )
    s["ack_within"] = (
        Statistic("ack_within", label, f"{_number(100 * yes / of)}%", of, True, k)
        if of and share_shown(yes, of, k)
        else Statistic("ack_within", label, _hidden_share(k), of, False, k)
    )
    meetings, days, cases = t.meetings
    s["meetings_per_week"] = _stat(
        "meetings_per_week",
        "Professionals meetings per week of intervention (closed cases)",
        7 * meetings / days if days else None,
        cases,
        k,
    )
    s["dash_median_change"] = _stat(
        "dash_median_change",
        "Median change in DASH score, first review to latest",
        median(t.dash_change),
        len(t.dash_change),
        k,
    )
    used = len(t.accommodation)
    s["accommodation_cases"] = _count(
        "accommodation_cases", "Cases that used temporary accommodation", used, t.cases, k
    )
    s["accommodation_nights"] = _stat(
        "accommodation_nights",
        "Median nights of accommodation per case that used it",
        median(t.accommodation),
        used,
        k,
    )
    if spend_pence is not None:
        s["accommodation_spend"] = Statistic(
            "accommodation_spend",
            "Accommodation money spent or promised (committed or invoiced)",
            format_pence(spend_pence) if used >= k else f"Hidden: fewer than {k} cases",
            used,
            used >= k,
            k,
        )
    s["marac"] = _count("marac", "Cases referred to MARAC", t.marac, t.cases, k)
    s["idva"] = _count("idva", "Cases referred to the IDVA service", t.idva, t.cases, k)
    _risk_and_safety(figures, t, k)
    _outcomes(figures, t, k, carried=outcome_rows is not None)
    return figures


def _outcomes(figures: Figures, t: _Tally, k: int, *, carried: bool) -> None:
    """Cases measured at each point, each measure's bands by point and its change from
    intake, each table protected; tables without rows when the extract did not carry the
    outcome measures (a release made before)."""
    points = OUTCOME_POINTS if carried else ()
    figures.tables["outcome_points"] = _one_way(
        "outcome_points",
        "Cases with outcome measures, by measurement point",
        "Measurement point",
        [(code, label, t.outcome_points[code]) for code, label in points],
        k,
    )
    for key, column, caption, bands in OUTCOME_BY_POINT:
        found = t.by_point[column]
        counts = [[found[(band, point)] for point, _l in points] for band, _bl in bands]
        figures.tables[key] = CountTable(
            key,
            caption,
            "Band",
            bands if carried else (),
            points,
            protect(counts if carried else [], k, row_totals=True),
        )
    for key, column, caption in OUTCOME_CHANGES:
        changes = Counter(t.latest_change[column].values())
        labelled = [(code, label, changes[code]) for code, label in CHANGES]
        labelled.append(
            (outcome_data.NOT_KNOWN, "Not known (or not asked)", changes[outcome_data.NOT_KNOWN])
        )
        figures.tables[key] = _one_way(key, caption, "Change", labelled if carried else [], k)


def _risk_and_safety(figures: Figures, t: _Tally, k: int) -> None:
    """Referral timeliness, children by age band and the partner, each table protected;
    tables without rows when the rows do not carry these fields (an earlier release)."""

    def rows(labelled: list[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
        return labelled if t.has_risk_and_safety else []

    for agency, label in REFERRALS:
        key = f"{agency}_timeliness"
        figures.tables[key] = _one_way(
            key,
            f"Referrals to {label} called for by a DASH review: within the target?",
            "Referral",
            rows([(code, words, t.timeliness[agency][code]) for code, words in TIMELINESS]),
            k,
        )
        days = t.working_days[agency]
        figures.statistics[f"{agency}_working_days"] = _stat(
            f"{agency}_working_days",
            f"Median working days from the DASH review to the referral to {label}",
            median(days),
            len(days),
            k,
        )
    figures.tables["children_age_band"] = _one_way(
        "children_age_band",
        f"Children in the families, by age band ({coarsen.CHILDREN_TOP} or more of one "
        f"family in one band counted as {coarsen.CHILDREN_TOP})",
        "Age band",
        rows([(code, label, t.children[code]) for code, label in CHILD_BANDS]),
        k,
    )
    for column, caption, header, labels in PARTNER_TABLES:
        found = t.partner[column]
        codes = sorted(
            found, key=lambda code: (code in _LAST or code == disclosure.SUPPRESSED, code)
        )
        figures.tables[column] = _one_way(
            column,
            caption,
            header,
            [(code, labels.get(code) or _SHOWN_AS.get(code, code), found[code]) for code in codes],
            k,
        )


def _hidden_share(k: int) -> str:
    return f"Hidden: it would reveal a count under {k}"


def _count(key: str, label: str, count: int, of: int, k: int) -> Statistic:
    """A count out of all cases: its complement is known too, so both must be safe."""
    if count == 0 or share_shown(count, of, k):
        return Statistic(key, label, str(count), of, True, k)
    return Statistic(key, label, _hidden_share(k), of, False, k)
