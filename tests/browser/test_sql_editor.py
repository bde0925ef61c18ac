"""The analyst's way round, in Chromium: the highlighting SQL editor with completion, the
find-and-insert catalogue and the Data page's template, each reached by keyboard too.

The editor is Ace inside a component frame; Streamlit draws widgets with keys as CSS classes
(``st-key-<key>``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from triborough.model.contracts import CONTRACT_BY_NAME
from triborough.model.style import SQL_EDITOR_COLOURS

from .support import PAGES, SCREENSHOT_DIR
from .test_pages import download, errors_on

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FRAME = 'iframe[title="code_editor.code_editor"]'


def _open(app, url_path: str) -> None:  # noqa: ANN001 - AppDriver
    page = next((p for p in PAGES if p.url_path == url_path), None)
    if page is None:
        pytest.skip(f"app.SECTIONS has no page at /{url_path}")
    app.open_page(page)


def _rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def _editor_text(app) -> str:  # noqa: ANN001 - AppDriver
    return app.page.frame_locator(FRAME).locator(".ace_text-layer").first.inner_text()


def _type_in_editor(app, text: str) -> None:  # noqa: ANN001 - AppDriver
    """Type ``text`` over the editor's content once Ace has the keyboard, and wait until Ace
    shows it: on a cold session the component can still be starting when keys arrive."""
    editor = app.page.frame_locator(FRAME)
    editor.locator("textarea.ace_text-input:focus").wait_for(state="attached")
    app.page.keyboard.press("Control+a")
    app.page.keyboard.type(text, delay=40)  # a quick typist; Ace completes as the keys arrive
    expect(editor.locator(".ace_text-layer").first).to_have_text(text)


def _tab_until(page, predicate: str, most: int = 15) -> list[str]:  # noqa: ANN001 - Page
    """Press Tab until ``predicate`` (JavaScript, on the focused element ``e``) holds; returns
    [] when it does, else what had focus at each press (for the failure message)."""
    check = f"() => {{ const e = document.activeElement; return !!({predicate}); }}"
    seen = []
    for _ in range(most):
        if page.evaluate(check):
            return []
        seen.append(page.evaluate(
            "() => { const e = document.activeElement; return e.tagName + ' ' + "
            "(e.getAttribute('aria-label') || e.innerText || '').slice(0, 30); }"))
        page.keyboard.press("Tab")
    return [] if page.evaluate(check) else seen


def test_editor_highlights_and_completes_a_table_name(app) -> None:
    _open(app, "sql")
    page = app.page
    editor = page.frame_locator(FRAME)
    editor.locator(".ace_editor").wait_for()
    editor.locator(".ace_text-input").focus()
    _type_in_editor(app, "select area_name from dim_ar")
    popup = editor.locator(".ace_autocomplete")
    # The popup takes Enter only once it has a selected row and Ace has tied it to the text
    # input (aria-activedescendant); a popup drawn but not yet attached lets Enter through.
    chosen = popup.locator(".ace_selected")
    attached = editor.locator("textarea.ace_text-input[aria-activedescendant]")
    try:
        chosen.wait_for(state="visible", timeout=15_000)
    except PlaywrightTimeout:
        # Live completion can close again when a slow machine delivers the last keys late;
        # back in the editor at the end of the text, Ctrl+Space asks for it as a person would.
        editor.locator("textarea.ace_text-input").focus()
        page.keyboard.press("Control+End")
        page.keyboard.press("Control+Space")
        chosen.wait_for(state="visible")
    attached.wait_for(state="attached")
    # Ace marks the typed part of each suggestion, which splits its text.
    assert "dim_area" in popup.inner_text().replace("\n", "")
    expect(chosen).to_contain_text("dim_area")
    page.keyboard.press("Enter")  # take the first suggestion
    page.keyboard.type(" where is_triborough order by 1")
    assert _editor_text(app) == (
        "select area_name from dim_area where is_triborough order by 1")
    keyword = editor.locator(".ace_keyword").first
    assert keyword.inner_text() == "select"
    assert keyword.evaluate("e => getComputedStyle(e).color") == _rgb(
        SQL_EDITOR_COLOURS["keyword"])
    page.locator(FRAME).screenshot(path=str(SCREENSHOT_DIR / "desktop-sql-editor.png"))

    with app.rerun():
        page.keyboard.press("Control+Enter")  # runs from the editor
    assert not errors_on(app), errors_on(app)
    main = page.get_by_test_id("stMain")
    main.get_by_text("3 rows", exact=False).first.wait_for()
    data, _ = download(app, main.locator(".st-key-dl_csv button"))
    rows = [line for line in data.decode("utf-8").splitlines() if not line.startswith("#")]
    assert rows == ["area_name", "Hammersmith and Fulham", "Kensington and Chelsea",
                    "Westminster"]


def test_editor_run_and_insert_by_keyboard_alone(app) -> None:
    """Tab reaches the editor, Enter starts typing in it, Escape and Tab leave it for Run;
    the catalogue's search and its "Insert into query" button are reached the same way."""
    _open(app, "sql")
    page = app.page
    # The editor draws after the script run ends; Tab cannot reach it before that.
    page.frame_locator(FRAME).locator(".ace_editor").wait_for()
    page.locator(".st-key-sql_plain input").focus()  # the control just before the editor
    assert not (trail := _tab_until(page, "e.tagName === 'IFRAME'")), trail
    page.keyboard.press("Enter")
    _type_in_editor(app, "select 41 + 1 as answer")
    with app.rerun():  # leaving the text hands it to the page
        page.keyboard.press("Escape")
    assert not (trail := _tab_until(page, "e.closest('.st-key-run_sql')")), trail
    with app.rerun():
        page.keyboard.press("Enter")
    page.get_by_test_id("stMain").get_by_text("1 rows", exact=False).first.wait_for()
    data, _ = download(app, page.locator(".st-key-dl_csv button"))
    assert data.decode("utf-8").splitlines()[-2:] == ["answer", "42"]

    page.get_by_role("tab", name="Find and insert").click()  # tabs switch without a rerun
    search = page.locator(".st-key-catalogue_search input")
    search.focus()
    page.keyboard.type("area_type")
    with app.rerun():
        page.keyboard.press("Enter")
    assert not (trail := _tab_until(page, "e.closest('.st-key-catalogue_insert')")), trail
    with app.rerun():
        page.keyboard.press("Enter")
    page.get_by_role("tab", name="Query").click()
    page.frame_locator(FRAME).locator(".ace_editor").wait_for()
    assert _editor_text(app).startswith("select 41 + 1 as answer")
    assert "area_type" in _editor_text(app)


def test_data_page_offers_a_template_by_keyboard(app) -> None:
    _open(app, "data")
    page = app.page
    table = page.locator(".st-key-upload_table")
    table.scroll_into_view_if_needed()
    with app.rerun():
        table.locator("input").fill(CONTRACT_BY_NAME["contracts"].title)
        page.keyboard.press("Enter")
    button = page.locator(".st-key-upload_template").get_by_role(
        "button", name=f"Download a template for {CONTRACT_BY_NAME['contracts'].title.lower()}")
    button.focus()
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    data = Path(info.value.path()).read_text(encoding="utf-8")
    assert info.value.suggested_filename == "contracts_template.csv"
    header = [line for line in data.splitlines() if not line.startswith("#")]
    assert header == [",".join(CONTRACT_BY_NAME["contracts"].column_names)]
    assert "# column contract_id: Contract reference." in data
