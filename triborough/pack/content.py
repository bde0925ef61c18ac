"""The committee pack's content: the Overview's and the scorecard's figures, the effect estimate
and their sources, for a councillor to print, annotate and attach to a report.

Everything in it comes from the named queries and the package functions the pages use, for the
same boroughs and years: the narrative (``narrative``), the headline figures (``headlines``),
the scorecard (``scorecard``), the effect estimate (``effect_summary``) and the charts
(``metric_views.trend_view`` and ``charts.judgement_chart``, drawn by ``chart_images``). The
words and table rows both renderings share live here; ``pdf_document`` lays them out as a PDF
and ``word_document`` as a Word document.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import plotly.graph_objects as go
import polars as pl

from triborough.figures.timeline_charts import judgement_chart
from triborough.model.before_sharing import BEFORE_SHARING
from triborough.model.boroughs import BOROUGH_BY_CODE, BOROUGH_CODES
from triborough.model.periods import YEAR_RANGE
from triborough.model.real_terms import basis_words
from triborough.pack.chart_images import ChartDrawer
from triborough.pack.effect_summary import EffectSummary, effect_summary
from triborough.read.connection import connect_readonly, run_named
from triborough.settings import get_settings
from triborough.views.disclosure import shading, span_of
from triborough.views.headlines import OVERVIEW_METRICS, headlines
from triborough.views.metric_views import trend_view
from triborough.views.narrative import statements, summary
from triborough.views.provenance import source_line
from triborough.views.scorecard import (
    SCORECARD_METRICS,
    THEMES,
    inspection_history,
    measure_heading,
    scorecard_table,
    with_council_targets,
)

TITLE = "Tri-borough Insight: committee pack"
CHILDREN_SHARED = ("triborough_childrens_services",)
ADULTS_SHARED = ("triborough_adult_social_care",)
# The key charts, in the order a committee meets them: (metric, query, shared arrangements).
KEY_CHARTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("cla_rate_per_10000", "metric_trend", CHILDREN_SHARED),
    ("cin_rate_per_10000", "metric_trend", CHILDREN_SHARED),
    ("spend_ph_childrens_social_care", "metric_trend", CHILDREN_SHARED),
    ("spend_ph_adult_social_care", "metric_trend", ADULTS_SHARED),
    ("spend_ph_cultural_related", "metric_trend", ()),
    ("rereferral_pct", "metric_trend", CHILDREN_SHARED),
    ("asc_user_qol", "quality_oflog_trend", ADULTS_SHARED),
)
SECTIONS: dict[str, str] = {
    "summary": "Summary in words",
    "headlines": "Headline figures",
    "scorecard": "Service quality scorecard",
    "charts": "Key charts",
    "effect": "Did sharing work? The effect estimate",
    "appendix": "Appendix: methods, sources and licences",
}


class PackError(ValueError):
    """A filter the pack cannot honour, said in words naming the value and what is allowed."""


def parse_boroughs(text: str | None) -> list[str]:
    """ONS codes (or short names: WCC, H&F, RBKC) separated by commas, in the fixed order.
    None or empty means all three."""
    if not text or not text.strip():
        return list(BOROUGH_CODES)
    by_short = {b.short.lower(): b.code for b in BOROUGH_BY_CODE.values()}
    chosen = []
    for part in text.split(","):
        key = part.strip()
        code = key.upper() if key.upper() in BOROUGH_BY_CODE else by_short.get(key.lower())
        if code is None:
            allowed = ", ".join(f"{b.code} ({b.short})" for b in BOROUGH_BY_CODE.values())
            raise PackError(f"unknown borough {key!r} in --boroughs: use {allowed}")
        chosen.append(code)
    return [c for c in BOROUGH_CODES if c in chosen]


def parse_years(text: str | None) -> tuple[int, int]:
    """'2015-2024' as (2015, 2024), within the years the app offers; None means all of them."""
    if not text or not text.strip():
        return YEAR_RANGE
    first, sep, last = text.strip().partition("-")
    if not sep or not first.strip().isdigit() or not last.strip().isdigit():
        raise PackError(f"--years {text!r} is not FROM-TO, e.g. 2015-2024")
    years = int(first), int(last)
    low, high = YEAR_RANGE
    if not (low <= years[0] <= years[1] <= high):
        raise PackError(
            f"--years {text!r} must run forwards within {low}-{high} (financial years by their "
            "first year)"
        )
    return years


@dataclass
class PackContent:
    """What the pack says, gathered from the warehouse for one choice of boroughs and years."""

    areas: list[str]
    first_year: int
    last_year: int
    generated: dt.datetime
    data_date: dt.datetime | None
    summary: list[tuple[str, list[str]]]  # (measure, sentences)
    headline_rows: list[dict[str, str]]
    money_basis: str  # what the headline table's changes in money are in
    scorecard: list[tuple[str, list[str], pl.DataFrame]]  # (theme, sentences, rows)
    charts: list[tuple[go.Figure, str, str]]  # (figure, alt text, source line)
    sources: pl.DataFrame  # metric catalogue rows of every measure used
    illustrative: list[str] = field(default_factory=list)  # what in it is generated
    # The effect of sharing, or why the published figures cannot support an estimate; None
    # until it is read (``read_effect``), and then always one or the other.
    effect: EffectSummary | str | None = None


def gather(warehouse: Path, areas: Sequence[str], first_year: int, last_year: int,
           threshold: int | None = None) -> PackContent:
    """Run the pages' queries for the pack's boroughs and years and put the answers in words."""
    threshold = threshold if threshold is not None else get_settings().small_number_threshold
    areas = list(areas)
    con = connect_readonly(warehouse)
    try:
        def q(name: str, **params: object) -> pl.DataFrame:
            return run_named(con, name, params)

        scope = dict(areas=areas, from_year=first_year, to_year=last_year)
        metrics = list(dict.fromkeys([*OVERVIEW_METRICS, *SCORECARD_METRICS,
                                      *(c for c, _q, _s in KEY_CHARTS)]))
        catalogue = q("metric_catalogue", metrics=metrics)
        order = {code: i for i, code in enumerate(metrics)}
        catalogue = catalogue.sort(pl.col("code").replace_strict(order))
        names = dict(zip(catalogue["code"], catalogue["name"], strict=True))
        meta = {r["code"]: r for r in catalogue.to_dicts()}

        # Summary: the Overview's measures, then Ofsted.
        overview_cat = catalogue.filter(pl.col("code").is_in(list(OVERVIEW_METRICS)))
        latest = q("quality_scorecard", metrics=list(OVERVIEW_METRICS), **scope)
        series = q("quality_series", metrics=list(OVERVIEW_METRICS), **scope)
        said = summary(latest, series, overview_cat, q("ofsted_latest", areas=areas), areas,
                       threshold)

        # Headline figures table.
        # As the Overview opens: money changes in real terms where the warehouse holds the
        # deflator, measured from the years before sharing.
        deflators = (q("gdp_deflator") if q("council_tables_present", tables=["gdp_deflator"])
                     .get_column("present").any() else None)
        cards = headlines(q("headline_figures", metrics=list(OVERVIEW_METRICS),
                            base_periods=list(BEFORE_SHARING), **scope),
                          deflators, BEFORE_SHARING)
        money_basis = basis_words("real" if deflators is not None else "cash",
                                  deflators if deflators is not None else pl.DataFrame())
        headline_rows = []
        for code in OVERVIEW_METRICS:
            for area in areas:
                card = cards.get((code, area))
                headline_rows.append({
                    "Measure": names[code],
                    "Borough": BOROUGH_BY_CODE[area].name,
                    "Latest": card.value if card else "no figure in the years chosen",
                    "Period": card.period if card else "",
                    "Direction of travel": card.travel if card else "",
                    "Change": card.change if card else "",
                    "London": card.london if card else "",
                })

        # Scorecard, theme by theme, with each theme's sentences.
        card_latest = q("quality_scorecard", metrics=list(SCORECARD_METRICS), **scope)
        card_series = q("quality_series", metrics=list(SCORECARD_METRICS), **scope)
        if q("council_tables_present", tables=["kpi_targets"]).get_column("present").any():
            card_latest = with_council_targets(
                card_latest, q("quality_targets", metrics=list(SCORECARD_METRICS), areas=areas))
        card = scorecard_table(card_latest, card_series)
        theme_sentences = statements(
            card_latest, card_series,
            catalogue.filter(pl.col("code").is_in(list(SCORECARD_METRICS))), areas, threshold)
        scorecard = []
        for theme, codes in THEMES.items():
            rows = card.filter(pl.col("metric_code").is_in(list(codes))) if not card.is_empty() \
                else card
            scorecard.append((theme, [s.text for code in codes for s in theme_sentences
                                      if s.metric_code == code], rows))

        charts = _charts(q, meta, areas, first_year, last_year, threshold)
        data_date = q("table_inventory").get_column("last_loaded_at").max()
    finally:
        con.close()

    illustrative = [names[c] for c in names if meta[c]["is_illustrative"]]
    if not card.is_empty() and card.get_column("target").str.contains("illustrative target").any():
        illustrative.append("the scorecard's targets, which the councils did not set")
    return PackContent(
        areas=areas, first_year=first_year, last_year=last_year,
        generated=dt.datetime.now(dt.UTC), data_date=data_date,  # type: ignore[arg-type]
        summary=said, headline_rows=headline_rows, money_basis=money_basis,
        scorecard=scorecard, charts=charts,
        sources=catalogue, illustrative=illustrative,
    )


def _charts(q: Callable[..., pl.DataFrame], meta: dict[str, dict], areas: list[str],
            first_year: int, last_year: int, threshold: int
            ) -> list[tuple[go.Figure, str, str]]:
    arrangements = q("shared_periods")
    out = []
    for code, query_name, shared in KEY_CHARTS:
        trend = q(query_name, metric=code, areas=areas, from_year=first_year, to_year=last_year)
        view = trend_view(meta[code], trend, threshold=threshold, arrangements=arrangements,
                          shared=shared)
        if view is not None:
            out.append((view.fig, view.alt.replace("The same figures are in the table.",
                                                   "The figures are in the headline and "
                                                   "scorecard tables.").strip(),
                        source_line(view.meta).replace("**", "")))
    history = inspection_history(q("quality_inspections", areas=areas, from_year=first_year,
                                   to_year=last_year))
    if not history.is_empty():
        dates = history.get_column("publication_date")
        span = f"{dates.min():%Y} to {dates.max():%Y}"
        fig = judgement_chart(
            history.select("area_code", pl.col("borough").alias("area_name"),
                           "publication_date", "label", "hover"),
            f"Ofsted judgements of children's services, {span}",
            shaded=shading(arrangements, CHILDREN_SHARED, span_of(history, "publication_date")),
        )
        latest = "; ".join(
            f"{r['borough']}: {r['label']} ({r['published']})"
            for r in history.group_by("area_code", maintain_order=True).last().to_dicts())
        out.append((fig, f"Timeline of Ofsted judgements for each borough, {span}, each "
                    f"inspection labelled in words. Latest: {latest}.",
                    "Source: Ofsted, children's services inspection outcomes · Licence: Open "
                    "Government Licence v3.0"))
    return out


def _date(moment: dt.datetime | None) -> str:
    return f"{moment:%-d %B %Y, %H:%M} UTC" if moment else "not recorded"


def _years_words(first: int, last: int) -> str:
    span = str(first) if first == last else f"{first} to {last}"
    return (f"{span} (financial years counted by the year they start in: {first} means "
            f"{first}-{str(first + 1)[-2:]})")


Cell = str | tuple[str, str]  # text, or (text, CSS class)


SUMMARY_NOTE = (
    "Each sentence is computed from the warehouse for the boroughs and years chosen. Improving "
    "or worsening follows whether the publisher reads higher or lower as better; increasing or "
    "decreasing where neither is. Sentences describe the figures; they do not say why they "
    "moved (only the effect estimate, later, does that)."
)
SCORECARD_NOTE = (
    "Red, amber and green are always written as words: on target, near target (within 5%) or "
    "off target. Among London boroughs: the quarter of London boroughs' figures for the same "
    "period the borough falls in."
)
CHART_NOTE = (
    "the London median and England in grey and black with their own dashes and markers. A "
    "break in a line is a year with no published figure. Shading marks the years the services "
    "were shared."
)
NO_FIGURES = "No published figures for these measures in the years chosen."
HEADLINE_HEADINGS = (("Borough", 19), ("Latest figure", 11), ("Period", 10),
                     ("Direction of travel", 20), ("Change", 20), ("London", 20))
SCORECARD_HEADINGS = (("Borough", 16), ("Latest figure", 10), ("Period", 10),
                      ("Direction of travel", 16), ("Among London boroughs", 15),
                      ("Against England", 15), ("Target", 18))
LINE_SHAPES = {"E09000033": "solid line, circles", "E09000013": "dashed line, squares",
               "E09000020": "dotted line, diamonds"}


def borough_names(content: PackContent) -> str:
    """The pack's boroughs, in the fixed order."""
    return ", ".join(BOROUGH_BY_CODE[a].name for a in content.areas)


