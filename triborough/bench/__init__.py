"""``triborough bench``: how fast the dashboard is, against its limits and against a peer.

One command builds warehouses at two scales, then measures seven figures, each a ratio of two
times taken in the same run (the machine is shared and noisy; ratios survive that, seconds do
not). See docs/performance.md for what each figure compares and the latest results.
"""

from __future__ import annotations

from triborough.bench.run import BenchConfig, run_benchmark

__all__ = ["BenchConfig", "run_benchmark"]
