"""Compare: any measure in the catalogue, the boroughs shown against a comparison group."""

import polars as pl
import streamlit as st

from triborough.before_sharing import BEFORE_SHARING, base_options, base_words, index_to_base
from triborough.catalogue import METRICS, population_band
from triborough.charts import band_chart
from triborough.comparison import (
    EACH,
    GROUP_HELP,
    GROUP_PHRASE,
    GROUPS,
    MIN_GROUP_AREAS,
    NEIGHBOUR_GROUPS,
    UNION,
    UNIT_WORDS,
    base_periods,
    comparison_table,
    default_base,
    group_bands,
    per_head_rule,
    suppress_counts,
    to_per_head,
)
from triborough.disclosure import meta_with, shading, span_of, unconfirmed_note
from triborough.headlines import MONEY_UNITS
from triborough.metric_views import suppression_note
from triborough.real_terms import basis_short, basis_words, in_basis
from triborough.scorecard import POLARITY_WORDS
from triborough.settings import get_settings
from triborough.ui import (
    YEAR_RANGE,
    base_choice,
    basis_choice,
    chart_block,
    empty_notice,
    metadata_for,
    page_scope,
    period_span,
    query,
)

DOMAIN_ORDER = ("children", "adults", "libraries", "finance", "population", "programme", "it")
DOMAIN_WORDS = {
    "children": "Children's services", "adults": "Adults' social care",
    "libraries": "Libraries", "finance": "Money", "population": "Population",
    "programme": "Shared-services programme", "it": "IT",
}
SHARED_BY_DOMAIN = {
    "children": ("triborough_childrens_services",),
    "adults": ("triborough_adult_social_care",),
    "libraries": ("triborough_libraries",),
}
DEFAULT_METRIC = "cla_rate_per_10000"

st.title("Compare: the boroughs against their peers, on any measure")
st.markdown(
    "Pick a measure and a group to compare with. The boroughs are drawn as lines; the "
    "comparison group as its median (the middle council) with a shaded band for the middle "
    "half of the group, so you see whether a borough is typical, not just its rank."
)

areas, first_year, last_year = page_scope()
threshold = get_settings().small_number_threshold

catalogue = query("metric_catalogue", metrics=[m.code for m in METRICS]).filter(
    (pl.col("periods") > 0) & (pl.col("unit") != "judgement")  # Ofsted grades: see Quality
)
catalogue = catalogue.with_columns(
    pl.col("domain").replace_strict(
        {d: i for i, d in enumerate(DOMAIN_ORDER)}, default=len(DOMAIN_ORDER)
    ).alias("_order")
).sort("_order", "name")
METRIC = {r["code"]: r for r in catalogue.to_dicts()}
codes = list(METRIC)


def metric_label(code: str) -> str:
    """'Children's services · Children looked after at 31 March (illustrative)'."""
    m = METRIC[code]
    tag = " (illustrative)" if m["is_illustrative"] else ""
    return f"{DOMAIN_WORDS.get(m['domain'], m['domain'])} · {m['name']}{tag}"


c1, c2 = st.columns([3, 2])
with c1:
    code = st.selectbox(
        "Measure (grouped by subject)", options=codes, format_func=metric_label,
        index=codes.index(DEFAULT_METRIC) if DEFAULT_METRIC in codes else 0,
        key="compare_metric", bind="query-params",
    )
with c2:
    group = st.radio(
        "Compare with", options=list(GROUPS), format_func=GROUPS.get, key="compare_group",
        bind="query-params",
        help=" ".join(f"{GROUPS[g]}: {GROUP_HELP[g]}" for g in GROUPS),
    )
m = METRIC[code]
mode = UNION
if group in NEIGHBOUR_GROUPS:
    mode = st.radio(
        "Neighbours", options=[UNION, EACH], horizontal=True, key="compare_peer_mode",
        bind="query-params",
        format_func=lambda v: {
            UNION: "All the boroughs' neighbours together",
            EACH: "Each borough against its own neighbours",
        }[v],
    )

