"""Deflator importer: the GDP deflator release used, its base, and the check against the
December 2023 release; CPIH financial-year means."""

from __future__ import annotations

import pytest
from importtest import read_rows, run_once

from triborough.importers import deflators
from triborough.importers.common import ImportError_

out = run_once(deflators, "deflators")

MARCH_2026 = deflators.FOLDER / deflators.MARCH_2026


@pytest.fixture(scope="module")
def index(out) -> dict[str, dict[str, str]]:
    return {r["period"]: r for r in read_rows(out / "gdp_deflator.csv")}


@pytest.mark.parametrize(
    ("period", "expected", "line"),
    [
        ("2007-08", "64.438", 54),  # hmt_gdp_deflator_march2026_extract…csv line 54
        ("2010-11", "68.8561", 57),
        ("2015-16", "74.5804", 62),
        ("2022-23", "91.2996", 69),
        ("2023-24", "96.1117", 70),
        ("2024-25", "100", 71),
    ],
)
def test_published_deflators(index, raw_dir, period, expected, line):
    assert index[period]["deflator"] == expected
    assert index[period]["basis"] == "outturn"
    raw = (raw_dir / MARCH_2026).read_text(encoding="utf-8").splitlines()[line - 1]
    assert raw.startswith(f"{period},")


def test_every_spend_year_is_outturn_and_release_is_named(index):
    for start in range(2007, 2025):
        row = index[f"{start}-{(start + 1) % 100:02d}"]
        assert row["basis"] == "outturn"
        assert row["release"] == "HM Treasury GDP deflators, March 2026 (2024-25 = 100)"
    assert index["2025-26"]["basis"] == "forecast"


def test_two_releases_agree_on_growth_before_the_pandemic(raw_dir):
    """The December 2023 release (2022-23 = 100) and the March 2026 one grow alike from
    2007-08 to each year up to 2019-20 (within 1%); ONS revised 2020-21 on, so they differ."""
    march = {r["period"]: float(r["deflator"]) for r in deflators.read_march_2026(raw_dir)}
    december = deflators.read_december_2023(raw_dir)
    # GDP_Deflators_Qtrly_National_Accounts_December_2023_update.csv line 71: 2015-16 = 82.459
    assert december["2015-16"] == 82.459
    assert december["2021-22"] == 93.629
    for start in range(2008, 2020):
        year = f"{start}-{(start + 1) % 100:02d}"
        ratio = (march[year] / march["2007-08"]) / (december[year] / december["2007-08"])
        assert ratio == pytest.approx(1, abs=0.01), year
    # 2021-22: the later release has prices rising 0.24% on 2020-21, the earlier falling 0.82%
    assert march["2021-22"] / march["2020-21"] > 1 > december["2021-22"] / december["2020-21"]


def test_cpih_financial_year_means(out):
    cpih = {r["period"]: r for r in read_rows(out / "cpih.csv")}
    # CPIH-2022.csv lines 415-426: April 2007 83.1 ... March 2008 84.9; their mean
    assert cpih["2007-08"]["cpih"] == "83.825"
    assert "2022-23" not in cpih  # the release stops in February 2023: not a whole year


def test_bad_deflator_names_file_and_line(raw_dir, tmp_path):
    folder = tmp_path / "raw" / deflators.FOLDER
    folder.mkdir(parents=True)
    text = (raw_dir / MARCH_2026).read_text(encoding="utf-8")
    (folder / deflators.MARCH_2026).write_text(
        text.replace("2015-16,74.5804", "2015-16,n/a"), encoding="utf-8"
    )
    with pytest.raises(ImportError_, match=r"line 62: deflator 'n/a' is not a number"):
        deflators.read_march_2026(tmp_path / "raw")


def test_committed_extracts_equal_a_fresh_run(out, public_dir):
    for name in ("gdp_deflator.csv", "cpih.csv"):
        assert (public_dir / name).read_bytes() == (out / name).read_bytes(), name
