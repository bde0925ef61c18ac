"""Data contracts: one machine-readable definition per table a council can supply.

The same definitions drive the illustrative generator (which tables exist and their columns),
``triborough ingest`` (what a file must look like), the Data and sources page and
``docs/contracts.md`` (rendered by :func:`render_markdown`; a test keeps the file in step).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from triborough.model.boroughs import BOROUGH_CODES
from triborough.model.column_kinds import KINDS
from triborough.model.schema import create_sql

# Column kind -> the DuckDB type it becomes in the warehouse (the kinds: column_kinds.py).
KIND_TYPES: dict[str, str] = {name: kind.duckdb_type for name, kind in KINDS.items()}

# Longest value a text column takes unless its contract says otherwise: names and references,
# not documents (a 50 MB value would otherwise reach every visitor of the page showing it).
TEXT_MAX_CHARS = 500

# Columns every council table carries in the warehouse besides its contract columns.
PROVENANCE_COLUMNS: dict[str, str] = {"is_illustrative": "BOOLEAN", "source": "VARCHAR"}
PROVENANCE_NOTES: dict[str, str] = {
    "is_illustrative": "True for a generated (illustrative) row, false for one loaded from a "
    "council's extract.",
    "source": "Where the row came from: 'illustrative', or the name of the file loaded.",
}

WORKSTREAMS = ("shared_management", "front_line_merger", "procurement", "erp_back_office",
               "it_towers")
SERVICES = ("children_in_need", "child_protection", "looked_after", "adult_long_term_support")
EVENT_TYPES = ("referral", "assessment", "plan_start", "plan_end", "placement_start",
               "placement_end", "closure")
TOWERS = ("desktop", "service_desk", "data_centre", "network_telephony")
PLATFORMS = ("erp_managed_service", "library_management", "social_care", "bi_platform")
MIGRATION_STATUSES = ("planned", "in_progress", "live", "rolled_back", "cancelled")


@dataclass(frozen=True)
class Column:
    """One column of a council table.

    ``minimum``/``maximum`` bound numbers; for date kinds they are ISO dates and for financial
    years labels such as '2011-12'. ``not_above`` names a column this one may not exceed,
    ``not_before`` a date column this one may not precede.
    """

    name: str
    kind: str
    unit: str
    description: str
    required: bool = True
    allowed: tuple[str, ...] = ()
    minimum: float | str | None = None
    maximum: float | str | None = None
    not_above: str | None = None
    not_before: str | None = None
    max_length: int | None = TEXT_MAX_CHARS  # characters; checked for text columns

    @property
    def duckdb_type(self) -> str:
        """The column's type in the warehouse."""
        return KIND_TYPES[self.kind]

    def rule_text(self) -> str:
        """Plain-words summary of what a value must be (for the docs and the page)."""
        bits: list[str] = []
        if self.kind == "borough":
            bits.append("one of " + ", ".join(BOROUGH_CODES))
        elif self.allowed:
            bits.append("one of " + ", ".join(self.allowed))
        bits.extend(KINDS[self.kind].words)
        if self.minimum is not None and self.maximum is not None:
            bits.append(f"from {self.minimum} to {self.maximum}")
        elif self.minimum is not None:
            bits.append(f"at least {self.minimum:g}" if isinstance(self.minimum, float | int)
                        else f"from {self.minimum}")
        elif self.maximum is not None:
            bits.append(f"at most {self.maximum}")
        if self.not_above:
            bits.append(f"not more than {self.not_above}")
        if self.not_before:
            bits.append(f"not before {self.not_before}")
        if self.kind == "text" and self.max_length is not None:
            bits.append(f"at most {self.max_length:,} characters")
        if self.name == "metric_code":
            bits.append("a code in the metric catalogue")
        bits.append("required" if self.required else "may be blank")
        return "; ".join(bits)