rule = per_head_rule(m["unit"], m["domain"], code)
c3, c4, c5 = st.columns(3)
with c3:
    per_head = st.toggle(
        "Per head", key="compare_per_head", bind="query-params", disabled=rule is None,
        help=rule.describe().capitalize() + "." if rule else
        "This measure is already a rate, share, score or per-head figure.",
    )
with c4:
    indexed = st.toggle(
        "Index to a base", key="compare_index", bind="query-params",
        help="Each council's figure as a percentage of its own figure in the base (= 100), "
        "to compare changes rather than levels. The base is the average of 2008-09 to "
        "2010-11, the three years before sharing, where there are figures for them.",
    )
per_head = bool(per_head and rule)
is_money = m["unit"] in MONEY_UNITS
basis = "cash"
if is_money:
    with c5:
        basis = basis_choice("compare_basis")
deflators = query("gdp_deflator")

members = query("compare_members", comparison=group, areas=areas)
member_codes = sorted(set(members.get_column("member_code").to_list()))


def figures(from_year: int) -> pl.DataFrame:
    """The measure's rows from ``from_year`` to the last year chosen, as published."""
    return query(
        "compare_values", metric=code, areas=areas, members=member_codes,
        age_band=rule.age_band if rule else population_band(code, m["domain"]),
        from_year=from_year, to_year=last_year,
    )


def prepared(rows: pl.DataFrame) -> pl.DataFrame:
    """Small counts hidden first, so no rate or index is made from a hidden count; then the
    chosen money and per head."""
    rows = suppress_counts(rows, threshold, bool(m["is_people_count"]))
    if is_money:
        rows = in_basis(rows, basis, deflators)
    return to_per_head(rows, rule) if per_head and rule else rows


values = figures(first_year)
shown_raw = values.filter((pl.col("role") == "display") & pl.col("value").is_not_null())
if shown_raw.is_empty():
    empty_notice(
        f"No figures for {m['name'].lower()} for the boroughs and years chosen "
        f"(published {m['first_period']} to {m['last_period']})."
    )
    st.stop()

values = prepared(values)
unit = m["unit"]
y_title = UNIT_WORDS.get(unit, unit)
if per_head and rule:
    unit, y_title = rule.unit, rule.label
base: tuple[str, ...] = ()
base_note = ""
if indexed:
    # The base may lie before the years shown: index every year, then keep those shown.
    everything = prepared(figures(YEAR_RANGE[0])) if first_year > YEAR_RANGE[0] else values
    default = default_base(everything)
    with c4:
        base = base_choice(
            "compare_base_period", base_options(default, base_periods(everything)),
            label="Index base",
        )
    values = index_to_base(everything, base).join(
        values.select("area_code", "role", "period"), on=["area_code", "role", "period"],
        how="semi",
    )
    unit, y_title = "index", f"index ({base_words(base)} = 100)"
    base_note = f"Index base: {base_words(base)} = 100. " + (
        f"The default is the {base_words(BEFORE_SHARING)}, the three years before sharing."
        if default == BEFORE_SHARING else
        f"No borough shown has a figure for each of {BEFORE_SHARING[0]} to "
        f"{BEFORE_SHARING[-1]}, the three years before sharing, so the default base is "
        f"{base_words(default)}, the first year with a figure."
    )
    with c4:
        st.caption(base_note)

