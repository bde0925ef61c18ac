"""Scorecard logic for the Service quality page: position among London boroughs, direction of
travel, red/amber/green against a target, and a text sparkline that keeps gaps as gaps.

The page passes in plain numbers from the ``quality_scorecard`` and ``quality_series`` queries;
everything that decides what a councillor reads ("best quarter of London boroughs",
"improving since 2022-23", "off target (illustrative target)") is here, so it can be tested
without Streamlit.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

import polars as pl

from triborough.model.boroughs import BOROUGH_CODES
from triborough.model.style import format_change, format_value, is_missing, unbroken_column
from triborough.model.travel import direction

# Metrics on the scorecard, by theme, in the order a reader meets them.
THEMES: dict[str, tuple[str, ...]] = {
    "Children's social care": ("rereferral_pct", "cpp_subsequent_pct"),
    "Placement stability": ("placements_3plus_pct", "placement_same_2yrs_pct"),
    "Social work workforce": ("sw_turnover_pct", "sw_agency_pct", "sw_vacancy_pct",
                              "sw_caseload"),
    "Adult social care outcomes": ("asc_user_qol", "asc_carer_qol",
                                   "asc_short_term_outcome_pct", "asc_info_users_pct",
                                   "asc_info_carers_pct", "asc_workforce_turnover_pct"),
    "Libraries": ("lib_visits_per_1000", "lib_loans_per_1000"),
}
# Scorecard columns as shown and downloaded, in order, with their headings.
DISPLAY_COLUMNS: dict[str, str] = {
    "measure": "Measure",
    "polarity": "Better when",
    "borough": "Borough",
    "latest": "Latest figure",
    "period": "Period",
    "trend": "Trend",
    "direction": "Direction of travel",
    "london_position": "Among London boroughs",
    "vs_london_median": "Against the London median",
    "vs_england": "Against England",
    "target": "Target",
    "trend_years": "Trend covers",
}
# On screen each measure gets a small table of its own, headed by the measure and which way is
# better, so the columns fit a laptop or tablet without scrolling sideways. The download keeps
# every column of DISPLAY_COLUMNS.
SCREEN_COLUMNS: dict[str, str] = {
    k: DISPLAY_COLUMNS[k]
    for k in ("latest", "period", "trend", "direction", "london_position", "vs_london_median",
              "vs_england", "target")
}
SCORECARD_METRICS: tuple[str, ...] = tuple(code for codes in THEMES.values() for code in codes)
THEME_OF: dict[str, str] = {code: theme for theme, codes in THEMES.items() for code in codes}

# Fewer London figures than this and quarters mean little (each quarter would be one borough).
MIN_FOR_QUARTILES = 8
# Within this share of the target (either side of it) a figure is 'near target' (amber).
AMBER_BAND = 0.05

SPARK_LEVELS = "▁▂▃▄▅▆▇█"
SPARK_GAP = "·"  # a year with no published figure: shown, never drawn as zero or bridged

POLARITY_WORDS = {
    "higher_better": "higher",
    "lower_better": "lower",
    "neither": "neither",
}

_QUARTER_WORDS = {
    "higher_better": {4: "best quarter", 3: "second-best quarter", 2: "second-worst quarter",
                      1: "worst quarter"},
    "lower_better": {1: "best quarter", 2: "second-best quarter", 3: "second-worst quarter",
                     4: "worst quarter"},
    "neither": {4: "highest quarter", 3: "second-highest quarter", 2: "second-lowest quarter",
                1: "lowest quarter"},
}
RAG_WORDS = {"green": "on target", "amber": "near target", "red": "off target"}


def quartile_cuts(values: Sequence[float | None]) -> tuple[float, float, float] | None:
    """Lower quartile, median and upper quartile of the figures given (gaps ignored).

    Uses the 'inclusive' method (linear interpolation between ranks, as spreadsheets'
    QUARTILE.INC does), so the median is the same middle value the Overview's London median
    shows. None when there are too few figures for quarters to mean anything.
    """
    known = sorted(float(v) for v in values if not is_missing(v))
    if len(known) < MIN_FOR_QUARTILES:
        return None
    q1, q2, q3 = statistics.quantiles(known, n=4, method="inclusive")
    return q1, q2, q3


def london_quartile(value: float | None, london_values: Sequence[float | None]) -> int | None:
    """Which quarter of the London figures ``value`` falls in: 1 = lowest values, 4 = highest.

    A value exactly on a cut point goes to the lower quarter, so the median borough is in the
    second quarter rather than straddling two.
    """
    cuts = quartile_cuts(london_values)
    if cuts is None or is_missing(value):
        return None
    v = float(value)  # type: ignore[arg-type]
    return 1 + sum(v > cut for cut in cuts)


def quartile_words(quartile: int | None, polarity: str) -> str:
    """'best quarter' (of London boroughs), or 'highest quarter' where polarity is 'neither'."""
    if quartile is None:
        return "too few London figures to place"
    return _QUARTER_WORDS.get(polarity, _QUARTER_WORDS["neither"])[quartile]


def gap_words(
    value: float | None, reference: float | None, unit: str, polarity: str, against: str
) -> str:
    """How far a figure is from a comparator, in its unit and by polarity.

    E.g. '2.1 pts above (worse)' (the column names the comparator); 'neither' polarity gets
    no verdict. ``against`` names the comparator where there is no figure for it.
    """
    if is_missing(value) or is_missing(reference):
        return f"no {against} figure"
    gap = float(value) - float(reference)  # type: ignore[arg-type]
    if round(gap, 6) == 0:
        return "the same"
    side = "above" if gap > 0 else "below"
    verdict = ""
    if polarity in ("higher_better", "lower_better"):
        better = (gap > 0) == (polarity == "higher_better")
        verdict = " (better)" if better else " (worse)"
    return f"{format_change(abs(gap), unit).lstrip('+')} {side}{verdict}"


def rag_status(
    value: float | None, target: float | None, polarity: str, band: float = AMBER_BAND
) -> str | None:
    """'green', 'amber' or 'red' against a target; None when there is no target to judge by.

    Only metrics with a direction (higher or lower is better) can be on or off target; within
    ``band`` (a share of the target) on the wrong side is 'amber'.
    """
    if is_missing(value) or is_missing(target) or polarity not in ("higher_better",
                                                                    "lower_better"):
        return None
    v, t = float(value), float(target)  # type: ignore[arg-type]
    slack = abs(t) * band
    if polarity == "higher_better":
        if v >= t:
            return "green"
        return "amber" if v >= t - slack else "red"
    if v <= t:
        return "green"
    return "amber" if v <= t + slack else "red"


def rag_words(
    status: str | None, target: float | None, unit: str, published: bool,
    illustrative: bool = True,
) -> str:
    """'off target (illustrative target 18.0%)' — never a colour without words. A target is
    published, the council's own (loaded, not published), or illustrative (generated)."""
    if status is None:
        return "no target set"
    kind = ("published target" if published
            else "illustrative target" if illustrative else "council target")
    return f"{RAG_WORDS[status]} ({kind} {format_value(target, unit)})"


