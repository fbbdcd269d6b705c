"""The DASH score chart: an inline SVG that the Content-Security-Policy allows."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

from eip.cases.dash_chart import ChartPoint, description, score_chart, y_of

SVG = "{http://www.w3.org/2000/svg}"


def points(*scores: int, level: str = "standard") -> list[ChartPoint]:
    start = date(2026, 1, 5)
    return [ChartPoint(start + timedelta(days=28 * i), s, level) for i, s in enumerate(scores)]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))  # noqa: S314 (our own SVG, made in this test)


def test_no_reviews_draw_nothing():
    assert score_chart([], 14) == ""


def test_the_chart_has_no_style_attribute_and_no_script():
    svg = str(score_chart(points(3, 9, 15), 14))
    assert "style=" not in svg and "<style" not in svg
    assert "<script" not in svg and "javascript:" not in svg
    for element in parse(svg).iter():
        assert "style" not in element.attrib


def test_the_chart_is_an_image_with_a_title_and_a_description_for_screen_readers():
    root = parse(score_chart(points(3, 15), 14))
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == "DASH score over time"
    assert "2 reviews from 5 January 2026 to 2 February 2026" in desc.text
    assert "Latest score 15 (standard risk)" in desc.text
    assert "MARAC threshold of 14" in desc.text


def test_every_score_is_written_on_the_chart():
    root = parse(score_chart(points(3, 9, 21), 14))
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "eip-dash-chart__score"]
    assert labels == ["3", "9", "21"]


def test_the_marac_threshold_is_a_dashed_line_at_its_height():
    root = parse(score_chart(points(5), 10))
    [line] = [e for e in root.iter(f"{SVG}line") if e.get("class") == "eip-dash-chart__threshold"]
    assert line.get("stroke-dasharray")
    assert float(line.get("y1")) == float(line.get("y2")) == round(y_of(10), 1)
    assert "MARAC threshold (10)" in "".join(t.text or "" for t in root.iter(f"{SVG}text"))


def test_the_high_risk_threshold_is_a_second_line_below_the_marac_line_with_its_key():
    root = parse(score_chart(points(5, 12), 14, high_risk=10))
    lines = {e.get("class"): e for e in root.iter(f"{SVG}line") if e.get("class")}
    high, marac = lines["eip-dash-chart__high-risk"], lines["eip-dash-chart__threshold"]
    assert float(high.get("y1")) == round(y_of(10), 1)
    assert float(high.get("y1")) > float(marac.get("y1"))  # lower score, lower on the chart
    assert high.get("stroke-dasharray") != marac.get("stroke-dasharray")
    texts = "".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "High-risk threshold (10)" in texts and "MARAC threshold (14)" in texts
    assert "The dotted line is the high-risk threshold of 10." in root.find(f"{SVG}desc").text


def test_one_line_is_drawn_when_both_thresholds_are_the_same():
    root = parse(score_chart(points(5), 14, high_risk=14))
    assert "eip-dash-chart__high-risk" not in {e.get("class") for e in root.iter(f"{SVG}line")}


def test_a_higher_score_is_drawn_higher_up():
    root = parse(score_chart(points(2, 20), 14))
    low, high = (float(c.get("cy")) for c in root.iter(f"{SVG}circle"))
    assert high < low


def test_one_review_is_a_point_without_a_line():
    root = parse(score_chart(points(12), 14))
    assert len(list(root.iter(f"{SVG}circle"))) == 1
    assert list(root.iter(f"{SVG}polyline")) == []
    assert "1 review on 5 January 2026" in description(points(12), 14)


def test_several_reviews_are_joined_by_a_line_through_each_point():
    root = parse(score_chart(points(2, 8, 14), 14))
    [line] = root.iter(f"{SVG}polyline")
    assert len(line.get("points").split()) == 3


def test_high_risk_points_are_filled_red():
    root = parse(score_chart(points(15, level="high"), 14))
    [circle] = root.iter(f"{SVG}circle")
    assert circle.get("fill") == "#d4351c"


def test_many_reviews_label_only_some_dates_but_always_the_last():
    many = points(*range(12))
    root = parse(score_chart(many, 14))
    dates = [t.text for t in root.iter(f"{SVG}text") if re.match(r"\d+ \w{3} \d{4}$", t.text or "")]
    assert 2 <= len(dates) <= 6
    assert dates[-1] == f"{many[-1].on.day} {many[-1].on:%b %Y}"
