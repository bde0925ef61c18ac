"""The warehouse's tables: columns, keys, references and where each comes from.

One definition serves the build (create, load, check), the schema browser (descriptions) and
the contract tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Table:
    """A warehouse table loaded from tidy CSVs (or derived in the build)."""

    name: str
    description: str
    columns: dict[str, str]  # column -> DuckDB type
    key: tuple[str, ...]
    files: str = ""  # glob inside data/public/; empty for tables the build derives
    area_columns: tuple[str, ...] = ()  # must resolve to dim_area.area_code
    non_negative: tuple[str, ...] = ()
    required: bool = True  # the build fails when no rows are loaded
    extra: dict[str, str] = field(default_factory=dict)


FACT_TYPES = {
    "area_code": "VARCHAR",
    "metric_code": "VARCHAR",
    "period": "VARCHAR",
    "period_end": "DATE",
    "value": "DOUBLE",
    "numerator": "DOUBLE",
    "denominator": "DOUBLE",
}

NEIGHBOUR_TYPES = {
    "area_code": "VARCHAR",
    "group_id": "VARCHAR",
    "neighbour_code": "VARCHAR",
    "rank": "INTEGER",
    "closeness": "VARCHAR",
}

TABLES: tuple[Table, ...] = (
    Table(
        "dim_area",
        "Every English area in the ONS population estimates: local authorities, regions, "
        "England; the three boroughs flagged.",
        {
            "area_code": "VARCHAR", "area_name": "VARCHAR", "area_type": "VARCHAR",
            "region_code": "VARCHAR", "region_name": "VARCHAR", "is_london": "BOOLEAN",
            "is_triborough": "BOOLEAN",
        },
        ("area_code",),
        files="areas.csv",
    ),
    Table(
        "fact_metric",
        "Long fact table: one row per area, metric and period (value, numerator, denominator).",
        FACT_TYPES,
        ("area_code", "metric_code", "period"),
        files="fact_*.csv",
        area_columns=("area_code",),
    ),
    Table(
        "spend_by_service",
        "Net current expenditure by service line, £ thousand cash (MHCLG revenue outturn: RS "
        "lines, and RO5's library service line).",
        {
            "area_code": "VARCHAR", "period": "VARCHAR", "period_end": "DATE",
            "service": "VARCHAR", "net_expenditure_gbp_k": "DOUBLE",
        },
        ("area_code", "period", "service"),
        files="spend_by_service*.csv",
        area_columns=("area_code",),
    ),
    Table(
        "inspections",
        "Ofsted children's services inspection judgements, 2009 onwards, by judgement area.",
        {
            "area_code": "VARCHAR", "area_name": "VARCHAR", "framework": "VARCHAR",
            "inspection_date": "DATE", "publication_date": "DATE", "judgement_area": "VARCHAR",
            "judgement": "VARCHAR", "judgement_score": "INTEGER",
        },
        ("area_code", "framework", "publication_date", "judgement_area"),
        files="inspections.csv",
        area_columns=("area_code",),
    ),
    Table(
        "neighbours",
        "Comparator groups: DfE statistical neighbours, Oflog and other nearest-neighbour lists.",
        NEIGHBOUR_TYPES,
        ("area_code", "group_id", "neighbour_code"),
        files="neighbours_*.csv",
    ),
    Table(
        "arrangements",
        "Shared-service arrangement periods: which services were shared by whom, when.",
        {
            "arrangement_id": "VARCHAR", "service": "VARCHAR", "borough_codes": "VARCHAR",
            "start_date": "DATE", "end_date": "DATE", "confirmed_until": "DATE",
            "description": "VARCHAR",
            "source_url": "VARCHAR",
        },
        ("arrangement_id",),
        files="arrangements.csv",
    ),
    Table(
        "programme_milestones",
        "Reported programme targets and milestones, for chart annotations.",
        {
            "date": "DATE", "label": "VARCHAR", "kind": "VARCHAR", "value_gbp_m": "DOUBLE",
            "source_url": "VARCHAR",
        },
        ("date", "label"),
        files="programme_milestones.csv",
    ),
    Table(
        "programme_reported",
        "Reported tri-borough savings claims and targets, each with its published source.",
        {
            "date_published": "VARCHAR", "scope": "VARCHAR", "measure": "VARCHAR",
            "value": "DOUBLE", "unit": "VARCHAR", "period_referred_to": "VARCHAR",
            "source_publisher": "VARCHAR", "source_url": "VARCHAR", "quote_or_note": "VARCHAR",
        },
        (),
        files="programme_reported.csv",
    ),
    Table(
        "library_activity",
        "Arts Council England library activity 2023/24 by month or quarter.",
        {
            "area_code": "VARCHAR", "measure": "VARCHAR", "breakdown": "VARCHAR",
            "period_start": "DATE", "period_months": "INTEGER", "value": "DOUBLE",
        },
        ("area_code", "measure", "breakdown", "period_start", "period_months"),
        files="library_activity.csv",
        non_negative=("value",),
    ),
    Table(
        "libraries_2010_2016",
        "Every public library in England 2010-2016 (DCMS Libraries Taskforce list).",
        {
            "area_code": "VARCHAR", "library_id": "INTEGER", "library_name": "VARCHAR",
            "postcode": "VARCHAR", "statutory_2010": "BOOLEAN", "statutory_2016": "BOOLEAN",
            "library_type": "VARCHAR", "closed_year": "INTEGER",
        },
        ("library_id",),
        files="libraries_2010_2016.csv",
    ),
    Table(
        "gdp_deflator",
        "HM Treasury GDP deflator by financial year (2024-25 = 100; the release is named in "
        "each row): real terms = cash x 100 / deflator.",
        {
            "period": "VARCHAR", "period_end": "DATE", "deflator": "DOUBLE", "basis": "VARCHAR",
            "release": "VARCHAR",
        },
        ("period",),
        files="gdp_deflator.csv",
        non_negative=("deflator",),
    ),
    Table(
        "cpih",
        "ONS CPIH (2015 = 100), financial-year means of the monthly index.",
        {"period": "VARCHAR", "period_end": "DATE", "cpih": "DOUBLE", "release": "VARCHAR"},
        ("period",),
        files="cpih.csv",
        non_negative=("cpih",),
    ),
    Table(
        "oflog_medians",
        "National median Oflog shows for each adult social care metric and year.",
        {"metric_code": "VARCHAR", "period": "VARCHAR", "median": "DOUBLE"},
        ("metric_code", "period"),
        files="oflog_medians.csv",
    ),
)

TABLE_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}

# Tables the build writes itself rather than loading them from files or transforms/*.sql
# (which describe their own). Keys marked primary here become primary keys.
BUILT_TABLES: tuple[Table, ...] = (
    Table(
        "dim_metric",
        "The metric catalogue: name, domain, unit, polarity, definition, source, licence, "
        "whether illustrative.",
        {
            "code": "VARCHAR", "name": "VARCHAR", "domain": "VARCHAR", "unit": "VARCHAR",
            "polarity": "VARCHAR", "definition": "VARCHAR", "source_id": "VARCHAR",
            "period_type": "VARCHAR", "is_people_count": "BOOLEAN",
            "is_illustrative": "BOOLEAN", "target": "DOUBLE", "target_is_published": "BOOLEAN",
            "publisher": "VARCHAR", "source_title": "VARCHAR", "source_url": "VARCHAR",
            "licence": "VARCHAR",
        },
        ("code",),
    ),
    Table(
        "dim_source",
        "Publishers and licences of every source, and the extract files from each.",
        {"source_id": "VARCHAR", "publisher": "VARCHAR", "title": "VARCHAR", "url": "VARCHAR",
         "licence": "VARCHAR"},
        ("source_id",),
    ),
    Table(
        "meta_load",
        "One row per file loaded: table, file, sha256, rows, when.",
        {"table_name": "VARCHAR", "file": "VARCHAR", "source": "VARCHAR", "sha256": "VARCHAR",
         "rows": "BIGINT", "loaded_at": "TIMESTAMP", "loaded_by": "VARCHAR"},
        (),
    ),
    Table(
        "meta_table",
        "A description of every table (this list).",
        {"table_name": "VARCHAR", "description": "VARCHAR"},
        ("table_name",),
    ),
    Table(
        "meta_build",
        "When the warehouse was built, from how many extracts, and the last day the "
        "illustrative contracts and migrations cover.",
        {"built_at": "TIMESTAMP", "files": "INTEGER", "illustrative_until": "DATE"},
        (),
    ),
    Table(
        "meta_illustrative",
        "Per council table and borough: generated and loaded rows, and whether the borough's "
        "figures are illustrative, loaded or mixed.",
        {"table_name": "VARCHAR", "borough_code": "VARCHAR", "illustrative_rows": "BIGINT",
         "loaded_rows": "BIGINT", "status": "VARCHAR", "first_period": "VARCHAR",
         "last_period": "VARCHAR"},
        (),
    ),
    Table(
        "illustrative_calibration",
        "How each illustrative series was calibrated: the published figure it matches, or "
        "that it was held flat, interpolated or assumed.",
        {"table_name": "VARCHAR", "borough_code": "VARCHAR", "series": "VARCHAR",
         "period": "VARCHAR", "basis": "VARCHAR", "published_value": "DOUBLE",
         "generated_value": "DOUBLE"},
        (),
    ),
)
BUILT_BY_NAME: dict[str, Table] = {t.name: t for t in BUILT_TABLES}

# Described here for the schema browser (kept by that name for the modules that read it).
DERIVED_TABLES: dict[str, str] = {t.name: t.description for t in BUILT_TABLES}


def create_sql(name: str, columns: dict[str, str], primary_key: tuple[str, ...] = (),
               if_not_exists: bool = False) -> str:
    """The ``create table`` statement of a declared table (names come from the declarations,
    never from users)."""
    cols = ", ".join(f'"{c}" {t}' for c, t in columns.items())
    key = f", primary key ({', '.join(primary_key)})" if primary_key else ""
    exists = "if not exists " if if_not_exists else ""
    return f"create table {exists}{name} ({cols}{key})"


def create_built(name: str, if_not_exists: bool = False) -> str:
    """The ``create table`` statement of one of :data:`BUILT_TABLES`."""
    table = BUILT_BY_NAME[name]
    return create_sql(table.name, table.columns, table.key, if_not_exists)