def with_council_targets(latest: pl.DataFrame, targets: pl.DataFrame) -> pl.DataFrame:
    """``quality_scorecard`` rows with each borough's own target for its latest period (from
    ``quality_targets``) in place of the catalogue's, where the council table has one.

    Adds ``target_is_illustrative``: true for a generated target, false for a council's loaded
    or a published one.
    """
    if latest.is_empty():
        return latest.with_columns(pl.lit(None, pl.Boolean).alias("target_is_illustrative"))
    own = targets.select(
        "metric_code", "area_code", pl.col("period").alias("latest_period"),
        pl.col("target").alias("_target"),
        pl.col("target_is_published").alias("_published"),
        pl.col("is_illustrative").alias("_illustrative"),
    )
    joined = latest.join(own, on=["metric_code", "area_code", "latest_period"], how="left")
    has_own = pl.col("_target").is_not_null()
    return joined.with_columns(
        pl.when(has_own).then(pl.col("_target")).otherwise(pl.col("target")).alias("target"),
        pl.when(has_own).then(pl.col("_published")).otherwise(pl.col("target_is_published"))
        .alias("target_is_published"),
        pl.when(has_own).then(pl.col("_illustrative"))
        .otherwise(~pl.col("target_is_published").fill_null(False))
        .alias("target_is_illustrative"),
    ).drop("_target", "_published", "_illustrative")


