"""The named queries on Spark give the same answers as on DuckDB.

Every file in ``queries/`` runs with its default parameters on both engines over the test
warehouse (Spark reading its Parquet export); a new query is covered with no change here.
"""

from __future__ import annotations

import io
import math

import polars as pl
import pytest

from triborough.read.connection import connect_readonly, run_sql
from triborough.read.queries import NamedQuery, load_queries
from triborough.read.result_types import conform
from triborough.settings import PROJECT_ROOT, Settings

QUERIES = load_queries(PROJECT_ROOT / "queries")

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def duckdb_con(built_warehouse):
    con = connect_readonly(built_warehouse)
    yield con
    con.close()


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9) or (math.isnan(a) and math.isnan(b))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def assert_same_result(query: NamedQuery, spark_df: pl.DataFrame, duck_df: pl.DataFrame):
    """Same columns and types, same rows in key order, floats within 1e-9 relative."""
    assert spark_df.schema == duck_df.schema, f"{query.name}: columns or types differ"
    assert spark_df.height == duck_df.height, f"{query.name}: row counts differ"
    key = list(query.key)
    left = spark_df.sort(key, nulls_last=True).rows()
    right = duck_df.sort(key, nulls_last=True).rows()
    for i, (row_s, row_d) in enumerate(zip(left, right, strict=True)):
        for col, s, d in zip(spark_df.columns, row_s, row_d, strict=True):
            where = f"{query.name} row {i} ({key}={row_d[: len(key)]}) {col}"
            assert _same(s, d), f"{where}: {s!r} != {d!r}"


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_named_query_agrees_on_spark_and_duckdb(name, spark, parquet_export, duckdb_con):
    from triborough.read.spark_engine import run_named_spark

    query = QUERIES[name]
    spark_df = run_named_spark(query, query.bind(), data=str(parquet_export))
    duck_df = conform(query, run_sql(duckdb_con, query.sql, query.bind()))
    assert duck_df.height > 0, f"{name}: no rows with default parameters, nothing compared"
    assert_same_result(query, spark_df, duck_df)


def test_the_comparison_catches_a_changed_figure():
    query = QUERIES["ofsted_latest"]
    df = pl.DataFrame({"area_code": ["a", "b"], "judgement_score": [1.0, 2.0]})
    off = df.with_columns(pl.Series("judgement_score", [1.0, 2.0 * (1 + 1e-6)]))
    assert_same_result(query, df, df.with_columns(pl.col("judgement_score") * (1 + 1e-12)))
    with pytest.raises(AssertionError, match="judgement_score"):
        assert_same_result(query, off, df)


def test_dashboards_run_on_spark_through_the_engine_setting(
    spark, parquet_export, duckdb_con, monkeypatch
):
    from triborough.read.connection import run_named
    from triborough.settings import get_settings

    params = {"areas": ["E09000020"], "from_year": 2015, "to_year": 2016}
    duck = run_named(duckdb_con, "caseload_monthly", params)
    monkeypatch.setenv("TRIBOROUGH_ENGINE", "spark")
    monkeypatch.setenv("TRIBOROUGH_SPARK_DATA", str(parquet_export))
    get_settings.cache_clear()
    on_spark = run_named(duckdb_con, "caseload_monthly", params)
    assert on_spark.height == 24  # two financial years of months, one borough
    assert on_spark["borough_code"].unique().to_list() == ["E09000020"]
    query = QUERIES["caseload_monthly"]
    assert_same_result(query, on_spark, conform(query, duck))


def test_query_command_on_spark_matches_duckdb(spark, parquet_export, app_env, monkeypatch):
    from triborough.read.query_command import query_command

    monkeypatch.setenv("TRIBOROUGH_SPARK_DATA", str(parquet_export))
    outputs = {}
    for engine in ("duckdb", "spark"):
        out, err = io.StringIO(), io.StringIO()
        code = query_command(
            "ofsted_latest", ["areas=E09000033,E09000013"], engine, "csv", None, out, err
        )
        assert code == 0, err.getvalue()
        outputs[engine] = out.getvalue()
    assert outputs["spark"] == outputs["duckdb"]
    assert outputs["spark"].count("\n") == 3  # header and two boroughs


def test_each_query_is_transpiled_once(spark):
    from triborough.read.spark_engine import _transpile, to_spark_sql

    query = QUERIES["caseload_monthly"]
    first = to_spark_sql(query)
    hits = _transpile.cache_info().hits
    assert to_spark_sql(query) is first
    assert _transpile.cache_info().hits == hits + 1
    assert ":areas" in first and "$areas" not in first  # still a bound parameter


def test_spark_opens_no_port_beyond_localhost(spark):
    conf = spark.sparkContext.getConf()
    assert conf.get("spark.driver.bindAddress") == "127.0.0.1"
    assert conf.get("spark.driver.host") == "127.0.0.1"
    assert conf.get("spark.ui.enabled") == "false"
    assert spark.sparkContext.uiWebUrl is None
    assert spark.conf.get("spark.sql.shuffle.partitions") == str(
        Settings().spark_shuffle_partitions
    )


def test_a_hostile_parameter_value_stays_a_value(spark, parquet_export):
    from triborough.read.spark_engine import run_named_spark

    query = QUERIES["ofsted_latest"]
    hostile = "E09000033') or 1=1 --"
    df = run_named_spark(query, query.bind({"areas": [hostile]}), data=str(parquet_export))
    assert df.height == 0
