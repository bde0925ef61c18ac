"""The committee pack: the Overview's and the scorecard's figures as an A4 PDF a councillor can
print, annotate and attach to a report.

Everything in it comes from the named queries and the package functions the pages use, for the
same boroughs and years: the narrative (``narrative``), the headline figures (``headlines``),
the scorecard (``scorecard``) and the charts (``metric_views.trend_view`` and
``charts.judgement_chart``), drawn as vector graphics by Plotly's static export (kaleido, which
finds the system's Chromium). WeasyPrint lays the HTML out as a tagged PDF/UA-1 document in
British English, with alt text on every chart and its fonts embedded.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import plotly.graph_objects as go
import polars as pl

from triborough.before_sharing import BEFORE_SHARING
from triborough.boroughs import BOROUGH_BY_CODE, BOROUGH_CODES
from triborough.charts import judgement_chart
from triborough.disclosure import shading, span_of
from triborough.effect_summary import EffectSummary, effect_summary
from triborough.headlines import OVERVIEW_METRICS, headlines
from triborough.metric_views import trend_view
from triborough.narrative import statements, summary
from triborough.pack_charts import ChartDrawer
from triborough.real_terms import basis_words
from triborough.scorecard import (
    SCORECARD_METRICS,
    THEMES,
    inspection_history,
    measure_heading,
    scorecard_table,
    with_council_targets,
)
from triborough.settings import get_settings
from triborough.style import BOROUGH_COLOURS, RAG_COLOURS
from triborough.ui import YEAR_RANGE, source_line
from triborough.warehouse import connect_readonly, run_named

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


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _date(moment: dt.datetime | None) -> str:
    return f"{moment:%-d %B %Y, %H:%M} UTC" if moment else "not recorded"


def _years_words(first: int, last: int) -> str:
    span = str(first) if first == last else f"{first} to {last}"
    return (f"{span} (financial years counted by the year they start in: {first} means "
            f"{first}-{str(first + 1)[-2:]})")


_CSS = """
@page {
  size: A4; margin: 18mm 17mm 22mm 17mm;
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 8pt;
                  color: #444; }
}
html { font-family: "Liberation Sans", "DejaVu Sans", sans-serif; font-size: 10pt;
       line-height: 1.4; color: #1a1a1a; }
h1 { font-size: 17pt; margin: 0 0 4mm; break-before: page; color: #0b3a5e; }
h2 { font-size: 12.5pt; margin: 6mm 0 2mm; break-after: avoid; color: #0b3a5e; }
h3 { font-size: 10.5pt; margin: 4mm 0 1mm; break-after: avoid; }
.cover h1 { break-before: auto; font-size: 26pt; margin-top: 30mm; }
.cover dl { margin-top: 12mm; font-size: 12pt; }
.cover dt { font-weight: bold; margin-top: 4mm; }
.cover dd { margin: 0; }
.notice { border: 2pt solid #b35806; padding: 3mm 4mm; margin-top: 10mm; font-size: 11pt; }
.lead { font-size: 10.5pt; }
nav ol { list-style: none; padding: 0; font-size: 12pt; }
nav li { margin: 3mm 0; }
nav a { color: #1a1a1a; text-decoration: none; }
nav a::after { content: leader(".") " " target-counter(attr(href), page); }
ul.brief { padding-left: 5mm; margin: 1mm 0 3mm; }
ul.brief li { margin-bottom: 1.5mm; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; font-size: 8.3pt;
        margin: 1mm 0 4mm; }
thead { display: table-header-group; }
th, td { text-align: left; vertical-align: top; padding: 1.2mm 1.5mm;
         border-bottom: 0.5pt solid #bbb; }
th { background: #eef2f6; }
tr, table.group { break-inside: avoid; }
table.group { margin: 0 0 2.5mm; }
tr.measure th { background: #dde5ee; font-size: 8.8pt; }
td.num { white-space: nowrap; }
td.rag-green { border-left: 4pt solid """ + RAG_COLOURS["green"] + """; }
td.rag-amber { border-left: 4pt solid """ + RAG_COLOURS["amber"] + """; }
td.rag-red { border-left: 4pt solid """ + RAG_COLOURS["red"] + """; }
figure { margin: 0 0 5mm; break-inside: avoid; }
figure img { width: 100%; }
figcaption { font-size: 8pt; color: #333; }
.small { font-size: 8pt; color: #333; }
.url { word-break: break-all; }
.key span { font-weight: bold; }
"""


Cell = str | tuple[str, str]  # text, or (text, CSS class)


def _footer_css(text: str) -> str:
    """The footer line on every page; the text is quoted for CSS."""
    quoted = text.replace("\\", "\\\\").replace('"', '\\"')
    return ('@page { @bottom-left { content: "' + quoted + '"; font-size: 8pt; color: #444; } }')


def _table(headings: Sequence[tuple[str, int]], groups: Sequence[tuple[str, list[list[Cell]]]],
           caption: str = "") -> str:
    """Rows in groups: a titled group (a measure) is a small table of its own, headed by its
    title and the column headings, kept on one page (WeasyPrint splits a group inside one long
    table, leaving its title alone at the foot of a page); untitled rows make one table whose
    headings repeat on each page. The first cell of a row heads it. ``headings`` are (heading,
    width in per cent): fixed widths spare WeasyPrint measuring every cell twice."""
    cols = "<colgroup>" + "".join(f'<col style="width:{w}%">' for _h, w in headings) + "</colgroup>"
    head = "<tr>" + "".join(f'<th scope="col">{_e(h)}</th>' for h, _w in headings) + "</tr>"
    out = [f'<p class="small">{_e(caption)}</p>'] if caption else []
    for title, rows in groups:
        body = []
        for row in rows:
            cells = []
            for j, cell in enumerate(row):
                text, cls = cell if isinstance(cell, tuple) else (cell, "")
                attr = f' class="{cls}"' if cls else ""
                cells.append(f'<th scope="row"{attr}>{_e(text)}</th>' if j == 0
                             else f"<td{attr}>{_e(text)}</td>")
            body.append(f"<tr>{''.join(cells)}</tr>")
        named = (f'<tr class="measure"><th scope="colgroup" colspan="{len(headings)}">'
                 f"{_e(title)}</th></tr>") if title else ""
        out.append(f'<table class="{"group" if title else ""}">{cols}<thead>{named}{head}'
                   f"</thead><tbody>{''.join(body)}</tbody></table>")
    return "".join(out)


def _brief(sentences: Sequence[str]) -> str:
    return '<ul class="brief">' + "".join(f"<li>{_e(s)}</li>" for s in sentences) + "</ul>"


def _borough_key(areas: Sequence[str]) -> str:
    return "; ".join(
        f'<span style="color:{BOROUGH_COLOURS[a]}">{_e(BOROUGH_BY_CODE[a].name)}</span>: '
        f"{LINE_SHAPES[a]}" for a in areas)


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


def pack_html(content: PackContent, svgs: Sequence[str]) -> str:
    """The pack as one HTML document (print CSS included) for WeasyPrint."""
    names = borough_names(content)
    footer = footer_text(content)
    parts = []

    notice = illustrative_notice(content)
    if notice:
        notice = ('<p class="notice"><strong>Contains illustrative figures.</strong> '
                  f"{_e(notice)}</p>")
    cover = "".join(f"<dt>{_e(label)}</dt><dd>{_e(value)}</dd>"
                    for label, value in cover_lines(content))
    parts.append(
        f'<section class="cover"><h1>{_e(TITLE)}</h1>'
        f'<p class="lead">Published service figures for {_e(names)} in words, tables and '
        f"charts, against the London median and England.</p><dl>{cover}</dl>{notice}</section>")

    toc = "".join(f'<li><a href="#{key}">{_e(title)}</a></li>'
                  for key, title in sections_present(content).items())
    parts.append(f'<section><h1 id="contents">Contents</h1><nav><ol>{toc}</ol></nav></section>')

    summary = "".join(f"<h3>{_e(title)}</h3>{_brief(texts)}" for title, texts in content.summary)
    parts.append(f'<section><h1 id="summary">{SECTIONS["summary"]}</h1>'
                 f'<p class="small">{_e(SUMMARY_NOTE)}</p>{summary}</section>')

    parts.append(
        f'<section><h1 id="headlines">{SECTIONS["headlines"]}</h1>'
        + _table(HEADLINE_HEADINGS, headline_groups(content), caption=headline_caption(content))
        + "</section>")

    score = [f'<section><h1 id="scorecard">{SECTIONS["scorecard"]}</h1>'
             f'<p class="small">{_e(SCORECARD_NOTE)}</p>']
    for theme, said, rows in content.scorecard:
        score.append(f"<h2>{_e(theme)}</h2>")
        if rows.is_empty():
            score.append(f"<p>{NO_FIGURES}</p>")
            continue
        score.append("<h3>In brief</h3>" + _brief(said))
        score.append(_table(SCORECARD_HEADINGS, scorecard_groups(rows)))
    parts.append("".join(score) + "</section>")

    figures = []
    for (_fig, alt, source), svg in zip(content.charts, svgs, strict=True):
        data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        figures.append(f'<figure><img src="data:image/svg+xml;base64,{data}" alt="{_e(alt)}">'
                       f"<figcaption>{_e(source)}</figcaption></figure>")
    parts.append(
        f'<section><h1 id="charts">{SECTIONS["charts"]}</h1>'
        f'<p class="small key">Lines: {_borough_key(content.areas)}; {_e(CHART_NOTE)}'
        f"</p>{''.join(figures)}</section>")

    if content.effect is not None:
        parts.append(_effect_section(content.effect))
    parts.append(_appendix(content))
    return (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>{_e(TITLE)}: {_e(names)}</title>"
        '<meta name="author" content="Tri-borough Insight">'
        f'<meta name="description" content="{_e(footer)}">'
        f"<style>{_CSS}{_footer_css(footer)}</style></head><body>{''.join(parts)}</body></html>"
    )


def _strong(text: str) -> str:
    """Text escaped for HTML, its **bold** marks made strong."""
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", _e(text))


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


def _effect_section(effect: EffectSummary | str) -> str:
    head = f'<section><h1 id="effect">{SECTIONS["effect"]}</h1>'
    if isinstance(effect, str):
        return head + f"<p>{_e(no_effect_words(effect))}</p></section>"
    rows = effect_rows(effect)
    return (
        head + f'<p class="small">{_e(EFFECT_INTRO)}</p>'
        f"<h2>The answer</h2><p>{_strong(effect.headline)}</p>"
        f'<p class="small">{_e(effect.basis)}</p>'
        "<h2>The estimate and two checks on it</h2>"
        + _table(EFFECT_HEADINGS, [("", rows)],
                 caption=EFFECT_CAPTION)
        + "<h2>What this can and cannot tell you</h2><ul>"
        + "".join(f"<li>{_strong(limit)}</li>" for limit in effect.limits)
        + "</ul></section>"
    )


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


def _appendix(content: PackContent) -> str:
    return (
        f'<section><h1 id="appendix">{SECTIONS["appendix"]}</h1><h2>Methods</h2><ul>'
        + "".join(f"<li>{_e(m)}</li>" for m in methods())
        + "</ul><h2>Sources and licences</h2>"
        + _table(SOURCE_HEADINGS, [("", source_rows(content))])
        + "</section>"
    )


def render_pdf(document: str) -> bytes:
    """HTML to a tagged PDF/UA-1 document (fonts embedded) with WeasyPrint."""
    from weasyprint import HTML

    return HTML(string=document).write_pdf(pdf_variant="pdf/ua-1")


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


def build_pack(warehouse: Path, areas: Sequence[str], first_year: int, last_year: int,
               timings: dict[str, float] | None = None) -> bytes:
    """The committee pack PDF for these boroughs and years (``timings`` as ``build_content``,
    with the PDF's layout added)."""
    content, svgs = build_content(warehouse, areas, first_year, last_year, timings)
    started = time.perf_counter()
    pdf = render_pdf(pack_html(content, [svg.decode("utf-8") for svg in svgs]))
    if timings is not None:
        timings["PDF"] = time.perf_counter() - started
    return pdf


def pack_file_name(areas: Sequence[str], first_year: int, last_year: int,
                   suffix: str = ".pdf") -> str:
    """'triborough_committee_pack_WCC-HF-RBKC_2007-2025.pdf' (or .docx)."""
    shorts = "-".join(BOROUGH_BY_CODE[a].short.replace("&", "") for a in areas)
    return f"triborough_committee_pack_{shorts}_{first_year}-{last_year}{suffix}"
