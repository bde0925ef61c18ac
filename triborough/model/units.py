"""The catalogue's units in words: one table for axis titles, metadata and downloads.

Money words name no price basis: where figures are deflated the page says so beside them (the
release and price year), so one unit reads right in cash and in real terms.
"""

from __future__ import annotations

UNIT_WORDS: dict[str, str] = {
    "persons": "people",
    "count": "number",
    "percent": "per cent",
    "rate_per_10000": "rate per 10,000",
    "rate_per_1000": "rate per 1,000 residents",
    "rate": "rate (unit not stated by the publisher)",
    "gbp": "£",
    "gbp_thousand": "£ thousand",
    "gbp_million": "£ million",
    "score": "score",
    "cases_per_fte": "cases per full-time social worker",
    "fte": "full-time equivalent staff",
    "judgement": "Ofsted grade (4 Outstanding to 1 Inadequate)",
}


def unit_words(unit: str) -> str:
    """A catalogue unit in plain words (an unknown code with its underscores as spaces)."""
    return UNIT_WORDS.get(unit, unit.replace("_", " "))
