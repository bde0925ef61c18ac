"""MHCLG revenue outturn importer: column mapping, codes, gaps, stable extracts."""

from __future__ import annotations

import csv
import re
from dataclasses import replace
from pathlib import Path

import pytest
from importtest import read_rows

from triborough.importers import mhclg
from triborough.importers.common import FACT_COLUMNS, ImportError_, parse_number
from triborough.model.boroughs import BOROUGHS
from triborough.model.catalogue import METRIC_BY_CODE, SPEND_SERVICES

DERIVED = "rs_revenue_outturn_long_2010_2025.csv"


@pytest.fixture(scope="module")
def out(raw_dir, tmp_path_factory) -> tuple[Path, list]:
    """One fresh run of the importer into a temporary folder."""
    folder = tmp_path_factory.mktemp("mhclg")
    return folder, mhclg.run(raw_dir, folder)


@pytest.fixture(scope="module")
def spend(out) -> dict[tuple[str, str, str], str]:
    rows = read_rows(out[0] / "spend_by_service.csv")
    return {(r["area_code"], r["period"], r["service"]): r["net_expenditure_gbp_k"] for r in rows}


@pytest.fixture(scope="module")
def facts(out) -> dict[tuple[str, str, str], str]:
    rows = read_rows(out[0] / "fact_mhclg_outturn.csv")
    return {(r["area_code"], r["metric_code"], r["period"]): r["value"] for r in rows}


@pytest.mark.parametrize(
    ("code", "period", "service", "expected", "where"),
    [
        # rs_revenue_outturn_summary_2014_15.csv line 334 (E5022), column "Adult Social Care"
        ("E09000033", "2014-15", "adult_social_care", "68932", "Westminster"),
        # rsx_service_expenditure_summary_2023_24.csv line 146 (E5014),
        # "Children Social Care - Net Current Expenditure (C7 = C3 - C6)"
        ("E09000013", "2023-24", "childrens_social_care", "60166", "H&F"),
        # rs_revenue_outturn_summary_2010_11.csv line 328 (E5016), "Cultural and related services"
        ("E09000020", "2010-11", "cultural_related", "14935", "K&C"),
        # rs_revenue_outturn_summary_2010_11.csv line 334 (E5022), "Social care"
        ("E09000033", "2010-11", "social_care_combined", "138389", "Westminster"),
        # mhclg_rs_all_years/rs2007_08.xls, sheet "Net current expenditure (col 1)", row 372
        # (E5022), "Social care"
        ("E09000033", "2007-08", "social_care_combined", "125390", "Westminster"),
        # rs2008_09.xls, same sheet, row 372 (E5022), "Social care"
        ("E09000033", "2008-09", "social_care_combined", "132220", "Westminster"),
        # rs2009_10.xls, sheet "RS LA Data 2009-10 (1)", row 337 (E5022), "Social care"
        ("E09000033", "2009-10", "social_care_combined", "145493", "Westminster"),
        # rs2015_16__RS_LA_Data_2015-16.csv line 340 (E5022), "Adult Social Care"
        ("E09000033", "2015-16", "adult_social_care", "66550.47013999999", "Westminster"),
        # same file line 334 (E5016), "Adult Social Care"
        ("E09000020", "2015-16", "adult_social_care", "45744", "K&C"),
        # same file line 332 (E5014), "Adult Social Care"
        ("E09000013", "2015-16", "adult_social_care", "57618", "H&F"),
        # rs2018_19__RS_LA_Data_2018-19.csv line 67 (E5022), "Children Social Care"
        ("E09000033", "2018-19", "childrens_social_care", "37706.27103773938", "Westminster"),
        # rs2021_22__RS_LA_Data_2021-22.csv line 421 (E5022), "Adult Social Care"
        ("E09000033", "2021-22", "adult_social_care", "82459", "Westminster"),
        # rs2022_23__RS_LA_Data_2022-23.csv line 326 (E5022), "Cultural and related services"
        ("E09000033", "2022-23", "cultural_related", "10245", "Westminster"),
        # rs2023_24__RS_LA_Data_2023-24.csv line 22 (E5030): RSX 2023-24 has "[x]" for Barking
        # and Dagenham, so the RS copy of 12 December 2024 fills the council-year.
        ("E09000002", "2023-24", "adult_social_care", "77032", "Barking and Dagenham"),
    ],
)
def test_published_spend(spend, facts, code, period, service, expected, where):
    assert spend[(code, period, service)] == expected, where
    assert facts[(code, f"nce_{service}", period)] == expected, where