names = dict(values.select("area_code", "area_name").unique().iter_rows())
arrangements = query("shared_periods")
shared_ids = SHARED_BY_DOMAIN.get(m["domain"], ())
bands = group_bands(
    values, members, mode=mode, group_label=GROUPS[group], names=names, threshold=threshold,
    counts_shown=bool(m["is_people_count"]) and not per_head and not indexed,
)
lines = values.filter(pl.col("role") == "display").select(
    "area_code", "area_name", "period", "period_end", "value"
)
span = period_span(
    shown_raw.sort("period_end").get_column("period").unique(maintain_order=True).to_list()
)
how = [rule.label] if per_head and rule else []
how += [basis_short(basis)] if is_money else []
how += [f"indexed ({base_words(base)} = 100)"] if indexed else []
what = ", ".join([m["name"], *how])
title = f"{what} against {GROUP_PHRASE[group]}, {span}"
if len(title) > 100:  # a longer title is cut off at the chart's edge: the details go below
    below = ", ".join([*how, f"against {GROUP_PHRASE[group]}", span])
    title = f"{m['name']}<br><sup>{below}</sup>"
within = span_of(lines.drop_nulls("value"))
fig = band_chart(
    lines, bands, title, y_title,
    per_borough=mode == EACH,
    shaded=shading(arrangements, shared_ids, within),
)
if m["is_illustrative"]:
    fig.update_layout(title_text=f"{fig.layout.title.text} (illustrative)")

notes = {
    "comparison_group": f"{GROUPS[group]}: {GROUP_HELP[group]}"
    + (" Each borough against its own neighbours." if mode == EACH else ""),
    "per_head": f"{rule.label}: {rule.describe()}" if per_head and rule else "",
    "index": f"each council's figure / its {base_words(base)} figure x 100. {base_note}"
    if indexed else "",
    "prices": basis_words(basis, deflators) if is_money else "",
}
if m["is_people_count"]:
    notes["suppression"] = suppression_note(threshold)
value_name = y_title if (per_head or indexed) else m["name"]
chart_block(
    fig,
    comparison_table(values, bands, value_name=value_name, threshold=threshold),
    key="compare_chart",
    meta=meta_with(metadata_for(catalogue.filter(pl.col("code") == code), span), **notes),
    alt=f"Line chart of {what.lower()} for the chosen boroughs, with the median and middle "
    f"half of {GROUP_PHRASE[group]} as a line and a shaded band, {span}. The same figures "
    "are in the table.",
    file_stem=f"triborough_compare_{code}_{group}",
)
if bands.is_empty():
    st.caption(
        f"No comparison band: fewer than {MIN_GROUP_AREAS} councils in the group have a figure "
        "for any year chosen"
        + (" (illustrative figures exist only for the three boroughs)." if m["is_illustrative"]
           else ".")
    )
st.caption(
    f"The band covers the middle half of {GROUP_PHRASE[group]} with a figure that year "
    "(lower to upper quartile); the line through it is their median. A year with fewer than "
    f"{MIN_GROUP_AREAS} councils with a figure gets no band. A break in a line or band is a "
    "year with no published figure."
    + (f" Per head: {rule.describe()}." if per_head and rule else "")
    + (f" {unconfirmed_note(arrangements, shared_ids)}" if shared_ids else "")
)
if indexed:
    missing = [names[a] for a in areas if a in names and lines.filter(
        (pl.col("area_code") == a) & pl.col("value").is_not_null()).is_empty()]
    if missing:
        st.caption(f"No {base_words(base)} figure to index from for: {', '.join(missing)}.")

with st.container(border=True):
    st.header(f"About this measure: {m['name']}", anchor=False)
    if m["is_illustrative"]:
        st.warning("Illustrative figures (generated, not published).", icon="⚠️")
    source = f"[{m['source_title']}]({m['source_url']})" if m["source_url"] else m["source_title"]
    st.markdown(
        f"**Definition:** {m['definition']}  \n"
        f"**Unit:** {UNIT_WORDS.get(m['unit'], m['unit'])}  \n"
        f"**Which way is better:** {POLARITY_WORDS.get(m['polarity'], m['polarity'])}"
        + (" (depends on context)" if m["polarity"] == "neither" else " is better") + "  \n"
        f"**Source:** {m['publisher']}, {source}  \n"
        f"**Licence:** {m['licence']}  \n"
        f"**Published figures held:** {m['first_period']} to {m['last_period']} "
        f"({m['periods']} periods)"
    )
