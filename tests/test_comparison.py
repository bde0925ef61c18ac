"""Compare logic: per head, indexing, suppression before deriving, comparison-group bands."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from triborough.model.before_sharing import BEFORE_SHARING, base_options, index_to_base
from triborough.views.comparison import (
    EACH,
    UNION,
    base_periods,
    comparison_table,
    default_base,
    group_bands,
    per_head_rule,
    suppress_counts,
    to_per_head,
)

WCC, HF, RBKC = "E09000033", "E09000013", "E09000020"
NAMES = {WCC: "Westminster", HF: "Hammersmith and Fulham", RBKC: "Kensington and Chelsea"}
Y24, Y25 = dt.date(2024, 3, 31), dt.date(2025, 3, 31)


def _rows(rows: list[tuple]) -> pl.DataFrame:
    """(area, role, period, value, population) tuples as compare_values rows."""
    ends = {"2023-24": Y24, "2024-25": Y25}
    return pl.DataFrame(
        [
            {"area_code": a, "area_name": NAMES.get(a, a), "role": role, "period": p,
             "period_end": ends[p], "value": v, "population": pop, "population_year": 2024}
            for a, role, p, v, pop in rows
        ],
        schema_overrides={"value": pl.Float64, "population": pl.Float64},
    )


@pytest.mark.parametrize(
    ("unit", "domain", "expected"),
    [
        ("gbp_thousand", "finance", ("all_ages", 1, 1000.0, "gbp", "£ per resident")),
        ("gbp_thousand", "adults", ("18+", 1, 1000.0, "gbp", "£ per adult")),
        ("count", "children", ("0-17", 10_000, 1.0, "rate_per_10000", "per 10,000 children")),
        ("count", "adults", ("18+", 1_000, 1.0, "rate_per_1000", "per 1,000 adults")),
        ("count", "libraries", ("all_ages", 1_000, 1.0, "rate_per_1000",
                                "per 1,000 residents")),
    ],
)
def test_per_head_rule_for_counts_and_money(unit, domain, expected):
    rule = per_head_rule(unit, domain)
    assert rule is not None
    assert (rule.age_band, rule.per, rule.to_units, rule.unit, rule.label) == expected
    assert "ONS mid-year estimates" in rule.describe()


@pytest.mark.parametrize("unit", ["percent", "rate_per_10000", "gbp", "score", "persons"])
def test_no_per_head_for_rates_shares_scores_or_people(unit):
    assert per_head_rule(unit, "children") is None


def test_per_head_divides_by_the_population_and_keeps_gaps():
    # DfE: Westminster 186 children looked after at 31 March 2025, 29,834 children aged 0-17.
    rows = _rows([(WCC, "display", "2024-25", 186.0, 29834.0),
                  (HF, "display", "2024-25", 197.0, None),
                  (RBKC, "display", "2024-25", None, 26000.0)])
    out = to_per_head(rows, per_head_rule("count", "children"))
    values = dict(zip(out["area_code"], out["value"], strict=True))
    assert values[WCC] == pytest.approx(62.35, abs=0.01)  # DfE publishes 62
    assert values[HF] is None  # no population: no figure, not zero
    assert values[RBKC] is None


def test_money_per_head_converts_thousands_to_pounds():
    rows = _rows([(WCC, "display", "2024-25", 105421.24, 180162.0)])
    out = to_per_head(rows, per_head_rule("gbp_thousand", "adults"))
    assert out["value"][0] == pytest.approx(585.15, abs=0.01)


def test_index_is_each_areas_own_base_year_times_100():
    rows = _rows([
        (WCC, "display", "2023-24", 174.0, None), (WCC, "display", "2024-25", 186.0, None),
        (HF, "display", "2023-24", None, None), (HF, "display", "2024-25", 197.0, None),
        (RBKC, "member", "2023-24", 0.0, None), (RBKC, "member", "2024-25", 5.0, None),
    ])
    out = index_to_base(rows, "2023-24")
    got = {(a, p): v for a, p, v in out.select("area_code", "period", "value").iter_rows()}
    assert got[(WCC, "2023-24")] == 100.0
    assert got[(WCC, "2024-25")] == pytest.approx(106.9, abs=0.05)
    # No base-year figure (or a zero one): no index at all, not one from another year.
    assert got[(HF, "2024-25")] is None
    assert got[(RBKC, "2024-25")] is None


def _early(rows: list[tuple]) -> pl.DataFrame:
    """(area, role, period, value) rows over 2008-09 to 2011-12."""
    ends = {f"{y}-{(y + 1) % 100:02d}": dt.date(y + 1, 3, 31) for y in range(2008, 2012)}
    return pl.DataFrame(
        [(a, r, p, ends[p], v) for a, r, p, v in rows],
        schema=["area_code", "role", "period", "period_end", "value"], orient="row",
    )


def test_index_to_the_average_needs_every_year_before_sharing():
    rows = _early([
        (WCC, "display", "2008-09", 90.0), (WCC, "display", "2009-10", 100.0),
        (WCC, "display", "2010-11", 110.0), (WCC, "display", "2011-12", 120.0),
        (HF, "display", "2009-10", 100.0), (HF, "display", "2010-11", 100.0),
        (HF, "display", "2011-12", 100.0),
    ])
    got = {(a, p): v for a, p, v in index_to_base(rows, BEFORE_SHARING)
           .select("area_code", "period", "value").iter_rows()}
    assert got[(WCC, "2011-12")] == pytest.approx(120.0)  # 120 / mean(90, 100, 110) x 100
    assert got[(WCC, "2008-09")] == pytest.approx(90.0)
    assert got[(HF, "2011-12")] is None  # no 2008-09 figure: no index, not one from 2009-10


def test_default_base_is_before_sharing_only_where_a_borough_has_each_year():
    full = _early([(WCC, "display", p, 1.0) for p in BEFORE_SHARING]
                  + [(HF, "display", "2011-12", 1.0)])
    assert default_base(full) == BEFORE_SHARING
    # Members' figures do not count: the base is for the boroughs shown.
    partial = _early([(WCC, "display", "2009-10", None), (WCC, "display", "2010-11", 2.0),
                      (WCC, "display", "2011-12", 3.0)]
                     + [(RBKC, "member", p, 1.0) for p in BEFORE_SHARING])
    assert default_base(partial) == ("2010-11",)
    assert default_base(_early([(WCC, "display", "2011-12", None)])) == ()


def test_base_options_put_the_default_first_without_repeating_it():
    assert base_options(BEFORE_SHARING, ["2008-09", "2011-12"]) == {
        "average of 2008-09 to 2010-11": BEFORE_SHARING, "2008-09": ("2008-09",),
        "2011-12": ("2011-12",),
    }
    assert list(base_options(("2010-11",), ["2010-11", "2011-12"])) == ["2010-11", "2011-12"]


def test_base_periods_are_those_the_boroughs_shown_have():
    rows = _rows([(WCC, "display", "2023-24", None, None), (WCC, "display", "2024-25", 1.0, None),
                  (RBKC, "member", "2023-24", 3.0, None)])
    assert base_periods(rows) == ["2024-25"]


def test_small_counts_of_people_are_hidden_with_a_second_figure_before_deriving():
    rows = _rows([(WCC, "display", "2024-25", 186.0, 29834.0),
                  (HF, "display", "2024-25", 197.0, 31955.0),
                  (RBKC, "display", "2024-25", 3.0, 25000.0),
                  ("E09000001", "member", "2024-25", 2.0, 1000.0)])
    out = suppress_counts(rows, threshold=5, is_people_count=True)
    hidden = dict(zip(out["area_code"], out["suppressed"], strict=True))
    assert hidden == {RBKC: True, WCC: True, HF: False, "E09000001": False}
    assert out.filter(pl.col("area_code") == RBKC)["value"][0] is None
    # Per head afterwards cannot bring the hidden count back as a rate.
    rate = to_per_head(out, per_head_rule("count", "children"))
    assert rate.filter(pl.col("area_code") == RBKC)["value"][0] is None
    # Not a count of people: nothing is hidden.
    assert not suppress_counts(rows, 5, is_people_count=False)["suppressed"].any()


def _members(pairs: list[tuple[str, str]]) -> pl.DataFrame:
    return pl.DataFrame({"for_area": [a for a, _ in pairs], "member_code": [m for _, m in pairs]})


def test_union_band_is_median_and_quartiles_of_the_group():
    peers = ["P1", "P2", "P3", "P4", "P5"]
    rows = _rows([(WCC, "display", "2024-25", 62.0, None)]
                 + [(p, "member", "2024-25", v, None)
                    for p, v in zip(peers, [10.0, 20.0, 30.0, 40.0, 50.0], strict=True)])
    members = _members([(WCC, p) for p in peers] + [(HF, p) for p in peers[:2]])
    bands = group_bands(rows, members, mode=UNION, group_label="London boroughs", names=NAMES,
                        threshold=5, counts_shown=False)
    row = bands.row(0, named=True)
    assert (row["lower_quartile"], row["median"], row["upper_quartile"]) == (20.0, 30.0, 40.0)
    assert row["areas"] == 5  # a council in two boroughs' lists counts once
    assert row["group_label"] == "London boroughs"


def test_each_borough_gets_a_band_from_its_own_neighbours():
    a_peers, b_peers = ["A1", "A2", "A3", "A4", "A5"], ["B1", "B2", "B3", "B4", "B5"]
    rows = _rows([(p, "member", "2024-25", float(i), None) for i, p in enumerate(a_peers)]
                 + [(p, "member", "2024-25", float(100 + i), None) for i, p in enumerate(b_peers)])
    members = _members([(WCC, p) for p in a_peers] + [(HF, p) for p in b_peers])
    bands = group_bands(rows, members, mode=EACH, group_label="DfE statistical neighbours",
                        names=NAMES, threshold=5, counts_shown=False)
    medians = dict(zip(bands["group_key"], bands["median"], strict=True))
    assert medians == {WCC: 2.0, HF: 102.0}
    assert "Westminster's DfE statistical neighbours" in bands["group_label"].to_list()


def test_a_group_too_small_to_summarise_gets_no_band():
    rows = _rows([(p, "member", "2024-25", 10.0, None) for p in ["P1", "P2", "P3", "P4"]])
    members = _members([(WCC, p) for p in ["P1", "P2", "P3", "P4"]])
    assert group_bands(rows, members, mode=UNION, group_label="g", names=NAMES, threshold=5,
                       counts_shown=False).is_empty()


def test_a_median_count_below_the_threshold_is_suppressed_and_the_table_says_so():
    peers = ["P1", "P2", "P3", "P4", "P5"]
    rows = _rows([(WCC, "display", "2024-25", 3.0, None), (HF, "display", "2024-25", None, None)]
                 + [(p, "member", "2024-25", v, None)
                    for p, v in zip(peers, [1.0, 2.0, 3.0, 40.0, 50.0], strict=True)])
    rows = suppress_counts(rows, threshold=5, is_people_count=True)
    bands = group_bands(rows, _members([(WCC, p) for p in peers]), mode=UNION,
                        group_label="London boroughs", names=NAMES, threshold=5,
                        counts_shown=True)
    assert bands["suppressed"][0] and bands["median"][0] is None
    table = comparison_table(rows, bands, value_name="children", threshold=5)
    notes = dict(zip(table["area"], table["note"], strict=True))
    assert notes["Westminster"] == "suppressed (fewer than 5)"
    assert notes["Hammersmith and Fulham"] == "no figure published"
    assert notes["London boroughs: median"] == "suppressed (fewer than 5)"
    assert table.filter(pl.col("area") == "Westminster")["children"][0] is None


def test_one_population_rule_for_every_page():
    """Compare, Savings and the build's per-head metrics divide each service by the same
    residents: children's social care by children, adults' by adults, others by everyone."""
    from triborough.model.catalogue import population_band
    from triborough.views.savings import SERVICE_OPTIONS
    from triborough.warehouse.transform import parameters

    assert per_head_rule("gbp_thousand", "finance", "nce_adult_social_care").age_band == "18+"
    assert per_head_rule("gbp_thousand", "finance", "nce_childrens_social_care").age_band == (
        "0-17"
    )
    assert per_head_rule("gbp_thousand", "finance", "nce_cultural_related").age_band == (
        "all_ages"
    )
    assert SERVICE_OPTIONS["adult_social_care"].age_band == population_band(
        "nce_adult_social_care"
    )
    assert SERVICE_OPTIONS["childrens_social_care"].age_band == "0-17"
    assert SERVICE_OPTIONS["social_care_all"].age_band == "all_ages"
    built = parameters()  # the bands transforms/facts_spend_per_head.sql divides by
    bands = dict(zip(built["spend_codes"], built["spend_bands"], strict=True))
    assert bands["nce_adult_social_care"] == "18+"
    assert bands["nce_childrens_social_care"] == "0-17"


def test_one_neighbour_model_the_latest_and_never_the_three_themselves(built_warehouse):
    """Compare and Savings use DfE's latest model (2025 among the 2021 and 2025 held), and
    no tri-borough council is ever in another's (or its own) neighbours: before, the union of
    their DfE neighbours held all three, and its median for children looked after per 10,000
    in 2023-24 was Hammersmith and Fulham's own figure."""
    from triborough.model.boroughs import BOROUGH_BY_CODE
    from triborough.read.connection import connect_readonly, run_named
    from triborough.settings import PROJECT_ROOT
    from triborough.views.comparison import GROUPS, statistical_neighbours

    model = statistical_neighbours()
    held = pl.read_csv(PROJECT_ROOT / "data" / "public" / "neighbours_dfe.csv")
    assert model.group_id == max(held.get_column("group_id").unique().to_list()) == "dfe_sn_2025"
    assert GROUPS[model.group_id] == model.name == "DfE statistical neighbours (2025 model)"
    three = list(BOROUGH_BY_CODE)
    con = connect_readonly(built_warehouse)
    try:
        for group in (model.group_id, "oflog_nn"):
            members = run_named(con, "compare_members", {"comparison": group, "areas": three})
            assert not set(members.get_column("member_code")) & set(three), group
        members = run_named(con, "compare_members", {"comparison": model.group_id,
                                                     "areas": three})
        # Kensington and Chelsea's ten 2025 neighbours include H&F and Westminster: eight left.
        assert members.filter(pl.col("for_area") == "E09000020").height == 8
    finally:
        con.close()