@pytest.mark.parametrize(
    ("code", "metric", "period", "expected", "where"),
    [
        # rs_revenue_outturn_summary_2010_11.csv line 334 (E5022),
        # "COUNCIL TAX REQUIREMENT (TOTAL OF LINES 830 TO 880)"
        ("E09000033", "council_tax_requirement", "2010-11", "48987", "Westminster"),
        # rs_revenue_outturn_summary_2017_18.csv line 8 (E5016),
        # "890: COUNCIL TAX REQUIREMENT (total of lines 905 to 980)"
        ("E09000020", "council_tax_requirement", "2017-18", "76381", "K&C"),
        # rs_revenue_outturn_summary_2014_15.csv line 334, "Unallocated financial reserves level"
        ("E09000033", "unallocated_reserves", "2014-15", "35296", "Westminster"),
    ],
)
def test_published_rs_lines(facts, code, metric, period, expected, where):
    assert facts[(code, metric, period)] == expected, where


def test_service_lines_by_year(spend):
    services = {}
    for code, period, service in spend:
        if code == "E09000033":
            services.setdefault(period, set()).add(service)
    assert "social_care_combined" in services["2010-11"]
    assert not {"childrens_social_care", "adult_social_care"} & services["2010-11"]
    assert "social_care_combined" not in services["2011-12"]
    assert "public_health" not in services["2012-13"]
    assert "public_health" in services["2013-14"]
    assert "social_care_combined" in services["2007-08"]
    assert "public_health" in services["2015-16"]
    assert sorted(services) == [f"{y}-{(y + 1) % 100:02d}" for y in range(2007, 2025)]


def test_every_london_borough_has_every_year(spend, raw_dir):
    """No hole from 2007-08 to 2024-25 for any London borough: one social care line to
    2010-11, children's and adults' apart from 2011-12."""
    years = [f"{y}-{(y + 1) % 100:02d}" for y in range(2007, 2025)]
    london = [a["area_code"] for a in mhclg.ons.read_areas(raw_dir) if a["is_london"] == "true"]
    assert len(london) == 33
    for code in london:
        for period in years:
            assert (code, period, "total_service_expenditure") in spend, (code, period)
            lines = (("social_care_combined",) if period < "2011-12"
                     else ("childrens_social_care", "adult_social_care"))
            for line in lines:
                assert (code, period, line) in spend, (code, period, line)


def test_two_copies_of_a_year_agree(raw_dir):
    """Where two files hold a year, the kept one and the second copy agree for the boroughs:
    2017-18 line for line; 2023-24 in total (the later RS moved spending between lines)."""
    kept = mhclg.read_outturn(raw_dir, mhclg.FILES).values
    for spec in mhclg.SECOND_COPIES:
        second = mhclg.read_outturn(raw_dir, (replace(spec, fills_gaps=False),)).values
        for borough in BOROUGHS:
            keys = [k for k in second if k[0] == borough.code and k in kept]
            assert len(keys) >= 12, (spec.name, borough.name)
            for key in keys:
                if spec.start_year == 2017:
                    assert second[key] == pytest.approx(kept[key], abs=0.01), key
            total = (borough.code, spec.start_year, "total_service_expenditure")
            assert second[total] == pytest.approx(kept[total], abs=5), total


