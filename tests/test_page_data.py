"""The Data and sources page: catalogue, tables, gaps, and loading an extract from the browser."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from triborough.settings import PROJECT_ROOT, get_settings

PAGE = "../pages/data.py"
SAMPLES = PROJECT_ROOT / "data" / "samples"
MALFORMED = Path(__file__).parent / "malformed"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _frames(at: AppTest) -> dict[str, object]:
    """Dataframes by the first column's name (stable across layout changes)."""
    return {d.value.columns[0]: d.value for d in at.dataframe}


@pytest.fixture
def page(app_env) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run(timeout=60)
    return at


@pytest.fixture
def private_warehouse(app_env, tmp_path, monkeypatch) -> Path:
    """Loads go into a copy: the session's warehouse is shared by every test."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(app_env, copy)
    monkeypatch.setenv("TRIBOROUGH_WAREHOUSE_PATH", str(copy))
    get_settings.cache_clear()
    return copy


def test_page_shows_catalogue_tables_and_gaps(page):
    assert not page.exception
    frames = _frames(page)
    catalogue = frames["name"]
    assert catalogue.shape[0] >= 60
    figures = dict(zip(catalogue["code"], catalogue["figures"], strict=True))
    assert figures["savings_delivered_gbp_m"] == "illustrative"
    assert figures["cla_at_31_march"] == "published"
    cla = catalogue[catalogue["code"] == "cla_at_31_march"].iloc[0]
    assert (cla["first_period"], cla["last_period"]) == ("2009-10", "2024-25")

    tables = frames["table_name"]
    assert {"fact_metric", "case_events", "savings_ledger", "meta_load"} <= set(
        tables["table_name"])
    events = tables[tables["table_name"] == "case_events"].iloc[0]
    assert events["rows"] > 100_000 and events["status"] == "illustrative"

    assert any("Illustrative figures" in w.value for w in page.warning)
    status = frames["table"]
    assert list(status.columns) == [
        "table", "Westminster", "Hammersmith and Fulham", "Kensington and Chelsea"]
    assert set(status["Westminster"]) == {"illustrative"}

    grid = frames["metric"].set_index("code")
    # 31 March 2018 (2017-18) comes from DfE's 2022 release: no gap now.
    assert grid.loc["cla_at_31_march", "2017"] == "✓"
    assert grid.loc["cla_at_31_march", "gap years"] == 0
    # Oflog's carers' quality of life is a survey every other year: 2017-18 is a gap.
    assert grid.loc["asc_carer_qol", "2017"] == "gap"
    assert grid.loc["asc_carer_qol", "2016"] == "✓"
    captions = " ".join(c.value for c in page.caption)
    assert "never filled in" in captions


def test_domain_filter_narrows_the_catalogue(page):
    page.selectbox(key="data_domain").set_value("it").run(timeout=60)
    assert not page.exception
    catalogue = _frames(page)["name"]
    assert set(catalogue["domain"]) == {"it"}
    assert set(catalogue["figures"]) == {"illustrative"}


def test_buttons_without_a_file_ask_for_one(page):
    page.button(key="upload_validate").click().run(timeout=60)
    assert any("Choose a file" in i.value for i in page.info)


def _check(page: AppTest, name: str) -> None:
    """Choose the malformed file ``name`` and press Check the file."""
    data = (MALFORMED / name).read_bytes()
    page.file_uploader(key="upload_file").set_value((name, data, "text/csv"))
    page.button(key="upload_validate").click().run(timeout=60)
    assert not page.exception


def test_checking_a_bad_file_lists_every_problem(page, app_env):
    before = _sha(app_env)
    _check(page, "many_problems.csv")
    assert any("problem(s); nothing was loaded" in e.value for e in page.error)
    errors = _frames(page)["line"]
    assert len(errors) == 200
    first = errors.iloc[0]
    assert (first["line"], first["column"], first["rule"]) == (2, "open_cases", "negative value")
    assert _sha(app_env) == before


def test_checking_a_good_file_loads_nothing(page, app_env):
    before = _sha(app_env)
    data = (SAMPLES / "savings_ledger.csv").read_bytes()
    page.file_uploader(key="upload_file").set_value(("savings_ledger.csv", data, "text/csv"))
    page.button(key="upload_validate").click().run(timeout=60)
    assert any("10 rows pass every check" in s.value for s in page.success)
    assert _sha(app_env) == before


def test_loading_a_file_changes_what_the_page_shows(private_warehouse):
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run(timeout=60)
    before = _sha(private_warehouse)
    status = _frames(at)["table"].set_index("table")
    assert status.loc["caseload_monthly", "Hammersmith and Fulham"] == "illustrative"

    data = (SAMPLES / "caseload_monthly.csv").read_bytes()
    at.file_uploader(key="upload_file").set_value(("caseload_monthly.csv", data, "text/csv"))
    at.selectbox(key="upload_table").set_value("caseload_monthly")
    at.button(key="upload_load").click().run(timeout=60)
    assert not at.exception
    assert any("12 rows loaded into caseload_monthly" in s.value for s in at.success)
    assert _sha(private_warehouse) != before

    # The same run shows the new warehouse: no restart, no manual cache clearing.
    frames = _frames(at)
    status = frames["table"].set_index("table")
    assert status.loc["caseload_monthly", "Hammersmith and Fulham"].startswith("mixed (12 of")
    assert status.loc["caseload_monthly", "Westminster"] == "illustrative"
    tables = frames["table_name"].set_index("table_name")
    assert tables.loc["caseload_monthly", "last_file"] == "caseload_monthly.csv"
    latest = [d.value for d in at.dataframe if "sha256" in d.value.columns][0].iloc[0]
    assert (latest["file"], latest["source"]) == ("caseload_monthly.csv", "council extract")

    # Loading it again is a no-op.
    after = _sha(private_warehouse)
    at.button(key="upload_load").click().run(timeout=60)
    assert any("already loaded" in s.value for s in at.success)
    assert _sha(private_warehouse) == after


def test_a_bad_load_loads_nothing(private_warehouse):
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run(timeout=60)
    before = _sha(private_warehouse)
    data = (MALFORMED / "unknown_borough.csv").read_bytes()
    at.file_uploader(key="upload_file").set_value(("unknown_borough.csv", data, "text/csv"))
    at.button(key="upload_load").click().run(timeout=60)
    assert any("nothing was loaded" in e.value for e in at.error)
    row = _frames(at)["line"].iloc[0]
    assert (row["line"], row["column"], row["rule"]) == (2, "borough_code", "unknown borough")
    assert _sha(private_warehouse) == before


def test_a_header_problem_shows_the_header_expected(page, app_env):
    from triborough.model.contracts import CONTRACT_BY_NAME

    before = _sha(app_env)
    _check(page, "missing_column.csv")
    assert _frames(page)["line"].iloc[0]["rule"] == "missing column"
    expected = _frames(page)["table"]
    assert expected.to_dict("records") == [{
        "table": "caseload_monthly",
        "expected header": ",".join(CONTRACT_BY_NAME["caseload_monthly"].column_names),
        "required": ", ".join(CONTRACT_BY_NAME["caseload_monthly"].required_columns),
    }]
    assert _sha(app_env) == before


def test_a_template_is_offered_for_the_table_chosen(page):
    assert not [b for b in page.get("download_button") if b.key == "upload_template"]
    page.selectbox(key="upload_table").set_value("contracts").run(timeout=60)
    [button] = [b for b in page.get("download_button") if b.key == "upload_template"]
    assert "template" in button.label.lower()
    assert any("contract_id,borough_code" in m.value for m in page.markdown)
