"""Contracts for every named query: declared columns and types, unique keys, no negative counts.

Like dbt's schema tests, but kept beside each SQL file in its header, and run on a real build.
"""

from __future__ import annotations

import re

import duckdb
import pytest

from triborough.read.queries import load_queries
from triborough.settings import PROJECT_ROOT

QUERIES = load_queries(PROJECT_ROOT / "queries")
COUNT_LIKE = re.compile(r"(count|cases|tickets|population|periods|_areas|_rows)$|^rows$")


def test_there_are_queries():
    assert len(QUERIES) >= 5


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_query_file_follows_the_house_style(name):
    query = QUERIES[name]
    assert query.description, f"{name}: add a '-- description:' header"
    assert query.key, f"{name}: declare the columns that identify a row in '-- key:'"
    assert query.columns, f"{name}: declare result columns in '-- columns:'"
    body = re.sub(r"--.*", "", query.sql).lower()
    assert re.search(r"select \* from final\b", body), f"{name}: end with select * from final"
    assert "{" not in body, f"{name}: looks like a format string; use $parameters"


@pytest.fixture(scope="module")
def con(built_warehouse):
    connection = duckdb.connect(str(built_warehouse), read_only=True)
    yield connection
    connection.close()


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_query_result_matches_its_contract(name, con):
    query = QUERIES[name]
    rel = con.sql(query.sql, params=query.bind())
    actual = [(c, str(t).lower()) for c, t in zip(rel.columns, rel.types, strict=True)]
    assert actual == list(query.columns), f"{name}: columns or types differ from '-- columns:'"
    rows = rel.fetchall()
    assert rows, f"{name}: no rows with default parameters"
    index = {c: i for i, (c, _) in enumerate(query.columns)}
    keys = [tuple(r[index[k]] for k in query.key) for r in rows]
    assert all(v is not None for k in keys for v in k), f"{name}: empty key column"
    assert len(keys) == len(set(keys)), f"{name}: key ({', '.join(query.key)}) not unique"
    for col, kind in query.columns:
        if COUNT_LIKE.search(col) and kind in ("bigint", "integer", "double", "hugeint"):
            values = [r[index[col]] for r in rows]
            negatives = [v for v in values if v is not None and v < 0]
            assert not negatives, f"{name}.{col}: negative count(s) {negatives[:3]}"