def cover_lines(content: PackContent) -> list[tuple[str, str]]:
    """The cover's (label, value) lines."""
    return [("Boroughs", borough_names(content)),
            ("Years", _years_words(content.first_year, content.last_year)),
            ("Generated", _date(content.generated)),
            ("Data as of", f"{_date(content.data_date)} (the warehouse's latest build or load)")]


def illustrative_notice(content: PackContent) -> str:
    """What in the pack is generated, after the notice's bold lead; '' when nothing is."""
    if not content.illustrative:
        return ""
    return (f"Generated, not published: {'; '.join(content.illustrative)}. They are labelled "
            "wherever they appear; every other figure is a published statistic.")


def sections_present(content: PackContent) -> dict[str, str]:
    """The contents: every section, the effect estimate's once it has been read."""
    return {k: t for k, t in SECTIONS.items() if k != "effect" or content.effect is not None}


def footer_text(content: PackContent) -> str:
    """The footer line on every page."""
    return f"{TITLE} · generated {content.generated:%-d %B %Y}"


def headline_caption(content: PackContent) -> str:
    """What the headline table's money and changes are in."""
    return (f"Changes in money are in {content.money_basis}; each year's own figure is that "
            f"year's cash. A change is measured from the average of {BEFORE_SHARING[0]} to "
            f"{BEFORE_SHARING[-1]}, the years before sharing, where each of them has a figure, "
            "else from the first year chosen. The London median is the middle London borough "
            "for the same period.")


