"""The SQL workbench page, driven through Streamlit's AppTest against a small warehouse."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

PAGE = "../pages/sql.py"  # AppTest resolves this against this file, not the working directory
TIMEOUT = 30

AREA_QUERY = """-- title: Residents in chosen areas
-- description: Residents for the chosen areas from a year on.
-- param: areas varchar[] = E09000033,E09000013 | Area ONS codes
-- param: from_year integer = 2021 | First year shown
select area_code, period, value
from fact_metric
where list_contains($areas, area_code) and period >= $from_year
order by area_code, period
"""
METRIC_QUERY = """-- title: Metric catalogue
-- description: Every metric, by code.
select code, name from dim_metric order by code
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("page_sql")
    warehouse = folder / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute(
        "create table dim_area (area_code varchar, area_name varchar);"
        "insert into dim_area values ('E09000033', 'Westminster'),"
        " ('E09000013', 'Hammersmith and Fulham'), ('E09000020', 'Kensington and Chelsea');"
        "create table dim_metric (code varchar, name varchar, definition varchar);"
        "insert into dim_metric values ('residents', 'Residents', 'Mid-year population');"
        "create table fact_metric (area_code varchar, metric_code varchar, period integer,"
        " value double);"
        "insert into fact_metric values"
        " ('E09000033', 'residents', 2020, 261000), ('E09000033', 'residents', 2021, 204300),"
        " ('E09000013', 'residents', 2020, 185000), ('E09000013', 'residents', 2021, 183200),"
        " ('E09000020', 'residents', 2020, 156000), ('E09000020', 'residents', 2021, 143400);"
        "create table meta_table (table_name varchar, description varchar);"
        "insert into meta_table values ('fact_metric', 'One row per area, metric and period');"
    )
    con.close()
    queries = folder / "queries"
    queries.mkdir()
    (queries / "area_residents.sql").write_text(AREA_QUERY)
    (queries / "metric_list.sql").write_text(METRIC_QUERY)
    return {"warehouse": warehouse, "queries": queries}


@pytest.fixture(autouse=True)
def _environment(built: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # monkeypatch restores the environment after each test; conftest clears the settings cache.
    monkeypatch.setenv("TRIBOROUGH_WAREHOUSE_PATH", str(built["warehouse"]))
    monkeypatch.setenv("TRIBOROUGH_QUERIES_DIR", str(built["queries"]))
    monkeypatch.setenv("TRIBOROUGH_ROW_CAP", "100")
    yield


def _open() -> AppTest:
    """The page with the plain text box chosen: AppTest cannot type into the Ace editor (a
    component); the browser tests drive that one."""
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT).run(timeout=TIMEOUT)
    at.toggle(key="sql_plain").set_value(True)
    return at.run(timeout=TIMEOUT)


def _run_sql(sql: str) -> AppTest:
    at = _open()
    at.text_area(key="sql").input(sql)
    at.button(key="run_sql").click()
    return at.run(timeout=TIMEOUT)


def _result(at: AppTest) -> Any:  # a pandas frame, as AppTest gives it
    """The result grid: the only table on the Query tab (a dataframe carries no key here)."""
    query_tab = at.tabs[0]
    assert query_tab.label == "Query"
    assert len(query_tab.dataframe) == 1, "no result grid on the Query tab"
    return query_tab.dataframe[0].value


def _captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def test_page_opens_with_the_default_query() -> None:
    at = _open()
    assert not at.exception
    assert at.title[0].value == "SQL workbench"
    assert at.text_area(key="sql").value == "show tables"
    assert any("at most 100 rows" in c for c in _captions(at))


def test_a_query_runs_and_shows_rows_and_count() -> None:
    at = _run_sql(
        "select area_code, value from fact_metric where period = 2021 order by value desc"
    )
    assert not at.exception
    assert not at.error
    frame = _result(at)
    assert frame["area_code"].tolist() == ["E09000033", "E09000013", "E09000020"]
    assert frame["value"].tolist() == [204300.0, 183200.0, 143400.0]
    assert any(c.startswith("3 rows · ") and c.endswith(" ms") for c in _captions(at))
    assert not at.warning
    downloads = [(b.key, b.label) for b in at.get("download_button")]
    assert downloads == [
        ("dl_csv", "Download CSV"),
        ("dl_parquet", "Download Parquet"),
        ("dl_xlsx", "Download Excel"),
    ]


