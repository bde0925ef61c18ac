"""The Compare page's figures, shaped: everything between the warehouse's rows and what the page
lays out (the chart's lines and bands, its title and unit, the table, the notes for the
download, the map's year), testable without Streamlit.

Order of work (see ``comparison``): small counts hidden first, then money in the basis chosen,
then per head, then indexed, then summarised; money totals are shown in £ million.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from triborough.figures.maps import ENGLAND, LONDON
from triborough.model.before_sharing import BEFORE_SHARING, base_words, index_to_base
from triborough.model.periods import period_span
from triborough.model.real_terms import basis_short, basis_words, in_basis
from triborough.views.comparison import (
    EACH,
    GROUP_HELP,
    GROUP_PHRASE,
    GROUPS,
    MIN_GROUP_AREAS,
    UNIT_WORDS,
    PerHead,
    comparison_table,
    group_bands,
    suppress_counts,
    to_per_head,
)
from triborough.views.headlines import MONEY_UNITS
from triborough.views.scorecard import POLARITY_WORDS

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
# A title longer than this is cut off at the chart's edge: the details go on a second line.
TITLE_CHARS = 100


def compare_catalogue(catalogue: pl.DataFrame) -> pl.DataFrame:
    """The measures Compare offers, grouped by subject: every measure with a figure, except
    Ofsted grades (a judgement has no median; the Quality page shows them)."""
    order = {d: i for i, d in enumerate(DOMAIN_ORDER)}
    return (
        catalogue.filter((pl.col("periods") > 0) & (pl.col("unit") != "judgement"))
        .with_columns(pl.col("domain").replace_strict(order, default=len(order)).alias("_order"))
        .sort("_order", "name")
        .drop("_order")
    )


def metric_label(m: Mapping[str, Any]) -> str:
    """'Children's services · Children looked after at 31 March (illustrative)'."""
    tag = " (illustrative)" if m["is_illustrative"] else ""
    return f"{DOMAIN_WORDS.get(m['domain'], m['domain'])} · {m['name']}{tag}"


def map_extent(group: str) -> str:
    """England's councils for the same-tier group; London's 33 areas for every other."""
    return ENGLAND if group == "same_tier" else LONDON


@dataclass(frozen=True)
class Choice:
    """What the person chose: the measure's catalogue row, the group and how to show it."""

    metric: Mapping[str, Any]
    group: str
    mode: str
    rule: PerHead | None  # per head, when chosen and possible
    basis: str  # "cash" or "real" (money only)
    threshold: int

    @property
    def is_money(self) -> bool:
        """The measure is a money total or per-head money figure."""
        return self.metric["unit"] in MONEY_UNITS


def prepared(rows: pl.DataFrame, choice: Choice, deflators: pl.DataFrame) -> pl.DataFrame:
    """Small counts hidden first, so no rate or index is made from a hidden count; then the
    chosen money basis and per head.

    A group member's small count is flagged too (never nulled: the group's summaries have their
    own rule), so a map, which shows every council one by one, can hide it.
    """
    people = bool(choice.metric["is_people_count"])
    rows = suppress_counts(rows, choice.threshold, people)
    if people:
        small = (pl.col("role") == "member") & (pl.col("value") > 0) & (
            pl.col("value") < choice.threshold)
        rows = rows.with_columns((pl.col("suppressed") | small.fill_null(False))
                                 .alias("suppressed"))
    if choice.is_money:
        rows = in_basis(rows, choice.basis, deflators)
    return to_per_head(rows, choice.rule) if choice.rule else rows


def indexed(everything: pl.DataFrame, shown: pl.DataFrame, base: tuple[str, ...]) -> pl.DataFrame:
    """Every council's figure as a percentage of its own ``base`` figure, for the periods in
    ``shown`` (the base may lie before the years shown, so ``everything`` is indexed)."""
    return index_to_base(everything, base).join(
        shown.select("area_code", "role", "period"), on=["area_code", "role", "period"],
        how="semi",
    )


def base_note(base: tuple[str, ...], default: tuple[str, ...]) -> str:
    """Which base the index uses, and why the default is what it is."""
    return f"Index base: {base_words(base)} = 100. " + (
        f"The default is the {base_words(BEFORE_SHARING)}, the three years before sharing."
        if default == BEFORE_SHARING else
        f"No borough shown has a figure for each of {BEFORE_SHARING[0]} to "
        f"{BEFORE_SHARING[-1]}, the three years before sharing, so the default base is "
        f"{base_words(default)}, the first year with a figure."
    )


@dataclass
class CompareView:
    """What the page draws: the shaped figures, the chart's layers and its words."""

    values: pl.DataFrame  # every row after shaping (boroughs shown, group, map areas)
    lines: pl.DataFrame  # the boroughs' series, every period (gaps as nulls)
    bands: pl.DataFrame  # the group's median and quartiles (comparison.group_bands)
    unit: str  # unit of the figures as shown
    y_title: str
    title: str
    what: str  # the measure and how it is shown, for alt text and the map
    span: str  # "2011-12 to 2024-25"
    table: pl.DataFrame
    notes: dict[str, str] = field(default_factory=dict)