def headline_groups(content: PackContent) -> list[tuple[str, list[list[Cell]]]]:
    """The headline table's rows, one group per measure."""
    groups: dict[str, list[list[Cell]]] = {}
    for r in content.headline_rows:
        groups.setdefault(r["Measure"], []).append(
            [r["Borough"], r["Latest"], r["Period"], r["Direction of travel"], r["Change"],
             r["London"]])
    return list(groups.items())


def scorecard_groups(rows: pl.DataFrame) -> list[tuple[str, list[list[Cell]]]]:
    """One theme's scorecard rows, one group per measure; the target cell carries its rating
    (``rag-green`` etc.) beside the words."""
    groups: list[tuple[str, list[list[Cell]]]] = []
    for code in rows.get_column("metric_code").unique(maintain_order=True).to_list():
        part = rows.filter(pl.col("metric_code") == code)
        heading = measure_heading(part["measure"][0], part["polarity"][0])
        groups.append((heading, [
            [r["borough"], r["latest"], r["period"], r["direction"], r["london_position"],
             r["vs_england"], (r["target"], f"rag-{r['rag']}" if r["rag"] else "")]
            for r in part.to_dicts()]))
    return groups


EFFECT_CAPTION = (
    "The p-value is the share of comparisons with councils that did not share that gave a gap "
    "at least as large; under 0.05 is read as distinguishable from no effect."
)
EFFECT_INTRO = (
    "This is the only part of the pack that says what sharing may have caused, and every "
    "estimate in it is quoted with its 95% interval. The words are those of the app's \"Did "
    "sharing work?\" page."
)
EFFECT_HEADINGS = (("Method", 24), ("Compared with", 22), ("Estimate", 12),
                   ("95% interval", 14), ("p-value", 8), ("Reading", 20))


