"""`triborough effect` as an analyst scripts it: the JSON it prints and the input it refuses."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import polars as pl
import pytest
from pagetest import altered_warehouse

from triborough.cli import main
from triborough.model.real_terms import deflate
from triborough.read.connection import connect_readonly
from triborough.views.effect import did, make_panel
from triborough.views.effect_data import load_panel

KEYS = {"method", "effect", "ci_low", "ci_high", "p_value", "n_donors", "pre_periods",
        "post_periods"}


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["effect", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def panel_csv(tmp_path: Path) -> Path:
    """A 2x2 panel worked by hand: the treated area rises by 11, 24 donors by 3 on average
    (3 plus deviations that cancel), so the effect is 8."""
    rows: dict[str, list[float]] = {"T": [10, 11, 20, 23]}
    for i in range(24):
        e = (i - 11.5) / 10  # -1.15 ... 1.15, summing to zero
        rows[f"D{i:02d}"] = [i, i + 1, i + 3 + e, i + 4 + e]
    frame = pl.DataFrame(
        [(a, p, v) for a, vs in rows.items()
         for p, v in zip(["2009-10", "2010-11", "2011-12", "2012-13"], vs, strict=True)],
        schema=["area_code", "period", "value"], orient="row",
    )
    path = tmp_path / "panel.csv"
    frame.write_csv(path)
    return path


@pytest.mark.parametrize("method", ["did", "synth"])
def test_panel_json_has_the_documented_fields(capsys, panel_csv, method):
    code, out, _ = run(capsys, "--panel", str(panel_csv), "--treated", "T",
                       "--first-treated", "2011-12", "--method", method, "--json")
    assert code == 0
    result = json.loads(out)
    assert set(result) >= KEYS
    assert result["method"] == method
    assert (result["n_donors"], result["pre_periods"], result["post_periods"]) == (24, 2, 2)
    assert result["ci_low"] <= result["effect"] <= result["ci_high"]
    # One treated area, 24 donors: 25 assignments, and none of the placebos comes near 8.
    assert result["p_value"] == pytest.approx(1 / 25)


def test_did_from_the_command_line_is_the_hand_worked_figure(capsys, panel_csv):
    code, out, _ = run(capsys, "--panel", str(panel_csv), "--treated", "T",
                       "--first-treated", "2011-12", "--json")
    assert code == 0 and json.loads(out)["effect"] == pytest.approx(8.0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--treated", "X,T", "--first-treated", "2011-12"], "treated area(s) X have no figures"),
        (["--treated", "T", "--first-treated", "2010-11"], "at least two periods before 2010-11"),
        (["--treated", "T", "--first-treated", "2011"], "sort as text"),
        (["--treated", "T"], "--first-treated"),
        (["--treated", "T", "--first-treated", "2011-12", "--real"], "--panel takes"),
    ],
)
def test_bad_panel_input_exits_2_with_the_reason(capsys, panel_csv, args, message):
    code, out, err = run(capsys, "--panel", str(panel_csv), *args, "--json")
    assert code == 2 and out == ""
    assert message in err


def test_unsortable_periods_and_bad_files_exit_2(capsys, tmp_path):
    odd = tmp_path / "odd.csv"
    odd.write_text("area_code,period,value\nT,Sep 2017,1\nT,Mar 2018,2\nA,Sep 2017,1\n")
    code, _, err = run(capsys, "--panel", str(odd), "--treated", "T", "--first-treated",
                       "Mar 2018")
    assert code == 2 and "'Mar 2018'" in err and "sort as text" in err
    words = tmp_path / "words.csv"
    words.write_text("area_code,period,value\nT,2010,one\n")
    code, _, err = run(capsys, "--panel", str(words), "--treated", "T", "--first-treated",
                       "2011")
    assert code == 2 and "value column must hold numbers" in err
    code, _, err = run(capsys, "--panel", str(tmp_path / "nope.csv"), "--treated", "T",
                       "--first-treated", "2011")
    assert code == 2 and "panel file not found" in err


def test_metric_json_on_the_real_series(capsys, built_warehouse):
    code, out, _ = run(capsys, "--metric", "cla_per_10000_children", "--warehouse",
                       str(built_warehouse), "--json")
    assert code == 0
    result = json.loads(out)
    assert set(result) >= KEYS
    assert (result["metric"], result["comparison"], result["event"]) == (
        "cla_per_10000_children", "london", "sharing")
    assert result["n_donors"] == 29 and result["placebo_sets"] == 3654


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--metric", "no_such_metric"], "unknown metric code 'no_such_metric'"),
        (["--metric", "spend_ph_adult_social_care"],
         "at least two periods before 2011-12; the panel has 0"),
        (["--metric", "rereferral_pct"],
         "at least two periods before 2011-12; the panel has 1 (2010-11)"),
        (["--metric", "cla_per_10000_children", "--real"], "is not money"),
        (["--metric", "cla_per_10000_children", "--treated", "X"], "go with --panel"),
    ],
)
def test_bad_metric_input_exits_2_with_the_reason(capsys, built_warehouse, args, message):
    code, out, err = run(capsys, *args, "--warehouse", str(built_warehouse), "--json")
    assert code == 2 and out == ""
    assert message in err


def test_real_terms_without_a_deflator_exit_2_with_the_reason(
    capsys, built_warehouse, tmp_path, monkeypatch
):
    path = altered_warehouse(built_warehouse, tmp_path, monkeypatch,
                             ("drop table gdp_deflator", {}))
    code, out, err = run(capsys, "--metric", "spend_ph_adult_social_care", "--event", "split",
                         "--real", "--warehouse", str(path), "--json")
    assert code == 2 and out == ""
    assert "no gdp_deflator table" in err


def test_real_terms_with_a_year_the_deflator_lacks_exit_2_naming_it(
    capsys, built_warehouse, tmp_path, monkeypatch
):
    path = altered_warehouse(built_warehouse, tmp_path, monkeypatch,
                             ("delete from gdp_deflator where period = '2008-09'", {}))
    code, out, err = run(capsys, "--metric", "spend_ph_social_care", "--real",
                         "--warehouse", str(path), "--json")
    assert code == 2 and out == ""
    assert "the GDP deflator has no figure for 2008-09" in err


def test_real_terms_are_in_2024_25_prices_by_the_warehouse_deflator(capsys, built_warehouse):
    code, out, _ = run(capsys, "--metric", "spend_ph_social_care", "--real",
                       "--warehouse", str(built_warehouse), "--json")
    assert code == 0
    result = json.loads(out)
    assert result["prices"] == ("2024-25 prices (GDP deflator, HM Treasury GDP deflators, "
                                "March 2026 (2024-25 = 100))")
    ro = connect_readonly(built_warehouse)
    try:
        cash = load_panel(ro, "spend_ph_social_care").panel
        deflators = ro.sql("select period, deflator from gdp_deflator").pl()
    finally:
        ro.close()
    by_hand = deflate(cash.frame, deflators)
    expected = did(make_panel(by_hand, cash.treated, cash.first_treated, cash.donors),
                   event_study=False).effect
    assert result["effect"] == pytest.approx(expected, abs=1e-6)


def test_real_terms_use_the_deflator_when_the_warehouse_has_one(
    capsys, built_warehouse, tmp_path, monkeypatch
):
    periods = [f"{y}-{(y + 1) % 100:02d}" for y in range(2007, 2025)]
    # A made-up deflator for the test only, in place of the warehouse's: prices double from
    # 2018-19.
    rows = [(p, 50.0 if p < "2018-19" else 100.0, "test release") for p in periods]
    path = altered_warehouse(
        built_warehouse, tmp_path, monkeypatch,
        ("drop table gdp_deflator", {}),
        ("create table gdp_deflator (period varchar, deflator double, release varchar)", {}),
    )
    con = duckdb.connect(str(path))
    con.executemany("insert into gdp_deflator values (?, ?, ?)", rows)
    con.close()
    code, out, _ = run(capsys, "--metric", "spend_ph_adult_social_care", "--event", "split",
                       "--real", "--warehouse", str(path), "--json")
    assert code == 0
    result = json.loads(out)
    assert result["prices"] == "2024-25 prices (GDP deflator, test release)"
    ro = connect_readonly(path)
    try:
        cash = load_panel(ro, "spend_ph_adult_social_care", event="split").panel
    finally:
        ro.close()
    by_hand = cash.frame.with_columns(
        pl.when(pl.col("period") < "2018-19").then(pl.col("value") * 2)
        .otherwise(pl.col("value")).alias("value"))
    expected = did(make_panel(by_hand, cash.treated, cash.first_treated, cash.donors),
                   event_study=False).effect
    assert result["effect"] == pytest.approx(expected, abs=1e-6)


def test_text_output_says_when_too_few_placebo_sets_allow_an_interval(capsys, tmp_path):
    path = tmp_path / "few.csv"
    path.write_text("area_code,period,value\n" + "".join(
        f"{a},{p},{v}\n" for a, vs in {"T": [1, 2, 9], "A": [1, 2, 3], "B": [2, 3, 4]}.items()
        for p, v in zip(["2009", "2010", "2011"], vs, strict=True)))
    code, out, _ = run(capsys, "--panel", str(path), "--treated", "T", "--first-treated", "2011")
    assert code == 0
    assert out.startswith("did: effect 6 (no finite 95% interval: too few placebo sets), "
                          "p = 0.333")