def build_view(
    values: pl.DataFrame,
    members: pl.DataFrame,
    choice: Choice,
    *,
    deflators: pl.DataFrame,
    base: tuple[str, ...] = (),
    note_on_base: str = "",
) -> CompareView:
    """The chart, table and download notes for ``values`` (already ``prepared``, and indexed
    when ``base`` is given)."""
    m = choice.metric
    unit, y_title = m["unit"], UNIT_WORDS.get(m["unit"], m["unit"])
    how = []
    if choice.rule:
        unit, y_title = choice.rule.unit, choice.rule.label
        how.append(choice.rule.label)
    if choice.is_money:
        how.append(basis_short(choice.basis))
        if unit == "gbp_thousand" and not base:
            # £ thousand on an axis reads "80k" for £80 million: show millions, as the words
            # do (the basis, cash or real terms, is in the title and the download's notes).
            values = values.with_columns(pl.col("value") / 1000)
            unit, y_title = "gbp_million", "£ million"
    if base:
        unit, y_title = "index", f"index ({base_words(base)} = 100)"
        how.append(f"indexed ({base_words(base)} = 100)")
    names = dict(values.select("area_code", "area_name").unique().iter_rows())
    bands = group_bands(
        values, members, mode=choice.mode, group_label=GROUPS[choice.group], names=names,
        threshold=choice.threshold,
        counts_shown=bool(m["is_people_count"]) and not choice.rule and not base,
    )
    lines = values.filter(pl.col("role") == "display").select(
        "area_code", "area_name", "period", "period_end", "value"
    )
    shown = values.filter((pl.col("role") == "display") & pl.col("value").is_not_null())
    span = period_span(
        shown.sort("period_end").get_column("period").unique(maintain_order=True).to_list())
    what = ", ".join([m["name"], *how])
    phrase = GROUP_PHRASE[choice.group]
    title = f"{what} against {phrase}, {span}"
    if len(title) > TITLE_CHARS:
        title = f"{m['name']}<br><sup>{', '.join([*how, f'against {phrase}', span])}</sup>"
    if m["is_illustrative"]:
        title += " (illustrative)"
    value_name = y_title if (choice.rule or base or unit != m["unit"]) else m["name"]
    notes = {
        "unit": y_title,
        "comparison_group": f"{GROUPS[choice.group]}: {GROUP_HELP[choice.group]}"
        + (" Each borough against its own neighbours." if choice.mode == EACH else ""),
        "per_head": f"{choice.rule.label}: {choice.rule.describe()}" if choice.rule else "",
        "index": f"each council's figure / its {base_words(base)} figure x 100. {note_on_base}"
        if base else "",
        "prices": basis_words(choice.basis, deflators) if choice.is_money else "",
    }
    table = comparison_table(values, bands, value_name=value_name, threshold=choice.threshold)
    return CompareView(values, lines, bands, unit, y_title, title, what, span, table, notes)


def band_notes(
    view: CompareView, choice: Choice, *, names: Mapping[str, str], shared: str,
    base: tuple[str, ...] = (),
) -> list[str]:
    """The notes under the chart: why there is no band, how the band is drawn, which boroughs
    (of ``names``, code to name) have no base figure to index from."""
    phrase = GROUP_PHRASE[choice.group]
    has_figure = set(view.lines.drop_nulls("value").get_column("area_code").to_list())
    missing_base = [n for a, n in names.items() if a not in has_figure] if base else []
    notes = []
    if view.bands.is_empty():
        notes.append(
            f"No comparison band: fewer than {MIN_GROUP_AREAS} councils in the group have a "
            "figure for any year chosen"
            + (" (illustrative figures exist only for the three boroughs)."
               if choice.metric["is_illustrative"] else ".")
        )
    notes.append(
        f"The band covers the middle half of {phrase} with a figure that year (lower to upper "
        "quartile); the line through it is their median. A year with fewer than "
        f"{MIN_GROUP_AREAS} councils with a figure gets no band; a year standing alone has its "
        "band drawn as a bar. A break in a line or band is a year with no published figure."
        + (f" Per head: {choice.rule.describe()}." if choice.rule else "")
        + (f" {shared}" if shared else "")
    )
    if missing_base:
        notes.append(f"No {base_words(base)} figure to index from for: "
                     f"{', '.join(missing_base)}.")
    return notes


def map_figures(values: pl.DataFrame, period: str) -> pl.DataFrame:
    """One row per council for ``period``: the boroughs' own rows (with their suppression),
    every other council's as a group member."""
    rows = values.filter(pl.col("period") == period)
    ours = rows.filter(pl.col("role") == "display")
    others = rows.filter((pl.col("role") == "member")
                         & ~pl.col("area_code").is_in(ours.get_column("area_code").to_list()))
    return pl.concat([ours, others], how="vertical_relaxed").select(
        "area_code", "value", "suppressed")


def map_periods(values: pl.DataFrame) -> list[str]:
    """Periods in which some council on the map has a figure, oldest first."""
    known = values.filter(pl.col("value").is_not_null()).sort("period_end")
    return known.get_column("period").unique(maintain_order=True).to_list()


def about(m: Mapping[str, Any]) -> str:
    """The measure's definition, unit, polarity, source, licence and coverage as Markdown."""
    source = f"[{m['source_title']}]({m['source_url']})" if m["source_url"] else m["source_title"]
    better = POLARITY_WORDS.get(m["polarity"], m["polarity"]) + (
        " (depends on context)" if m["polarity"] == "neither" else " is better")
    return (
        f"**Definition:** {m['definition']}  \n"
        f"**Unit:** {UNIT_WORDS.get(m['unit'], m['unit'])}  \n"
        f"**Which way is better:** {better}  \n"
        f"**Source:** {m['publisher']}, {source}  \n"
        f"**Licence:** {m['licence']}  \n"
        f"**Published figures held:** {m['first_period']} to {m['last_period']} "
        f"({m['periods']} periods)"
    )
