"""What a chart carries out of the app: the camera button's print-size PNG, the provenance
lines written into the image, and the sentence 'Copy the summary' gives."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import plotly.graph_objects as go

from triborough.figures.charts import _TITLE_PX
from triborough.model.style import INK_MUTED

# A chart's image is for a paper: the camera button saves it 1,000 px wide at three times
# that resolution (3,000 px: 25 cm at 300 dpi), whatever the size of the screen it came from.
EXPORT_WIDTH = 1000
EXPORT_SCALE = 3
_PROVENANCE_ROW_PX = 15


def export_config(file_stem: str, height: int | None = None) -> dict[str, Any]:
    """The Plotly config every chart is shown with: no logo, and a camera button that saves a
    PNG named after the view at ``EXPORT_SCALE`` times a print size (the chart's own height,
    so labels placed for it stay apart)."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {
            "format": "png",
            "filename": file_stem,
            "width": EXPORT_WIDTH,
            "height": height or 420,
            "scale": EXPORT_SCALE,
        },
    }


def with_provenance(fig: go.Figure, lines: list[str]) -> go.Figure:
    """Write ``lines`` (unit, period, source, licence, date: ``provenance.image_lines``) into
    the chart under its title, so the saved image carries them.

    They go at the top, where every height is fixed by the layout (title, then the band of
    period labels): below the plot the legend's height depends on the width it wraps to, so
    a line there could land on it. The figure grows by the room they take.
    """
    if not lines:
        return fig
    layout = fig.layout
    extra = len(lines) * _PROVENANCE_ROW_PX + 6
    top = layout.margin.t if layout.margin.t is not None else 60
    band = max(0, top - _TITLE_PX)  # period labels (and subplot titles) above the plot
    note = dict(
        text="<br>".join(_escaped(line) for line in lines), x=0, xref="paper", xanchor="left",
        y=1, yref="paper", yanchor="bottom", yshift=band, showarrow=False, align="left",
        font=dict(size=11, color=INK_MUTED),
    )
    # Property by property rather than through update_layout, whose path walk costs 40 ms a
    # chart; on a figure from ``charts.figure`` each assignment is stored as given.
    layout["annotations"] = [*layout["annotations"], note]
    layout.margin["t"] = top + extra
    layout["meta"] = {"provenance": lines}
    if layout.height:
        layout["height"] = layout.height + extra
    return fig


def _escaped(text: str) -> str:
    """Plotly reads a few HTML-like tags in text; figures' words are shown as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def summary_from_figure(fig: go.Figure, title: str, unit: str) -> str:
    """A chart's figures in one sentence when its page gives none: each line's or bar series'
    latest figure with its period, in the chart's order (``unit`` a catalogue unit)."""
    from triborough.model.style import format_value
    from triborough.model.units import UNIT_WORDS

    # The axis says what is drawn (an index, per head, £ thousands) better than the measure's
    # unit; a view's unit in words is read the same way.
    axis = str(fig.layout.yaxis.title.text or "")
    if "index" in axis.lower():
        unit = ""
    elif _unit_from_words(axis) or unit not in UNIT_WORDS:
        unit = _unit_from_words(axis) or _unit_from_words(unit)
    latest = []
    for trace in fig.data:
        if getattr(trace, "fill", None) not in (None, "none") or trace.showlegend is False:
            continue  # a band's edges are not figures of their own
        values, places = ("x", "y") if getattr(trace, "orientation", None) == "h" else ("y", "x")
        ys = list(getattr(trace, values, None) or [])
        text = getattr(trace, "text", None)
        labels = list(text) if isinstance(text, list | tuple) else list(
            getattr(trace, places, None) or [])
        last = next((i for i in range(len(ys) - 1, -1, -1) if ys[i] is not None), None)
        if last is None or not trace.name or not isinstance(ys[last], int | float) \
                or isinstance(ys[last], bool):
            continue
        when = labels[last] if last < len(labels) else ""
        when = f"{when:%d %b %Y}" if isinstance(when, dt.date) else str(when)
        latest.append(f"{trace.name} {format_value(ys[last], unit)}"
                      + (f" ({when})" if when else ""))
    clean = re.sub(r"<[^>]*>", "", title.replace("<br>", " ")).strip().rstrip(".")
    if not latest:  # a timeline or a chart of words: the title says what it shows
        return f"{clean}."
    return f"{clean}. Latest figures: {'; '.join(latest)}."


# Unit words as views and axis titles write them, most specific first, and the catalogue
# unit whose formatting they need (so £ thousands read '£160.8m', not '160,841.3').
_UNIT_WORDS = (("£ thousand", "gbp_thousand"), ("£k", "gbp_thousand"), ("£ million", "gbp_million"),
               ("£m", "gbp_million"), ("£", "gbp"), ("per cent", "percent"), ("%", "percent"))


def _unit_from_words(words: str) -> str:
    return next((code for word, code in _UNIT_WORDS if word in words), "")
