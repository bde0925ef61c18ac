"""Downloads within a budget and safe to open: formula injection, cell and byte budgets, long
text in Excel. The same payloads then go through every page that offers a download."""

from __future__ import annotations

import polars as pl
import pytest
from csvsafety import PAYLOADS, cells, live_cells
from pagetest import altered_warehouse, run_page
from test_workbench import _xlsx_sheets

from triborough.views.exports import (
    CUT_MARK,
    EXCEL_MAX_CELL_CHARS,
    ExportTooLarge,
    neutralise_csv_text,
    read_csv_bytes,
    refusal,
    to_csv_bytes,
    to_parquet_bytes,
    to_xlsx_bytes,
)

HOSTILE = pl.DataFrame({
    "text": list(PAYLOADS),
    "number": [-1.5, -3.0, 0.0, 2.0, -0.25, 1e6, -7.0, 8.0, 9.0, 10.0, -11.0],
    "count": [-1, -2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    "number_as_text": ["-12.5", "+3", "-4", "1e3", "-.5", "7", "8", "9", "10", "11", "12"],
})


def test_every_owasp_payload_is_neutralised_in_csv():
    data = to_csv_bytes(HOSTILE, {"source": "test"})
    assert live_cells(data) == []
    rows = cells(data)
    assert rows[0] == ["text", "number", "count", "number_as_text"]
    assert [r[0] for r in rows[1:]] == ["'" + p for p in PAYLOADS]


def test_numbers_including_negative_ones_stay_numbers():
    rows = cells(to_csv_bytes(HOSTILE, {}))[1:]
    assert [r[1] for r in rows][:2] == ["-1.5", "-3.0"]
    assert [r[2] for r in rows][:2] == ["-1", "-2"]
    # a plain number held as text is not a formula: it is written as it is
    assert [r[3] for r in rows][:5] == ["-12.5", "+3", "-4", "1e3", "-.5"]


def test_a_column_name_cannot_be_a_formula_either():
    frame = pl.DataFrame({"=SUM(1+1)": ["a"], "@name": [1]})
    data = to_csv_bytes(frame, {})
    assert cells(data)[0] == ["'=SUM(1+1)", "'@name"]
    assert list(read_csv_bytes(data)[0].columns) == list(frame.columns)


def test_reading_back_gives_the_original_text():
    frame, _ = read_csv_bytes(to_csv_bytes(HOSTILE.select("text"), {}))
    assert frame["text"].to_list() == list(PAYLOADS)


def test_neutralising_is_one_function_with_a_fixed_rule():
    assert neutralise_csv_text("=1") == "'=1"
    assert neutralise_csv_text("'=1") == "''=1"
    assert neutralise_csv_text("Vendor A") == "Vendor A"
    assert neutralise_csv_text("-5") == "-5"


def test_excel_is_refused_over_a_million_cells_with_the_reason():
    frame = pl.DataFrame({f"c{i}": pl.zeros(1_001, dtype=pl.Int8, eager=True)
                          for i in range(1_000)})
    reason = refusal(frame, "xlsx")
    assert reason == (
        "Excel is offered for results up to 1,000,000 cells; this one has 1,001,000 (1,001 rows "
        "× 1,000 columns). Download CSV or Parquet, or narrow the query."
    )
    with pytest.raises(ExportTooLarge, match="1,001,000"):
        to_xlsx_bytes(frame, {})
    assert refusal(frame.head(1_000), "xlsx") is None


@pytest.mark.parametrize("make", [to_csv_bytes, to_parquet_bytes, to_xlsx_bytes])
def test_every_format_has_a_byte_budget(make):
    # 600 rows of 100 KB text: 60 MB, over the 50 MB default; refused before it is written
    frame = pl.DataFrame({"t": ["x" * 100_000] * 600})
    with pytest.raises(ExportTooLarge, match="limited to 50 MB; this result holds about 60 MB"):
        make(frame, {})
    assert refusal(frame.head(400), "csv") is None


def test_text_too_long_for_an_excel_cell_is_marked_as_cut():
    long = "y" * (EXCEL_MAX_CELL_CHARS + 10)
    frame = pl.DataFrame({"note": ["short", long]})
    sheets = _xlsx_sheets(to_xlsx_bytes(frame, {"source": "test"}))
    cell = sheets["Data"][2][0]
    assert len(cell) == EXCEL_MAX_CELL_CHARS and cell.endswith(CUT_MARK)
    assert sheets["Data"][1][0] == "short"
    about = dict((k, v) for k, v in sheets["About"])
    assert about["cut"] == "text longer than an Excel cell holds, marked where cut: note (1 cell)"


# ---------------------------------------------------------------- every download path


def _all_safe(files: dict[str, bytes]) -> list[str]:
    """Live formula cells in every CSV offered (chart and table blocks, the workbench's)."""
    csvs = {k: v for k, v in files.items() if k.endswith("_download") or k == "dl_csv"}
    assert csvs
    return [f"{key}: {cell!r}" for key, data in csvs.items() for cell in live_cells(data)]


@pytest.mark.parametrize(("page", "update", "download"), [
    # a chart block's table (contracts by vendor) and every other chart and table on the page
    ("systems", "update contracts set vendor = $payloads[1 + (hash(contract_id) % $n)::int]",
     "systems_contracts_download"),
    # the Data page's table blocks (catalogue definitions)
    ("data", "update dim_metric set definition = $payloads[1 + (hash(code) % $n)::int]",
     "data_catalogue_download"),
])
def test_page_downloads_are_neutralised(
    page, update, download, built_warehouse, tmp_path, monkeypatch, offered_files
):
    altered_warehouse(built_warehouse, tmp_path, monkeypatch,
                      (update, {"payloads": list(PAYLOADS), "n": len(PAYLOADS)}))
    run_page(f"../pages/{page}.py")
    shown = {c for row in cells(offered_files[download]) for c in row}
    assert len({"'" + p for p in PAYLOADS} & shown) >= 3  # the payloads reached the file
    assert _all_safe(offered_files) == []


def _workbench(sql: str):
    at = run_page("../pages/sql.py")
    at.toggle(key="sql_plain").set_value(True)
    at.run(timeout=60)
    at.text_area(key="sql").input(sql)
    at.button(key="run_sql").click()
    at.run(timeout=60)
    assert not at.exception
    return at


def test_workbench_csv_download_is_neutralised(app_env, offered_files):
    values = ", ".join("(" + "'" + p.replace("'", "''") + "', -1.5)" for p in PAYLOADS)
    _workbench(f"select * from (values {values}) t(text, number)")
    data = offered_files["dl_csv"]
    assert live_cells(data) == []
    assert [r[1] for r in cells(data)[1:3]] == ["-1.5", "-1.5"]
    assert {"dl_csv", "dl_parquet", "dl_xlsx"} <= set(offered_files)


def test_workbench_offers_excel_only_under_the_cell_limit(app_env, offered_files, monkeypatch):
    monkeypatch.setenv("TRIBOROUGH_EXCEL_MAX_CELLS", "100")
    at = _workbench("select range as a, range * 2 as b from range(60)")
    assert "dl_xlsx" not in offered_files and {"dl_csv", "dl_parquet"} <= set(offered_files)
    assert any(c.value.startswith("No Excel download: Excel is offered for results up to 100 "
                                  "cells; this one has 120 (60 rows × 2 columns)")
               for c in at.caption)


def test_the_grids_own_csv_export_is_switched_off():
    """A table's built-in 'Download as CSV' would bypass the neutralising and the budget."""
    import tomllib

    from triborough.settings import PROJECT_ROOT

    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["disableDataExport"] is True
