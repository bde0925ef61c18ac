"""Compare in Chromium: the map of London draws every area and outlines the three boroughs, a
measure published for one year has a period axis with no time of day, and at 768 px the map
and chart fit the width."""

from __future__ import annotations

import re

import pytest

from triborough.model.style import MAP_NO_FIGURE

from .support import SCREENSHOT_DIR, AppDriver
from .test_layout import OVERFLOW_JS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# The map's areas (from the figure's traces) and what was drawn: filled shapes, and the width of
# the outline line drawn over the three boroughs.
MAP_JS = """() => {
    const isMap = c => (c.data || []).some(d => d.meta && d.meta.role === 'area');
    const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')]
        .filter(isMap);
    if (charts.length !== 1) return {charts: charts.length};
    const chart = charts[0];
    const role = r => chart.data.filter(d => d.meta && d.meta.role === r);
    const traces = [...chart.querySelectorAll('.scatterlayer .trace')];
    const fills = [...chart.querySelectorAll('.scatterlayer path.js-fill')]
        .filter(p => (p.getAttribute('d') || '').length > 10).length;
    const outlineDrawn = traces[traces.length - 1].querySelector('path.js-line');
    return {
        charts: 1,
        areas: role('area').map(d => ({code: d.meta.area, fill: d.fillcolor, name: d.name})),
        outlines: role('outline').map(d => d.line.width),
        outlineStroke: outlineDrawn ? parseFloat(getComputedStyle(outlineDrawn).strokeWidth) : 0,
        fills,
        legend: [...chart.querySelectorAll('.legendtext')].map(t => t.textContent),
        width: chart.getBoundingClientRect().width,
    };
}"""

# Tick labels of the x axis of every chart that is not the map.
X_TICKS_JS = """() => [
    ...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')]
    .filter(c => !c.querySelector('.choroplethlayer'))
    .map(c => [...c.querySelectorAll('.xtick text')].map(t => t.textContent))"""


def _open_compare(app: AppDriver) -> None:
    app.open("compare")
    app.page.get_by_text("On the map").first.wait_for()


def _choose_measure(app: AppDriver, label: str) -> None:
    box = app.page.get_by_label("Measure (grouped by subject)")
    with app.rerun():
        box.click()
        app.page.keyboard.type(label)
        app.page.keyboard.press("Enter")


def test_map_draws_every_london_area_and_outlines_the_three(app) -> None:
    """The default view: 33 London areas drawn and filled, the City of London grey with "no
    figure" (it has none for children looked after per 10,000), and one thick outline drawn
    over the three boroughs, all from the committed shapes (the browser fetches nothing
    off-machine: the fixture fails the test if it tries)."""
    _open_compare(app)
    found = app.page.evaluate(MAP_JS)
    assert found["charts"] == 1
    assert len(found["areas"]) == 33 and found["fills"] == 33
    city = next(a for a in found["areas"] if a["code"] == "E09000001")
    assert city["fill"] == MAP_NO_FIGURE and city["name"] == "City of London: no figure"
    assert all(a["fill"] != MAP_NO_FIGURE for a in found["areas"] if a["code"] != "E09000001")
    assert found["outlines"] == [3] and found["outlineStroke"] >= 3
    assert "The tri-borough councils (outlined)" in found["legend"]
    assert "No figure" in found["legend"]
    text = app.main_text()
    assert "Contains OS data © Crown copyright and database right 2020" in text
    assert "Westminster: 62 per 10,000 in 2024-25, higher than the median of 47" in text
    app.full_page_screenshot(SCREENSHOT_DIR / "compare-map.png")


def test_map_table_is_reachable_by_keyboard(app) -> None:
    """From the map's year box, Tab reaches the map's 'Show as table' switch and Space turns
    it on: a table of all 33 areas appears."""
    _open_compare(app)
    app.page.get_by_label("Year on the map").focus()
    label = ""
    for _ in range(30):
        app.page.keyboard.press("Tab")
        label = app.page.evaluate(
            "() => (document.activeElement.closest('label') || {}).innerText || ''")
        if "Show as table" in label:
            break
    assert "Show as table" in label, "Tab never reached the map's table switch"
    with app.rerun():
        app.page.keyboard.press("Space")
    grids = app.page.locator('[data-testid="stDataFrame"]')
    assert grids.count() == 1  # the map's table, and only it (the chart's switch is off)
    # The grid is drawn on a canvas; its accessible table says how many rows it holds.
    rows = grids.first.locator("[aria-rowcount]").first.get_attribute("aria-rowcount")
    assert rows == "34"  # a header and the 33 areas


def test_one_year_measure_has_a_period_axis_with_no_time_of_day(app) -> None:
    """Library visits per 1,000 residents are published for 2023-24 only: its axis reads
    '2023-24', not a span of hours ('23:59:59.999 Mar 30, 2024')."""
    _open_compare(app)
    _choose_measure(app, "Library visits per 1,000")
    ticks = app.page.evaluate(X_TICKS_JS)
    assert ticks[0] == ["2023-24"]  # the comparison chart, first on the page
    assert not [t for chart in ticks for t in chart if re.search(r"\d:\d\d", t)]
    text = app.main_text()
    assert not re.search(r"\d\d:\d\d", text), "a time of day is on the page"
    assert "It is the only year shown with both figures" in text


def test_compare_fits_a_tablet(tablet_app) -> None:
    """At 768 px the page does not scroll sideways and the map fits inside the main area."""
    _open_compare(tablet_app)
    boxes = tablet_app.page.evaluate(OVERFLOW_JS)
    assert not [b for b in boxes if b["scroll"] > b["client"] + 1], boxes
    found = tablet_app.page.evaluate(MAP_JS)
    main = tablet_app.page.evaluate(
        "() => document.querySelector('[data-testid=\"stMain\"]').clientWidth")
    assert 0 < found["width"] <= main
    tablet_app.full_page_screenshot(SCREENSHOT_DIR / "tablet-compare-map.png")