RSX_FOLDER = Path("mhclg_rsx_2021_22_2022_23")
# RSX 2021-22 heads its environmental and regulatory column "Net Current Expenditure" with no
# service name, so that line cannot be matched in that copy.
_RSX_2021_LINES = tuple(s for s in mhclg._WITH_HEALTH if s != "environmental_regulatory")
RSX_COPIES = {
    2021: (
        mhclg.OutturnFile("RSX_2021-22_data_by_LA_Live.csv", 2021, "rsx", _RSX_2021_LINES,
                          RSX_FOLDER, None, False),
        "rs2021_22__RS_LA_Data_2021-22.csv",
    ),
    2022: (
        mhclg.OutturnFile("RSX_2022-23_data_by_LA__RSX_LA_Data_2022-23.csv", 2022, "rsx",
                          mhclg._WITH_HEALTH, RSX_FOLDER, None, False),
        "rs2022_23__RS_LA_Data_2022-23.csv",
    ),
}
# Councils whose 2022-23 figures changed between RSX (14 December 2023) and RS (8 July 2024),
# and Maldon in 2021-22 (RSX 23 November 2023, RS 15 May 2025); England's row moves with them.
REVISED = {
    2021: {"E07000063", "E92000001"},
    2022: {"E06000032", "E06000040", "E06000043", "E06000059", "E07000200", "E09000002",
           "E09000005", "E09000015", "E09000028", "E10000029", "E92000001"},
}


@pytest.fixture(scope="module")
def rsx_and_rs(raw_dir) -> dict[int, tuple[dict, dict]]:
    """Each overlapping year read from the unused RSX copy and the RS copy the build keeps."""
    out = {}
    for year, (rsx_spec, rs_name) in RSX_COPIES.items():
        rs_spec = mhclg._filler(rs_name, year, rsx_spec.services)
        out[year] = (mhclg.read_outturn(raw_dir, (rsx_spec,)).values,
                     mhclg.read_outturn(raw_dir, (rs_spec,)).values)
    return out


@pytest.mark.parametrize(
    ("code", "year", "service", "expected"),
    [
        ("E09000033", 2021, "adult_social_care", 82459),
        ("E09000033", 2021, "childrens_social_care", 45415),
        ("E09000033", 2021, "total_service_expenditure", 377945),
        ("E09000020", 2021, "childrens_social_care", 45296),
        ("E09000013", 2021, "highways_transport", -14965),
        ("E09000033", 2022, "adult_social_care", 84003),
        ("E09000033", 2022, "childrens_social_care", 46989),
        ("E09000033", 2022, "cultural_related", 10245),
        ("E09000033", 2022, "total_service_expenditure", 386922),
        ("E09000013", 2022, "adult_social_care", 75014),
        ("E09000020", 2022, "environmental_regulatory", 35436),
    ],
)
def test_rsx_and_rs_copies_pin_the_same_borough_figures(rsx_and_rs, code, year, service,
                                                        expected):
    """RSX_2021-22_data_by_LA_Live.csv and RSX_2022-23 (rows by ONS code, '<service> - Net
    Current Expenditure' columns) give the figure the kept RS all-years sheet gives."""
    rsx, rs = rsx_and_rs[year]
    assert rsx[(code, year, service)] == expected
    assert rs[(code, year, service)] == expected


@pytest.mark.parametrize("year", sorted(RSX_COPIES))
def test_rsx_copy_agrees_with_the_kept_rs_copy(rsx_and_rs, year):
    """Every line of the three boroughs agrees exactly; across England only the councils that
    revised their return after the RSX copy was saved differ, and the kept RS copy has every
    council-line RSX has (and more: councils that returned late)."""
    rsx, rs = rsx_and_rs[year]
    assert set(rsx) <= set(rs)
    assert len(rs) > len(rsx)
    for borough in BOROUGHS:
        keys = [k for k in rsx if k[0] == borough.code]
        assert len(keys) == len(RSX_COPIES[year][0].services), borough.name
        assert all(rsx[k] == rs[k] for k in keys), borough.name
    assert {k[0] for k in rsx if rsx[k] != rs[k]} == REVISED[year]