def effect_rows(effect: EffectSummary) -> list[list[Cell]]:
    """The estimates table's rows."""
    return [[r.method, r.comparison, r.estimate, r.interval, r.p_value, r.reading]
            for r in effect.rows]


def no_effect_words(reason: str) -> str:
    """The effect section's one sentence when the figures cannot support an estimate."""
    return f"No estimate is given: {reason}."


SOURCE_HEADINGS = (("Measure", 22), ("Publisher and dataset", 30), ("Licence", 14),
                   ("Figures", 10), ("Where to find it", 24))


def methods() -> list[str]:
    """The appendix's methods, one paragraph each."""
    threshold = get_settings().small_number_threshold
    return [
        "Every figure comes from the project's warehouse, built from the publishers' own files; "
        "nothing is typed in by hand.",
        "The London median is the middle value of the 32 London boroughs (the City of London, "
        "a very small authority, is left out) with a figure for the same period. Ranks "
        "count the same boroughs, from the nearer end (highest or lowest); equal figures are "
        "'joint'. With fewer than eight London figures no median or rank is given.",
        "Direction of travel compares the latest figure with the one before it. Improving or "
        "worsening is used only where the publisher reads higher or lower as better; "
        "otherwise increasing or decreasing.",
        "A year with no published figure is a gap, said as such, never a zero. Counts of "
        f"people below {threshold} are suppressed, with a second figure hidden where the first "
        "could be worked out from it.",
        "Targets: a figure on the right side of its target is on target (green); within 5% of "
        "it on the wrong side, near target (amber); otherwise off target (red). Only measures "
        "where higher or lower is better are rated.",
        "Each year's money figure is that year's cash; changes across years in the headline "
        "table are in real terms (HM Treasury's GDP deflator) where the warehouse holds it, "
        "and the effect estimate says its own prices. Spend per head divides net "
        "current expenditure by the relevant mid-year population.",
        "The sentences describe what the figures show; they do not claim that sharing "
        "services, or anything else, caused a change. Only the effect estimate does, and "
        "only with its interval: difference-in-differences with council and year fixed "
        "effects, its interval and p-value by randomisation over sets of councils that did "
        "not share, checked by a synthetic comparison and against the DfE statistical "
        "neighbours.",
    ]


