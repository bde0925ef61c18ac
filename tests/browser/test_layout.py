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
