"""ACE libraries importer: exact published values, activity table, neighbours, loud failures."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest
from importtest import read_rows, run_once, values_by_key

from triborough.importers import ace
from triborough.importers.common import ImportError_
from triborough.model.catalogue import METRIC_BY_CODE

FILES = (ace.FACT_FILE, ace.ACTIVITY_FILE, ace.NN_OUT_FILE)
MONTHS = ("april", "may", "june", "july", "august", "september", "october", "november",
          "december", "january", "february", "march")


out = run_once(ace, "ace")


def _activity(out: Path) -> dict[tuple[str, str, str, str, str], str]:
    return {(r["area_code"], r["measure"], r["breakdown"], r["period_start"],
             r["period_months"]): r["value"] for r in read_rows(out / ace.ACTIVITY_FILE)}


@pytest.mark.parametrize(
    ("area", "metric", "value"),
    [
        # services.csv row E09000033 Westminster, Visits
        ("E09000033", "lib_visits", "1455280"),
        # services.csv row E09000020 Kensington and Chelsea, Loans
        ("E09000020", "lib_loans", "361943"),
        # services.csv row E09000013 Hammersmith and Fulham, Users (sum of users.csv ages)
        ("E09000013", "lib_active_users", "20825"),
        # services.csv row E09000033 Westminster, Users: not the raw file's 38,544
        ("E09000033", "lib_active_users", "34326"),
    ],
)
def test_published_values(out, area, metric, value):
    assert values_by_key(out / ace.FACT_FILE)[(area, metric, "2023-24")] == value


def test_non_reporting_service_is_a_gap_not_zero(out):
    # services.csv row E08000025 Birmingham: Period 2023-04-01/P1Y, Users/Loans/Visits blank.
    facts = values_by_key(out / ace.FACT_FILE)
    assert not [k for k in facts if k[0] == "E08000025"]
    # services.csv row E09000033: Events and Attendance blank -> no activity rows either.
    activity = _activity(out)
    assert not [k for k in activity if k[0] == "E09000033" and k[1] == "events"]


def test_activity_values(out):
    activity = _activity(out)
    # visits.csv: E09000013,Library,2023-04-01/P1M,39623
    assert activity[("E09000013", "visits", "Library", "2023-04-01", "1")] == "39623"
    # loans.csv: E09000001,Physical book,Adult,2023-04-01/P3M,54118
    assert activity[("E09000001", "loans", "Physical book; Adult", "2023-04-01", "3")] == "54118"
    # users.csv: E09000001,2023-04-01/P1Y,Adult,15171
    assert activity[("E09000001", "active_users", "Adult", "2023-04-01", "12")] == "15171"
    # computers.csv: E09000001,2023-04-01/P3M,4662
    assert activity[("E09000001", "computer_hours", "All", "2023-04-01", "3")] == "4662"


def test_audiobooks_relabelled(out):
    activity = _activity(out)
    # Bradford (E08000032) has two "Physical audiobook, Unknown" rows for April 2023 in
    # loans.csv: 727 and 2159; the raw return has total_physical_audiobook_issues_april 727 and
    # total_digital_audiobook_issues_april 2159.
    assert activity[("E08000032", "loans", "Physical audiobook; Unknown", "2023-04-01", "1")] \
        == "727"
    assert activity[("E08000032", "loans", "Eaudio; Unknown", "2023-04-01", "1")] == "2159"
    # Westminster: physical audiobooks have age rows (420 adult, 34 under 12) so its single
    # unlabelled row, 1986, is the digital total (total_digital_audiobook_issues_april).
    assert activity[("E09000033", "loans", "Eaudio; Unknown", "2023-04-01", "1")] == "1986"
    assert ("E09000033", "loans", "Physical audiobook; Unknown", "2023-04-01", "1") \
        not in activity


def test_audiobook_labels_agree_with_raw_return(out, raw_dir):
    """Every monthly audiobook row with no age group matches the right raw total."""
    services = {r["Authority code"]: r["Library service"]
                for r in read_rows(raw_dir / ace.RAW_FOLDER / ace.SERVICES_FILE, "utf-8-sig")}

    def norm(name: str) -> str:
        return name.lower().replace("&", "and").strip()

    raw = {norm(r["library_details"]): r
           for r in read_rows(raw_dir / ace.RAW_FOLDER / "libraries_activity_data_2023_2024.csv",
                             "utf-8-sig")}
    checked = 0
    for (area, measure, breakdown, start, months), value in _activity(out).items():
        if measure != "loans" or months != "1":
            continue
        column = {"Eaudio; Unknown": "total_digital_audiobook_issues",
                  "Physical audiobook; Unknown": "total_physical_audiobook_issues"}.get(breakdown)
        if column is None:
            continue
        month = MONTHS[(int(start[5:7]) - 4) % 12]
        assert raw[norm(services[area])][f"{column}_{month}"] == value, (area, breakdown, start)
        checked += 1
    assert checked > 700


def test_ace_neighbours(out):
    rows = [r for r in read_rows(out / ace.NN_OUT_FILE) if r["area_code"] == "E09000033"]
    ranked = [r["neighbour_code"] for r in sorted(rows, key=lambda r: int(r["rank"]))]
    # services.csv row E09000033, Nearest neighbour 1-5
    assert ranked == ["E09000020", "E09000007", "E09000013", "E09000019", "E09000028"]
    assert {r["group_id"] for r in rows} == {"ace_nn"}
    assert {r["closeness"] for r in rows} == {""}


def test_contract(out):
    facts = read_rows(out / ace.FACT_FILE)
    assert {r["metric_code"] for r in facts} <= set(METRIC_BY_CODE)
    keys = [(r["area_code"], r["metric_code"], r["period"]) for r in facts]
    assert len(keys) == len(set(keys))
    assert all(re.match(r"^E\d{8}$", r["area_code"]) for r in facts)
    assert all(r["period_end"] == "2024-03-31" for r in facts)
    activity = read_rows(out / ace.ACTIVITY_FILE)
    akeys = [tuple(r[c] for c in ace.ACTIVITY_COLUMNS[:-1]) for r in activity]
    assert len(akeys) == len(set(akeys))
    assert all(re.match(r"^E\d{8}$", r["area_code"]) for r in activity)
    assert {r["period_months"] for r in activity} == {"1", "3", "12"}
    assert all(float(r["value"]) >= 0 for r in activity)
    nn = read_rows(out / ace.NN_OUT_FILE)
    assert len({(r["area_code"], r["neighbour_code"]) for r in nn}) == len(nn)
    assert all(re.match(r"^E\d{8}$", r["neighbour_code"]) for r in nn)


def _raw_with_broken(raw_dir: Path, tmp_path: Path, name: str, drop: str) -> Path:
    root = tmp_path / "raw"
    root.mkdir()
    for entry in raw_dir.iterdir():
        if entry.name != ace.RAW_FOLDER.name:
            (root / entry.name).symlink_to(entry)
    shutil.copytree(raw_dir / ace.RAW_FOLDER, root / ace.RAW_FOLDER)
    path = root / ace.RAW_FOLDER / name
    rows = read_rows(path)
    fields = [f for f in rows[0] if f != drop]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return root


@pytest.mark.parametrize(("name", "column"), [("services.csv", "Visits"),
                                              ("visits.csv", "Location")])
def test_missing_column_names_file_and_column(raw_dir, tmp_path, name, column):
    root = _raw_with_broken(raw_dir, tmp_path, name, column)
    with pytest.raises(ImportError_, match=rf"{re.escape(name)}.*{column}"):
        ace.run(root, tmp_path / "out")


def test_total_that_disagrees_with_tidy_file_fails(raw_dir, tmp_path):
    root = _raw_with_broken(raw_dir, tmp_path, "services.csv", "")
    path = root / ace.RAW_FOLDER / "services.csv"
    rows = read_rows(path)
    for row in rows:
        if row["Authority code"] == "E09000033":
            row["Visits"] = "1455281"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(ImportError_, match="visits.csv adds up to 1455280"):
        ace.run(root, tmp_path / "out")


def test_committed_extracts_match_a_fresh_run(out, public_dir):
    for name in FILES:
        assert (public_dir / name).read_bytes() == (out / name).read_bytes(), name
