"""Programme importer: reported figures, arrangement periods and chart milestones."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from importtest import read_rows

from triborough.importers import programme
from triborough.importers.common import ImportError_
from triborough.model.boroughs import BOROUGH_CODES

SPLIT = "2018-04-01"
NOTICE = "2017-03-27"


@pytest.fixture(scope="module")
def out(raw_dir, tmp_path_factory) -> tuple[Path, list]:
    """One fresh run of the importer into a temporary folder."""
    folder = tmp_path_factory.mktemp("programme")
    return folder, programme.run(raw_dir, folder)


@pytest.fixture(scope="module")
def reported(out) -> list[dict[str, str]]:
    return read_rows(out[0] / "programme_reported.csv")


@pytest.fixture(scope="module")
def arrangements(out) -> dict[str, dict[str, str]]:
    return {r["arrangement_id"]: r for r in read_rows(out[0] / "arrangements.csv")}


@pytest.fixture(scope="module")
def milestones(out) -> list[dict[str, str]]:
    return read_rows(out[0] / "programme_milestones.csv")


def test_every_reported_row_is_kept(raw_dir, reported):
    with (raw_dir / programme.REPORTED).open(encoding="utf-8-sig", newline="") as fh:
        raw = list(csv.DictReader(fh))
    assert len(reported) == len(raw) == 11
    assert tuple(reported[0]) == programme.REPORTED_COLUMNS


def test_revised_43m_target_row(reported):
    # reported_savings_and_milestones.csv line 10 ("undated (c.2013)", £43m revised target)
    row = next(r for r in reported if r["measure"] == "target annual saving (revised)")
    assert row["value"] == "43"
    assert row["unit"] == "GBP million per year"
    assert row["period_referred_to"] == "by 2015/16"
    assert row["date_published"] == "undated (c.2013)"


def test_event_row_has_no_value_not_zero(reported):
    # line 12: the notice row has an empty value in the raw file
    row = next(r for r in reported if r["measure"].startswith("notice served"))
    assert row["value"] == ""
    assert row["date_published"] == NOTICE


def test_values_are_numbers_or_empty(reported):
    for r in reported:
        assert r["value"] == "" or float(r["value"]) >= 0


def test_split_and_notice_dates(arrangements, milestones):
    by_label = {m["date"]: m for m in milestones if m["kind"] == "event"}
    assert "split" in by_label[SPLIT]["label"]
    assert "notice" in by_label[NOTICE]["label"]
    for arr in ("triborough_childrens_services", "triborough_adult_social_care"):
        assert arrangements[arr]["end_date"] == "2018-03-31"
    for arr in ("biborough_childrens_services", "biborough_adult_social_care"):
        assert arrangements[arr]["start_date"] == SPLIT
        assert arrangements[arr]["end_date"] == ""


def test_arrangements(arrangements):
    assert len(arrangements) == 5
    westminster, hf, kc = BOROUGH_CODES
    for arr in arrangements.values():
        codes = arr["borough_codes"].split(";")
        assert set(codes) <= set(BOROUGH_CODES)
        assert all(re.fullmatch(r"E\d{8}", c) for c in codes)
        assert arr["source_url"].startswith("http")
        if arr["arrangement_id"].startswith("triborough_"):
            assert set(codes) == set(BOROUGH_CODES)
            # only the year 2011 is known: the description must say the month is assumed
            assert arr["start_date"] == "2011-06-01"
            assert "only the year 2011" in arr["description"]
        else:
            assert set(codes) == {westminster, kc} and hf not in codes
    # no end date was found for shared libraries, and none is invented
    assert arrangements["triborough_libraries"]["end_date"] == ""
    # reported_savings_and_milestones.csv line 7 (18 June 2012, scope 'tri-borough children's
    # services + adult social care + libraries') is the last report naming them as shared
    assert arrangements["triborough_libraries"]["confirmed_until"] == "2012-06-18"
    assert "neither confirmed nor ruled out" in arrangements["triborough_libraries"][
        "description"]
    assert arrangements["triborough_childrens_services"]["confirmed_until"] == "2018-03-31"
    assert arrangements["biborough_childrens_services"]["confirmed_until"] == "2018-04-01"


def test_milestones(milestones):
    assert {m["kind"] for m in milestones} == {"target", "event"}
    targets = {m["value_gbp_m"]: m["date"] for m in milestones if m["kind"] == "target"}
    assert targets["33.4"] == "2015-03-31"  # "by 2014/15"
    assert targets["40"] == "2016-03-31"  # "by 2015/16"
    assert targets["43"] == "2016-03-31"  # revised, "by 2015/16"
    assert all(m["value_gbp_m"] == "" for m in milestones if m["kind"] == "event")
    keys = [(m["date"], m["label"]) for m in milestones]
    assert len(keys) == len(set(keys))


def test_missing_column_names_file_and_column(raw_dir, tmp_path):
    copy = tmp_path / "raw"
    copy.mkdir()
    folder = copy / programme.REPORTED.parent
    folder.mkdir()
    text = (raw_dir / programme.REPORTED).read_text(encoding="utf-8-sig")
    header, rest = text.split("\n", 1)
    (copy / programme.REPORTED).write_text(
        header.replace("source_url", "url") + "\n" + rest, encoding="utf-8"
    )
    with pytest.raises(ImportError_, match=r"reported_savings_and_milestones\.csv.*source_url"):
        programme.run(copy, tmp_path / "out")


def test_committed_extracts_equal_a_fresh_run(out, public_dir):
    folder, written = out
    assert {w.file for w in written} == {
        "programme_reported.csv", "arrangements.csv", "programme_milestones.csv",
    }
    for w in written:
        assert w.source_id == "programme_reports"
        committed = public_dir / w.file
        assert committed.exists(), f"{w.file} not in data/public: run the importer"
        assert committed.read_bytes() == (folder / w.file).read_bytes(), w.file