def test_rsx_2021_22_environmental_column_has_no_service_name(raw_dir):
    """Why RSX 2021-22 cannot be read line for line: the column is refused, named."""
    spec = replace(RSX_COPIES[2021][0], services=mhclg._WITH_HEALTH)
    with pytest.raises(ImportError_, match="RSX_2021-22.*environmental_regulatory"):
        mhclg.read_outturn(raw_dir, (spec,))


def test_borough_ecodes_map_to_ons_codes(raw_dir):
    mapping = mhclg.ecode_map(raw_dir)
    for borough in BOROUGHS:
        assert mapping[borough.e_code] == borough.code, borough.name


def test_equals_derived_long_file(raw_dir, spend, facts):
    """Every figure with an ONS code in the derived file, for the areas kept, matches exactly."""
    kept_areas = {code for code, _, _ in spend}
    expected: dict[tuple[str, str, str], float] = {}
    path = raw_dir / mhclg.FOLDER / DERIVED
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for r in csv.DictReader(fh):
            code = r["ons_code"]
            if not code or code == mhclg.GLA_CODE or r["service"] in ("police", "fire_rescue"):
                continue
            if code not in kept_areas:
                continue
            metric = {
                "council_tax_requirement": "council_tax_requirement",
                "unallocated_reserves_level": "unallocated_reserves",
            }.get(r["service"], f"nce_{r['service']}")
            value = parse_number(r["value_gbp_thousands"])
            if value is not None:
                expected[(code, metric, r["financial_year"])] = value
    years = {period for _, _, period in expected}
    filled = {(code, f"{y}-{(y + 1) % 100:02d}") for code, y in mhclg.read_outturn(raw_dir).filled}
    got = {
        k: float(v) for k, v in facts.items() if k[2] in years and (k[0], k[2]) not in filled
    }
    assert got == expected
    assert len(got) > 30_000


def test_derived_codes_left_out_are_not_ons_areas(raw_dir, out):
    """Only the GLA and codes outside the ONS area list are dropped from the derived file."""
    areas = {str(a["area_code"]) for a in mhclg.ons.read_areas(raw_dir)}
    kept = {r["area_code"] for r in read_rows(out[0] / "spend_by_service.csv")}
    path = raw_dir / mhclg.FOLDER / DERIVED
    with path.open(encoding="utf-8-sig", newline="") as fh:
        derived_codes = {r["ons_code"] for r in csv.DictReader(fh) if r["ons_code"]}
    dropped = derived_codes - kept
    assert dropped - {mhclg.GLA_CODE} == dropped - areas
    assert kept <= areas


def test_skipped_bodies_are_counted(raw_dir):
    skipped = mhclg.read_outturn(raw_dir, mhclg.FILES).skipped
    # police, transport and three fire authorities in the early years; Lee Valley every year
    assert skipped["no ONS code"] == 112
    # once a year in RS; twice in each RSX file
    assert skipped["Greater London Authority (code is London's region code)"] == 10
    assert skipped["ONS code not an ONS population area"] > 0


def test_marker_becomes_absence_not_zero(spend):
    # rsx_service_expenditure_summary_2024_25.csv line 3: Amber Valley (E1031) is "[x]" in
    # every column; the 2023-24 sheet has figures for it.
    assert not [k for k in spend if k[0] == "E07000032" and k[1] == "2024-25"]
    assert spend[("E07000032", "2023-24", "total_service_expenditure")] not in ("", None)
    # rsx_service_expenditure_summary_2023_24.csv: Babergh (E3531, E07000200) is "[x]".
    assert not [k for k in spend if k[0] == "E07000200" and k[1] == "2023-24"]
    assert ("E07000200", "2024-25", "total_service_expenditure") in spend


