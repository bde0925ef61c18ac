"""Department for Education children's social care statistics -> tidy fact and neighbour files.

Publisher: Department for Education (Explore Education Statistics releases "Children in need",
"Children looked after in England including adoptions", "Children's social work workforce",
and the children's services statistical neighbour models). Raw files, all in
``dfe_childrens_social_care/`` (copied from dfe-analytical-services/CSC_outcomes_and_enablers,
``data-raw/``; see SOURCES.md section 2):

* ``ons_mye_children_0_17_2012_to_2024.csv`` - children aged 0-17, the denominator DfE uses
* ``b1_children_in_need_2013_to_2025.csv`` - children in need at 31 March (``At31_episodes``)
* ``c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv`` - referrals, re-referral %
* ``d3_cpps_subsequent_plan_2013_to_2025.csv`` - plans starting, % second or subsequent plan
* ``cla_number_and_rate_per_10k_children.csv`` - CLA at 31 March, number and rate, 2021-2025
* ``cla_at_31_march_2010_2025_long.csv`` - CLA at 31 March 2010-2025 (LAs only; 2018 missing)
* ``la_cla_placement_stability.csv`` - 3+ placements in the year; same carer for 2+ years
* ``csww_indicators_2017_to_2025.csv`` - social work workforce at 30 September
* ``New_Statistical_Neighbour_Groupings_April_2021.csv``, ``sn_model_2025_wide.csv``

Writes ``fact_dfe_cin.csv`` (source ``dfe_cin``), ``fact_dfe_cla.csv`` (``dfe_cla``),
``fact_dfe_csww.csv`` (``dfe_csww``) and ``neighbours_dfe.csv`` (``dfe_sn``).

Rules:

* Periods: year-ending-31-March ``time_period`` 2025 becomes ('2024-25', 2025-03-31);
  workforce Y becomes ('Sep Y', 30 September Y); the population Y becomes ('mid-Y', 30 June Y).
* Areas: LA rows use the file's ``new_la_code`` as published (so Barnsley and Sheffield appear as
  E08000038/E08000039 in the 2025 workforce data but E08000016/E08000019 everywhere else);
  national rows become E92000001, regional rows their ``region_code`` (E12 regions and the
  E13 Inner/Outer London). Rows whose code is not a GSS code are skipped and counted in the log:
  these are the workforce file's shared-service rows (Kingston upon Thames / Richmond upon Thames,
  North / West Northamptonshire), whose figures cannot be split between the two councils.
* Gaps: suppressed or missing figures (x, c, z, u, low, ...) are never zero. A row is written
  when its value or its numerator is known; when both are missing the row is left out, so a
  gap is the absence of a row. A rate whose count is known but whose denominator is not (for
  example CLA in Bournemouth 2019, rate ``x``) is kept with an empty value and the count as
  numerator.
* Rates: children in need per 10,000 is derived here, as DfE does, from the count at 31 March Y
  and the 0-17 estimate at mid-(Y-1), rounded half-up to 1 decimal. The CLA rate is DfE's
  published whole-number rate where there is one (2019 onward), otherwise derived the same way
  and rounded half-up to a whole number (2013-2017; no estimate before mid-2012). The
  population file holds ONS's latest estimates, so a derived rate can differ from the one DfE
  printed at the time: England children in need 2024 is 331.2 here, 332.9 in the 2024 release
  (2021 and 2022 match the release exactly).
* Children in need before 2013: the census files for 31 March 2010, 2011 and 2012 (in
  ``dfe_cin_2010_to_2013/``; LA numbers mapped to codes as for the neighbours below) give the
  count, DfE's printed rate, referrals and, from 2010-11, re-referrals within 12 months. Their
  rates rest on the population estimates of the day. The 2013 file there overlaps the main
  series and is read only by a test that checks the two agree.
* CLA: for 2021-2025 the published file ``cla_number_and_rate_per_10k_children.csv`` is used
  for every geography and the long file is ignored, because the later release revises earlier
  years (e.g. Hammersmith and Fulham 2023: 212 in the long file, 208 published in 2025) and
  codes reorganised councils by their new codes; the disagreements are logged. The long file
  supplies LAs only for 2010-2020, so England and region CLA figures start in 2021 (and 2018).
  2018 is not in the long file: it comes from DfE's 2022 release in ``dfe_cla_2018/``, the
  revised figures (the first release of November 2018 differs slightly, e.g. H&F 230, not 226).
* Workforce numerators and denominators are DfE's published FTE components (leavers / in post;
  agency / agency + in post; vacancies / vacancies + in post; cases / case-holding FTE). They
  are rounded to 0.1 FTE by DfE, so recomputing a rate from them can differ from the published
  rate by a few tenths; the value is always the published rate.
* Statistical neighbours: old three-digit LA numbers are mapped to GSS codes through the
  old/new code pairs in the 31-March files above (the latest year wins, since a few councils
  were recoded). The 2021 file's "Old SNs" block (pre-reorganisation Dorset, Poole,
  Bournemouth, Northamptonshire) is kept. Closeness text is stripped and put in sentence case
  ('Very Close' and 'Very close ' both become 'Very close').
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from triborough.importers import ons
from triborough.importers.common import (
    FACT_COLUMNS,
    ImportError_,
    Written,
    fact,
    march31_period,
    parse_number,
    read_csv_rows,
    require_columns,
    restrict_to_areas,
    write_tidy,
)

log = logging.getLogger(__name__)

SUBDIR = "dfe_childrens_social_care"
ENGLAND = "E92000001"
BOROUGHS: dict[str, str] = {
    "E09000033": "Westminster",
    "E09000013": "Hammersmith and Fulham",
    "E09000020": "Kensington and Chelsea",
}
GSS = re.compile(r"^E\d{8}$")

POP_FILE = "ons_mye_children_0_17_2012_to_2024.csv"
CIN_FILE = "b1_children_in_need_2013_to_2025.csv"
REFERRALS_FILE = "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
CPP_FILE = "d3_cpps_subsequent_plan_2013_to_2025.csv"
CLA_PUBLISHED_FILE = "cla_number_and_rate_per_10k_children.csv"
CLA_LONG_FILE = "cla_at_31_march_2010_2025_long.csv"
# DfE's 2022 release (2018 to 2022), the only copy of 31 March 2018 found; its 2018 figures are
# the revised ones (the November 2018 first release, CLA2018.csv, had H&F 230 and K&C 87).
CLA_2018_SUBDIR = "dfe_cla_2018"
CLA_2018_FILE = "cla_number_and_rate_per_10k_children_2018_to_2022.csv"
CLA_2018_LABEL = "Children looked after at 31 March each year"
PLACEMENT_FILE = "la_cla_placement_stability.csv"
CSWW_FILE = "csww_indicators_2017_to_2025.csv"
SN_2021_FILE = "New_Statistical_Neighbour_Groupings_April_2021.csv"
SN_2025_FILE = "sn_model_2025_wide.csv"

NEIGHBOUR_COLUMNS: tuple[str, ...] = (
    "area_code", "group_id", "neighbour_code", "rank", "closeness",
)

EES_GEOGRAPHY = ("time_period", "geographic_level", "country_code", "region_code", "new_la_code")
CLA_AT_31_MARCH = "Children looked after on 31 March each year"
# (cla_group, placement_stability) of the numerator row for each placement metric; the
# denominator is the same cla_group's "Total children" row.
PLACEMENT_METRICS: dict[str, tuple[str, str]] = {
    "placements_3plus_pct": ("CLA on 31 March", "With 3 or more placements during the year"),
    "placement_same_2yrs_pct": (
        "Children looked after continuously for at least 2.5 years on 31 March aged under 16 "
        "years",
        "Living with the same carer for at least 2 years",
    ),
}
PLACEMENT_TOTAL = "Total children"

Row = dict[str, object]


# ---------------------------------------------------------------- small helpers


def round_half_up(value: float, places: int) -> float:
    """Round like the publisher (0.05 -> 0.1), not banker's rounding."""
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def _ratio(
    numerator: float | None, denominator: float | None, scale: float, places: int
) -> float | None:
    if numerator is None or not denominator:
        return None
    return round_half_up(numerator / denominator * scale, places)


