"""Chart labels a councillor can read: event and period labels above the plot and apart,
targets in the same year apart, bar labels that fit their bar."""

from __future__ import annotations

import datetime as dt

import polars as pl

from triborough.figures import charts
from triborough.figures.bar_charts import stacked_bar_chart
from triborough.figures.line_charts import trend_chart
from triborough.figures.timeline_charts import timeline_chart
from triborough.model.style import INK, PAPER

WCC, HF, RBKC = "E09000033", "E09000013", "E09000020"

# The Savings page's dotted lines: four events in four years, plus the shared period's label.
SAVINGS_EVENTS = [
    (dt.date(2015, 3, 31), "£33.4m a year projected (2014-15)"),
    (dt.date(2016, 3, 31), "£40m then £43m a year target (2015-16)"),
    (dt.date(2017, 3, 27), "Notice to end sharing"),
    (dt.date(2018, 4, 1), "Split takes effect"),
]
SHARED = [(dt.date(2011, 6, 1), dt.date(2018, 3, 31), "All three councils sharing")]


def _lines() -> pl.DataFrame:
    years = range(2011, 2026)
    return pl.DataFrame({
        "series": [code for code in (WCC, HF, RBKC) for _ in years],
        "series_label": [name for name in ("Westminster", "H&F", "K&C") for _ in years],
        "period_end": [dt.date(y, 3, 31) for _ in range(3) for y in years],
        "value": [float(i) for i in range(45)],
    })


def _extent(annotation, lo: dt.date, hi: dt.date) -> tuple[float, float]:
    """Estimated left and right of a label, in the same pixels the placement uses."""
    span = (hi - lo).days
    at = (annotation.x - lo).days / span * charts._MARK_PLOT_PX
    width = len(annotation.text) * charts._MARK_CHAR_PX + 8
    return (at, at + width) if annotation.xanchor == "left" else (at - width, at)


def test_event_and_period_labels_sit_above_the_plot_and_never_overlap():
    fig = trend_chart(_lines(), "Spend", "£", shaded=SHARED, events=SAVINGS_EVENTS)
    labels = [a for a in fig.layout.annotations if a.text != "Spend"]
    assert sorted(a.text for a in labels) == sorted(
        [t for _, t in SAVINGS_EVENTS] + ["All three councils sharing"]
    )
    # Every label hangs above the top of the plot, none inside it over the lines.
    assert all(a.yref == "paper" and a.y == 1 and a.yanchor == "bottom" for a in labels)
    assert all(a.textangle is None for a in labels)  # horizontal, not turned on their side
    lo, hi = dt.date(2011, 3, 31), dt.date(2025, 3, 31)
    by_row: dict[float, list[tuple[float, float]]] = {}
    for a in labels:
        by_row.setdefault(a.yshift or 0, []).append(_extent(a, lo, hi))
    assert len(by_row) > 1  # these five cannot share one line
    for extents in by_row.values():
        extents.sort()
        assert all(b[0] > a[1] for a, b in zip(extents, extents[1:], strict=False))
    # The top margin makes room for every row of labels under the title.
    assert fig.layout.margin.t >= charts._TITLE_PX + len(by_row) * charts._MARK_ROW_PX


def test_a_label_near_the_right_edge_hangs_to_the_left_of_its_line():
    # Inside the data's years: a mark outside them is cut with the years chosen (below).
    today = dt.date(2025, 2, 28)
    fig = trend_chart(_lines(), "Spend", "£", events=[(today, "Today (28 Feb 2025)")])
    (label,) = [a for a in fig.layout.annotations if a.text.startswith("Today")]
    assert label.xanchor == "right"


