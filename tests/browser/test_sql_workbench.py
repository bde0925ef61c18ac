"""The SQL workbench (/sql) in a browser: type a query, run it, read the result and download it.

The plain text box and the Run button are found by their Streamlit keys ('sql', 'run_sql'),
which Streamlit renders as the CSS classes ``st-key-sql`` and ``st-key-run_sql``; the
highlighting editor (Ace, in a component frame) by its frame. test_sql_editor.py drives that.
"""

from __future__ import annotations

import io
import zipfile

import pyarrow.parquet as pq
import pytest

from .support import BOROUGHS, PAGES, SCREENSHOT_DIR, AppPage
from .test_accessibility import check_chart_alternatives
from .test_pages import check_csv, download, errors_on

pytestmark = [pytest.mark.browser, pytest.mark.slow]

QUERY = "select area_code, area_name from dim_area\nwhere is_triborough\norder by area_name"


def _workbench() -> AppPage:
    page = next((p for p in PAGES if p.url_path == "sql"), None)
    if page is None:
        pytest.skip("app.SECTIONS has no page at /sql")
    return page


def plain_text_box(app) -> None:  # noqa: ANN001 - AppDriver
    """Switch the workbench to its plain text box (once per session)."""
    if app.page.locator(".st-key-sql textarea").count() == 0:
        with app.rerun():
            app.page.locator(".st-key-sql_plain label").click()


def run_sql(app, sql: str) -> None:  # noqa: ANN001 - AppDriver
    """Type ``sql`` into the workbench's plain text box and press Run."""
    plain_text_box(app)
    editor = app.page.locator(".st-key-sql textarea")
    editor.fill(sql)
    # A text area hands its value to Streamlit on Ctrl+Enter (or blur); do that first so the
    # Run click cannot race the new text.
    with app.rerun():
        editor.press("Control+Enter")
    with app.rerun():
        app.page.locator(".st-key-run_sql button").click()


def test_workbench_runs_a_typed_query(app) -> None:
    """A query typed into the text area runs on Run; the result and its downloads are right."""
    app.open_page(_workbench())
    page = app.page
    plain_text_box(app)
    assert page.locator(".st-key-sql textarea").count() == 1, "no text area with key 'sql'"
    assert page.locator(".st-key-run_sql button").count() == 1, "no Run button key 'run_sql'"

    run_sql(app, QUERY)
    assert not errors_on(app), f"the query failed: {errors_on(app)}"
    main = page.get_by_test_id("stMain")
    main.get_by_text("3 rows", exact=False).first.wait_for()
    assert main.get_by_test_id("stDataFrame").count() >= 1, "no result table"
    app.full_page_screenshot(SCREENSHOT_DIR / "desktop-sql-result.png")

    files = {}
    buttons = main.get_by_test_id("stDownloadButton").locator("button")
    assert buttons.count() >= 1, "no download buttons under the result"
    for i in range(buttons.count()):
        data, name = download(app, buttons.nth(i))
        files[name.rsplit(".", 1)[-1]] = data

    assert "csv" in files, f"no CSV among the downloads: {sorted(files)}"
    if "parquet" in files:
        table = pq.read_table(io.BytesIO(files["parquet"]))
        assert sorted(table.column("area_name").to_pylist()) == sorted(BOROUGHS)
        assert b"query" in (table.schema.metadata or {}), "parquet lacks its query note"
    if "xlsx" in files:
        with zipfile.ZipFile(io.BytesIO(files["xlsx"])) as book:
            assert "xl/workbook.xml" in book.namelist(), "the Excel download is not a workbook"
    # CSV last (its notes are the strictest check): the query among the notes, a header and
    # the three boroughs.
    csv_text = files["csv"].decode()
    assert "# query: select area_code, area_name from dim_area" in csv_text
    body = csv_text.splitlines()[-4:]
    assert body[0] == "area_code,area_name"
    assert sorted(line.split(",", 1)[1] for line in body[1:]) == sorted(BOROUGHS)
    check_csv(files["csv"], "workbench CSV")


def test_workbench_refuses_a_write_with_a_message(app) -> None:
    """A statement that would change the warehouse is refused in an error box, not a crash."""
    app.open_page(_workbench())
    run_sql(app, "drop table dim_area")
    errors = errors_on(app)
    assert errors, "a DROP statement ran without complaint"
    assert all(e.startswith("st.error") for e in errors), f"not a plain error box: {errors}"


def test_workbench_chart_has_a_text_alternative(app) -> None:
    """The chart drawn from a result has alt text or a 'Show as table' toggle."""
    app.open_page(_workbench())
    run_sql(app, "select area_name, 1 as n from dim_area where is_triborough")
    expander = app.page.get_by_test_id("stExpander").filter(has_text="Chart this result")
    if expander.count() == 0:
        pytest.skip("the workbench offers no chart of a result")
    expander.locator("summary").click()
    app.page.get_by_test_id("stPlotlyChart").first.locator(".main-svg").first.wait_for()
    check_chart_alternatives(app, "/sql 'Chart this result'")