def _add(a: float | None, b: float | None) -> float | None:
    if a is None or b is None:
        return None
    return round_half_up(a + b, 1)


def _year(path: Path, text: str) -> int:
    if not re.fullmatch(r"\d{4}", text.strip()):
        raise ImportError_(f"{path}: time_period {text!r} is not a four-digit year")
    return int(text)


def _keep(row: Row) -> bool:
    return row["value"] is not None or row["numerator"] is not None


class _Skips:
    """Counts rows left out because their area has no GSS code, per file."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def add(self, path: Path) -> None:
        self.counts[path.name] = self.counts.get(path.name, 0) + 1

    def report(self) -> None:
        for name, n in sorted(self.counts.items()):
            log.warning("%s: skipped %d row(s) whose area has no GSS code", name, n)


def ees_area_code(row: Mapping[str, str]) -> str | None:
    """GSS code of an Explore Education Statistics row, or None when it has none."""
    level = row.get("geographic_level", "").strip()
    if level == "National":
        code = ENGLAND if row.get("country_code", "").strip() == ENGLAND else ""
    elif level == "Regional":
        code = row.get("region_code", "").strip()
    elif level == "Local authority":
        code = row.get("new_la_code", "").strip()
    else:
        code = ""
    return code if GSS.match(code) else None


def _ees(
    raw_dir: Path, name: str, columns: Iterable[str], skips: _Skips, subdir: str = SUBDIR
) -> tuple[Path, list[tuple[str, int, dict[str, str]]]]:
    """(area code, year, row) for every row of an EES file that has a GSS code."""
    path = raw_dir / subdir / name
    rows = read_csv_rows(path)
    require_columns(path, rows, (*EES_GEOGRAPHY, *columns))
    out = []
    for r in rows:
        code = ees_area_code(r)
        if code is None:
            skips.add(path)
            continue
        out.append((code, _year(path, r["time_period"]), r))
    return path, out


def _require_boroughs(label: str, codes: Iterable[str]) -> None:
    missing = sorted(set(BOROUGHS) - set(codes))
    if missing:
        names = ", ".join(f"{BOROUGHS[c]} ({c})" for c in missing)
        raise ImportError_(f"{label}: no rows for {names}")


def _require_unique(label: str, rows: Sequence[Mapping[str, object]]) -> None:
    seen: set[tuple[object, ...]] = set()
    for r in rows:
        key = (r["area_code"], r["metric_code"], r["period"])
        if key in seen:
            raise ImportError_(f"{label}: more than one row for {key}")
        seen.add(key)


def _mid_year(year: int) -> tuple[str, dt.date]:
    return f"mid-{year}", dt.date(year, 6, 30)


def _sep30(year: int) -> tuple[str, dt.date]:
    return f"Sep {year}", dt.date(year, 9, 30)


def _span(rows: Sequence[Mapping[str, object]], metric_codes: Iterable[str]) -> tuple[str, str]:
    """First and last period label among rows of the given metrics (labels sort by date)."""
    codes = set(metric_codes)
    ends = sorted((r["period_end"], r["period"]) for r in rows if r["metric_code"] in codes)
    return str(ends[0][1]), str(ends[-1][1])


# ---------------------------------------------------------------- population and children in need


def load_children_population(
    raw_dir: Path, skips: _Skips | None = None
) -> dict[tuple[str, int], float | None]:
    """{(area code, mid-year): children aged 0-17}; suppressed estimates are None."""
    _, rows = _ees(raw_dir, POP_FILE, ("population_estimate",), skips or _Skips())
    return {(code, year): parse_number(r["population_estimate"]) for code, year, r in rows}


def cin_facts(raw_dir: Path, skips: _Skips) -> list[Row]:
    """Population 0-17, children in need, referrals and child protection plans."""
    out: list[Row] = []
    pop_path, pop_rows = _ees(raw_dir, POP_FILE, ("population_estimate",), skips)
    population: dict[tuple[str, int], float | None] = {}
    for code, year, r in pop_rows:
        value = parse_number(r["population_estimate"])
        population[(code, year)] = value
        out.append(fact(code, "pop_0_17", *_mid_year(year), value))
    _require_boroughs(str(pop_path), (c for c, _ in population))

    path, rows = _ees(raw_dir, CIN_FILE, ("At31_episodes",), skips)
    _require_boroughs(str(path), (c for c, _, _ in rows))
    for code, year, r in rows:
        period = march31_period(year)
        count = parse_number(r["At31_episodes"])
        out.append(fact(code, "cin_at_31_march", *period, count))
        # DfE divides by the estimate for the mid-year before 31 March.
        children = population.get((code, year - 1))
        out.append(fact(code, "cin_rate_per_10000", *period, _ratio(count, children, 1e4, 1),
                        count, children))

    path, rows = _ees(raw_dir, REFERRALS_FILE,
                      ("referral_count", "rereferral_count", "rereferral_percent"), skips)
    _require_boroughs(str(path), (c for c, _, _ in rows))
    for code, year, r in rows:
        period = march31_period(year)
        referrals = parse_number(r["referral_count"])
        out.append(fact(code, "referrals", *period, referrals))
        out.append(fact(code, "rereferral_pct", *period, parse_number(r["rereferral_percent"]),
                        parse_number(r["rereferral_count"]), referrals))

    path, rows = _ees(raw_dir, CPP_FILE,
                      ("CPP_start", "CPP_subsequent", "CPP_subsequent_percent"), skips)
    _require_boroughs(str(path), (c for c, _, _ in rows))
    for code, year, r in rows:
        period = march31_period(year)
        starts = parse_number(r["CPP_start"])
        out.append(fact(code, "cpp_starts", *period, starts))
        out.append(fact(code, "cpp_subsequent_pct", *period,
                        parse_number(r["CPP_subsequent_percent"]),
                        parse_number(r["CPP_subsequent"]), starts))
    return [r for r in out if _keep(r)]


# Children in need census before the 2013+ series: (file, 31 March year, CIN count column,
# CIN rate column, referrals column, re-referrals count and percent columns or "").
CIN_EARLY_SUBDIR = "dfe_cin_2010_to_2013"
CIN_EARLY: tuple[tuple[str, int, str, str, str, str, str], ...] = (
    ("osr28-2010ud.csv", 2010, "CINAt310310", "CINRatePer10K", "Referrals0910", "", ""),
    ("osr26-2011ud.csv", 2011, "CINAt310311", "CINRatePer10K", "Referrals1011",
     "ReferralsWithin12mths1011", "%ReferralsWithin12mths1011"),
    ("SFR27-2012ud.csv", 2012, "CINAt310312", "CINAt310312RatePer10k", "Referrals1112",
     "ReferralsWithin12mths1112", "%ReferralsWithin12mths1112"),
)
CIN_2013_FILE = "SFR45-2013ud.csv"  # overlaps the 2013+ series: read only to check it agrees


def read_cin_early_file(
    raw_dir: Path, name: str, columns: Iterable[str]
) -> list[tuple[str, dict[str, str]]]:
    """(GSS code, row) for England and every LA of one pre-2013 census file; LA numbers are
    mapped to codes with :func:`old_la_code_map`. Numbers keep their thousands separators
    (``parse_number`` drops them)."""
    path = raw_dir / CIN_EARLY_SUBDIR / name
    rows = read_csv_rows(path)
    require_columns(path, rows, ("geog_l", "geog_c", *[c for c in columns if c]))
    codes = old_la_code_map(raw_dir)
    out: list[tuple[str, dict[str, str]]] = []
    for r in rows:
        if r["geog_l"] == "National":
            out.append(("E92000001", r))
        elif r["geog_l"] == "LA" and r["geog_c"].strip() in codes:
            out.append((codes[r["geog_c"].strip()], r))
    _require_boroughs(str(path), (c for c, _ in out))
    return out


def cin_early_facts(raw_dir: Path) -> list[Row]:
    """Children in need at 31 March 2010 to 2012 and referrals 2009-10 to 2011-12.

    The rate is DfE's as printed, against the population estimates of the day (the rebased
    0-17 series starts at mid-2012, so it cannot be derived as the later years are); 2009-10
    and 2010-11 were published as experimental statistics (see each file's metadata).
    """
    out: list[Row] = []
    for name, year, count_col, rate_col, ref_col, reref_col, reref_pct_col in CIN_EARLY:
        period = march31_period(year)
        cols = (count_col, rate_col, ref_col, reref_col, reref_pct_col)
        for code, r in read_cin_early_file(raw_dir, name, cols):
            count = parse_number(r[count_col])
            out.append(fact(code, "cin_at_31_march", *period, count))
            out.append(fact(code, "cin_rate_per_10000", *period, parse_number(r[rate_col]),
                            count))
            referrals = parse_number(r[ref_col])
            out.append(fact(code, "referrals", *period, referrals))
            if reref_col:
                out.append(fact(code, "rereferral_pct", *period,
                                parse_number(r[reref_pct_col]), parse_number(r[reref_col]),
                                referrals))
    return [r for r in out if _keep(r)]


# ---------------------------------------------------------------- children looked after


def cla_discrepancies(raw_dir: Path) -> list[tuple[int, str, str, str, str, str]]:
    """LA rows where the long file and the published 2021-2025 file disagree.

    Each item is (year, GSS code, long count, published count, long rate, published rate),
    compared as published text; LAs the long file holds under a pre-reorganisation code are
    not compared.
    """
    published = {
        (year, code): r
        for code, year, r in _ees(raw_dir, CLA_PUBLISHED_FILE,
                                  ("population_type", "children_count", "rate_per_10000"),
                                  _Skips())[1]
        if r["population_type"] == CLA_AT_31_MARCH
    }
    out = []
    for r in _cla_long_rows(raw_dir):
        year = int(r["year_31_march"])
        pub = published.get((year, r["new_la_code"]))
        if pub is None:
            continue
        pair = (r["cla_at_31_march"], pub["children_count"], r["rate_per_10000_children"],
                pub["rate_per_10000"])
        if pair[0] != pair[1] or pair[2] != pair[3]:
            out.append((year, r["new_la_code"], *pair))
    return sorted(out)


def _cla_long_rows(raw_dir: Path) -> list[dict[str, str]]:
    path = raw_dir / SUBDIR / CLA_LONG_FILE
    rows = read_csv_rows(path)
    require_columns(path, rows, ("year_31_march", "new_la_code", "cla_at_31_march",
                                 "rate_per_10000_children"))
    for r in rows:
        _year(path, r["year_31_march"])
    return rows


def _cla_pair(code: str, year: int, count: str, rate: str, children: str) -> list[Row]:
    """The count and DfE's published rate (with count and children behind it) at 31 March."""
    period = march31_period(year)
    number = parse_number(count)
    return [
        fact(code, "cla_at_31_march", *period, number),
        fact(code, "cla_rate_per_10000", *period, parse_number(rate), number,
             parse_number(children)),
    ]


def cla_facts(raw_dir: Path, skips: _Skips) -> list[Row]:
    """Children looked after (count and rate) and placement stability."""
    out: list[Row] = []
    population = load_children_population(raw_dir)

    path, rows = _ees(raw_dir, CLA_PUBLISHED_FILE,
                      ("population_type", "population_estimate", "children_count",
                       "rate_per_10000"), skips)
    published_years: set[int] = set()
    for code, year, r in rows:
        if r["population_type"] != CLA_AT_31_MARCH:
            continue
        published_years.add(year)
        out.extend(_cla_pair(code, year, r["children_count"], r["rate_per_10000"],
                             r["population_estimate"]))
    if not published_years:
        raise ImportError_(f"{path}: no rows with population_type {CLA_AT_31_MARCH!r}")

    long_path = raw_dir / SUBDIR / CLA_LONG_FILE
    for r in _cla_long_rows(raw_dir):
        year = int(r["year_31_march"])
        if year in published_years:
            continue  # the later release wins for the years it covers
        code = r["new_la_code"].strip()
        if not GSS.match(code):
            skips.add(long_path)
            continue
        period = march31_period(year)
        count = parse_number(r["cla_at_31_march"])
        children = population.get((code, year - 1))
        rate = parse_number(r["rate_per_10000_children"])
        if rate is None:
            rate = _ratio(count, children, 1e4, 0)
        out.append(fact(code, "cla_at_31_march", *period, count))
        out.append(fact(code, "cla_rate_per_10000", *period, rate, count, children))

    # 31 March 2018, the year neither file above has, from the 2022 release; only 2018 is
    # taken from it (the 2025 release revises 2021 and 2022).
    path, rows = _ees(raw_dir, CLA_2018_FILE,
                      ("population_count", "population_estimate", "number", "rate_per_10000"),
                      skips, CLA_2018_SUBDIR)
    found_2018 = False
    for code, year, r in rows:
        if year != 2018 or r["population_count"] != CLA_2018_LABEL:
            continue
        found_2018 = True
        out.extend(_cla_pair(code, year, r["number"], r["rate_per_10000"],
                             r["population_estimate"]))
    if not found_2018:
        raise ImportError_(f"{path}: no 2018 rows for {CLA_2018_LABEL!r}")

    n_diff = len(cla_discrepancies(raw_dir))
    if n_diff:
        log.info("%s and %s disagree on %d LA-year(s); the published file is used",
                 CLA_LONG_FILE, CLA_PUBLISHED_FILE, n_diff)

    path, rows = _ees(raw_dir, PLACEMENT_FILE,
                      ("cla_group", "placement_stability", "children_count", "children_percent"),
                      skips)
    index = {(code, year, r["cla_group"], r["placement_stability"]): r for code, year, r in rows}
    for metric, (group, stability) in PLACEMENT_METRICS.items():
        found = False
        for (code, year, g, s), r in index.items():
            if (g, s) != (group, stability):
                continue
            found = True
            total = index.get((code, year, group, PLACEMENT_TOTAL))
            out.append(fact(code, metric, *march31_period(year),
                            parse_number(r["children_percent"]),
                            parse_number(r["children_count"]),
                            parse_number(total["children_count"]) if total else None))
        if not found:
            raise ImportError_(f"{path}: no rows with cla_group {group!r} and "
                               f"placement_stability {stability!r}")

    kept = [r for r in out if _keep(r)]
    for metric in ("cla_at_31_march", *PLACEMENT_METRICS):
        _require_boroughs(f"{SUBDIR}/{metric}",
                          (r["area_code"] for r in kept if r["metric_code"] == metric))
    return kept


# ---------------------------------------------------------------- workforce


def csww_facts(raw_dir: Path, skips: _Skips) -> list[Row]:
    """Social worker turnover, agency, vacancy rates and caseload at 30 September."""
    columns = ("turnover_rate_fte", "leavers_fte", "inpost_fte", "agency_rate_fte", "agency_fte",
               "vacancy_rate_fte", "vacancy_fte", "caseload_fte", "cases", "case_holders_fte")
    path, rows = _ees(raw_dir, CSWW_FILE, columns, skips)
    _require_boroughs(str(path), (c for c, _, _ in rows))
    out: list[Row] = []
    for code, year, r in rows:
        n = {c: parse_number(r[c]) for c in columns}
        period = _sep30(year)
        out.append(fact(code, "sw_turnover_pct", *period, n["turnover_rate_fte"],
                        n["leavers_fte"], n["inpost_fte"]))
        out.append(fact(code, "sw_agency_pct", *period, n["agency_rate_fte"], n["agency_fte"],
                        _add(n["agency_fte"], n["inpost_fte"])))
        out.append(fact(code, "sw_vacancy_pct", *period, n["vacancy_rate_fte"], n["vacancy_fte"],
                        _add(n["vacancy_fte"], n["inpost_fte"])))
        out.append(fact(code, "sw_caseload", *period, n["caseload_fte"], n["cases"],
                        n["case_holders_fte"]))
    return [r for r in out if _keep(r)]


# ---------------------------------------------------------------- statistical neighbours


def old_la_code_map(raw_dir: Path) -> dict[str, str]:
    """{DfE three-digit LA number: GSS code}, from the pairs in the DfE files themselves.

    The latest year wins because a few councils were recoded (e.g. North Yorkshire 815:
    E10000023 until 2022, E06000065 after); two codes for one number in the same year is an
    error.
    """
    latest: dict[str, tuple[int, str]] = {}
    for name in (POP_FILE, CIN_FILE, REFERRALS_FILE, CPP_FILE, CLA_PUBLISHED_FILE,
                 PLACEMENT_FILE):
        path = raw_dir / SUBDIR / name
        rows = read_csv_rows(path)
        require_columns(path, rows, ("time_period", "geographic_level", "old_la_code",
                                     "new_la_code"))
        for r in rows:
            old, new = r["old_la_code"].strip(), r["new_la_code"].strip()
            if r["geographic_level"] != "Local authority" or not old or not GSS.match(new):
                continue
            year = _year(path, r["time_period"])
            prev = latest.get(old)
            if prev is None or year > prev[0]:
                latest[old] = (year, new)
            elif year == prev[0] and new != prev[1]:
                raise ImportError_(f"{path}: LA number {old} has codes {prev[1]} and {new} "
                                   f"in {year}")
    return {old: new for old, (_, new) in latest.items()}


def _closeness(text: str) -> str | None:
    text = " ".join(text.split())
    return text.capitalize() if text else None


def _neighbour_rows(
    path: Path,
    group_id: str,
    entries: Iterable[tuple[str, list[tuple[str, str]]]],
    codes: Mapping[str, str],
) -> list[Row]:
    out: list[Row] = []
    unmapped: set[str] = set()
    for old, neighbours in entries:
        area = codes.get(old)
        if area is None:
            unmapped.add(old)
            continue
        for rank, (n_old, closeness) in enumerate(neighbours, start=1):
            if not n_old:
                continue
            n_code = codes.get(n_old)
            if n_code is None:
                unmapped.add(n_old)
                continue
            out.append({"area_code": area, "group_id": group_id, "neighbour_code": n_code,
                        "rank": rank, "closeness": _closeness(closeness)})
    if unmapped:
        log.warning("%s: %d LA number(s) with no GSS code skipped: %s", path.name, len(unmapped),
                    ", ".join(sorted(unmapped)))
    _require_boroughs(str(path), (r["area_code"] for r in out))
    return out


def neighbour_rows(raw_dir: Path) -> list[Row]:
    """DfE statistical neighbours, 2021 and 2025 models, as GSS codes with rank and closeness."""
    codes = old_la_code_map(raw_dir)

    path21 = raw_dir / SUBDIR / SN_2021_FILE
    if not path21.exists():
        raise ImportError_(f"{path21}: file not found")
    with path21.open(encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    header = [h.strip() for h in table[0]] if table else []
    # The closeness columns are all headed "SNP", so they are found by position.
    positions = []
    for i in range(1, 11):
        name = f"SN{i}"
        if name not in header or header.index(name) + 1 >= len(header):
            raise ImportError_(f"{path21}: missing column(s) {name}")
        j = header.index(name)
        if header[j + 1] != "SNP":
            raise ImportError_(f"{path21}: missing column(s) SNP after {name}")
        positions.append(j)
    if not header or header[0] != "LA num":
        raise ImportError_(f"{path21}: missing column(s) LA num")
    entries21 = [
        (row[0].strip(), [(row[j].strip(), row[j + 1]) for j in positions])
        for row in table[1:]
        if row and re.fullmatch(r"\d{3}", row[0].strip())  # skips blank and "Old SNs:" rows
    ]

    path25 = raw_dir / SUBDIR / SN_2025_FILE
    rows25 = read_csv_rows(path25)
    cols25 = ["old_la_code"] + [c for i in range(1, 11) for c in (f"SN_{i}", f"SN_{i}P")]
    require_columns(path25, rows25, cols25)
    entries25 = [
        (r["old_la_code"].strip(),
         [(r[f"SN_{i}"].strip(), r[f"SN_{i}P"]) for i in range(1, 11)])
        for r in rows25
    ]
    return (_neighbour_rows(path21, "dfe_sn_2021", entries21, codes)
            + _neighbour_rows(path25, "dfe_sn_2025", entries25, codes))


# ---------------------------------------------------------------- entry point


def run(raw_dir: Path, out_dir: Path) -> list[Written]:
    """Write the three DfE fact files and the statistical neighbours file."""
    skips = _Skips()
    written: list[Written] = []
    known = {str(a["area_code"]) for a in ons.read_areas(raw_dir)}

    cin = restrict_to_areas(
        cin_facts(raw_dir, skips) + cin_early_facts(raw_dir), known, label="fact_dfe_cin.csv"
    )
    _require_unique("fact_dfe_cin.csv", cin)
    first, last = _span(cin, ("cin_at_31_march",))
    pop_first, pop_last = _span(cin, ("pop_0_17",))
    n = write_tidy(out_dir / "fact_dfe_cin.csv", cin, FACT_COLUMNS)
    written.append(Written("fact_dfe_cin.csv", n, "dfe_cin",
                           f"{first} to {last}; children 0-17 {pop_first} to {pop_last}"))

    cla = restrict_to_areas(cla_facts(raw_dir, skips), known, label="fact_dfe_cla.csv")
    _require_unique("fact_dfe_cla.csv", cla)
    first, last = _span(cla, ("cla_at_31_march",))
    n = write_tidy(out_dir / "fact_dfe_cla.csv", cla, FACT_COLUMNS)
    written.append(Written("fact_dfe_cla.csv", n, "dfe_cla",
                           f"{first} to {last} (2017-18 from the 2022 release)"))

    csww = restrict_to_areas(csww_facts(raw_dir, skips), known, label="fact_dfe_csww.csv")
    _require_unique("fact_dfe_csww.csv", csww)
    first, last = _span(csww, ("sw_turnover_pct",))
    n = write_tidy(out_dir / "fact_dfe_csww.csv", csww, FACT_COLUMNS)
    written.append(Written("fact_dfe_csww.csv", n, "dfe_csww", f"{first} to {last}"))

    neighbours = restrict_to_areas(
        neighbour_rows(raw_dir), known, ("area_code", "neighbour_code"), "neighbours_dfe.csv"
    )
    n = write_tidy(out_dir / "neighbours_dfe.csv", neighbours, NEIGHBOUR_COLUMNS)
    written.append(Written("neighbours_dfe.csv", n, "dfe_sn", "2021 and 2025 models"))

    skips.report()
    return written
