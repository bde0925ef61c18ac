"""Layout on a tablet (768 x 1024): every page fits the width, and a screenshot of each.

Streamlit scrolls its main area inside its own container, not the document, so both the
document and that container are measured: either scrolling sideways would make a councillor
on a tablet pan to read a figure.
"""

from __future__ import annotations

import pytest

from .support import SCREENSHOT_DIR, AppPage

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OVERFLOW_JS = """() => {
    const boxes = [['document', document.scrollingElement]];
    for (const id of ['stAppViewContainer', 'stMain']) {
        const e = document.querySelector(`[data-testid="${id}"]`);
        if (e) boxes.push([id, e]);
    }
    return boxes.map(([name, e]) => ({name, scroll: e.scrollWidth, client: e.clientWidth}));
}"""

# What sticks out past the right edge of the main area, to name the culprit in a failure.
WIDEST_JS = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const edge = main.getBoundingClientRect().right + 1;
    return [...main.querySelectorAll('[data-testid]')]
        .filter(e => e.getBoundingClientRect().right > edge)
        .slice(0, 5)
        .map(e => `${e.getAttribute('data-testid')} (right edge ${
            Math.round(e.getBoundingClientRect().right)} px)`);
}"""


def test_tablet_has_no_sideways_scroll(tablet_app, app_page: AppPage) -> None:
    """At 768 px wide the page body does not scroll sideways; saves the tablet screenshot."""
    tablet_app.open_page(app_page)
    boxes = tablet_app.page.evaluate(OVERFLOW_JS)
    wide = [b for b in boxes if b["scroll"] > b["client"] + 1]
    culprits = tablet_app.page.evaluate(WIDEST_JS) if wide else []
    # Measured first: the screenshot grows the window to the page's height.
    tablet_app.full_page_screenshot(SCREENSHOT_DIR / f"tablet-{app_page.url_path}.png")
    assert not wide, (
        f"/{app_page.url_path} scrolls sideways at 768 px: {wide}; widest parts: {culprits}"
    )


# Every chart's title and text labels (event and period labels, targets, subplot titles) as
# drawn, and every bar's label against its bar: the overlaps and cut labels the screenshots
# showed, measured rather than looked for.
LABEL_CLASHES_JS = """() => {
    const clash = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 2
        && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 4;
    const problems = [];
    document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')
        .forEach((chart, n) => {
            const title = chart.querySelector('.gtitle');
            const name = title ? title.textContent : `chart ${n + 1}`;
            const labels = [...chart.querySelectorAll('g.annotation')]
                .map(a => ({text: a.textContent, box: a.getBoundingClientRect()}));
            if (title) labels.push({text: 'the title', box: title.getBoundingClientRect()});
            const shown = labels.filter(l => l.box.width > 0 && l.text.trim());
            shown.forEach((a, i) => shown.slice(i + 1).forEach(b => {
                if (clash(a.box, b.box)) problems.push(`${name}: '${a.text}' on '${b.text}'`);
            }));
            // Text beside markers (the Ofsted grades) is clipped at the plot area's edges.
            const area = chart.querySelector('.nsewdrag');
            const frame = area ? area.getBoundingClientRect() : null;
            chart.querySelectorAll('g.textpoint text').forEach(text => {
                const t = text.getBoundingClientRect();
                if (frame && t.width && (t.right > frame.right + 1 || t.left < frame.left - 1)) {
                    problems.push(`${name}: '${text.textContent}' is cut at the chart's edge`);
                }
            });
            chart.querySelectorAll('g.point').forEach(point => {
                const text = point.querySelector('text.bartext');
                const bar = point.querySelector('path');
                if (!text || !bar || !text.textContent) return;
                const t = text.getBoundingClientRect(), b = bar.getBoundingClientRect();
                if (t.right > b.right + 2) {
                    problems.push(`${name}: bar label '${text.textContent}' runs past its bar`);
                }
            });
        });
    return problems;
}"""

# Text cut short with an ellipsis or scrolled inside a static table: sidebar borough chips
# ('Hammersmith and …') and the scorecard's tables.
CUT_TEXT_JS = """() => {
    const cut = [];
    document.querySelectorAll('[data-testid="stSidebar"] [data-tag] > span').forEach(s => {
        if (s.scrollWidth > s.clientWidth + 1) cut.push(`sidebar chip '${s.textContent}'`);
    });
    document.querySelectorAll('[data-testid="stTable"] > div').forEach((t, n) => {
        if (t.scrollWidth > t.clientWidth + 1) cut.push(`static table ${n + 1} scrolls sideways`);
    });
    // A row of choices (segmented control) wider than its column hides its last options.
    document.querySelectorAll('[data-testid="stMain"] [data-testid="stButtonGroup"]')
        .forEach(g => {
            const room = g.parentElement.getBoundingClientRect().right + 1;
            [...g.querySelectorAll('button')].filter(b => b.getBoundingClientRect().right > room)
                .forEach(b => cut.push(`choice '${b.innerText.trim()}' is cut off`));
        });
    return cut;
}"""


def test_tablet_labels_are_whole_and_apart(tablet_app, app_page: AppPage) -> None:
    """At 768 px no chart label sits on another or on the title, no bar label runs past its
    bar, and no static table scrolls sideways."""
    tablet_app.open_page(app_page)
    problems = tablet_app.page.evaluate(LABEL_CLASHES_JS) + tablet_app.page.evaluate(CUT_TEXT_JS)
    assert not problems, f"/{app_page.url_path} at 768 px: {problems}"


def test_desktop_sidebar_chips_show_whole_names(shown, app_page: AppPage) -> None:
    """With the sidebar open (desktop), each chosen borough's chip shows its whole name."""
    chips = shown.page.locator('[data-testid="stSidebar"] [data-tag]')
    assert chips.count() == 3
    assert shown.page.evaluate(CUT_TEXT_JS) == [], f"/{app_page.url_path}"
