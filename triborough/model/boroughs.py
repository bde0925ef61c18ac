"""The three councils and the codes their publishers use for them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Borough:
    """One of the three tri-borough councils."""

    code: str  # ONS GSS code
    name: str
    short: str
    dfe_code: str  # DfE 3-digit LA number (PSS-EX1's CASSR codes differ: 713, 705, 707)
    e_code: str  # MHCLG e-code in older revenue outturn files


BOROUGHS: tuple[Borough, ...] = (
    Borough("E09000033", "Westminster", "WCC", "213", "E5022"),
    Borough("E09000013", "Hammersmith and Fulham", "H&F", "205", "E5014"),
    Borough("E09000020", "Kensington and Chelsea", "RBKC", "207", "E5016"),
)
BOROUGH_CODES: tuple[str, ...] = tuple(b.code for b in BOROUGHS)
BOROUGH_BY_CODE: dict[str, Borough] = {b.code: b for b in BOROUGHS}
ENGLAND = "E92000001"
LONDON = "E12000007"


def borough_name(code: str) -> str:
    """Display name for a borough or comparator code."""
    return BOROUGH_BY_CODE[code].name if code in BOROUGH_BY_CODE else code
