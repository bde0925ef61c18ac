"""The one settings class. Values come from (highest first): init arguments, environment
variables prefixed ``TRIBOROUGH_``, a ``.env`` file in the working directory, then defaults."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Configuration for the app, the build and the SQL workbench."""

    model_config = SettingsConfigDict(
        env_prefix="TRIBOROUGH_", env_file=".env", extra="ignore", frozen=True
    )

    warehouse_path: Path = Field(
        PROJECT_ROOT / "data" / "warehouse.duckdb",
        description="DuckDB warehouse file the app reads and `triborough build` writes.",
    )
    public_dir: Path = Field(
        PROJECT_ROOT / "data" / "public",
        description="Folder of tidy published extracts (committed CSVs) the build reads.",
    )
    raw_dir: Path = Field(
        PROJECT_ROOT.parent / "shared" / "data" / "real",
        description="Folder of raw publisher files that `triborough import` reads.",
    )
    queries_dir: Path = Field(
        PROJECT_ROOT / "queries",
        description="Folder of named, parameterised SQL queries (one per file).",
    )
    small_number_threshold: int = Field(
        5,
        ge=0,
        description="Counts of people below this are suppressed on screen and in downloads.",
    )
    query_timeout_ms: int = Field(
        10_000,
        gt=0,
        description="Time limit for one workbench query, in milliseconds.",
    )
    row_cap: int = Field(
        10_000,
        gt=0,
        description="Most rows a workbench query returns or downloads; more are cut and flagged.",
    )
    workbench_memory_limit: str = Field(
        "1GB", description="DuckDB memory limit for the workbench connection."
    )
    workbench_threads: int = Field(
        2, gt=0, description="DuckDB threads for the workbench connection."
    )
    workbench_workers: int = Field(
        2,
        gt=0,
        description="Worker processes that run workbench queries, shared by every session.",
    )
    workbench_worker_memory_mb: int = Field(
        2000,
        ge=1000,
        description="Operating-system memory limit of each workbench worker process, in MB "
        "(a query that needs more is stopped).",
    )
    byte_cap_mb: int = Field(
        50,
        gt=0,
        description="Most megabytes of result a workbench query returns; more rows are cut and "
        "flagged.",
    )
    max_sql_chars: int = Field(
        100_000, gt=0, description="Longest query text the workbench accepts, in characters."
    )
    download_max_bytes: int = Field(
        50_000_000,
        gt=0,
        description="Largest download (CSV, Parquet or Excel) a page offers, in bytes.",
    )
    excel_max_cells: int = Field(
        1_000_000,
        gt=0,
        description="Most cells (rows × columns) an Excel download may hold; larger results "
        "are offered as CSV and Parquet only.",
    )
    audit_path: Path = Field(
        PROJECT_ROOT / "data" / "audit.sqlite3",
        description="Append-only audit log (SQLite) of sign-ins, refusals, queries and loads.",
    )
    council_dir: Path = Field(
        PROJECT_ROOT / "data" / "council",
        description="Durable store of every validated council load, replayed into each build.",
    )
    host: str = Field(
        "127.0.0.1",
        description="Address `triborough serve` listens on; anything but 127.0.0.1 (this "
        "computer only) needs sign-in configured.",
    )
    role_claim: str = Field(
        "roles",
        description="ID-token claim that carries a signed-in person's roles or groups.",
    )
    role_map: dict[str, str] = Field(
        {},
        description='JSON object from claim value to role, e.g. `{"Tri.Analyst": "analyst", '
        '"Tri.Steward.WCC": "steward:E09000033"}`.',
    )
    max_upload_mb: int = Field(
        100, gt=0, description="Largest council extract the Data page accepts, in megabytes."
    )
    engine: Literal["duckdb", "spark"] = Field(
        "duckdb",
        description="Engine the dashboards' named queries run on: `duckdb` (the warehouse file) "
        "or `spark` (the Parquet export). The SQL workbench always uses DuckDB.",
    )
    spark_master: str = Field(
        "local[2]",
        description="Spark master for the `spark` engine when no Connect server is set.",
    )
    spark_remote: str = Field(
        "",
        description="Spark Connect server (`sc://host:15002`); takes precedence over the master.",
    )
    spark_data: str = Field(
        "",
        description="Folder or object-store URL of the Parquet export the `spark` engine reads "
        "(`triborough export --format parquet DIR`).",
    )
    spark_shuffle_partitions: int = Field(
        4, gt=0, description="Spark SQL shuffle partitions for the dashboards' small results."
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings read once per process (tests clear the cache after changing the environment)."""
    return Settings()
