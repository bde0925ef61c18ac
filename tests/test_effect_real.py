"""The effect estimates on the real published series, pinned.

RE-PINNING: the figures live in PINNED below and nowhere else. After an importer or series
change that is meant to move them (such as the complete real-terms spend series), run

    .venv/bin/python tests/test_effect_real.py

which rebuilds a warehouse from the committed extracts, prints a fresh PINNED dict, and
paste it over the one below. An unexplained change fails these tests loudly.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from triborough.read.connection import connect_readonly
from triborough.views.effect import EffectInputError, did, synth
from triborough.views.effect_data import load_panel

# (metric, comparison, method, event) -> the figures, or the reason it cannot be estimated.
# fmt: off
PINNED: dict[tuple[str, str, str, str], dict[str, object] | str] = {
    ('spend_ph_social_care', 'london', 'did', 'sharing'):
        {'effect': -47.6439,
         'ci_low': -93.48,
         'ci_high': -1.2352,
         'p_value': 0.0424,
         'n_donors': 29,
         'pre_periods': 4,
         'post_periods': 14},
    ('spend_ph_adult_social_care', 'london', 'did', 'sharing'):
        'the estimate needs at least two periods before 2011-12; the panel has 0',
    ('spend_ph_childrens_social_care', 'london', 'did', 'sharing'):
        'the estimate needs at least two periods before 2011-12; the panel has 0',
    ('spend_ph_cultural_related', 'london', 'did', 'sharing'):
        {'effect': 0.4866,
         'ci_low': -11.4482,
         'ci_high': 12.4061,
         'p_value': 0.9384,
         'n_donors': 29,
         'pre_periods': 4,
         'post_periods': 14},
    ('cla_per_10000_children', 'london', 'did', 'sharing'):
        {'effect': -4.8875,
         'ci_low': -17.5862,
         'ci_high': 7.7189,
         'p_value': 0.4632,
         'n_donors': 29,
         'pre_periods': 2,
         'post_periods': 14},
    ('cin_rate_per_10000', 'london', 'did', 'sharing'):
        {'effect': -18.0808,
         'ci_low': -265.6012,
         'ci_high': 178.3286,
         'p_value': 0.7877,
         'n_donors': 29,
         'pre_periods': 2,
         'post_periods': 14},
    ('rereferral_pct', 'london', 'did', 'sharing'):
        'the estimate needs at least two periods before 2011-12; the panel has 1 (2010-11)',
    ('spend_ph_social_care', 'london', 'synth', 'sharing'):
        {'effect': -20.4183,
         'ci_low': -75.9578,
         'ci_high': 35.1213,
         'p_value': 0.4241,
         'n_donors': 29,
         'pre_periods': 4,
         'post_periods': 14},
    ('cla_per_10000_children', 'london', 'synth', 'sharing'):
        {'effect': 2.2188,
         'ci_low': -8.9642,
         'ci_high': 13.4017,
         'p_value': 0.6512,
         'n_donors': 29,
         'pre_periods': 2,
         'post_periods': 14},
    ('spend_ph_social_care', 'neighbours', 'did', 'sharing'):
        {'effect': -41.3714,
         'ci_low': -135.7258,
         'ci_high': 30.0096,
         'p_value': 0.3484,
         'n_donors': 12,
         'pre_periods': 4,
         'post_periods': 14},
    ('cla_per_10000_children', 'neighbours', 'did', 'sharing'):
        {'effect': -2.2154,
         'ci_low': -18.3211,
         'ci_high': 14.3512,
         'p_value': 0.7692,
         'n_donors': 12,
         'pre_periods': 2,
         'post_periods': 14},
    ('spend_ph_adult_social_care', 'london', 'did', 'split'):
        {'effect': -0.2851,
         'ci_low': None,
         'ci_high': None,
         'p_value': 1.0,
         'n_donors': 2,
         'pre_periods': 7,
         'post_periods': 7},
    ('spend_ph_childrens_social_care', 'london', 'did', 'split'):
        {'effect': -208.9491,
         'ci_low': None,
         'ci_high': None,
         'p_value': 0.6667,
         'n_donors': 2,
         'pre_periods': 7,
         'post_periods': 7},
    ('cla_per_10000_children', 'london', 'did', 'split'):
        {'effect': -1.9766,
         'ci_low': None,
         'ci_high': None,
         'p_value': 0.6667,
         'n_donors': 2,
         'pre_periods': 9,
         'post_periods': 7},
    ('rereferral_pct', 'london', 'did', 'split'):
        {'effect': -6.3107,
         'ci_low': None,
         'ci_high': None,
         'p_value': 0.3333,
         'n_donors': 2,
         'pre_periods': 8,
         'post_periods': 7},
}
# fmt: on
FIELDS = ("effect", "ci_low", "ci_high", "p_value", "n_donors", "pre_periods", "post_periods")
METHODS = {"did": lambda p: did(p, event_study=False), "synth": synth}
CASES = [
    *[(m, "london", "did", "sharing") for m in (
        "spend_ph_social_care", "spend_ph_adult_social_care", "spend_ph_childrens_social_care",
        "spend_ph_cultural_related", "cla_per_10000_children", "cin_rate_per_10000",
        "rereferral_pct")],
    ("spend_ph_social_care", "london", "synth", "sharing"),
    ("cla_per_10000_children", "london", "synth", "sharing"),
    ("spend_ph_social_care", "neighbours", "did", "sharing"),
    ("cla_per_10000_children", "neighbours", "did", "sharing"),
    *[(m, "london", "did", "split") for m in (
        "spend_ph_adult_social_care", "spend_ph_childrens_social_care",
        "cla_per_10000_children", "rereferral_pct")],
]


def figures(warehouse: Path, case: tuple[str, str, str, str]) -> dict[str, object] | str:
    """One case's pinned figures (rounded to 4 decimals), or its refusal message."""
    metric, comparison, method, event = case
    con = connect_readonly(warehouse)
    try:
        panel = load_panel(con, metric, comparison=comparison, event=event).panel
        summary = METHODS[method](panel).summary()
    except EffectInputError as exc:
        return str(exc)
    finally:
        con.close()
    return {k: round(summary[k], 4) if isinstance(summary[k], float) else summary[k]
            for k in FIELDS}


def test_every_case_is_pinned():
    assert set(PINNED) == set(CASES), "run this file as a script to re-pin (see its docstring)"


@pytest.mark.parametrize("case", CASES, ids=["-".join(c) for c in CASES])
def test_real_estimate_is_pinned(built_warehouse, case):
    assert figures(built_warehouse, case) == PINNED[case]


if __name__ == "__main__":  # re-pin: print a fresh PINNED dict
    import pprint
    import tempfile

    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root))
    from triborough.warehouse.build import build_warehouse

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "warehouse.duckdb"
        build_warehouse(root / "data" / "public", path)
        print("PINNED: dict[tuple[str, str, str, str], dict[str, object] | str] = {")
        for case in CASES:
            text = pprint.pformat(figures(path, case), width=88, sort_dicts=False)
            print(f"    {case!r}:\n        " + text.replace("\n", "\n        ") + ",")
        print("}")