@dataclass(frozen=True)
class Contract:
    """What one council table must look like, and how a loaded file replaces generated rows.

    A loaded file covers, for each combination of ``scope`` values it contains, the span of
    ``period`` values it contains (the whole table when ``period`` is None); illustrative rows
    inside that coverage are replaced.
    """

    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    scope: tuple[str, ...]
    period: str | None
    feeds_metrics: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def column_names(self) -> tuple[str, ...]:
        """Contract column names in file order."""
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        """Columns a file's header must contain."""
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        """The column called ``name``."""
        return next(c for c in self.columns if c.name == name)

    def warehouse_columns(self) -> dict[str, str]:
        """Column -> DuckDB type for the warehouse table (contract plus provenance columns)."""
        return {c.name: c.duckdb_type for c in self.columns} | PROVENANCE_COLUMNS

    def create_sql(self) -> str:
        """``create table`` statement for the warehouse (names come from this module)."""
        return create_sql(self.name, self.warehouse_columns())


def _borough() -> Column:
    return Column("borough_code", "borough", "ONS code",
                  "ONS code of the council the row belongs to.")


def _month(first: str, last: str, what: str) -> Column:
    return Column("month", "month", "month", f"First day of the month {what}.",
                  minimum=first, maximum=last)


def _gbp_k(name: str, description: str) -> Column:
    return Column(name, "decimal", "£ thousand", description, minimum=0)


def _count(name: str, description: str, not_above: str | None = None) -> Column:
    return Column(name, "integer", "count", description, minimum=0, not_above=not_above)


