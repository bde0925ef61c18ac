"""Every page as a person sees it: loads cleanly, draws its charts, obeys the sidebar filter,
and its downloads carry their source notes.

Pages come from app.SECTIONS (see support.discover_pages), so a new page is checked here as
soon as it is in the navigation.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .support import (
    BOROUGHS,
    DESKTOP,
    PAGES,
    RUN_TIMEOUT_MS,
    SCREENSHOT_DIR,
    AppPage,
    new_context,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Pages whose main area does not follow the sidebar's borough filter, and why. Every other page
# must name all three boroughs and drop one when it is taken out of the filter.
NOT_BOROUGH_FILTERED = {
    "sql": "the workbench shows whatever the analyst's SQL returns; the filter does not apply",
    "data": "the catalogue names boroughs only inside data grids, drawn on a canvas (no text)",
}
# st.error boxes a page shows on purpose when it first loads (none so far), by url_path.
EXPECTED_ERRORS: dict[str, list[str]] = {}

DROPPED = "Hammersmith and Fulham"


def errors_on(app) -> list[str]:  # noqa: ANN001 - AppDriver
    """Exception blocks, error boxes, error dialogs and traceback text, as readable strings."""
    page = app.page
    found = [f"exception: {t[:500]}" for t in page.get_by_test_id("stException").all_inner_texts()]
    found += [
        f"st.error: {t[:500]}" for t in page.get_by_test_id("stAlertContentError").all_inner_texts()
    ]
    found += [f"dialog: {t[:300]}" for t in app.dialogs()]
    body = page.locator("body").inner_text()
    if "Traceback" in body:
        at = body.index("Traceback")
        found.append(f"traceback text: {body[at : at + 500]}")
    return found


def _around(text: str, needle: str, width: int = 120) -> str:
    at = text.find(needle)
    return text[max(0, at - width) : at + len(needle) + width].replace("\n", " | ")


def test_page_loads_cleanly(shown, app_page: AppPage) -> None:
    """The page runs without an error inside the app's navigation and draws every chart.

    Also saves the desktop screenshot (1366 px wide, whole page) for people to look at.
    """
    app = shown
    page = app.page
    where = f"/{app_page.url_path}"
    # First, so that a page that fails the checks below still leaves its picture.
    app.full_page_screenshot(SCREENSHOT_DIR / f"desktop-{app_page.url_path}.png")

    allowed = EXPECTED_ERRORS.get(app_page.url_path, [])
    unexpected = [e for e in errors_on(app) if not any(ok in e for ok in allowed)]
    assert not unexpected, f"{where} shows errors:\n" + "\n".join(unexpected)

    # It runs inside app.py (not on its own): the sidebar lists the SECTIONS titles, marks
    # this page as the current one and carries the shared filters.
    assert app.nav_labels() == [p.title for p in PAGES], f"{where}: unexpected navigation"
    current = page.locator('[data-testid="stSidebarNavLink"][aria-current="page"]')
    assert current.inner_text().strip() == app_page.title
    assert page.get_by_test_id("stSidebar").get_by_text("Boroughs shown").count() == 1, (
        f"{where}: the sidebar's borough filter is missing"
    )

    # Charts: each has drawn its SVG and holds at least one data trace (an empty chart tells
    # the reader nothing).
    charts = page.get_by_test_id("stPlotlyChart")
    for i in range(charts.count()):
        chart = charts.nth(i)
        assert chart.locator(".js-plotly-plot .main-svg").count() >= 1
        assert chart.locator(".trace").count() >= 1, (
            f"{where}: chart {i + 1} ({chart.get_attribute('aria-label')!r}) has no data"
        )

    if app_page.url_path not in NOT_BOROUGH_FILTERED:
        text = app.main_text()
        missing = [name for name in BOROUGHS if name not in text]
        assert not missing, f"{where}: the main content does not name {missing}"


def test_navigation_serves_each_page_at_its_url_path(server) -> None:
    """The sidebar links every page of app.SECTIONS: the home page at ``/``, every other
    page at ``/<url_path>`` (the addresses README gives).

    Streamlit always serves the default page at ``/``; its documented address
    (``/overview``) is checked by test_home_page_answers_its_documented_address.
    """
    paths = server.paths
    missing = [p.title for p in PAGES if p.title not in paths]
    assert not missing, f"pages of app.SECTIONS missing from the navigation: {missing}"
    home = [title for title, path in paths.items() if path == ""]
    assert len(home) == 1, f"not exactly one page at /: {home}"
    wrong = {
        p.title: paths[p.title]
        for p in PAGES
        if p.title not in home and paths[p.title] != p.url_path
    }
    assert not wrong, f"pages served away from their url_path: {wrong}"


def test_home_page_answers_its_documented_address(app, server) -> None:
    """``/<url_path>`` of the home page (README: the Overview, ``/overview``) brings the reader
    to the home page at ``/``, not to Streamlit's 'Page not found' notice."""
    home = next(title for title, path in server.paths.items() if path == "")
    documented = next(p.url_path for p in PAGES if p.title == home)
    app.open(documented)
    app.page.wait_for_url(re.compile(r"/$"))
    app.wait_for_run()
    assert not app.dialogs(), f"/{documented}: {app.dialogs()}"
    current = app.page.locator('[data-testid="stSidebarNavLink"][aria-current="page"]')
    assert current.inner_text().strip() == home
    assert not errors_on(app), errors_on(app)


