"""Direction of travel in plain words, following each metric's polarity."""

from __future__ import annotations

from triborough.model.style import is_missing

ARROWS = {"up": "▲", "down": "▼", "flat": "■", "none": ""}


def direction(previous: float | None, latest: float | None, polarity: str) -> tuple[str, str]:
    """('improving' | 'worsening' | 'increasing' | 'decreasing' | 'no change' | ..., arrow).

    Polarity 'neither' gets neutral words: more children in need may mean better
    identification, so the page must not call it worse.
    """
    if is_missing(previous) or is_missing(latest):
        return "no earlier figure", ARROWS["none"]
    if latest == previous:
        return "no change", ARROWS["flat"]
    went_up = latest > previous  # type: ignore[operator]
    arrow = ARROWS["up"] if went_up else ARROWS["down"]
    if polarity == "higher_better":
        return ("improving" if went_up else "worsening"), arrow
    if polarity == "lower_better":
        return ("worsening" if went_up else "improving"), arrow
    return ("increasing" if went_up else "decreasing"), arrow