def test_a_big_result_is_cut_at_the_row_cap_with_a_warning() -> None:
    at = _run_sql("select * from range(5000)")
    assert not at.exception
    assert len(_result(at)) == 100
    assert any(c.startswith("100 rows") for c in _captions(at))
    assert "Showing the first 100 rows" in at.warning[0].value


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("select * from read_csv('/etc/passwd')", "read_csv() is not allowed"),
        ("drop table fact_metric", "DROP statements are not allowed"),
        ("select 1; select 2", "One statement at a time"),
        ("from '/etc/passwd'", "looks like a file path"),
        ("select nope from fact_metric", "Binder Error"),
    ],
)
def test_a_refused_or_failing_query_shows_an_error(sql: str, message: str) -> None:
    at = _run_sql(sql)
    assert not at.exception
    assert len(at.error) == 1 and message in at.error[0].value
    assert "Traceback" not in at.error[0].value
    assert not at.tabs[0].dataframe


def test_a_saved_query_runs_with_its_default_parameters() -> None:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT).run(timeout=TIMEOUT)
    assert at.text_input(key="saved_area_residents_areas").value == "E09000033, E09000013"
    assert at.number_input(key="saved_area_residents_from_year").value == 2021
    at.button(key="saved_run_area_residents").click()
    at.run(timeout=TIMEOUT)
    assert not at.exception and not at.error
    frame = _result(at)
    assert frame.to_dict("records") == [
        {"area_code": "E09000013", "period": 2021, "value": 183200.0},
        {"area_code": "E09000033", "period": 2021, "value": 204300.0},
    ]


def test_a_saved_query_runs_with_changed_parameters() -> None:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT).run(timeout=TIMEOUT)
    at.text_input(key="saved_area_residents_areas").input("E09000020")
    at.number_input(key="saved_area_residents_from_year").set_value(2020)
    at.button(key="saved_run_area_residents").click()
    at.run(timeout=TIMEOUT)
    frame = _result(at)
    assert frame["value"].tolist() == [156000.0, 143400.0]


def test_open_in_editor_puts_the_query_with_its_values_in_the_editor() -> None:
    at = _open()
    at.button(key="saved_open_area_residents").click()
    at.run(timeout=TIMEOUT)
    text = at.text_area(key="sql").value
    assert "CAST(['E09000033', 'E09000013'] AS VARCHAR[])" in text
    assert "period >= 2021" in text
    at.button(key="run_sql").click()
    at.run(timeout=TIMEOUT)
    assert not at.error
    assert len(_result(at)) == 2


def test_history_lists_runs_and_runs_them_again() -> None:
    at = _run_sql("select 41 + 1 as answer")
    at.text_area(key="sql").input("select 'other' as x")
    at.button(key="run_sql").click()
    at.run(timeout=TIMEOUT)
    history = [c.value for c in at.code]
    assert history[:2] == ["select 'other' as x", "select 41 + 1 as answer"]
    again = [b for b in at.button if b.key and b.key.startswith("hist_run_")]
    again[1].click()  # the older entry
    at.run(timeout=TIMEOUT)
    assert at.text_area(key="sql").value == "select 41 + 1 as answer"
    assert _result(at)["answer"].tolist() == [42]


def test_explain_shows_the_plan() -> None:
    at = _open()
    at.text_area(key="sql").input("select * from fact_metric where period = 2020")
    at.button(key="explain_sql").click()
    at.run(timeout=TIMEOUT)
    assert not at.exception and not at.error
    assert any("fact_metric" in c.value for c in at.code)


def test_chart_builder_offers_the_result_columns() -> None:
    at = _run_sql("select area_code, period, value from fact_metric")
    assert at.selectbox(key="chart_x").options == ["area_code", "period", "value"]
    assert at.selectbox(key="chart_y").options == ["period", "value"]
    at.selectbox(key="chart_colour").set_value("area_code")
    at.selectbox(key="chart_x").set_value("period")
    at.run(timeout=TIMEOUT)
    assert not at.exception
    # The result survives the rerun a widget change causes.
    assert len(_result(at)) == 6


def test_schema_browser_lists_tables_with_counts_and_descriptions() -> None:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT).run(timeout=TIMEOUT)
    schema = at.tabs[3]
    tables = schema.dataframe[0].value.set_index("table_name")
    assert tables.loc["fact_metric", "row_count"] == 6
    assert tables.loc["dim_area", "row_count"] == 3
    assert tables.loc["fact_metric", "kind"] == "table"
    assert "One row per area, metric and period" in tables.loc["fact_metric", "table_description"]
    assert "Metric catalogue (dim_metric) · 1 metrics" in [e.label for e in at.expander]
    at.selectbox(key="schema_table").set_value("fact_metric").run(timeout=TIMEOUT)
    columns = at.tabs[3].dataframe[1].value
    assert columns["column_name"].tolist() == ["area_code", "metric_code", "period", "value"]


