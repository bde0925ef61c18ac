"""Ofsted importer: the boroughs' published judgements, name matching, dedup, failure modes."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest
from importtest import read_rows, run_once

from triborough.importers import ofsted
from triborough.importers.common import ImportError_
from triborough.model.catalogue import METRIC_BY_CODE

WCC, HF, KC = "E09000033", "E09000013", "E09000020"
OUTPUTS = ("inspections.csv", "fact_ofsted.csv")


out_dir = run_once(ofsted, "ofsted")


@pytest.fixture(scope="module")
def inspections(out_dir: Path) -> list[dict[str, str]]:
    return read_rows(out_dir / "inspections.csv")


def _judgement(rows: list[dict[str, str]], area: str, framework: str, published: str,
               judgement_area: str) -> dict[str, str]:
    hits = [r for r in rows if (r["area_code"], r["framework"], r["publication_date"],
                                r["judgement_area"]) == (area, framework, published,
                                                         judgement_area)]
    assert len(hits) == 1, (area, framework, published, judgement_area, hits)
    return hits[0]


def test_run_reports_files(raw_dir: Path, tmp_path: Path) -> None:
    written = ofsted.run(raw_dir, tmp_path)
    assert [(w.file, w.source_id) for w in written] == [
        ("inspections.csv", "ofsted"), ("fact_ofsted.csv", "ofsted")]
    for w in written:
        assert w.rows == len(read_rows(tmp_path / w.file)) > 0


def test_march_2016_single_inspection(inspections: list[dict[str, str]]) -> None:
    # la_childrens_services_inspections_2009_2023.csv, "First SIF" columns, published 29/03/2016
    expected = {WCC: "Outstanding", KC: "Outstanding", HF: "Good"}
    for area, judgement in expected.items():
        row = _judgement(inspections, area, "SIF", "2016-03-29", "overall")
        assert row["judgement"] == judgement
        assert row["judgement_score"] == {"Outstanding": "4", "Good": "3"}[judgement]
        assert row["inspection_date"] == ""  # that table gives publication dates only
    # H&F adoption performance was Outstanding, care leavers Good.
    assert _judgement(inspections, HF, "SIF", "2016-03-29", "adoption")["judgement"] == (
        "Outstanding")
    assert _judgement(inspections, HF, "SIF", "2016-03-29", "care_leavers")["judgement"] == (
        "Good")


def test_slac_judgements(inspections: list[dict[str, str]]) -> None:
    # SLAC published 28/10/2011 (Westminster), 22/07/2011 (H&F), 29/05/2012 (K&C): all Good
    for area, published in ((WCC, "2011-10-28"), (HF, "2011-07-22"), (KC, "2012-05-29")):
        for judgement_area in ("safeguarding", "looked_after_children"):
            row = _judgement(inspections, area, "SLAC", published, judgement_area)
            assert (row["judgement"], row["judgement_score"]) == ("Good", "3")


def test_latest_ilacs(inspections: list[dict[str, str]]) -> None:
    # ilacs_judgements_as_at_31_march_2025.csv
    row = _judgement(inspections, WCC, "ILACS short", "2025-01-13", "overall")
    assert (row["inspection_date"], row["judgement"]) == ("2024-11-11", "Outstanding")
    row = _judgement(inspections, KC, "ILACS short", "2025-01-13", "children_in_care")
    assert row["judgement"] == "Good"
    row = _judgement(inspections, HF, "ILACS short", "2024-05-16", "overall")
    assert (row["inspection_date"], row["judgement"], row["area_name"]) == (
        "2024-03-11", "Outstanding", "Hammersmith & Fulham")
    assert _judgement(inspections, HF, "ILACS short", "2024-05-16",
                      "help_and_protection")["judgement"] == "Good"


def test_ilacs_in_both_history_files_is_written_once(inspections: list[dict[str, str]]) -> None:
    # The 15/10/2019 short inspections are in the 2009-2023 table and in the ILACS history.
    overall_2019 = [r for r in inspections
                    if r["area_code"] == WCC and r["publication_date"].startswith("2019")
                    and r["judgement_area"] == "overall"]
    assert len(overall_2019) == 1
    assert overall_2019[0]["inspection_date"] == "2019-09-09"
    # Nottingham: the two files date its second ILACS differently (05/11/2022 vs 05/09/2022).
    notts = [r["publication_date"] for r in inspections
             if r["area_code"] == "E06000018" and r["judgement_area"] == "overall"
             and r["framework"].startswith("ILACS")]
    assert sorted(notts) == ["2019-01-07", "2022-09-05"]


def test_names_are_mapped_to_codes(inspections: list[dict[str, str]]) -> None:
    # 'Bedford Borough' in the 2009-2023 table is 'Bedford' (E06000055) in the ILACS files.
    bedford_sif = [r for r in inspections if r["area_code"] == "E06000055"
                   and r["framework"] == "SIF"]
    assert bedford_sif
    assert ofsted.normalise_name("Hammersmith & Fulham") == ofsted.normalise_name(
        "Hammersmith and Fulham")
    assert ofsted.normalise_name("Bournemouth, Christchurch & Poole") == (
        "bournemouth christchurch and poole")


def test_inspections_well_formed(inspections: list[dict[str, str]]) -> None:
    assert all(re.fullmatch(r"E\d{8}", r["area_code"]) for r in inspections)
    keys = [(r["area_code"], r["framework"], r["publication_date"], r["judgement_area"])
            for r in inspections]
    assert len(keys) == len(set(keys))
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["publication_date"]) for r in inspections)
    assert {r["judgement_score"] for r in inspections} == {"1", "2", "3", "4"}
    dates = sorted(r["publication_date"] for r in inspections)
    assert dates[0] < "2010" and dates[-1] > "2025"


def test_judgement_scores() -> None:
    path = Path("x.csv")
    assert ofsted.judgement_score(path, "Requires improvement to be good") == 2
    assert ofsted.judgement_score(path, "Adequate") == 2
    assert ofsted.judgement_score(path, "Inadequate ") == 1
    assert ofsted.judgement_score(path, "-") is None
    with pytest.raises(ImportError_, match="Satisfactory"):
        ofsted.judgement_score(path, "Satisfactory")


def test_fact_ofsted(out_dir: Path) -> None:
    rows = read_rows(out_dir / "fact_ofsted.csv")
    keys = [(r["area_code"], r["metric_code"], r["period"]) for r in rows]
    assert len(keys) == len(set(keys))
    assert {r["metric_code"] for r in rows} <= set(METRIC_BY_CODE)
    assert all(re.fullmatch(r"E\d{8}", r["area_code"]) for r in rows)
    series = {r["period"]: (r["period_end"], r["value"]) for r in rows if r["area_code"] == HF}
    assert series == {"2016": ("2016-03-29", "3"), "2019": ("2019-10-15", "3"),
                      "2024": ("2024-05-16", "4")}
    assert {r["period"]: r["value"] for r in rows if r["area_code"] == WCC} == {
        "2016": "4", "2019": "4", "2025": "4"}


def test_fact_keeps_later_inspection_in_a_year() -> None:
    rows = [
        {"area_code": "E06000001", "judgement_area": "overall", "publication_date": "2017-02-01",
         "judgement_score": 1},
        {"area_code": "E06000001", "judgement_area": "overall", "publication_date": "2017-11-30",
         "judgement_score": 2},
        {"area_code": "E06000001", "judgement_area": "leadership",
         "publication_date": "2017-12-30", "judgement_score": 4},
    ]
    [row] = ofsted.overall_facts(rows)
    assert (row["period"], row["period_end"], row["value"]) == ("2017", "2017-11-30", 2.0)


def _writable_copy(raw_dir: Path, tmp_path: Path) -> Path:
    """The raw folders this importer reads, copied file by file (the originals are read-only).

    The ONS area list (population files, DfE regions, the reference register) comes too, since
    rows are kept only for areas in it.
    """
    raw = tmp_path / "raw"
    for sub in dict.fromkeys((ofsted.SUBDIR, "dfe_childrens_social_care", "ons_mid_year_estimates",
                              "reference")):
        (raw / sub).mkdir(parents=True)
        for f in (raw_dir / sub).iterdir():
            shutil.copyfile(f, raw / sub / f.name)
    return raw


def _rewrite(path: Path, drop_column: str | None = None, rename: tuple[str, str] | None = None
             ) -> None:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        if rename and r["Local authority name"] == rename[0]:
            r["Local authority name"] = rename[1]
    columns = [c for c in rows[0] if c != drop_column]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def test_missing_column_names_file_and_column(raw_dir: Path, tmp_path: Path) -> None:
    raw = _writable_copy(raw_dir, tmp_path)
    _rewrite(raw / ofsted.SUBDIR / ofsted.OLD_FILE, drop_column="First SIF Overall Judgement (OE)")
    with pytest.raises(ImportError_, match=rf"{ofsted.OLD_FILE}.*First SIF Overall Judgement"):
        ofsted.run(raw, tmp_path / "out")


def test_unmapped_name_fails_loudly(raw_dir: Path, tmp_path: Path) -> None:
    raw = _writable_copy(raw_dir, tmp_path)
    _rewrite(raw / ofsted.SUBDIR / ofsted.OLD_FILE, rename=("Westminster", "City of Westminster"))
    with pytest.raises(ImportError_, match="City of Westminster"):
        ofsted.run(raw, tmp_path / "out")


def test_committed_extracts_match_a_fresh_run(out_dir: Path, public_dir: Path) -> None:
    for name in OUTPUTS:
        committed = public_dir / name
        assert committed.exists(), f"{name} is not in data/public; run the importer"
        assert committed.read_bytes() == (out_dir / name).read_bytes(), (
            f"data/public/{name} differs from a fresh run of triborough.importers.ofsted")
