"""Figures 2-4: each page's script run, cold and warm, against its limit; the pandas peer; growth.

A page's *limit* is what it cannot go below: an empty page's run through the same harness plus
the raw DuckDB time of the queries the page runs. The queries are learnt by running the page
once with ``duckdb.connect`` wrapped so that every ``.sql()`` on the connection or its cursors
is noted (text and parameters); they are then replayed on a plain read-only connection in a
fresh process, cold (new connection) and warm (same connection again).
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from triborough.bench.common import PAGES_DIR, Figure, in_worker, median
from triborough.model.navigation import SECTIONS

Query = tuple[str, dict[str, Any] | None]
WARM_RUNS = 5  # warm and empty-page runs per repetition (each takes a fraction of a second)

EMPTY_PAGE = '''"""The empty page: what any page costs before it does anything (the floor)."""
import streamlit as st

st.title("Empty page")
'''

# A typical Streamlit dashboard: pandas reads the event-level CSV and groups it on every rerun.
PEER_PAGE = '''"""The peer: a typical Streamlit dashboard's caseload by month, from case events."""
import pandas as pd
import plotly.express as px
import streamlit as st

CSV = {csv!r}

st.title("Caseload by month")
events = pd.read_csv(CSV, parse_dates=["event_date"])
events["month"] = events["event_date"].dt.to_period("M").dt.to_timestamp()
flow = events[events["event_type"].isin(["referral", "closure"])]
counts = (
    flow.groupby(["borough_code", "service", "month", "event_type"])
    .size()
    .unstack("event_type", fill_value=0)
)
counts["open_cases"] = (
    (counts["referral"] - counts["closure"]).groupby(level=["borough_code", "service"]).cumsum()
)
caseload = counts.reset_index()
service = st.selectbox("Service", sorted(caseload["service"].unique()))
shown = caseload[caseload["service"] == service]
st.plotly_chart(px.line(shown, x="month", y="open_cases", color="borough_code"))
st.dataframe(shown)
'''


def discover_pages() -> list[dict[str, Any]]:
    """The pages the app serves (:data:`triborough.model.navigation.SECTIONS`)."""
    return [
        {"file": file, "title": title, "url": url}
        for specs in SECTIONS.values()
        for file, title, url in specs
    ]


# --------------------------------------------------------------------------- learning queries


class _Recording:
    """A connection or cursor that notes each ``.sql()`` it runs and otherwise stands aside."""

    def __init__(self, inner: Any, log: list[Query]) -> None:
        self._inner = inner
        self._log = log

    def sql(self, query: Any, *args: Any, **kwargs: Any) -> Any:
        params = kwargs.get("params")
        self._log.append((str(getattr(query, "query", query)), params))
        return self._inner.sql(query, *args, **kwargs)

    def cursor(self) -> _Recording:
        return _Recording(self._inner.cursor(), self._log)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _recording_connect(real: Callable[..., Any], log: list[Query]) -> Callable[..., Any]:
    def connect(*args: Any, **kwargs: Any) -> Any:
        return _Recording(real(*args, **kwargs), log)

    return connect


# --------------------------------------------------------------------------- the page runs


def _clear_caches() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    gc.collect()  # closes the dropped DuckDB connections, so the next run opens the file anew


def _use(warehouse: str) -> None:
    from triborough.settings import get_settings

    os.environ["TRIBOROUGH_WAREHOUSE_PATH"] = warehouse
    get_settings.cache_clear()


# Two costs AppTest pays on every new instance that a running server pays once, at start-up or
# on a script's first run: scanning every installed package for custom components (0.3-2 s
# here) and compiling the page script (with Streamlit's "magic" rewrite; 10-60 ms for a real
# page). Sharing one component registry and one script cache across instances, as a server
# does across sessions, keeps both out of every timing, the empty page's included.
_components: list[object] = []


def _share_script_cache() -> None:
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    for module in (app_test, local_script_runner):  # each makes its own per run
        if getattr(module, "ScriptCache", None) is ScriptCache:
            module.ScriptCache = lambda: shared  # type: ignore[attr-defined]


def _run(script: str, timeout: float) -> tuple[float, list[str]]:
    """One run of a page script through AppTest (a new session): seconds, and exceptions."""
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(script, default_timeout=timeout)
    if _components and hasattr(app, "_bidi_component_manager"):
        app._bidi_component_manager = _components[0]
    started = time.perf_counter()
    try:
        app.run()
    except Exception as exc:  # a timeout or a crash in the harness: report, keep measuring
        return time.perf_counter() - started, [f"{type(exc).__name__}: {exc}"]
    elapsed = time.perf_counter() - started
    if not _components and getattr(app, "_bidi_component_manager", None) is not None:
        _components.append(app._bidi_component_manager)
    errors = [str(getattr(e, "message", None) or e.value) for e in app.exception]
    return elapsed, errors


def _pages_worker(spec: dict[str, Any]) -> dict[str, Any]:
    """Every page at every scale: queries learnt, then empty / cold / warm runs interleaved."""
    scales: dict[str, str] = spec["warehouses"]
    pages: list[str] = spec["pages"]
    timeout: float = spec["timeout"]
    empty: str = spec["empty"]
    out: dict[str, Any] = {
        "runs": {p: {s: {"empty": [], "cold": [], "warm": []} for s in scales} for p in pages},
        "queries": {p: {} for p in pages},
        "errors": {p: [] for p in pages},
        "peer": {"peer": [], "ours": [], "errors": []},
    }
    _share_script_cache()
    # Warm-up: Streamlit's and each page's imports happen once per server process, not per run.
    for scale in scales.values():
        _use(scale)
        for script in (empty, *pages):
            _run(script, timeout)
    for page in pages:
        for name, scale in scales.items():
            _use(scale)
            _clear_caches()
            log: list[Query] = []
            real = duckdb.connect
            duckdb.connect = _recording_connect(real, log)  # type: ignore[assignment]
            try:
                _, errors = _run(page, timeout)
            finally:
                duckdb.connect = real  # type: ignore[assignment]
            out["queries"][page][name] = log
            out["errors"][page] += errors
    _clear_caches()  # no recording connection may serve a timed run
    # The peer draws caseload by month: compare it with our page that draws the same figure
    # (its script asks for the named query reading the monthly caseload, even if behind a
    # control), or with the landing page when no page does.
    from triborough.read.queries import load_queries
    from triborough.settings import get_settings

    names = [n for n, q in load_queries(get_settings().queries_dir).items()
             if "caseload_monthly" in q.sql]
    out["peer_ours"] = next(
        (p for p in pages
         if any(f'"{n}"' in Path(p).read_text(encoding="utf-8") for n in names)),
        pages[0],
    )
    for rep in range(spec["repeat"]):
        # Alternate which scale goes first, so a trend in the machine's load favours neither.
        order = list(scales.items()) if rep % 2 == 0 else list(scales.items())[::-1]
        for page in pages:
            runs = out["runs"][page]
            # One clear serves both scales: each has its own cache entries and connection.
            _clear_caches()
            for name, scale in order:
                _use(scale)
                seconds, errors = _run(page, timeout)
                runs[name]["cold"].append(seconds)
                out["errors"][page] += errors
            # Warm runs are cheap and the machine is noisy: take several, interleaved with the
            # empty page and across scales, so growth compares runs made moments apart.
            for _ in range(WARM_RUNS):
                for name, scale in order:
                    _use(scale)
                    runs[name]["empty"].append(_run(empty, timeout)[0])
                    seconds, errors = _run(page, timeout)
                    runs[name]["warm"].append(seconds)
                    out["errors"][page] += errors
        if spec.get("peer"):
            _use(scales["big"])
            _run(out["peer_ours"], timeout)  # our page warm, as every councillor after the first
            seconds, errors = _run(spec["peer"], timeout)
            out["peer"]["peer"].append(seconds)
            out["peer"]["errors"] += errors
            seconds, errors = _run(out["peer_ours"], timeout)
            out["peer"]["ours"].append(seconds)
            out["peer"]["errors"] += errors
    return out


def _raw_worker(warehouse: str, queries: dict[str, list[Query]], repeat: int) -> dict[str, Any]:
    """Replay each page's queries on a plain read-only connection: cold (new connection, first
    run) and warm (the same queries again), fetching Arrow as the app does."""
    out: dict[str, Any] = {}
    for page, log in queries.items():
        started = time.perf_counter()
        con = duckdb.connect(warehouse, read_only=True)
        try:
            _replay(con, log)
            cold = time.perf_counter() - started
            warm = []
            for _ in range(repeat):
                started = time.perf_counter()
                _replay(con, log)
                warm.append(time.perf_counter() - started)
        finally:
            con.close()
        out[page] = {"cold": cold, "warm": median(warm)}
    return out


def _replay(con: duckdb.DuckDBPyConnection, log: list[Query]) -> None:
    for sql, params in log:
        cur = con.cursor()
        try:
            rel = cur.sql(sql, params=params or None)
            if rel is not None:
                rel.to_arrow_table()
        finally:
            cur.close()


# --------------------------------------------------------------------------- the figures


def _label(sql: str, names: dict[str, str]) -> str:
    return names.get(sql) or " ".join(sql.split())[:80]


def measure(
    work: Path,
    warehouses: dict[str, Path],
    events: dict[str, int],
    csv_file: Path | None,
    repeat: int,
    only: list[str] | None = None,
) -> tuple[list[Figure], dict[str, Any]]:
    """Pages cold and warm against their limits, the peer and growth; figures and details."""
    from triborough.read.queries import load_queries
    from triborough.settings import get_settings

    pages = [p for p in discover_pages() if not only or p["url"] in only]
    scripts = {str(PAGES_DIR / p["file"]): p for p in pages}
    empty = work / "empty_page.py"
    empty.write_text(EMPTY_PAGE, encoding="utf-8")
    peer = None
    if csv_file is not None:
        peer = work / "peer_page.py"
        peer.write_text(PEER_PAGE.format(csv=str(csv_file)), encoding="utf-8")
    spec: dict[str, Any] = {
        "warehouses": {k: str(v) for k, v in warehouses.items()},
        "pages": list(scripts),
        "empty": str(empty),
        "repeat": repeat,
        "timeout": 600.0,
        "peer": str(peer) if peer else None,
    }
    result = in_worker(work / "logs", _pages_worker, spec)
    queries = result["queries"]
    peer_page = result["peer_ours"]
    raw: dict[str, dict[str, list[float]]] = {}
    for scale, path in warehouses.items():
        per_page = {s: queries[s].get(scale, []) for s in scripts}
        samples = [in_worker(work / "logs", _raw_worker, str(path), per_page, max(repeat, 3))
                   for _ in range(max(repeat, 1))]
        raw[scale] = {
            s: {"cold": [x[s]["cold"] for x in samples], "warm": [x[s]["warm"] for x in samples]}
            for s in scripts
        }
    names = {q.sql: n for n, q in load_queries(get_settings().queries_dir).items()}
    figures: list[Figure] = []
    details: dict[str, Any] = {"pages": {}}
    for script, page in scripts.items():
        runs = result["runs"][script]
        big, small = runs["big"], runs["small"]
        errors = sorted(set(result["errors"][script]))
        status = "failed" if errors else "measured"
        note = "; ".join(errors)[:300]
        recorded = queries[script].get("big", [])
        figures += [
            Figure(
                f"page_{state}:{page['url']}", f"{page['title']} page, {state} cache",
                ours_words, f"empty page + raw DuckDB ({connection}) for its queries", limit,
                ours=median(big[state]),
                against=median(big["empty"]) + median(raw["big"][script][state]),
                status=status, note=note,
                samples={"ours": big[state], "empty": big["empty"],
                         "raw": raw["big"][script][state]},
            )
            for state, ours_words, connection, limit in (
                ("cold", "AppTest run, Streamlit caches cleared", "new connection", 2.0),
                ("warm", "AppTest run of a new session, caches filled", "open connection", 1.3),
            )
        ]
        figures.append(
            Figure(
                f"growth:{page['url']}",
                f"{page['title']} page warm, {events['big']:,} against {events['small']:,} events",
                f"warm run at {events['big']:,}", f"warm run at {events['small']:,}", 1.5,
                ours=median(big["warm"]), against=median(small["warm"]), status=status,
                note=note, samples={"ours": big["warm"], "against": small["warm"]},
            )
        )
        details["pages"][page["url"]] = {
            "file": page["file"],
            "queries": [
                {"query": _label(q, names), "params": _jsonable(p)} for q, p in recorded
            ],
            "runs": runs,
            "raw": {scale: raw[scale][script] for scale in raw},
            "errors": errors,
        }
    if peer is not None:
        ours_page = scripts[peer_page]
        peer_errors = sorted(set(result["peer"]["errors"]))
        figures.append(Figure(
            "peer", f"{ours_page['title']} page warm against a pandas dashboard "
            f"at {events['big']:,} events",
            f"our {ours_page['title']} page, warm",
            "peer page: pandas reads case_events.csv and groups on each rerun", 0.1,
            ours=median(result["peer"]["ours"]), against=median(result["peer"]["peer"]),
            status="failed" if peer_errors else "measured",
            note=("; ".join(peer_errors)[:300] if peer_errors else
                  f"The peer draws caseload by month from the events; ours is the "
                  f"{ours_page['title']} page"
                  + ("" if ours_page["url"] != "overview" else
                     " (no page draws the monthly caseload)") + "."),
            samples={"ours": result["peer"]["ours"], "against": result["peer"]["peer"]},
        ))
    return figures, details


def _jsonable(params: dict[str, Any] | None) -> dict[str, Any]:
    if not params:
        return {}
    return {k: v if isinstance(v, int | float | str | bool | list | None) else str(v)
            for k, v in params.items()}