def test_ellipsis_marker_in_raw_sheet_is_missing(raw_dir):
    # rs_revenue_outturn_summary_2017_18.csv line 214: Copeland (E0934) is "…" throughout.
    path = raw_dir / mhclg.FOLDER / "rs_revenue_outturn_summary_2017_18.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        row = next(r for r in csv.reader(fh) if r[0] == "E0934")
    assert row[4] == "…"
    assert parse_number(row[4]) is None


def test_file_shapes(out):
    folder, _ = out
    spend_rows = read_rows(folder / "spend_by_service.csv")
    assert tuple(spend_rows[0]) == mhclg.SPEND_COLUMNS
    # every RS line; the library line comes from RO5 (ro5_libraries)
    assert {r["service"] for r in spend_rows} == set(SPEND_SERVICES) - {"library_service"}
    keys = [(r["area_code"], r["period"], r["service"]) for r in spend_rows]
    assert len(keys) == len(set(keys))
    fact_rows = read_rows(folder / "fact_mhclg_outturn.csv")
    assert tuple(fact_rows[0]) == FACT_COLUMNS
    assert {r["metric_code"] for r in fact_rows} <= set(METRIC_BY_CODE)
    keys = [(r["area_code"], r["metric_code"], r["period"]) for r in fact_rows]
    assert len(keys) == len(set(keys))
    for r in [*spend_rows, *fact_rows]:
        assert re.fullmatch(r"E\d{8}", r["area_code"])
        assert re.fullmatch(r"\d{4}-\d{2}", r["period"])
        assert r["period_end"] == f"{int(r['period'][:4]) + 1}-03-31"
    assert all(r["value"] != "" for r in fact_rows)
    assert all(r["net_expenditure_gbp_k"] != "" for r in spend_rows)
    reserves = {r["period"] for r in fact_rows if r["metric_code"] == "unallocated_reserves"}
    assert reserves == {"2010-11", "2011-12", "2012-13", "2013-14", "2014-15", "2017-18"}


def _broken_raw(raw_dir: Path, tmp_path: Path, name: str, old: str, new: str) -> Path:
    """A copy of the raw folder whose sheet ``name`` has header ``old`` renamed to ``new``."""
    copy = tmp_path / "raw"
    copy.mkdir()
    for entry in raw_dir.iterdir():
        if entry.name != mhclg.FOLDER.name:
            (copy / entry.name).symlink_to(entry)
    folder = copy / mhclg.FOLDER
    folder.mkdir()
    for entry in (raw_dir / mhclg.FOLDER).iterdir():
        if entry.name != name:
            (folder / entry.name).symlink_to(entry)
    text = (raw_dir / mhclg.FOLDER / name).read_text(encoding="utf-8-sig")
    header, rest = text.split("\n", 1)
    assert old in header
    (folder / name).write_text(header.replace(old, new) + "\n" + rest, encoding="utf-8")
    return copy


@pytest.mark.parametrize(
    ("name", "old", "column"),
    [
        ("rs_revenue_outturn_summary_2011_12.csv", "Adult Social Care", "adult social care"),
        ("rsx_service_expenditure_summary_2024_25.csv",
         "Public Health - Net Current Expenditure", "public health"),
        ("rs_revenue_outturn_summary_2013_14.csv", "COUNCIL TAX REQUIREMENT",
         "council tax requirement"),
    ],
)
def test_missing_column_names_file_and_column(raw_dir, tmp_path, name, old, column):
    broken = _broken_raw(raw_dir, tmp_path, name, old, old.replace(" ", "_"))
    with pytest.raises(ImportError_, match=rf"{re.escape(name)}.*{column}"):
        mhclg.run(broken, tmp_path / "out")


def test_committed_extracts_equal_a_fresh_run(out, public_dir):
    folder, written = out
    assert {w.file for w in written} == {"spend_by_service.csv", "fact_mhclg_outturn.csv"}
    for w in written:
        assert w.source_id == "mhclg_ro"
        committed = public_dir / w.file
        assert committed.exists(), f"{w.file} not in data/public: run the importer"
        assert committed.read_bytes() == (folder / w.file).read_bytes(), w.file
