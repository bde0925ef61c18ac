"""Views people can share and charts they can paste into a paper, in Chromium.

- A changed Compare view's address, opened in a fresh browser, shows the same measure and
  boroughs; Back returns to the choice before.
- A chart's camera button saves a PNG at three times its print size, and the chart it draws
  from carries its source, licence and date.
- The 'Copy link to this view' and 'Copy the summary' buttons are reached with Tab, pressed
  with Enter, and put the address and the summary on the clipboard.
"""

from __future__ import annotations

import struct
from urllib.parse import parse_qs, urlsplit

import pytest

from .support import DESKTOP, TABLET, AppDriver, Served, new_context

pytestmark = [pytest.mark.browser, pytest.mark.slow]

COMPARE = "Compare"
YEARS = '[data-testid="stSidebar"] input[type="range"]'
MEASURE = "Measure (grouped by subject)"
# What the first chart on the page was told to draw: its layout, annotations included.
FIRST_CHART_LAYOUT_JS = """() => {
    const chart = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
    return {annotations: chart.layout.annotations.map(a => a.text),
            title: chart.layout.title.text,
            width: chart.getBoundingClientRect().width,
            height: chart.getBoundingClientRect().height};
}"""
# The element that has keyboard focus, looking inside components' shadow roots.
FOCUSED_JS = """() => {
    let a = document.activeElement;
    while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
    return a ? (a.getAttribute('aria-label') || a.textContent || '').trim() : '';
}"""


def _measure(app: AppDriver) -> str:
    return app.page.get_by_role("combobox", name=MEASURE).input_value()


def _choose_measure(app: AppDriver, text: str) -> None:
    with app.rerun():
        app.page.get_by_role("combobox", name=MEASURE).click()
        app.page.get_by_role("option", name=text, exact=True).click()


def _fresh(chromium, server: Served, viewport: dict = DESKTOP):  # noqa: ANN001, ANN202
    context, guard = new_context(chromium, viewport)
    return context, guard, AppDriver(context.new_page(), server)


def test_a_changed_compare_view_opens_the_same_in_a_new_browser_and_back_undoes_it(
    chromium, server: Served, app: AppDriver
) -> None:
    app.open(server.paths[COMPARE])
    first = _measure(app)
    app.page.get_by_role("combobox", name=MEASURE).click()
    options = app.page.get_by_role("option").all_inner_texts()
    app.page.keyboard.press("Escape")
    other = next(o.strip() for o in options if o.strip() and o.strip() != first)
    _choose_measure(app, other)
    assert _measure(app) == other
    with app.rerun():  # the years from 2008, so the link carries a sidebar filter too
        app.page.locator(YEARS).first.focus()
        app.page.keyboard.press("ArrowRight")
    shared = app.page.url
    query = parse_qs(urlsplit(shared).query)
    assert query.get("compare_metric") == [other], shared
    assert query.get("period") == ["2008", "2025"], shared
    title = app.page.evaluate(FIRST_CHART_LAYOUT_JS)["title"]

    context, guard, fresh = _fresh(chromium, server)
    try:
        fresh.page.goto(shared, wait_until="domcontentloaded")
        fresh.page.wait_for_selector('[data-testid="stMain"]')
        fresh.wait_for_run()
        assert _measure(fresh) == other
        assert fresh.page.locator(YEARS).first.input_value() == "2008"
        assert fresh.page.evaluate(FIRST_CHART_LAYOUT_JS)["title"] == title
    finally:
        context.close()
    assert not guard.blocked

    with app.rerun():  # Back: the years as they were, then the measure before
        app.page.go_back()
    assert app.page.locator(YEARS).first.input_value() == "2007"
    assert _measure(app) == other
    with app.rerun():
        app.page.go_back()
    assert _measure(app) == first
    assert "compare_metric" not in parse_qs(urlsplit(app.page.url).query)


def test_hostile_address_shows_the_default_view_without_markup(app: AppDriver,
                                                               server: Served) -> None:
    app.open(server.paths[COMPARE])
    expected = _measure(app)
    app.open(server.paths[COMPARE] + "?compare_metric=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E"
             "&boroughs=E09999999&boroughs=%3Cscript%3E&period=1900&period=3000&compare_group=%3Cb%3Ex&junk=1")
    assert _measure(app) == expected
    assert app.page.locator('[data-testid="stSidebar"] [data-tag]').count() == 3
    assert app.page.locator("img[src=x], [data-testid='stException']").count() == 0
    assert "<b>" not in app.main_text() and "onerror" not in app.main_text()


def test_the_chart_image_carries_its_source_at_print_resolution(app: AppDriver,
                                                                server: Served) -> None:
    app.open(server.paths[COMPARE])
    layout = app.page.evaluate(FIRST_CHART_LAYOUT_JS)
    note = next(a for a in layout["annotations"] if "Source:" in a)
    for words in ("Unit:", "Period:", "Licence: Open Government Licence", "Figures as of"):
        assert words in note, note
    chart = app.page.locator('[data-testid="stPlotlyChart"]').first
    chart.hover()
    with app.page.expect_download() as download:
        chart.locator('.modebar-btn[data-title="Download plot as a PNG"]').click()
    png = download.value.path().read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert download.value.suggested_filename.startswith("triborough_compare_")
    assert width >= 2 * layout["width"] and height >= 2 * layout["height"], (width, height)


@pytest.mark.parametrize("viewport", [DESKTOP, TABLET], ids=["desktop", "tablet"])
def test_copy_buttons_are_reached_with_tab_and_copy(chromium, server: Served,
                                                    viewport: dict) -> None:
    context, guard, app = _fresh(chromium, server, viewport)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    try:
        app.open(server.paths[COMPARE])
        # The summary's button comes straight after the chart's CSV download.
        app.page.get_by_role("button", name="Download CSV (with source notes)").first.focus()
        app.page.keyboard.press("Tab")
        focused = app.page.evaluate(FOCUSED_JS)
        assert focused.startswith("Copy the summary:"), focused
        app.page.keyboard.press("Enter")
        app.page.get_by_text("Summary copied.").first.wait_for()
        copied = app.page.evaluate("navigator.clipboard.readText()")
        assert copied == focused.removeprefix("Copy the summary: ")
        assert "Latest figures:" in copied and "Source:" in copied and "Licence:" in copied
        box = app.page.get_by_role("button", name="Copy the summary").first.bounding_box()
        assert box and box["x"] + box["width"] <= viewport["width"]

        if viewport is TABLET:  # the sidebar starts closed on a tablet
            app.page.locator('[data-testid="stExpandSidebarButton"]').click()
        app.page.locator(YEARS).last.focus()
        for _ in range(4):  # past the slider's own parts to the next control
            app.page.keyboard.press("Tab")
            if app.page.evaluate(FOCUSED_JS) == "Copy link to this view":
                break
        assert app.page.evaluate(FOCUSED_JS) == "Copy link to this view"
        app.page.keyboard.press("Enter")
        app.page.get_by_text("Link copied.").wait_for()
        assert app.page.evaluate("navigator.clipboard.readText()") == app.page.url
    finally:
        context.close()
    assert not guard.blocked