SPARK_PERIODS = 13  # most periods a scorecard sparkline shows (see scorecard_table)


def sparkline(values: Sequence[float | None], scale: tuple[float, float] | None = None) -> str:
    """Text sparkline, oldest first: one block per period, '·' where nothing was published.

    ``scale`` (low, high) puts several boroughs' lines on one scale, so a high block means
    the same figure in each; without it the line spans its own range. A text line (not a
    chart column) because Streamlit's LineChartColumn cannot hold a gap: a null in its list
    turns the cell into an error, and dropping it would bridge the gap.
    """
    known = [float(v) for v in values if not is_missing(v)]
    if not known:
        return SPARK_GAP * len(values)
    low, high = scale if scale is not None else (min(known), max(known))
    top = len(SPARK_LEVELS) - 1
    out = []
    for v in values:
        if is_missing(v):
            out.append(SPARK_GAP)
        elif high == low:
            out.append(SPARK_LEVELS[top // 2])
        else:
            out.append(SPARK_LEVELS[round((float(v) - low) / (high - low) * top)])  # type: ignore[arg-type]
    return "".join(out)


def sparklines(series: pl.DataFrame) -> dict[tuple[str, str], tuple[str, str]]:
    """(metric, borough) -> (sparkline with its first and last period either side, the
    periods it covers), every borough of a measure on one scale: the measure's lowest and
    highest figure among the boroughs shown, so the blocks compare across boroughs."""
    spark: dict[tuple[str, str], tuple[str, str]] = {}
    if series.is_empty():
        return spark
    # The latest SPARK_PERIODS only: one more block would make a scorecard table scroll
    # sideways at tablet width; the trend chart below it has every year.
    tails = series.sort("period_end").group_by(["metric_code", "area_code"],
                                               maintain_order=True).tail(SPARK_PERIODS)
    for (metric,), rows in tails.group_by(["metric_code"], maintain_order=True):
        known = [float(v) for v in rows.get_column("value").to_list() if not is_missing(v)]
        scale = (min(known), max(known)) if known else None
        for (area,), part in rows.group_by(["area_code"], maintain_order=True):
            periods = part.get_column("period").to_list()
            line = sparkline(part.get_column("value").to_list(), scale)
            spark[(metric, area)] = (f"{periods[0]} {line} {periods[-1]}",
                                     f"{periods[0]} to {periods[-1]}")
    return spark


def stale_position(row: dict) -> str:
    """Why a figure older than the measure's latest is not ranked against current ones."""
    return (
        f"not ranked: an older figure (others have {row['metric_latest_period']}; later "
        "years suppressed or not published for this borough)"
    )


def scorecard_table(latest: pl.DataFrame, series: pl.DataFrame) -> pl.DataFrame:
    """One row per metric and borough, in words ready to show and download.

    ``latest`` holds ``quality_scorecard`` rows; ``series`` holds ``quality_series`` rows
    (every period in range per metric and borough, gaps as nulls).
    """
    spark = sparklines(series)
    rows = []
    order = {code: i for i, code in enumerate(SCORECARD_METRICS)}
    for r in latest.to_dicts():
        unit, pol = r["unit"], r["polarity"]
        word, arrow = direction(r["previous_value"], r["latest_value"], pol)
        travel = (
            f"{arrow} {word} since {r['previous_period']}".strip()
            if r["previous_period"]
            else "only one year published"
        )
        stale = bool(r.get("is_stale"))
        quartile = london_quartile(r["latest_value"], r["london_values"] or [])
        if not is_missing(r["england_value"]):
            national = gap_words(r["latest_value"], r["england_value"], unit, pol, "England")
        elif not is_missing(r["national_median"]):
            national = "national median (Oflog): " + gap_words(
                r["latest_value"], r["national_median"], unit, pol, "England"
            )
        else:
            national = "no England figure"
        status = rag_status(r["latest_value"], r["target"], pol)
        line, span = spark.get((r["metric_code"], r["area_code"]), ("", ""))
        rows.append(
            {
                "_order": order.get(r["metric_code"], len(order)),
                "_area": BOROUGH_CODES.index(r["area_code"])
                if r["area_code"] in BOROUGH_CODES
                else len(BOROUGH_CODES),
                "theme": THEME_OF.get(r["metric_code"], r["domain"]),
                "measure": r["metric_name"],
                "borough": r["area_name"],
                "latest": format_value(r["latest_value"], unit),
                "period": f"{r['latest_period']} (older)" if stale else r["latest_period"],
                "direction": travel,
                "london_position": stale_position(r) if stale else quartile_words(quartile, pol),
                "vs_london_median": gap_words(
                    r["latest_value"], r["london_median"], unit, pol, "London median"
                ) + (f" (the {r['latest_period']} median)" if stale else ""),
                "vs_england": national,
                "target": rag_words(status, r["target"], unit, bool(r["target_is_published"]),
                                    bool(r.get("target_is_illustrative", True))),
                "rag": status or "",
                "trend": line,
                "trend_years": span,
                "polarity": POLARITY_WORDS.get(pol, pol),
                "metric_code": r["metric_code"],
                "area_code": r["area_code"],
                "latest_value": r["latest_value"],
            }
        )
    if not rows:
        return pl.DataFrame()
    return pl.DataFrame(rows).sort("_order", "_area").drop("_order", "_area")


# --- Ofsted inspection history --------------------------------------------------------------

FRAMEWORK_WORDS: dict[str, str] = {
    "SLAC": "Safeguarding and looked after children inspection (SLAC)",
    "SLAC re-inspection": "SLAC re-inspection",
    "CPI": "Child protection inspection",
    "CPI re-inspection": "Child protection re-inspection",
    "TLAC": "Targeted inspection of services for looked after children",
    "SIF": "Single inspection framework (SIF)",
    "SIF re-inspection": "Single inspection framework re-inspection",
    "ILACS short": "Inspection of local authority children's services (ILACS), short",
    "ILACS standard": "Inspection of local authority children's services (ILACS), standard",
}
AREA_WORDS: dict[str, str] = {
    "overall": "Overall effectiveness",
    "safeguarding": "Safeguarding",
    "looked_after_children": "Services for looked after children",
    "child_protection": "Child protection",
    "help_and_protection": "Children who need help and protection",
    "looked_after_and_permanence": "Children looked after and achieving permanence",
    "children_in_care": "Children in care",
    "adoption": "Adoption",
    "care_leavers": "Care leavers",
    "leadership": "Leadership",
    "lscb": "Local Safeguarding Children Board",
}
# Order judgement areas are listed in within one inspection: the headline first.
_AREA_ORDER = {a: i for i, a in enumerate(AREA_WORDS)}
SHORT_JUDGEMENT = {"Requires improvement to be good": "Requires improvement"}


def _headline(rows: list[dict]) -> tuple[str, str]:
    """(long, short) headline of one inspection: its overall judgement where the framework
    gives one, else every judgement it made (SLAC judged safeguarding and looked after
    children separately; CPI judged child protection)."""
    overall = [r for r in rows if r["judgement_area"] == "overall"]
    if overall:
        word = overall[0]["judgement"]
        return word, SHORT_JUDGEMENT.get(word, word)
    parts = [f"{AREA_WORDS.get(r['judgement_area'], r['judgement_area'])}: {r['judgement']}"
             for r in rows]
    words = {SHORT_JUDGEMENT.get(r["judgement"], r["judgement"]) for r in rows}
    short = words.pop() if len(words) == 1 else " / ".join(
        SHORT_JUDGEMENT.get(r["judgement"], r["judgement"]) for r in rows
    )
    return "; ".join(parts), short


def inspection_history(judgements: pl.DataFrame) -> pl.DataFrame:
    """One row per inspection, in words: borough, date, type, headline and other judgements.

    ``judgements`` holds ``quality_inspections`` rows (one per judgement area). Also returns
    the short label and hover text the timeline chart prints beside each marker.
    """
    cols = ["area_code", "borough", "published", "publication_date", "inspection",
            "headline_judgement", "other_judgements", "label", "hover"]
    if judgements.is_empty():
        return pl.DataFrame(schema=dict.fromkeys(cols, pl.String)).with_columns(
            pl.col("publication_date").cast(pl.Date)
        )
    out = []
    keys = ["area_code", "area_name", "framework", "publication_date"]
    for (code, name, framework, published), part in judgements.group_by(
        keys, maintain_order=True
    ):
        rows = sorted(part.to_dicts(), key=lambda r: _AREA_ORDER.get(r["judgement_area"], 99))
        long, short = _headline(rows)
        others = [
            f"{AREA_WORDS.get(r['judgement_area'], r['judgement_area'])}: {r['judgement']}"
            for r in rows
            if r["judgement_area"] != "overall" and any(
                x["judgement_area"] == "overall" for x in rows
            )
        ]
        kind = FRAMEWORK_WORDS.get(framework, framework)
        out.append(
            {
                "area_code": code,
                "borough": name,
                "published": f"{published:%-d %B %Y}",
                "publication_date": published,
                "inspection": kind,
                "headline_judgement": long,
                "other_judgements": "; ".join(others),
                "label": short,
                "hover": f"{kind}<br>published {published:%-d %B %Y}<br>{long}",
            }
        )
    order = {c: i for i, c in enumerate(BOROUGH_CODES)}
    return (
        pl.DataFrame(out)
        .with_columns(pl.col("area_code").replace_strict(order, default=9).alias("_o"))
        .sort("_o", "publication_date")
        .drop("_o")
        .select(cols)
    )


def measure_heading(measure: str, polarity_words: str) -> str:
    """'Re-referrals within 12 months (lower is better)': a measure's screen-table heading."""
    if polarity_words in ("higher", "lower"):
        return f"{measure} ({polarity_words} is better)"
    return measure


def screen_tables(card: pl.DataFrame, *, with_target: bool) -> list[tuple[str, pl.DataFrame]]:
    """One small table per measure in ``card`` (rows of ``scorecard_table``), in card order:
    (metric code, frame whose first column, headed by the measure, names the boroughs)."""
    tables = []
    for code in card.get_column("metric_code").unique(maintain_order=True).to_list():
        rows = card.filter(pl.col("metric_code") == code)
        # A Target column only for a measure with a target for some borough shown.
        rated = with_target and (rows.get_column("rag") != "").any()
        columns = {k: v for k, v in SCREEN_COLUMNS.items() if rated or k != "target"}
        heading = measure_heading(rows.get_column("measure")[0], rows.get_column("polarity")[0])
        # Periods must not break inside ('2023-' / '24') in a narrow cell.
        tables.append((code, rows.select(
            pl.col("borough").alias(heading),
            *(unbroken_column(k).alias(v) for k, v in columns.items()),
        )))
    return tables