def test_downloads_carry_source_notes(shown, app_page: AppPage) -> None:
    """Each download button gives a file; a CSV opens with '# key: value' source notes.

    Buttons inside a closed expander or another tab are revealed first, as a person would.
    """
    app = shown
    # A page that failed has no buttons either: that must not pass as "nothing to download".
    assert not errors_on(app), f"/{app_page.url_path} shows errors: {errors_on(app)}"
    buttons = app.page.locator('[data-testid="stMain"] [data-testid="stDownloadButton"] button')
    if buttons.count() == 0:
        pytest.skip(f"/{app_page.url_path} has no download button when it first loads")
    for i in range(buttons.count()):
        button = buttons.nth(i)
        if not button.is_visible():
            app.changed = True  # an expander opened or a tab switched: reload for the next
            reveal(button)
        # The committee pack is built when clicked: far longer than a CSV on a shared machine.
        slow = "committee pack" in button.inner_text()
        data, name = download(app, button, PACK_TIMEOUT_MS if slow else RUN_TIMEOUT_MS)
        assert data, f"/{app_page.url_path}: {name} is empty"
        if name.endswith(".csv"):
            check_csv(data, f"/{app_page.url_path}: {name}")
        if name.endswith(".pdf"):
            assert data.startswith(b"%PDF-"), f"/{app_page.url_path}: {name} is not a PDF"
        if name.endswith(".docx"):  # a Word document is a zip archive
            assert data.startswith(b"PK\x03\x04"), f"/{app_page.url_path}: {name} is not Word"


# For each tab panel hiding an element (outermost first): the id of the tab that shows it.
# Streamlit renders every panel of st.tabs, hiding all but the selected one; the n-th panel
# of a tab group belongs to its n-th tab.
HIDING_TABS_JS = """e => {
    const ids = [];
    for (let panel = e.closest('[data-testid="stTabPanel"]'); panel;
         panel = panel.parentElement.closest('[data-testid="stTabPanel"]')) {
        const group = panel.closest('[data-testid="stTabs"]');
        const mine = x => x.closest('[data-testid="stTabs"]') === group;
        const panels = [...group.querySelectorAll('[data-testid="stTabPanel"]')].filter(mine);
        const tabs = [...group.querySelectorAll('[data-testid="stTab"]')].filter(mine);
        const tab = tabs[panels.indexOf(panel)];
        if (tab && tab.getAttribute('aria-selected') !== 'true') ids.unshift(tab.id);
    }
    return ids;
}"""


PACK_TIMEOUT_MS = 300_000


def reveal(element) -> None:  # noqa: ANN001 - playwright Locator
    """Select the tabs and open the closed expanders that hide ``element``."""
    for tab_id in element.evaluate(HIDING_TABS_JS):
        element.page.locator(f'[id="{tab_id}"]').click()
    for details in element.locator("xpath=ancestor::details[not(@open)]").all():
        details.locator("summary").first.click()
    element.wait_for(state="visible")


def download(app, button, timeout: int = RUN_TIMEOUT_MS) -> tuple[bytes, str]:  # noqa: ANN001
    """Click a download button; return the file's bytes and suggested name."""
    with app.page.expect_download(timeout=timeout) as info:
        button.click()
    return Path(info.value.path()).read_bytes(), info.value.suggested_filename