CONTRACTS: tuple[Contract, ...] = (
    Contract(
        "savings_ledger",
        "Savings ledger",
        "Planned and delivered savings of the shared-services programme, by borough, financial "
        "year and workstream, with the one-off cost of delivering them. Cumulative net savings "
        "and the payback year are derived in queries, not supplied.",
        (
            _borough(),
            Column("financial_year", "financial_year", "financial year",
                   "Financial year the saving applies to (April to March).",
                   minimum="2011-12", maximum="2018-19"),
            Column("workstream", "enum", "code", "Programme workstream.", allowed=WORKSTREAMS),
            _gbp_k("planned_gbp_k", "Annual saving planned for the year, £ thousand."),
            _gbp_k("delivered_gbp_k", "Annual saving delivered in the year, £ thousand."),
            _gbp_k("one_off_cost_gbp_k",
                   "One-off cost incurred in the year (redundancy, systems, transition), "
                   "£ thousand."),
        ),
        key=("borough_code", "financial_year", "workstream"),
        scope=("borough_code", "workstream"),
        period="financial_year",
        feeds_metrics=("savings_planned_gbp_m", "savings_delivered_gbp_m",
                       "savings_one_off_cost_gbp_m"),
    ),
    Contract(
        "caseload_monthly",
        "Monthly caseload",
        "Open cases at the end of each month by service, and whether the team serving the "
        "borough was shared or the council's own (sovereign).",
        (
            _borough(),
            _month("2011-04-01", "2025-03-01", "(cases open at the end of it)"),
            Column("service", "enum", "code", "Service the cases belong to.", allowed=SERVICES),
            Column("team_model", "enum", "code",
                   "shared: a team serving more than one borough; sovereign: the council's own.",
                   allowed=("shared", "sovereign")),
            _count("open_cases", "Cases open at the end of the month."),
        ),
        key=("borough_code", "month", "service"),
        scope=("borough_code", "service"),
        period="month",
    ),
    Contract(
        "case_events",
        "Case events",
        "One row per event in a case's life (pseudonymous case identifiers only). Cases open "
        "at the start of the series may carry referral dates before April 2011.",
        (
            Column("case_id", "text", "identifier",
                   "Pseudonymous case identifier, stable within a borough; never a real ID."),
            _borough(),
            Column("service", "enum", "code", "Service the case belongs to.", allowed=SERVICES),
            Column("event_type", "enum", "code", "What happened.", allowed=EVENT_TYPES),
            Column("event_date", "date", "date", "Date of the event.",
                   minimum="2008-04-01", maximum="2025-03-31"),
        ),
        key=("borough_code", "case_id", "event_type", "event_date"),
        scope=("borough_code", "service"),
        period="event_date",
        notes=("A file covers whole months: from the first day of its earliest month to the "
               "last day of its latest month, per borough and service.",),
    ),
    Contract(
        "service_desk_monthly",
        "IT service desk, monthly",
        "Tickets, first-contact resolution, service levels, users and cost by IT tower.",
        (
            _borough(),
            _month("2012-04-01", "2025-03-01", "the figures cover"),
            Column("tower", "enum", "code", "IT tower the service was bought as.",
                   allowed=TOWERS),
            _count("tickets", "Tickets (incidents and requests) logged in the month."),
            _count("first_contact_resolved", "Tickets resolved at first contact.",
                   not_above="tickets"),
            _count("sla_met", "Tickets resolved within the service level.", not_above="tickets"),
            _count("users", "Staff users supported at the end of the month."),
            Column("cost_gbp", "decimal", "£", "Cost of the tower in the month, £.", minimum=0),
        ),
        key=("borough_code", "month", "tower"),
        scope=("borough_code", "tower"),
        period="month",
        feeds_metrics=("sd_first_contact_resolution_pct", "sd_sla_met_pct",
                       "sd_cost_per_user_gbp", "sd_tickets_per_user"),
    ),
    Contract(
        "contracts",
        "IT and systems contracts",
        "Contracts for IT towers and shared systems (vendors named neutrally in generated "
        "data). A shared contract appears once per borough, with that borough's share.",
        (
            Column("contract_id", "text", "identifier", "Contract reference."),
            _borough(),
            Column("tower_or_system", "enum", "code", "IT tower or system platform covered.",
                   allowed=TOWERS + PLATFORMS),
            Column("vendor", "text", "name", "Supplier."),
            Column("start_date", "date", "date", "Contract start.",
                   minimum="2005-01-01", maximum="2035-12-31"),
            Column("end_date", "date", "date", "Contract end.",
                   minimum="2005-01-01", maximum="2040-12-31", not_before="start_date"),
            _gbp_k("annual_value_gbp_k", "This borough's annual value, £ thousand."),
            Column("shared", "boolean", "yes/no", "Whether the contract is let jointly."),
        ),
        key=("contract_id", "borough_code"),
        scope=("borough_code",),
        period=None,
        notes=("A file is the borough's whole contract register: it replaces every generated "
               "contract row for the boroughs it contains.",),
    ),
    Contract(
        "system_migrations",
        "System migrations",
        "Moves from one system to another for each shared platform, with go-live dates.",
        (
            _borough(),
            Column("platform", "enum", "code", "Platform migrated.", allowed=PLATFORMS),
            Column("from_system", "text", "name", "System replaced."),
            Column("to_system", "text", "name", "System moved to."),
            Column("go_live_date", "date", "date", "Go-live (actual or planned).",
                   minimum="2010-01-01", maximum="2030-12-31"),
            Column("status", "enum", "code", "Where the migration stands.",
                   allowed=MIGRATION_STATUSES),
        ),
        key=("borough_code", "platform", "go_live_date"),
        scope=("borough_code", "platform"),
        period=None,
    ),
    Contract(
        "kpi_targets",
        "KPI targets",
        "Targets a council set for catalogue metrics, and whether each target was published.",
        (
            Column("metric_code", "text", "code", "Metric the target is for."),
            _borough(),
            Column("financial_year", "financial_year", "financial year",
                   "Financial year the target applies to.",
                   minimum="2010-11", maximum="2029-30"),
            Column("target", "decimal", "metric's unit", "Target value, in the metric's unit."),
            Column("target_is_published", "boolean", "yes/no",
                   "Whether the council published this target."),
            Column("note", "text", "text", "Where the target comes from.", required=False),
        ),
        key=("metric_code", "borough_code", "financial_year"),
        scope=("borough_code", "metric_code"),
        period="financial_year",
    ),
)

CONTRACT_BY_NAME: dict[str, Contract] = {c.name: c for c in CONTRACTS}


def table_descriptions() -> dict[str, str]:
    """Warehouse table descriptions for ``meta_table``."""
    return {c.name: c.description for c in CONTRACTS}


