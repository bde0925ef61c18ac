"""Compare: any measure in the catalogue, the boroughs shown against a comparison group."""

import polars as pl
import streamlit as st

from triborough.figures.line_charts import band_chart
from triborough.figures.maps import (
    ATTRIBUTION,
    EXTENT_WORDS,
    area_codes,
    boundaries,
    choropleth,
    map_table,
)
from triborough.model.before_sharing import base_options
from triborough.model.catalogue import METRICS, population_band
from triborough.model.periods import YEAR_RANGE
from triborough.settings import get_settings
from triborough.ui.blocks import (
    base_choice,
    basis_choice,
    chart_block,
    empty_notice,
    metadata_for,
    page_scope,
    query,
)
from triborough.views.compare_view import (
    DEFAULT_METRIC,
    SHARED_BY_DOMAIN,
    Choice,
    about,
    band_notes,
    base_note,
    build_view,
    compare_catalogue,
    indexed,
    map_extent,
    map_figures,
    map_periods,
    metric_label,
    prepared,
)
from triborough.views.comparison import (
    EACH,
    GROUP_HELP,
    GROUP_PHRASE,
    GROUPS,
    NEIGHBOUR_GROUPS,
    UNION,
    base_periods,
    default_base,
    per_head_rule,
)
from triborough.views.comparison_words import standing_text, standings
from triborough.views.disclosure import meta_with, shading, span_of, unconfirmed_note
from triborough.views.headlines import MONEY_UNITS
from triborough.views.metric_views import suppression_note

st.title("Compare: the boroughs against their peers, on any measure")
st.markdown(
    "Pick a measure and a group to compare with. The boroughs are drawn as lines; the "
    "comparison group as its median (the middle council) with a shaded band for the middle "
    "half of the group, so you see whether a borough is typical, not just its rank."
)

areas, first_year, last_year = page_scope()
threshold = get_settings().small_number_threshold
catalogue = compare_catalogue(query("metric_catalogue", metrics=[m.code for m in METRICS]))
METRIC = {r["code"]: r for r in catalogue.to_dicts()}
codes = list(METRIC)

c1, c2 = st.columns([3, 2])
with c1:
    code = st.selectbox(
        "Measure (grouped by subject)", options=codes,
        format_func=lambda c: metric_label(METRIC[c]),
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
    to_index = st.toggle(
        "Index to a base", key="compare_index", bind="query-params",
        help="Each council's figure as a percentage of its own figure in the base (= 100), "
        "to compare changes rather than levels. The base is the average of 2008-09 to "
        "2010-11, the three years before sharing, where there are figures for them.",
    )
basis = "cash"
if m["unit"] in MONEY_UNITS:
    with c5:
        basis = basis_choice("compare_basis")
choice = Choice(m, group, mode, rule if per_head else None, basis, threshold)
deflators = query("gdp_deflator")

extent = map_extent(group)
shapes = boundaries(extent)
members = query("compare_members", comparison=group, areas=areas)
# The map's councils come with the group's, so one query serves the chart and the map.
wanted = sorted(set(members.get_column("member_code").to_list()) | set(area_codes(shapes)))


def figures(from_year: int) -> pl.DataFrame:
    """The measure's rows from ``from_year`` to the last year chosen, shaped as chosen."""
    return prepared(query(
        "compare_values", metric=code, areas=areas, members=wanted,
        age_band=rule.age_band if rule else population_band(code, m["domain"]),
        from_year=from_year, to_year=last_year,
    ), choice, deflators)


values = figures(first_year)
if values.filter((pl.col("role") == "display") & pl.col("value").is_not_null()).is_empty():
    empty_notice(
        f"No figures for {m['name'].lower()} for the boroughs and years chosen "
        f"(published {m['first_period']} to {m['last_period']})."
    )
    st.stop()

base: tuple[str, ...] = ()
note_on_base = ""
if to_index:
    everything = figures(YEAR_RANGE[0]) if first_year > YEAR_RANGE[0] else values
    default = default_base(everything)
    with c4:
        base = base_choice("compare_base_period", base_options(default, base_periods(everything)),
                           label="Index base")
        note_on_base = base_note(base, default)
        st.caption(note_on_base)
    values = indexed(everything, values, base)

view = build_view(values, members, choice, deflators=deflators, base=base,
                  note_on_base=note_on_base)
arrangements = query("shared_periods")
shared_ids = SHARED_BY_DOMAIN.get(m["domain"], ())
fig = band_chart(
    view.lines, view.bands, view.title, view.y_title, per_borough=mode == EACH,
    shaded=shading(arrangements, shared_ids, span_of(view.lines.drop_nulls("value"))),
)
if view.unit in ("gbp", "gbp_million"):  # "£80m", never "80k" of £ thousand
    fig.update_yaxes(tickprefix="£", ticksuffix="m" if view.unit == "gbp_million" else "",
                     tickformat=",~f")
meta = meta_with(metadata_for(catalogue.filter(pl.col("code") == code), view.span), **view.notes,
                 suppression=suppression_note(threshold) if m["is_people_count"] else "")
chart_block(
    fig, view.table, key="compare_chart", meta=meta,
    alt=f"Line chart of {view.what.lower()} for the chosen boroughs, with the median and middle "
    f"half of {GROUP_PHRASE[group]} as a line and a shaded band, {view.span}. The same figures "
    "are in the table.",
    file_stem=f"triborough_compare_{code}_{group}",
)
shown_names = dict(view.lines.select("area_code", "area_name").unique().iter_rows())
names = {a: shown_names[a] for a in areas if a in shown_names}
st.subheader("In plain words", anchor=False)
st.markdown(standing_text(standings(
    view.values, view.bands, members, mode=mode, group_phrase=GROUP_PHRASE[group],
    unit=view.unit, polarity=m["polarity"], names=names,
)))
shared_note = unconfirmed_note(arrangements, shared_ids) if shared_ids else ""
for note in band_notes(view, choice, names=names, shared=shared_note, base=base):
    st.caption(note)

st.header("On the map", anchor=False)
periods = map_periods(view.values.filter(pl.col("area_code").is_in(area_codes(shapes))))
if periods:
    period = st.selectbox("Year on the map", options=periods[::-1], key="compare_map_period",
                          bind="query-params")
    table = map_table(map_figures(view.values, period), shapes, unit=view.unit,
                      suppressed_note=f"suppressed (fewer than {threshold})")
    chart_block(
        choropleth(table, shapes, title=f"{view.what}, {period}", unit=view.unit),
        table.select("area", pl.col("value").alias(view.y_title), "note"),
        key="compare_map", meta=meta_with(meta, period=period, boundaries=ATTRIBUTION[extent]),
        alt=f"Map of {EXTENT_WORDS[extent]} shaded by {view.what.lower()} in {period}, "
        "lighter for lower figures and darker for higher, grey where there is no figure; "
        "Westminster, Hammersmith and Fulham and Kensington and Chelsea outlined. The same "
        "figures are in the table.",
        file_stem=f"triborough_map_{code}_{period}",
    )
    st.caption(ATTRIBUTION[extent] + " Grey: no figure for that year (or a small count hidden).")

with st.container(border=True):
    st.header(f"About this measure: {m['name']}", anchor=False)
    if m["is_illustrative"]:
        st.warning("Illustrative figures (generated, not published).", icon="⚠️")
    st.markdown(about(m))