def check_csv(data: bytes, name: str) -> list[str]:
    """A download CSV: '# key: value' notes naming source and licence at the top, then a
    header row and data. Returns the lines after the notes."""
    lines = data.decode("utf-8").splitlines()
    notes = [line for line in lines if line.startswith("# ")]
    keys = {m.group(1) for line in notes if (m := re.match(r"# ([a-z_]+): ", line))}
    assert {"source", "licence"} <= keys, f"{name}: the notes lack source/licence: {notes}"
    # A multi-line note continues on '#   ' lines; all of them come before the table.
    head = len(lines) - len([line for line in lines if not line.startswith("#")])
    assert all(line.startswith("#") for line in lines[:head]), f"{name}: notes mid-table"
    body = lines[head:]
    assert len(body) >= 2, f"{name}: no header and data rows after the notes"
    return body


def test_widgets_update_page(shown, app_page: AppPage) -> None:
    """The page answers its controls: removing Hammersmith and Fulham from 'Boroughs shown'
    takes it off the main content, and 'Show as table' shows a table."""
    app = shown
    app.changed = True  # whatever happens below, later tests get a fresh load
    where = f"/{app_page.url_path}"
    checked = 0

    if app_page.url_path not in NOT_BOROUGH_FILTERED:
        assert DROPPED in app.main_text(), f"{where} does not show {DROPPED} to begin with"
        borough_filter = (
            app.page.get_by_test_id("stSidebar")
            .get_by_test_id("stMultiSelect")
            .filter(has_text="Boroughs shown")
        )
        with app.rerun():
            borough_filter.get_by_role("button", name=f"Remove {DROPPED}").click()
        text = app.main_text()
        assert DROPPED not in text, (
            f"{where} still shows {DROPPED} after it was taken out of the filter: "
            f"...{_around(text, DROPPED)}..."
        )
        kept = [name for name in BOROUGHS if name != DROPPED]
        missing = [name for name in kept if name not in text]
        assert not missing, f"{where} lost {missing} as well"
        assert not errors_on(app), f"{where} errors after the filter change: {errors_on(app)}"
        checked += 1

    toggles = app.page.locator('[data-testid="stMain"] input[aria-label="Show as table"]')
    if toggles.count():
        tables = app.page.locator(
            '[data-testid="stMain"] :is([data-testid="stDataFrame"], [data-testid="stTable"])'
        )
        before = tables.count()
        # The switch itself is visually hidden; its label is what a person clicks.
        with app.rerun():
            toggles.first.locator("xpath=ancestor::label[1]").click()
        assert tables.count() > before, f"{where}: 'Show as table' did not show a table"
        checked += 1

    if not checked:
        pytest.skip(f"{where}: {NOT_BOROUGH_FILTERED.get(app_page.url_path)}; no table toggle")


def test_deep_link_on_fresh_server_runs_through_app(chromium, cli_server: str) -> None:
    """A page's URL opened first thing after ``triborough serve`` starts goes through app.py.

    Streamlit treats a folder named ``pages/`` beside the main script as the old multipage
    mode until ``st.navigation`` has run once in the process: a first visitor who follows a
    link straight to a page would get that page run on its own, without the app's sidebar
    filters or navigation (and so would everyone after, until someone opened the root URL).
    ``triborough serve`` clears that mode before serving; this checks it on a server of its
    own (``cli_server``), since the shared one has been through the root URL already.
    """
    target = PAGES[1] if len(PAGES) > 1 else PAGES[0]  # not the default page: a deep link
    context, guard = new_context(chromium, DESKTOP)
    try:
        page = context.new_page()
        page.goto(f"{cli_server}/{target.url_path}")
        page.wait_for_selector(
            '[data-testid="stApp"][data-test-script-state="notRunning"]',
            timeout=RUN_TIMEOUT_MS,
        )
        page.wait_for_selector('[data-testid="stSidebarNavLink"]', timeout=RUN_TIMEOUT_MS)
        labels = [s.strip() for s in page.get_by_test_id("stSidebarNavLink").all_inner_texts()]
        has_filter = page.get_by_test_id("stSidebar").get_by_text("Boroughs shown").count()
    finally:
        context.close()
    assert not guard.blocked, f"the browser tried to reach hosts off this machine: {guard.blocked}"
    assert labels == [p.title for p in PAGES] and has_filter == 1, (
        f"a first visit to /{target.url_path} ran the page without app.py: the navigation "
        f"lists {labels}, borough filters found: {has_filter}. Streamlit's legacy pages/ mode "
        "is on until st.navigation first runs; renaming the pages/ folder (say app_pages/) "
        "avoids it for every way of starting the app."
    )
