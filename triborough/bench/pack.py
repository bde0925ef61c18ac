"""The committee pack figure: the whole PDF for all three boroughs and every year, against the
20-second budget the pack was given (the one figure measured against a fixed time rather than
a peer: nothing else on the machine builds the same document).

Each run is a fresh process, so Chromium's start for the charts is inside every timing, as it is
for a councillor pressing the button. The stages (queries and words while Chromium starts,
the effect estimates while it draws, the wait for the charts, PDF layout) are
kept beside the total.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path
from typing import Any

from triborough.bench.common import Figure, in_worker, median

BUDGET_S = 20.0


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (Chromium, once kaleido closes it)."""
    own, children = (resource.getrusage(who)
                     for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _pack_worker(warehouse: str) -> dict[str, Any]:
    from triborough.model.boroughs import BOROUGH_CODES
    from triborough.model.periods import YEAR_RANGE
    from triborough.pack.pdf_document import build_pack

    cpu = _cpu_seconds()
    started = time.perf_counter()
    stages: dict[str, float] = {}
    pdf = build_pack(Path(warehouse), list(BOROUGH_CODES), *YEAR_RANGE, timings=stages)
    total = time.perf_counter() - started
    return {"total": total, "stages": stages, "bytes": len(pdf), "cpu": _cpu_seconds() - cpu}


def chromium_missing() -> str:
    """Why the pack cannot be built here, or '' when it can."""
    import shutil

    if Path("/usr/bin/chromium").exists() or shutil.which("chromium"):
        return ""
    return "Chromium not found: the charts are drawn by Plotly's static export in Chromium"


def measure(work: Path, warehouse: Path, repeat: int) -> tuple[Figure, dict[str, Any]]:
    """The pack figure, built ``repeat`` times."""
    from triborough.model.periods import YEAR_RANGE

    figure = Figure(
        "pack", f"Committee pack PDF, three boroughs, {YEAR_RANGE[0]}-{YEAR_RANGE[1]}",
        "`triborough pack`: queries, sentences, 8 charts, effect estimates, PDF/UA-1",
        f"the {BUDGET_S:g}-second budget", 1.0,
    )
    why = chromium_missing()
    if why:
        figure.status, figure.note = "not measured", why
        return figure, {}
    runs = [in_worker(work / "logs", _pack_worker, str(warehouse)) for _ in range(repeat)]
    totals = [r["total"] for r in runs]
    figure.ours, figure.against = median(totals), BUDGET_S
    figure.samples = {"ours": totals}
    last = runs[-1]
    # On a machine other work is sharing, wall time counts the waiting too: CPU time (the
    # pack's process and Chromium) is what one build costs, whatever else is running.
    cpu = median([r["cpu"] for r in runs])
    figure.note = (
        f"{last['bytes'] / 1e6:.2f} MB; CPU time {cpu:.1f} s "
        "(median); last run by stage: "
        + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in last["stages"].items())
    )
    return figure, {"runs": runs}