def test_years_chosen_cut_every_layer_and_empty_series_get_no_legend():
    # Years 2019-20 to 2024-25 chosen: the shared period (to March 2018) and the savings
    # targets and notice before them are not drawn; the split (1 April 2018) is before the
    # first point too. England has no figure in these years: no legend entry for it.
    lines = _lines().filter(pl.col("period_end") >= dt.date(2020, 3, 31))
    england = pl.DataFrame({
        "series": ["E92000001"] * 6, "series_label": ["England"] * 6,
        "period_end": [dt.date(y, 3, 31) for y in range(2020, 2026)], "value": [None] * 6,
    }, schema=lines.schema)
    fig = trend_chart(pl.concat([lines, england]), "Spend", "£", shaded=SHARED,
                      events=SAVINGS_EVENTS)
    assert [a.text for a in fig.layout.annotations if a.text != "Spend"] == []
    assert not fig.layout.shapes
    assert [t.name for t in fig.data] == ["Westminster", "H&F", "K&C"]
    # From 2015-16 the shading is cut to start at the first point, and the four events stay.
    later = _lines().filter(pl.col("period_end") >= dt.date(2016, 3, 31))
    fig = trend_chart(later, "Spend", "£", shaded=SHARED, events=SAVINGS_EVENTS)
    (rect,) = [s for s in fig.layout.shapes if s.type == "rect"]
    assert str(rect.x0).startswith("2016-03-31") and str(rect.x1).startswith("2018-03-31")
    assert {a.text for a in fig.layout.annotations} >= {"Split takes effect",
                                                        "Notice to end sharing"}
    assert "£33.4m a year projected (2014-15)" not in {a.text for a in fig.layout.annotations}


def test_targets_in_the_same_year_are_labelled_apart():
    bars = pl.DataFrame({
        "financial_year": ["2014-15", "2015-16"] * 3,
        "area_code": [WCC, WCC, HF, HF, RBKC, RBKC],
        "series_label": ["Westminster"] * 2 + ["H&F"] * 2 + ["K&C"] * 2,
        "delivered": [10.0, 14.0, 9.0, 13.0, 12.0, 16.0],
    })
    markers = [("2014-15", 33.4, "£33.4m"), ("2015-16", 40.0, "£40m"), ("2015-16", 43.0, "£43m")]
    fig = stacked_bar_chart(bars, "Savings", "£m", x="financial_year", y="delivered",
                            markers=markers)
    labels = {a.text: a for a in fig.layout.annotations if a.text.startswith("£")}
    assert set(labels) == {"£33.4m", "£40m", "£43m"}
    # The higher target's label sits above the lower one's, a line apart.
    assert labels["£43m"].yshift - labels["£40m"].yshift >= 16
    assert all(a.bgcolor for a in labels.values())  # readable over the bars


def test_timeline_labels_fit_their_bars_and_stay_readable_on_patterns():
    rows = pl.DataFrame({
        "row": ["Social care · WCC", "Social care · H&F", "Social care · H&F"],
        "start": [dt.date(2016, 2, 1), dt.date(2016, 2, 1), dt.date(2018, 11, 5)],
        "end": [dt.date(2026, 11, 29), dt.date(2018, 11, 5), dt.date(2026, 11, 29)],
        "area_code": [WCC, HF, HF],
        "series_label": ["Westminster", "H&F", "H&F"],
        "text": ["Shared social care system", "Shared social care system",
                 "H&F social care system"],
    })
    fig = timeline_chart(rows, "Systems", today=dt.date(2026, 11, 29))
    wcc, hf = fig.data
    # A long bar shows the whole name; a short one a shortened name ending '…', never text
    # running on into the next bar. Hovering still gives the whole name.
    assert wcc.text[0] == "Shared social care system"
    short = hf.text[0]
    assert short.endswith("…") and len(short) < len("Shared social care system")
    assert hf.customdata[0][2] == "Shared social care system"
    # White letters on the solid bar; dark letters where white pattern marks cross the bar.
    assert wcc.textfont.color == PAPER == "#ffffff"
    assert hf.textfont.color == INK == "#1a1a1a"


def test_money_axis_says_pounds_in_words():
    """Net spend held in £ thousand: 80,000 reads '£80m' on the axis, never '80k'."""
    fig = trend_chart(_lines().with_columns(pl.col("value") * 2000 + 60_000), "Spend", "£")
    charts.money_axis(fig, pl.Series([60_000.0, 148_000.0]), "gbp_thousand", title="Cash")
    assert list(fig.layout.yaxis.ticktext) == ["£60m", "£80m", "£100m", "£120m", "£140m",
                                               "£160m"]
    assert list(fig.layout.yaxis.tickvals) == [60_000, 80_000, 100_000, 120_000, 140_000,
                                               160_000]
    assert fig.layout.yaxis.title.text == "Cash"
    charts.money_axis(fig, pl.Series([0.0, 900.0]), "gbp", title="£ per child")
    assert list(fig.layout.yaxis.ticktext)[:3] == ["£0", "£200", "£400"]
