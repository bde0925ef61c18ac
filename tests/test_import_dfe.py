"""DfE importer: exact published figures for the three boroughs, gaps, codes, failure modes."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest
from importtest import read_rows, run_once

from triborough.importers import dfe
from triborough.importers.common import ImportError_
from triborough.model.catalogue import METRIC_BY_CODE

WCC, HF, KC = "E09000033", "E09000013", "E09000020"
FACT_FILES = ("fact_dfe_cin.csv", "fact_dfe_cla.csv", "fact_dfe_csww.csv")
OUTPUTS = (*FACT_FILES, "neighbours_dfe.csv")


out_dir = run_once(dfe, "dfe")


@pytest.fixture(scope="module")
def facts(out_dir: Path) -> dict[tuple[str, str, str], dict[str, str]]:
    rows = [r for name in FACT_FILES for r in read_rows(out_dir / name)]
    return {(r["area_code"], r["metric_code"], r["period"]): r for r in rows}


def _value(facts: dict, area: str, metric: str, period: str) -> float:
    return float(facts[(area, metric, period)]["value"])


def test_run_reports_each_file(raw_dir: Path, tmp_path: Path) -> None:
    written = dfe.run(raw_dir, tmp_path)
    assert [w.file for w in written] == list(OUTPUTS)
    assert [w.source_id for w in written] == ["dfe_cin", "dfe_cla", "dfe_csww", "dfe_sn"]
    for w in written:
        assert w.rows == len(read_rows(tmp_path / w.file)) > 0
    assert written[0].periods.startswith("2009-10 to 2024-25")
    assert written[2].periods == "Sep 2017 to Sep 2025"


def test_children_in_need_published_figures(facts: dict) -> None:
    # b1_children_in_need_2013_to_2025.csv line 147: Westminster 2025 At31_episodes 1280
    assert _value(facts, WCC, "cin_at_31_march", "2024-25") == 1280
    # c1_...referrals_and_rereferrals_2013_to_2025.csv line 302: H&F 2024 1578 referrals,
    # 203 re-referrals, 12.9%
    row = facts[(HF, "rereferral_pct", "2023-24")]
    assert (row["value"], row["numerator"], row["denominator"]) == ("12.9", "203", "1578")
    assert _value(facts, HF, "referrals", "2023-24") == 1578
    # d3_cpps_subsequent_plan_2013_to_2025.csv line 147: Westminster 2025 119 plans, 7.6%
    assert _value(facts, WCC, "cpp_starts", "2024-25") == 119
    assert _value(facts, WCC, "cpp_subsequent_pct", "2024-25") == 7.6
    # ons_mye_children_0_17: Westminster mid-2024 29,834 children
    assert _value(facts, WCC, "pop_0_17", "mid-2024") == 29834


def test_cin_rate_uses_previous_mid_year(facts: dict) -> None:
    row = facts[(WCC, "cin_rate_per_10000", "2024-25")]
    assert float(row["numerator"]) == 1280
    assert float(row["denominator"]) == 29834  # mid-2024, not mid-2025
    assert float(row["value"]) == 429.0  # 1280 / 29834 * 10000 = 429.04
    # DfE's own 2022 England rate was 343.7 (404,310 / mid-2021 estimate).
    assert _value(facts, "E92000001", "cin_rate_per_10000", "2021-22") == 343.7


def test_children_looked_after_published_figures(facts: dict) -> None:
    # cla_at_31_march_2010_2025_long.csv line 1702: K&C 2010 = 156 (SFR27/2010)
    assert _value(facts, KC, "cla_at_31_march", "2009-10") == 156
    # cla_number_and_rate_per_10k_children.csv: Westminster 2025 186, rate 62
    assert _value(facts, WCC, "cla_at_31_march", "2024-25") == 186
    assert _value(facts, WCC, "cla_rate_per_10000", "2024-25") == 62
    # The 2025 release revised H&F 2023 (line 1416: 208, rate 65); the long file has 212, 67.
    assert _value(facts, HF, "cla_at_31_march", "2022-23") == 208
    assert _value(facts, HF, "cla_rate_per_10000", "2022-23") == 65
    # Derived for SFR years: Westminster 2013 188 / mid-2012 36,284 * 10000 = 51.8 -> 52
    row = facts[(WCC, "cla_rate_per_10000", "2012-13")]
    assert (float(row["value"]), float(row["numerator"]), float(row["denominator"])) == (
        52, 188, 36284)
    # la_cla_placement_stability.csv line 889: Westminster 2025 18 children, 10%, of 186
    row = facts[(WCC, "placements_3plus_pct", "2024-25")]
    assert (row["value"], row["numerator"], row["denominator"]) == ("10", "18", "186")


def test_cla_sources_disagreement_is_known(raw_dir: Path) -> None:
    diffs = dfe.cla_discrepancies(raw_dir)
    assert (2023, HF, "212", "208", "67", "65") in diffs
    assert {year for year, *_ in diffs} <= {2021, 2022, 2023}


@pytest.mark.parametrize(
    ("code", "metric", "expected"),
    [
        # dfe_cla_2018/cla_number_and_rate_per_10k_children_2018_to_2022.csv line 2463
        # (Westminster, 2018, 'Children looked after at 31 March each year'): 204, rate 45
        (WCC, "cla_at_31_march", "204"),
        (WCC, "cla_rate_per_10000", "45"),
        # line 2433 (Hammersmith and Fulham): 226 (the first release, CLA2018.csv, had 230)
        (HF, "cla_at_31_march", "226"),
        (HF, "cla_rate_per_10000", "63"),
        # K&C 85 (first release 87), rate 30; line 2019, England: 75,360, rate 64
        ("E09000020", "cla_at_31_march", "85"),
        ("E92000001", "cla_at_31_march", "75360"),
        ("E92000001", "cla_rate_per_10000", "64"),
    ],
)
def test_cla_2018_from_the_2022_release(facts: dict, code, metric, expected) -> None:
    assert facts[(code, metric, "2017-18")]["value"] == expected
    assert (WCC, "cla_at_31_march", "2016-17") in facts
    assert (WCC, "cla_at_31_march", "2018-19") in facts


def test_workforce_published_figures(facts: dict) -> None:
    # csww_indicators_2017_to_2025.csv lines 299, 302, 309: turnover_rate_fte 2024
    assert _value(facts, WCC, "sw_turnover_pct", "Sep 2024") == 16.7
    assert _value(facts, HF, "sw_turnover_pct", "Sep 2024") == 13.8
    assert _value(facts, KC, "sw_turnover_pct", "Sep 2024") == 11.5
    row = facts[(HF, "sw_turnover_pct", "Sep 2024")]
    assert (row["numerator"], row["denominator"], row["period_end"]) == (
        "21.3", "153.9", "2024-09-30")
    assert _value(facts, HF, "sw_caseload", "Sep 2024") == 13


def test_suppressed_markers_are_gaps_not_zero(facts: dict) -> None:
    # Cumberland at 31 March 2023 (cla_number_and_rate...csv): count and rate are 'z' (the
    # council did not exist yet): no row, never a zero.
    assert ("E06000063", "cla_at_31_march", "2022-23") not in facts
    assert ("E06000063", "cla_rate_per_10000", "2022-23") not in facts
    assert _value(facts, "E06000063", "cla_at_31_march", "2024-25") not in ("", "0", None)
    # Westminster Sep 2024 agency_fte and agency_rate_fte are both 'x': no row at all.
    assert (WCC, "sw_agency_pct", "Sep 2024") not in facts
    assert (WCC, "sw_turnover_pct", "Sep 2024") in facts
    # K&C 2025 "same carer 2+ years" is 'c' in count and percent: no row.
    assert (KC, "placement_same_2yrs_pct", "2024-25") not in facts
    assert (KC, "placements_3plus_pct", "2024-25") in facts


def test_fact_files_are_well_formed(out_dir: Path) -> None:
    for name in FACT_FILES:
        rows = read_rows(out_dir / name)
        keys = [(r["area_code"], r["metric_code"], r["period"]) for r in rows]
        assert len(keys) == len(set(keys)), name
        assert {r["metric_code"] for r in rows} <= set(METRIC_BY_CODE), name
        assert all(re.fullmatch(r"E\d{8}", r["area_code"]) for r in rows), name
        assert all(r["value"] or r["numerator"] for r in rows), name
        areas = {r["area_code"] for r in rows}
        assert {WCC, HF, KC, "E92000001", "E12000007"} <= areas, name


def test_neighbours(out_dir: Path) -> None:
    rows = read_rows(out_dir / "neighbours_dfe.csv")
    assert all(re.fullmatch(r"E\d{8}", r["area_code"]) for r in rows)
    assert all(re.fullmatch(r"E\d{8}", r["neighbour_code"]) for r in rows)
    by_key = {(r["area_code"], r["group_id"], r["rank"]): r for r in rows}
    assert len(by_key) == len(rows)
    # sn_model_2025_wide.csv: Westminster SN_1 = 202 (Camden), "Close " -> "Close"
    assert by_key[(WCC, "dfe_sn_2025", "1")]["neighbour_code"] == "E09000007"
    assert by_key[(WCC, "dfe_sn_2025", "1")]["closeness"] == "Close"
    # New_Statistical_Neighbour_Groupings_April_2021.csv: H&F SN1 = 212 (Wandsworth), Very Close
    assert by_key[(HF, "dfe_sn_2021", "1")]["neighbour_code"] == "E09000032"
    assert by_key[(HF, "dfe_sn_2021", "1")]["closeness"] == "Very close"
    for borough in (WCC, HF, KC):
        for group in ("dfe_sn_2021", "dfe_sn_2025"):
            assert sorted(int(r["rank"]) for r in rows
                          if r["area_code"] == borough and r["group_id"] == group) == list(
                range(1, 11))


def _writable_copy(raw_dir: Path, tmp_path: Path) -> Path:
    """The raw folders this importer reads, copied file by file (the originals are read-only).

    The ONS area list (population files, DfE regions, the reference register) comes too, since
    rows are kept only for areas in it.
    """
    raw = tmp_path / "raw"
    for sub in dict.fromkeys((dfe.SUBDIR, dfe.CLA_2018_SUBDIR, dfe.CIN_EARLY_SUBDIR,
                              "ons_mid_year_estimates",
                              "reference")):
        (raw / sub).mkdir(parents=True)
        for f in (raw_dir / sub).iterdir():
            shutil.copyfile(f, raw / sub / f.name)
    return raw


def _copy_without_column(raw_dir: Path, tmp_path: Path, name: str, column: str) -> Path:
    raw = _writable_copy(raw_dir, tmp_path)
    path = raw / dfe.SUBDIR / name
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, [c for c in rows[0] if c != column], extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return raw


def test_missing_column_names_file_and_column(raw_dir: Path, tmp_path: Path) -> None:
    raw = _copy_without_column(raw_dir, tmp_path, dfe.CIN_FILE, "At31_episodes")
    with pytest.raises(ImportError_, match=rf"{dfe.CIN_FILE}.*At31_episodes"):
        dfe.run(raw, tmp_path / "out")


def test_missing_borough_fails(raw_dir: Path, tmp_path: Path) -> None:
    raw = _writable_copy(raw_dir, tmp_path)
    path = raw / dfe.SUBDIR / dfe.CSWW_FILE
    lines = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    path.write_text("".join(line for line in lines if ",E09000020," not in line),
                    encoding="utf-8")
    with pytest.raises(ImportError_, match="Kensington and Chelsea"):
        dfe.run(raw, tmp_path / "out")


def test_committed_extracts_match_a_fresh_run(out_dir: Path, public_dir: Path) -> None:
    for name in OUTPUTS:
        committed = public_dir / name
        assert committed.exists(), f"{name} is not in data/public; run the importer"
        assert committed.read_bytes() == (out_dir / name).read_bytes(), (
            f"data/public/{name} differs from a fresh run of triborough.importers.dfe")


@pytest.mark.parametrize(
    ("code", "metric", "period", "expected"),
    [
        # dfe_cin_2010_to_2013/osr28-2010ud.csv line 15 (LA 213, Westminster): CINAt310310
        # "2,494", CINRatePer10K 712.1, Referrals0910 "2,868"
        (WCC, "cin_at_31_march", "2009-10", "2494"),
        (WCC, "cin_rate_per_10000", "2009-10", "712.1"),
        (WCC, "referrals", "2009-10", "2868"),
        # osr28-2010ud.csv line 2 (National): "375,900", rate 341
        ("E92000001", "cin_at_31_march", "2009-10", "375900"),
        ("E92000001", "cin_rate_per_10000", "2009-10", "341"),
        # osr26-2011ud.csv line 15: CINAt310311 "2,266", %ReferralsWithin12mths1011 21.8
        (WCC, "cin_at_31_march", "2010-11", "2266"),
        (WCC, "rereferral_pct", "2010-11", "21.8"),
        # SFR27-2012ud.csv line 15: CINAt310312 2306, CINAt310312RatePer10k 639.3,
        # Referrals1112 2064
        (WCC, "cin_at_31_march", "2011-12", "2306"),
        (WCC, "cin_rate_per_10000", "2011-12", "639.3"),
        (WCC, "referrals", "2011-12", "2064"),
    ],
)
def test_children_in_need_before_2013(facts: dict, code, metric, period, expected) -> None:
    assert facts[(code, metric, period)]["value"] == expected


def test_cin_2013_census_file_agrees_with_the_series(raw_dir: Path, facts: dict) -> None:
    """SFR45-2013ud.csv (the 2013 census file) and the 2013+ series: the boroughs' children in
    need at 31 March 2013 are the same; England's is rounded to the hundred in the old file."""
    rows = dfe.read_cin_early_file(raw_dir, dfe.CIN_2013_FILE, ("CINAt310313",))
    old = {code: r["CINAt310313"] for code, r in rows}
    for code in (WCC, HF, "E09000020"):
        assert float(old[code].replace(",", "")) == _value(
            facts, code, "cin_at_31_march", "2012-13"), code
    england = _value(facts, "E92000001", "cin_at_31_march", "2012-13")
    assert abs(float(old["E92000001"].replace(",", "")) - england) <= 600