def source_rows(content: PackContent) -> list[list[Cell]]:
    """Every measure used, with its publisher, licence and where to find it."""
    return [
        [r["name"], f"{r['publisher']}: {r['source_title']}", r["licence"],
         "illustrative (generated)" if r["is_illustrative"] else "published",
         (r["source_url"] or "derived from the published figures above", "url")]
        for r in content.sources.to_dicts()
    ]


def read_effect(warehouse: Path) -> EffectSummary | str:
    """The effect estimate the pack quotes, or why the warehouse cannot support one."""
    con = connect_readonly(warehouse)
    try:
        return effect_summary(con)
    finally:
        con.close()


def build_content(warehouse: Path, areas: Sequence[str], first_year: int, last_year: int,
                  timings: dict[str, float] | None = None, image_format: str = "svg",
                  ) -> tuple[PackContent, list[bytes]]:
    """Everything the pack says, with its charts as SVG (or PNG).

    Chromium starts first and draws while the warehouse is read and the estimates are made,
    so its start-up and drawing are hidden behind work the pack needs anyway. ``timings``,
    when given, gets the seconds each stage took (the benchmark reports them).
    """
    if not areas:
        raise PackError("choose at least one borough for the committee pack")
    marks = [time.perf_counter()]
    with ChartDrawer() as drawer:
        content = gather(warehouse, areas, first_year, last_year)
        drawn = [drawer.draw(fig, image_format) for fig, _alt, _src in content.charts]
        marks.append(time.perf_counter())
        content.effect = read_effect(warehouse)
        marks.append(time.perf_counter())
        svgs = [d.result() for d in drawn]
        marks.append(time.perf_counter())
    if timings is not None:
        stages = ("queries and words", "effect estimates", "charts (after the estimates)")
        timings.update(zip(stages, (b - a for a, b in zip(marks, marks[1:], strict=False)),
                           strict=True))
    return content, svgs


def pack_file_name(areas: Sequence[str], first_year: int, last_year: int,
                   suffix: str = ".pdf") -> str:
    """'triborough_committee_pack_WCC-HF-RBKC_2007-2025.pdf' (or .docx)."""
    shorts = "-".join(BOROUGH_BY_CODE[a].short.replace("&", "") for a in areas)
    return f"triborough_committee_pack_{shorts}_{first_year}-{last_year}{suffix}"
