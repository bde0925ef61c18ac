"""The comparisons in words and which way is better, as a councillor sees them in Chromium:
Savings says each borough's spend against the London median; Caseload's charts say which way
is better and where each borough stands; both stay within a tablet's width."""

from __future__ import annotations

import re

import pytest

from .support import SCREENSHOT_DIR
from .test_layout import OVERFLOW_JS

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _choose(app, label: str, option: str) -> None:  # noqa: ANN001 - AppDriver
    """Pick ``option`` in the select box labelled ``label`` and wait for the rerun."""
    app.page.get_by_label(label, exact=True).first.click()
    with app.rerun():
        app.page.get_by_role("option", name=option, exact=True).click()


def _press(app, choice: str) -> None:  # noqa: ANN001 - AppDriver
    """Press the segmented-control choice that reads exactly ``choice``; wait for the rerun."""
    button = app.page.locator('[data-testid="stButtonGroup"] button').filter(
        has_text=re.compile(f"^{re.escape(choice)}$"))
    with app.rerun():
        button.first.click()


def test_savings_says_childrens_spend_against_london_in_words(app) -> None:
    """The councillor's question: how Westminster's children's social care spend changed
    against London, answered in a sentence under the chart."""
    app.open(app.server.paths["Savings and spend"])
    _choose(app, "Service", "Children's social care")
    _press(app, "Per head £")
    text = app.main_text()
    assert ("Westminster's net spending on children's social care per child aged 0-17 rose "
            "23% in real terms (2024-25 prices), from £1,508 in 2011-12 to £1,858 in 2024-25, "
            "against a London median rise of 22% over the same years (32 London boroughs)."
            ) in text
    app.full_page_screenshot(SCREENSHOT_DIR / "words-savings-desktop.png")


def test_caseload_says_which_way_is_better_at_tablet_width(tablet_app) -> None:
    """At 768 px every Caseload chart says which way is better and each borough's standing
    against London, and nothing scrolls sideways."""
    tablet_app.open(tablet_app.server.paths["Caseload"])
    _press(tablet_app, "Re-referrals within 12 months")
    text = tablet_app.main_text()
    assert "Lower is better" in text
    assert "Neither higher nor lower is better in itself" in text
    assert "In 2024-25 it stood at 18.6%, above (worse than) the London median of 18.5%." in text
    boxes = tablet_app.page.evaluate(OVERFLOW_JS)
    assert not [b for b in boxes if b["scroll"] > b["client"] + 1], boxes
    tablet_app.full_page_screenshot(SCREENSHOT_DIR / "words-caseload-tablet.png")

    with tablet_app.rerun():
        tablet_app.page.get_by_role("tab", name="Libraries").click()
    text = tablet_app.main_text()
    assert "Library visits per 1,000 residents, 2023-24" in text
    assert ("In 2023-24 Westminster's library visits stood at 6,880.5 per 1,000, above (better "
            "than) the London median of 3,565.2 per 1,000 (26 London boroughs).") in text
    boxes = tablet_app.page.evaluate(OVERFLOW_JS)
    assert not [b for b in boxes if b["scroll"] > b["client"] + 1], boxes
    tablet_app.full_page_screenshot(SCREENSHOT_DIR / "words-caseload-libraries-tablet.png")