def test_missing_warehouse_says_how_to_build_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIBOROUGH_WAREHOUSE_PATH", str(tmp_path / "none.duckdb"))
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT).run(timeout=TIMEOUT)
    assert not at.exception
    assert "triborough build" in at.error[0].value
    assert not at.text_area


def test_wide_rows_are_cut_at_the_byte_cap_with_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIBOROUGH_BYTE_CAP_MB", "5")
    at = _run_sql("select repeat('x', 200000) as s from range(10001)")
    assert not at.exception and not at.error
    assert len(_result(at)) == 24
    assert at.warning[0].value.startswith(
        "Showing the first 24 rows: the result is larger than the 5 MB the workbench returns."
    )


@pytest.mark.slow
def test_a_query_that_needs_too_much_memory_is_stopped_with_a_plain_message() -> None:
    at = _run_sql("select len(range(2000000000))")
    assert not at.exception
    assert [e.value for e in at.error] == [
        "This query needed more than 2 GB and was stopped. Aggregate or filter before building "
        "very large values or lists."
    ]
    at.text_area(key="sql").input("select count(*) as n from fact_metric")
    at.button(key="run_sql").click()
    at.run(timeout=TIMEOUT)
    assert _result(at)["n"].tolist() == [6]


@pytest.mark.parametrize("button", ["run_sql", "explain_sql"])
def test_an_unexpected_failure_inside_reaches_the_page_as_a_message(
    monkeypatch: pytest.MonkeyPatch, button: str
) -> None:
    import triborough.read.workbench as wb

    def broken(*_args: object, **_kwargs: object) -> None:
        raise ZeroDivisionError("a bug, not the user's fault")

    monkeypatch.setattr(wb, "_run_checked", broken)
    at = _open()
    at.text_area(key="sql").input("select 1")
    at.button(key=button).click()
    at.run(timeout=TIMEOUT)
    assert not at.exception
    assert len(at.error) == 1
    assert at.error[0].value.startswith(
        "The workbench could not run this query (ZeroDivisionError); nothing was changed."
    )


def test_schema_browser_says_no_description_and_lists_few_values() -> None:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT).run(timeout=TIMEOUT)
    at.selectbox(key="schema_table").set_value("dim_area").run(timeout=TIMEOUT)
    columns = at.tabs[3].dataframe[1].value.set_index("column_name")
    assert columns.loc["area_code", "column_description"] == "no description"
    # Three areas, three names: few enough to list, most frequent first then by value.
    assert columns.loc["area_name", "values (when few)"] == (
        "'Hammersmith and Fulham', 'Kensington and Chelsea', 'Westminster'")


def test_insert_into_query_from_the_schema_and_the_catalogue() -> None:
    at = _open()
    at.text_area(key="sql").input("select * from ").run(timeout=TIMEOUT)
    at.selectbox(key="schema_table").set_value("dim_area").run(timeout=TIMEOUT)
    picks = at.selectbox(key="schema_pick")
    value = next(i for i in picks.options if "area_name = 'Westminster'" in i)
    picks.set_value(picks.options.index(value))
    at.run(timeout=TIMEOUT)
    at.button(key="schema_insert").click().run(timeout=TIMEOUT)
    assert at.text_area(key="sql").value == "select * from area_name = 'Westminster'"

    at.text_area(key="sql").input("select * from fact_metric where").run(timeout=TIMEOUT)
    at.text_input(key="catalogue_search").input("mid-year").run(timeout=TIMEOUT)
    found = at.tabs[4].dataframe[0].value
    assert found.to_dict("records") == [{
        "kind": "metric", "name": "residents", "detail": "Residents · Mid-year population",
        "insert": "metric_code = 'residents'"}]
    at.button(key="catalogue_insert").click().run(timeout=TIMEOUT)
    assert at.text_area(key="sql").value == (
        "select * from fact_metric where metric_code = 'residents'")
    at.button(key="run_sql").click().run(timeout=TIMEOUT)
    assert not at.error  # what was inserted is SQL the guard and the engine accept
    assert len(_result(at)) == 6