def render_markdown() -> str:
    """``docs/contracts.md``: every contract in plain words (generated; do not edit by hand)."""
    out = [
        "# Council table contracts",
        "",
        "<!-- Generated by triborough.model.contracts.render_markdown(); "
        "a test keeps it in step. -->",
        "",
        "Each table below can be supplied by a council as a CSV file and loaded with "
        "`triborough ingest FILE...` or the upload form on the **Data and sources** page. "
        "Until a council loads its own rows, the warehouse holds *illustrative* rows "
        "(generated, deterministic, calibrated to published totals, flagged "
        "`is_illustrative = true` and `source = 'illustrative'`).",
        "",
        "Files: UTF-8 (with or without BOM), UTF-16 with BOM or Windows-1252 (one encoding for "
        "the whole file; NUL characters are refused), comma-separated, one header line. "
        "Dates as `dd/mm/yyyy` (UK) or `yyyy-mm-dd`; numbers may carry thousands separators "
        "(`\"1,234\"`); code values are matched ignoring case, spaces and hyphens. Blank rows "
        "are skipped. Boroughs: " + ", ".join(f"`{c}`" for c in BOROUGH_CODES) + ". Text "
        "values may not hold HTML tags (a `<` before a letter, `/` or `!`).",
        "",
        "A file is checked whole: every problem is reported with its line, column and rule "
        "(the first 200 listed, with the total), and nothing is loaded unless every row of "
        "every file named passes.",
        "",
        "## Loading",
        "",
        "```bash",
        "triborough ingest FILE... [--table NAME] [--warehouse PATH] [--as NAME]",
        "```",
        "",
        "- The table is detected from the header unless `--table` names it.",
        "- *Coverage*: for each combination of a table's coverage columns found in the file, "
        "the illustrative rows inside the span of its period column (the whole table when it "
        "has none) are removed and the file's rows inserted with `is_illustrative = false` and "
        "`source` = the file name.",
        "- Rows loaded earlier with the same key are replaced (a revised extract wins); other "
        "earlier loads are kept, so a key is never duplicated.",
        "- Only a steward loads (in local mode the person at the computer is one). A steward "
        "limited to some boroughs has a file with any other borough's rows refused whole, "
        "each such line named.",
        "- `meta_load` records each file's name, sha256, rows, time and who loaded it (the "
        "signed-in steward; from the command line `--as NAME`, else the operating-system "
        "user); so does the audit log. A file whose sha256 is already recorded for the table "
        "is skipped: loading the same file twice changes nothing.",
        "- When no generated rows remain in a table, the catalogue metrics it feeds stop being "
        "marked illustrative; their annual figures in `fact_metric` are always recomputed from "
        "the table's rows (a year with fewer than twelve months of figures is a gap).",
        "- `meta_illustrative` says, per table and borough, whether rows are illustrative, "
        "loaded or mixed.",
        "- The warehouse is changed in a copy that replaces the original in one rename: a "
        "failed load leaves it byte-for-byte unchanged, and readers never see half a load.",
        "- The validated rows of each load are kept, with its `meta_load` entry and checksums, "
        "in the council-data store (`data/council/`); `triborough build` replays the store, so "
        "a rebuild keeps every load and its history. Text columns take at most "
        f"{TEXT_MAX_CHARS} characters.",
        "- Loading a monthly caseload does not regenerate the illustrative case events built "
        "from the generated caseload; load case events too for a consistent borough.",
        "",
    ]
    for c in CONTRACTS:
        out += [f"## `{c.name}` — {c.title}", "", c.description, ""]
        out += ["| column | type | unit | rule | meaning |", "|---|---|---|---|---|"]
        for col in c.columns:
            out.append(
                f"| `{col.name}` | {col.duckdb_type} | {col.unit} | {col.rule_text()} | "
                f"{col.description} |"
            )
        coverage = ", ".join(f"`{s}`" for s in c.scope)
        span = f", over the span of `{c.period}` values in the file" if c.period else ""
        out += [
            "",
            f"- Key (unique): {', '.join(f'`{k}`' for k in c.key)}",
            f"- Coverage: each {coverage} combination in the file{span}",
        ]
        if c.feeds_metrics:
            out.append("- Feeds catalogue metrics: " + ", ".join(f"`{m}`" for m in c.feeds_metrics))
        out += [f"- {n}" for n in c.notes]
        out += ["", f"Sample: [`data/samples/{c.name}.csv`](../data/samples/{c.name}.csv)", ""]
    return "\n".join(out)
