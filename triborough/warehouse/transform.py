"""The transform layer: ``transforms/*.sql`` run in order over a warehouse being built or loaded.

Each file is one ``select`` in the house style of ``queries/`` (import CTEs, logic,
``select * from final``) with a header saying what it writes and what it reads::

    -- title: Net spend per head
    -- description: ...
    -- table: fact_metric            (the table it writes)
    -- reads: fact_metric, population (tables whose change makes it run again)
    -- metrics: spend_ph_total, ...  (fact_metric only: the metric codes it replaces)
    -- param: spend_codes varchar[] | ... (values the runner supplies from the model)
    -- key: area_code, metric_code, period
    -- columns: area_code varchar, ...

Files run by layer, staging first, then facts, then views (the file name's prefix), and by
name within a layer. A staging or view file replaces its table whole; a facts file replaces
its metrics' rows in ``fact_metric``. :func:`refresh` is the one entry point: the build runs
every file, a load only those downstream of the tables it changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import duckdb

from triborough.model.catalogue import SOURCES, SPEND_SERVICES, population_band
from triborough.model.contracts import CONTRACTS
from triborough.model.schema import create_built
from triborough.settings import PROJECT_ROOT
from triborough.warehouse.comments import comment_tables

TRANSFORMS_DIR = PROJECT_ROOT / "transforms"
LAYERS: tuple[str, ...] = ("staging", "facts", "views")
_HEADER = re.compile(
    r"^--\s*(title|description|table|reads|metrics|param|key|columns):\s*(.*)$")


class TransformError(ValueError):
    """A transform file is not valid (the message names the file and what is wrong)."""


@dataclass(frozen=True)
class Transform:
    """One ``transforms/*.sql`` file."""

    name: str
    layer: str
    title: str
    description: str
    table: str
    reads: tuple[str, ...]
    metrics: tuple[str, ...]
    params: tuple[str, ...]
    key: tuple[str, ...]
    columns: tuple[tuple[str, str], ...]
    sql: str


def _split(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split(",") if p.strip())


def parse_transform(path: Path) -> Transform:
    """Read one transform file and check its header."""
    sql = path.read_text(encoding="utf-8")
    fields: dict[str, list[str]] = {}
    for line in sql.splitlines():
        match = _HEADER.match(line.strip())
        if match:
            fields.setdefault(match.group(1), []).append(match.group(2).strip())
    layer = path.stem.split("_", 1)[0]
    if layer not in LAYERS:
        raise TransformError(f"{path.name}: the name must start with one of {', '.join(LAYERS)}")
    one = {k: v[0] for k, v in fields.items()}
    missing = [k for k in ("title", "description", "table", "reads", "key", "columns")
               if k not in one]
    if missing:
        raise TransformError(f"{path.name}: header lacks {', '.join(missing)}")
    metrics = _split(one.get("metrics", ""))
    if (layer == "facts") != bool(metrics) or (layer == "facts") != (one["table"] == "fact_metric"):
        raise TransformError(
            f"{path.name}: a facts file writes fact_metric and names its metrics; others neither")
    body = re.sub(r"--.*", "", sql).lower()
    if not re.search(r"select \* from final\b", body) or "{" in body:
        raise TransformError(f"{path.name}: end with select * from final, and take values "
                             "as $parameters (no format strings)")
    columns = tuple(tuple(c.rsplit(" ", 1)) for c in _split(one["columns"]))
    return Transform(
        name=path.stem, layer=layer, title=one["title"], description=one["description"],
        table=one["table"], reads=_split(one["reads"]), metrics=metrics,
        params=tuple(p.split()[0] for p in fields.get("param", [])),
        key=_split(one["key"]), columns=columns,  # type: ignore[arg-type]
        sql=sql,
    )


@lru_cache(maxsize=4)
def load_transforms(folder: Path = TRANSFORMS_DIR) -> tuple[Transform, ...]:
    """Every transform in run order: by layer, then by name."""
    found = [parse_transform(p) for p in sorted(folder.glob("*.sql"))]
    return tuple(sorted(found, key=lambda t: (LAYERS.index(t.layer), t.name)))


def parameters() -> dict[str, object]:
    """Model terms the transforms read as parameters (never spliced into SQL)."""
    spend = [f"nce_{service}" for service in SPEND_SERVICES]
    return {"spend_codes": spend, "spend_bands": [population_band(code) for code in spend]}


def run(con: duckdb.DuckDBPyConnection, transform: Transform) -> None:
    """Run one transform: replace its table, or its metrics' rows in ``fact_metric``."""
    values = parameters()
    params = {p: values[p] for p in transform.params}
    if transform.layer == "facts":
        con.execute("delete from fact_metric where list_contains($codes, metric_code)",
                    {"codes": list(transform.metrics)})
        # names come from the transform files, which are part of the code, not user input
        con.execute(
            "insert into fact_metric by name select *, "
            f"year(period_end - interval 3 month) as period_year from ({transform.sql})",
            params,
        )
    else:
        con.execute(f"create or replace table {transform.table} as {transform.sql}", params)
        # a replaced table loses its comments: write them again from the header
        comment_tables(con, {transform.table: _described(transform)})


def refresh(con: duckdb.DuckDBPyConnection, tables: Iterable[str] | None = None) -> list[str]:
    """Recompute everything downstream of ``tables`` (everything when None); returns the
    transforms run, in order.

    A transform runs when a table it reads was changed: given in ``tables``, or written by a
    transform that ran before it. Facts files read only published facts, so one facts file's
    rows never make another facts file run again. Afterwards the council tables among the
    changed ones have their illustrative flags and status recomputed.
    """
    changed = None if tables is None else set(tables)
    ran: list[str] = []
    facts_written = False
    for transform in load_transforms():
        if transform.layer == "views" and facts_written and changed is not None:
            changed.add("fact_metric")
            facts_written = False
        if changed is not None and not changed & set(transform.reads):
            continue
        run(con, transform)
        ran.append(transform.name)
        if transform.layer == "facts":
            facts_written = True
        elif changed is not None:
            changed.add(transform.table)
    council = [c.name for c in CONTRACTS if changed is None or c.name in changed]
    refresh_sources(con, council)
    refresh_status(con, council)
    return ran


def refresh_sources(con: duckdb.DuckDBPyConnection, tables: Sequence[str]) -> None:
    """Set the catalogue's source of each metric a council table feeds: illustrative while
    any generated row remains in the table, the council's extract otherwise."""
    for contract in CONTRACTS:
        if not contract.feeds_metrics or contract.name not in tables:
            continue
        generated = con.execute(
            f"select count(*) from {contract.name} where is_illustrative"
        ).fetchone()[0]
        sid = "illustrative" if generated else "council_extract"
        src = SOURCES[sid]
        con.execute(
            "update dim_metric set is_illustrative = $flag, source_id = $sid, "
            "publisher = $pub, source_title = $title, source_url = $url, licence = $lic "
            "where list_contains($codes, code)",
            {"flag": generated > 0, "sid": sid, "pub": src["publisher"],
             "title": src["title"], "url": src["url"], "lic": src["licence"],
             "codes": list(contract.feeds_metrics)},
        )


_PERIOD_FORMAT = {"month": "%Y-%m", "date": "%Y-%m-%d"}

_STATUS_SQL = """
insert into meta_illustrative
with rows as (
    select borough_code, is_illustrative, {period} as period from {table}
),
counts as (
    select borough_code,
        count(*) filter (where is_illustrative) as illustrative_rows,
        count(*) filter (where not is_illustrative) as loaded_rows,
        min(period) as first_period, max(period) as last_period
    from rows group by borough_code
),
final as (
    select '{table}' as table_name, borough_code, illustrative_rows, loaded_rows,
        case when loaded_rows = 0 then 'illustrative'
             when illustrative_rows = 0 then 'loaded' else 'mixed' end as status,
        {first} as first_period, {last} as last_period
    from counts
)
select * from final
"""


def refresh_status(con: duckdb.DuckDBPyConnection, tables: Sequence[str]) -> None:
    """Rebuild ``meta_illustrative`` for ``tables``: per council table and borough, generated
    and loaded rows, whether the borough's rows are illustrative, loaded or mixed, and the
    periods held."""
    con.execute(create_built("meta_illustrative", if_not_exists=True))
    chosen = [c for c in CONTRACTS if c.name in tables]
    con.execute("delete from meta_illustrative where list_contains($t, table_name)",
                {"t": [c.name for c in chosen]})
    for c in chosen:
        # tables without a period column report the span of their first date column
        period = c.period or next(col.name for col in c.columns if col.kind == "date")
        fmt = _PERIOD_FORMAT.get(c.column(period).kind)
        first, last = (
            (f"strftime(first_period, '{fmt}')", f"strftime(last_period, '{fmt}')") if fmt
            else ("first_period", "last_period")
        )
        con.execute(_STATUS_SQL.format(table=c.name, period=period, first=first, last=last))


def _described(transform: Transform) -> str:
    return f"{transform.title}. {transform.description}"


def descriptions() -> dict[str, str]:
    """What each table a transform writes holds (fact_metric is described by its loader)."""
    return {t.table: _described(t) for t in load_transforms() if t.layer != "facts"}
