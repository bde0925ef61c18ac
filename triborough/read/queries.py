"""Named, parameterised queries: one ``queries/<name>.sql`` file each.

A file starts with comment lines that describe it::

    -- title: Overview headline figures
    -- description: Latest value and change for each Overview metric.
    -- param: boroughs varchar[] = E09000033,E09000013,E09000020 | Borough ONS codes
    -- param: from_year integer = 2010 | First year shown
    -- key: area_code, metric_code
    -- columns: area_code varchar, metric_code varchar, value double

Values reach DuckDB as parameters (``$boroughs``); SQL is never built from strings.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PARAM_TYPES: tuple[str, ...] = ("varchar", "integer", "double", "date", "varchar[]", "boolean")
_HEADER = re.compile(r"^--\s*(title|description|param|key|columns):\s*(.*)$")
_PARAM = re.compile(
    r"^(?P<name>[a-z_][a-z0-9_]*)\s+(?P<type>[a-z]+(\[\])?)\s*(=\s*(?P<default>[^|]*))?"
    r"(\|\s*(?P<help>.*))?$"
)


class QueryError(ValueError):
    """A query file or a parameter value is not valid (the message says which and why)."""


@dataclass(frozen=True)
class Param:
    """A typed parameter of a named query."""

    name: str
    type: str
    default: object
    help: str

    def coerce(self, raw: object) -> object:
        """Turn user input (text or a Python value) into this parameter's type, or refuse."""
        if raw is None:
            return None
        try:
            if self.type == "varchar":
                return str(raw)
            if self.type == "integer":
                return int(str(raw).strip())
            if self.type == "double":
                return float(str(raw).strip())
            if self.type == "boolean":
                if isinstance(raw, bool):
                    return raw
                text = str(raw).strip().lower()
                if text not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError(text)
                return text in ("true", "1", "yes")
            if self.type == "date":
                return raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw).strip())
            if self.type == "varchar[]":
                if isinstance(raw, list | tuple):
                    return [str(v) for v in raw]
                return [p.strip() for p in str(raw).split(",") if p.strip()]
        except ValueError as exc:
            raise QueryError(f"parameter {self.name}: {raw!r} is not a valid {self.type}") from exc
        raise QueryError(f"parameter {self.name}: unknown type {self.type}")


@dataclass(frozen=True)
class NamedQuery:
    """One ``queries/*.sql`` file: its SQL and what it needs."""

    name: str
    title: str
    description: str
    sql: str
    params: tuple[Param, ...]
    key: tuple[str, ...]  # columns that identify one row (checked by contract tests)
    columns: tuple[tuple[str, str], ...] = ()  # declared result columns and DuckDB types

    def bind(self, values: dict[str, object] | None = None) -> dict[str, object]:
        """Parameter values for DuckDB: given values coerced, the rest from defaults."""
        values = values or {}
        unknown = set(values) - {p.name for p in self.params}
        if unknown:
            raise QueryError(f"{self.name}: unknown parameter(s) {', '.join(sorted(unknown))}")
        return {p.name: p.coerce(values.get(p.name, p.default)) for p in self.params}


def parse_query(path: Path) -> NamedQuery:
    """Read one query file and its header."""
    text = path.read_text(encoding="utf-8")
    meta: dict[str, str] = {}
    params: list[Param] = []
    for line in text.splitlines():
        match = _HEADER.match(line.strip())
        if not match:
            if line.strip() and not line.strip().startswith("--"):
                break
            continue
        field, value = match.group(1), match.group(2).strip()
        if field == "param":
            pm = _PARAM.match(value)
            if not pm or pm.group("type") not in PARAM_TYPES:
                raise QueryError(f"{path.name}: bad param line {value!r}")
            name, kind = pm.group("name"), pm.group("type")
            help_text = (pm.group("help") or "").strip()
            default = (pm.group("default") or "").strip()
            untyped = Param(name, kind, None, help_text)
            params.append(
                Param(name, kind, untyped.coerce(default) if default else None, help_text)
            )
        else:
            meta[field] = value
    if "title" not in meta:
        raise QueryError(f"{path.name}: missing '-- title:' header")
    for p in params:
        if f"${p.name}" not in text:
            raise QueryError(f"{path.name}: parameter {p.name} is declared but not used")
    key = tuple(k.strip() for k in meta.get("key", "").split(",") if k.strip())
    columns = tuple(
        (name, kind.lower())
        for name, _, kind in (
            c.strip().partition(" ") for c in meta.get("columns", "").split(",") if c.strip()
        )
    )
    return NamedQuery(
        path.stem, meta["title"], meta.get("description", ""), text, tuple(params), key, columns
    )


@lru_cache(maxsize=4)
def load_queries(folder: Path) -> dict[str, NamedQuery]:
    """Every named query in a folder, by name."""
    return {p.stem: parse_query(p) for p in sorted(folder.glob("*.sql"))}


def get_query(name: str, folder: Path | None = None) -> NamedQuery:
    """One named query from the configured folder; unknown names are refused."""
    from triborough.settings import get_settings

    queries = load_queries(folder or get_settings().queries_dir)
    if name not in queries:
        raise QueryError(f"no saved query named {name!r}")
    return queries[name]
