"""Write the results: one JSON file with every sample, one markdown table for people."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from triborough.bench.common import Figure, fmt_bytes, fmt_seconds


def _value(fig: Figure, value: float | None) -> str:
    return fmt_bytes(value) if fig.unit == "bytes" else fmt_seconds(value)


def _verdict(fig: Figure) -> str:
    if fig.status != "measured":
        return fig.status
    return {True: "yes", False: "**no**", None: "—"}[fig.met]


def _stages(stages: dict[str, float]) -> str:
    return ", ".join(f"{name} {seconds:.2f}" for name, seconds in stages.items())


def markdown(results: dict[str, Any]) -> str:
    """The results table (and what stands behind it) as markdown."""
    figures = [Figure(**{k: v for k, v in f.items() if k not in ("ratio", "met")})
               for f in results["figures"]]
    cfg, machine = results["config"], results["machine"]
    lines = [
        f"Command: `{results['command']}`",
        "",
        f"Run {results['started_at']} on {machine['cpus']} cores, {machine['memory_gib']} GiB "
        f"(Python {machine['python']}, DuckDB {machine['duckdb']}, Streamlit "
        f"{machine['streamlit']}, polars {machine['polars']}); {cfg['repeat']} repetition(s), "
        f"medians; whole run {results['runtime_s'] / 60:.1f} min.",
        "",
        "Scales: " + "; ".join(
            f"{w['events_requested']:,} requested → {w['case_events_rows']:,} case events "
            f"({w['size_bytes'] / 1e6:,.0f} MB warehouse)"
            for w in results["warehouses"].values()
        ) + ".",
        "",
        "| Figure | Ours | Against | Ratio | Target | Met |",
        "|---|---|---|---:|---:|---|",
    ]
    for fig in figures:
        ratio = "—" if fig.ratio is None else f"{fig.ratio:.2f}×"
        target = "—" if fig.target is None else f"≤ {fig.target:g}×"
        lines.append(
            f"| {fig.title} | {_value(fig, fig.ours)} ({fig.ours_label}) "
            f"| {_value(fig, fig.against)} ({fig.against_label}) | {ratio} | {target} "
            f"| {_verdict(fig)} |"
        )
    notes = [f"- **{f.title}**: {f.note}" for f in figures if f.note]
    if notes:
        lines += ["", "Notes:", "", *notes]
    build = results["details"].get("build", {})
    if build.get("runs"):
        lines += ["", "Where the build time goes (seconds, each timed run):", ""]
    for i, run in enumerate(build.get("runs", []), start=1):
        path = run["build_then_ingest"]
        lines += [
            f"- run {i}, build then ingest: build {path['build']:.2f}, ingest "
            f"{path['ingest']:.2f} (" + _stages(path["ingest_stages"]) + ")",
            f"- run {i}, build generating the events: " + _stages(run["build_generated"]),
        ]
    pages = results["details"].get("pages", {}).get("pages", {})
    if pages:
        lines += ["", "Queries each page runs (learnt from a recorded run):", ""]
        for url, page in pages.items():
            names = ", ".join(q["query"] for q in page["queries"]) or "none"
            lines.append(f"- `{page['file']}` ({url}): {names}")
    return "\n".join(lines) + "\n"


def write(results: dict[str, Any], out: Path) -> tuple[Path, Path]:
    """``bench-<events>.json`` and ``bench-<events>.md`` in ``out``; returns both paths."""
    out.mkdir(parents=True, exist_ok=True)
    stem = f"bench-{results['config']['events']}"
    json_path = out / f"{stem}.json"
    md_path = out / f"{stem}.md"
    json_path.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    md_path.write_text(markdown(results), encoding="utf-8")
    return json_path, md_path
