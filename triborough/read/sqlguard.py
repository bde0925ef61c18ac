"""The first wall of the SQL workbench: decide, before anything runs, whether a query may run.

Only one read statement at a time gets through. The decision rests on DuckDB's own parser and
tokenizer, never on regular expressions over the raw text, so comments, case and quoting cannot
disguise a statement. What this module cannot see, the second wall (a read-only, locked-down
connection, see :mod:`triborough.read.workbench`) still stops; this wall exists to give a clear
message early and to refuse whole families of statements outright.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import duckdb

# Statement types DuckDB reports that the workbench never runs, with the reason a user reads.
_REFUSED_KINDS: dict[str, str] = {
    "INSERT": "it changes data",
    "UPDATE": "it changes data",
    "DELETE": "it changes data",
    "MERGE_INTO": "it changes data",
    "CREATE": "it changes the schema",
    "CREATE_FUNC": "it changes the schema",
    "DROP": "it changes the schema",
    "ALTER": "it changes the schema",
    "COPY": "it reads or writes files",
    "COPY_DATABASE": "it reads or writes files",
    "EXPORT": "it writes files",
    "ATTACH": "it opens another database",
    "DETACH": "it closes a database",
    "LOAD": "it installs or loads extensions",
    "EXTENSION": "it installs or loads extensions",
    "SET": "it changes settings",
    "VARIABLE_SET": "it changes settings",
    "PRAGMA": "it changes settings or reads files",
    "CALL": "it calls a procedure",
    "TRANSACTION": "transactions are managed by the workbench",
    "PREPARE": "prepared statements are not supported",
    "EXECUTE": "prepared statements are not supported",
    "VACUUM": "it maintains the database",
    "ANALYZE": "it maintains the database",
}

# Table and scalar functions that reach files, the network, other databases, the host or the
# engine's own settings. Any name starting with a prefix below is refused too: new readers
# keep arriving with extensions (read_xlsx, delta_scan, ...), so the families are closed whole.
DENIED_PREFIXES: tuple[str, ...] = (
    "read_",
    "parquet_",
    "iceberg_",
    "delta_",
    "sqlite_",
    "postgres_",
    "mysql_",
    "odbc_",
    "ducklake_",
    "arrow_",  # arrow_scan takes raw memory pointers
    "pandas_",
    "python_",
    "st_read",  # spatial: files through GDAL
    "http_",
    "json_execute",  # json_execute_serialized_sql runs SQL given as data
    "from_substrait",
    "get_substrait",
    "duckdb_",  # settings, secrets, extensions, memory, logs; safe ones allowed below
    "pragma_",
)
DENIED_FUNCTIONS: frozenset[str] = frozenset(
    {
        "glob",
        "sniff_csv",
        "query",  # query('...') and query_table('...') run SQL given as a string
        "query_table",
        "current_setting",
        "getenv",
        "which_secret",
        "checkpoint",
        "force_checkpoint",
        "enable_logging",
        "disable_logging",
        "truncate_duckdb_logs",
        "nextval",  # sequences change state
        "setval",
        "dbgen",
        "dsdgen",
        "load_extension",
        "install_extension",
        "csv_scan",
        "parquet_scan",
        "json_scan",
        "scan_arrow_ipc",
        "iceberg_scan",
        "delta_scan",
        "sqlite_scan",
        "postgres_scan",
        "mysql_scan",
    }
)
# Catalogue functions an analyst needs to explore the warehouse; they read nothing outside it.
ALLOWED_FUNCTIONS: frozenset[str] = frozenset(
    {
        "duckdb_tables",
        "duckdb_views",
        "duckdb_columns",
        "duckdb_schemas",
        "duckdb_types",
        "duckdb_functions",
        "duckdb_constraints",
        "duckdb_indexes",
        "duckdb_keywords",
        "pragma_table_info",
        "pragma_show",
        "pragma_version",
    }
)

# Catalogue views that show the server's own settings or files: `pg_settings` lists every
# setting (file paths among them), `duckdb_databases` and `pragma_database_list` the warehouse's
# path. Views named like the denied functions (duckdb_*, pragma_*) are refused with them,
# unless they are among the catalogue functions allowed back.
DENIED_VIEWS: frozenset[str] = frozenset({"pg_settings"})
_DENIED_VIEW_PREFIXES = ("duckdb_", "pragma_")
# Deeper bracket nesting than any analyst's query needs. The syntax tree of a deeper query
# nests past what Python's JSON reader (and the check's walk) can follow; DuckDB's own limit
# (1,000) is far above what the guard can check.
MAX_NESTING = 100

# Keywords after which a string or a quoted name is a table reference. DuckDB reads such a
# string as a file ("replacement scan"): FROM '/etc/passwd', DESCRIBE 'x.csv'.
_TABLE_POSITION = frozenset(
    {
        "from",
        "join",
        "describe",
        "summarize",
        "table",
        "pivot",
        "pivot_wider",
        "unpivot",
        "pivot_longer",
        "show",
        "into",
        "using",
    }
)
# A SELECT can hide a write in DuckDB 2.0 (`WITH x AS (DELETE ... RETURNING *) SELECT ...`):
# the syntax tree shows it as a *_QUERY_NODE, the tokens as a keyword. Both are checked, since
# a PIVOT that finds its own columns has no syntax tree to look at.
_READ_NODES = frozenset({"SELECT_NODE", "SET_OPERATION_NODE", "RECURSIVE_CTE_NODE", "CTE_NODE"})
_WRITE_KEYWORDS = frozenset(
    {
        "insert",
        "update",
        "delete",
        "merge",
        "copy",
        "create",
        "drop",
        "alter",
        "attach",
        "detach",
        "truncate",
        "returning",
    }
)
_PIVOT_KEYWORDS = frozenset({"pivot", "pivot_wider", "unpivot", "pivot_longer"})
# Characters no warehouse table name has but file paths and URLs do.
_PATHLIKE = re.compile(r"[/\\:.*?~\[\]{}]")

READ_ONLY_HELP = (
    "The workbench runs one read query at a time: SELECT, WITH, VALUES, FROM-first queries, "
    "DESCRIBE, SHOW, SUMMARIZE, PIVOT/UNPIVOT and EXPLAIN."
)


class RefusedSQL(ValueError):
    """The query is not one the workbench will run; the message says why, in plain words."""


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    kind: str  # identifier, numeric_const, string_const, operator, keyword, comment
    text: str

    @property
    def name(self) -> str:
        """The token as a lower-case name, quotes removed (DuckDB names are case-insensitive)."""
        text = self.text
        if len(text) >= 2 and text[0] == text[-1] == '"':
            text = text[1:-1].replace('""', '"')
        return text.lower()


# One private in-memory connection parses for every caller: it has external access off and a
# locked configuration, although it is only ever asked to parse. DuckDB connections are not
# thread-safe and Streamlit runs each session in a thread, hence the lock.
_PARSER_LOCK = threading.Lock()
_parser: duckdb.DuckDBPyConnection | None = None
_setting_names: frozenset[str] | None = None


def _parser_connection() -> duckdb.DuckDBPyConnection:
    global _parser
    if _parser is None:
        _parser = duckdb.connect(
            ":memory:",
            config={
                "enable_external_access": False,
                "autoinstall_known_extensions": False,
                "autoload_known_extensions": False,
                "lock_configuration": True,
            },
        )
    return _parser


def _settings_named() -> frozenset[str]:
    """Every setting name and alias this DuckDB knows (``SHOW name`` shows a setting's value)."""
    global _setting_names
    if _setting_names is None:
        with _PARSER_LOCK:
            found = _parser_connection().execute("select name, aliases from duckdb_settings()")
            rows = found.fetchall()
        _setting_names = frozenset(
            n.lower() for name, aliases in rows for n in [name, *(aliases or [])]
        )
    return _setting_names


def tokens(text: str) -> list[Token]:
    """DuckDB's own tokens of ``text``, each with its span and kind (comments included)."""
    # DuckDB's tokenizer gives start offsets only, and counts them in UTF-8 bytes (seen in
    # 2.0.1: one '£' in a comment shifts every later token by one character). Convert them to
    # character offsets; a token runs to the next one's start.
    raw = duckdb.tokenize(text)
    data = text.encode("utf-8")
    starts: list[int] = []
    byte_pos = char_pos = 0
    for start, _ in raw:
        char_pos += len(data[byte_pos:start].decode("utf-8"))
        byte_pos = start
        starts.append(char_pos)
    out: list[Token] = []
    for i, ((_, kind), start) in enumerate(zip(raw, starts, strict=True)):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        out.append(Token(start, end, kind.name, text[start:end].strip()))
    return out


def _statements(text: str) -> list[str]:
    """The type name of each statement in ``text``, as DuckDB's parser reads it."""
    with _PARSER_LOCK:
        try:
            found = duckdb.extract_statements(text, connection=_parser_connection())
            return [s.type.name for s in found]
        except duckdb.ParserException as exc:
            raise RefusedSQL(f"DuckDB could not read this query. {_first_line(exc)}") from exc
        except (duckdb.Error, ValueError) as exc:
            # The Python enum lacks some newer statement types (UPDATE EXTENSIONS raises
            # ValueError): a statement we cannot even name is not one we run.
            raise RefusedSQL(f"This kind of statement is not allowed. {READ_ONLY_HELP}") from exc


def _refuse_nesting(depth: int | None = None) -> RefusedSQL:
    how_deep = f"{depth} levels deep" if depth is not None else "too deeply"
    return RefusedSQL(
        f"The query nests brackets or sub-expressions {how_deep}; the workbench checks at most "
        f"{MAX_NESTING} levels. Break it into steps with WITH clauses."
    )


def _check_nesting(toks: list[Token]) -> None:
    """Refuse before parsing: the parser, the JSON reader and the tree walk all go deep."""
    depth = deepest = 0
    for tok in toks:
        if tok.kind != "operator":
            continue
        # An operator token can hold several characters ("((" is one token in some spots).
        for char in tok.text:
            if char in "([{":
                depth += 1
                deepest = max(deepest, depth)
            elif char in ")]}":
                depth -= 1
    if deepest > MAX_NESTING:
        raise _refuse_nesting(deepest)


def _syntax_tree(sql: str) -> dict[str, object]:
    with _PARSER_LOCK:
        row = _parser_connection().execute("select json_serialize_sql($1)", [sql]).fetchone()
    try:
        tree = json.loads(row[0]) if row else {"error": True}
    except RecursionError:  # nesting without brackets (CASE in CASE ...) reaches here
        raise _refuse_nesting() from None
    if tree.get("error"):
        raise RefusedSQL(
            f"The workbench could not check this query, so it will not run it. "
            f"{tree.get('error_message', '')}".strip()
        )
    return tree


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def function_denied(name: str) -> bool:
    """True when a function of this name may reach outside the warehouse (files, settings...)."""
    name = name.lower()
    if name in ALLOWED_FUNCTIONS:
        return False
    return name in DENIED_FUNCTIONS or name.startswith(DENIED_PREFIXES)


def _refuse_function(name: str) -> RefusedSQL:
    return RefusedSQL(
        f"The function {name}() is not allowed in the workbench: it can read files, other "
        "databases or the server's settings. Query the warehouse tables instead (see the schema "
        "browser)."
    )


def _refuse_path(name: str) -> RefusedSQL:
    return RefusedSQL(
        f"{name!r} looks like a file path or URL, not a warehouse table. The workbench only "
        "reads the warehouse's own tables and views."
    )


def _code(toks: list[Token]) -> list[Token]:
    return [t for t in toks if t.kind != "comment"]


def _refuse_write() -> RefusedSQL:
    return RefusedSQL(
        "Queries that change data are not allowed, including inside a WITH clause. "
        + READ_ONLY_HELP
    )


def _check_tokens(toks: list[Token]) -> None:
    """Write keywords, names called as functions, and quoted names or strings as tables."""
    code = _code(toks)
    for i, tok in enumerate(code):
        if tok.kind == "keyword" and tok.name in _WRITE_KEYWORDS:
            raise _refuse_write()
        nxt = code[i + 1] if i + 1 < len(code) else None
        called = nxt is not None and nxt.kind == "operator" and nxt.text == "("
        if tok.kind in ("identifier", "keyword") and called and function_denied(tok.name):
            raise _refuse_function(tok.name)
        prev = code[i - 1] if i > 0 else None
        in_table_position = (
            prev is not None and prev.kind == "keyword" and (prev.name in _TABLE_POSITION)
        )
        if in_table_position and tok.kind == "string_const":
            raise _refuse_path(tok.text.strip("'"))
        if in_table_position and tok.kind == "identifier" and _PATHLIKE.search(tok.name):
            raise _refuse_path(tok.name)


def _walk(node: object) -> Iterator[dict[str, object]]:
    # A stack, not recursion: a deep tree must not raise RecursionError out of the guard.
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))


def _refuse_settings(name: str) -> RefusedSQL:
    return RefusedSQL(
        f"{name!r} shows the server's settings or files; the workbench only reads the "
        "warehouse's own tables and views."
    )


def _check_table(node: dict[str, object]) -> None:
    """A table reference: no paths, no settings views, no SHOW of a setting."""
    kind = node.get("type")
    if kind == "BASE_TABLE":
        for part in ("catalog_name", "schema_name", "table_name"):
            value = node.get(part)
            if isinstance(value, str) and _PATHLIKE.search(value):
                raise _refuse_path(value)
        name = str(node.get("table_name") or "").lower()
        if name in DENIED_VIEWS or (
            name.startswith(_DENIED_VIEW_PREFIXES) and name not in ALLOWED_FUNCTIONS
        ):
            raise _refuse_settings(name)
    elif kind == "SHOW_REF" and node.get("show_type") == "SHOW" and node.get("query") is None:
        # `SHOW name` describes a table, or, when no table has that name, shows a setting.
        name = str(node.get("table_name") or "")
        plain = name[1:-1].replace('""', '"') if name.startswith('"') else name
        if plain.lower() in _settings_named() or plain.lower() in DENIED_VIEWS:
            raise _refuse_settings(plain)


def _check_tree(sql: str) -> None:
    """Every query node, function call and table reference, wherever it sits."""
    for node in _walk(_syntax_tree(sql)):
        kind = node.get("type")
        if isinstance(kind, str) and kind.endswith("_NODE") and kind not in _READ_NODES:
            raise _refuse_write()
        name = node.get("function_name")
        if isinstance(name, str) and function_denied(name):
            raise _refuse_function(name)
        _check_table(node)


def _strip_comments(text: str, toks: list[Token]) -> str:
    # Comments are cut where DuckDB's own tokenizer says they are, so a '--' inside a string
    # stays a string; each becomes whitespace, which is what a comment means to the parser.
    parts: list[str] = []
    pos = 0
    for tok in toks:
        if tok.kind == "comment":
            parts.append(text[pos : tok.start])
            parts.append("\n" if tok.text.startswith("--") else " ")
            pos = tok.end
    parts.append(text[pos:])
    sql = "".join(parts).strip()
    while sql.endswith(";"):  # trailing terminators only; the parser has counted statements
        sql = sql[:-1].rstrip()
    return sql


def _explained(sql: str, toks: list[Token]) -> str:
    """The statement an EXPLAIN [ANALYZE] describes (EXPLAIN ANALYZE runs it, so it is checked)."""
    code = _code(toks)
    skip = 1
    if len(code) > 1 and code[1].name == "analyze":
        skip = 2
    if len(code) <= skip:
        raise RefusedSQL("EXPLAIN needs a query to explain.")
    return sql[code[skip].start :]


def check_sql(text: str, max_chars: int) -> str:
    """Return the one read statement in ``text``, comments removed, or raise :class:`RefusedSQL`.

    Allowed: SELECT, WITH, VALUES, FROM-first, DESCRIBE, SHOW, SUMMARIZE, PIVOT/UNPIVOT, and
    EXPLAIN [ANALYZE] of one of those. Refused: anything else, more than one statement, text
    longer than ``max_chars``, functions that reach files, settings or other databases, and
    file paths used as table names.
    """
    if not isinstance(text, str):
        raise RefusedSQL("The query must be text.")
    if len(text) > max_chars:
        raise RefusedSQL(
            f"The query is {len(text):,} characters long; the workbench accepts at most "
            f"{max_chars:,}."
        )
    if not text.strip():
        raise RefusedSQL("Write a query first.")
    _check_nesting(tokens(text))
    try:
        return _check(text, depth=0)
    except RecursionError:  # a nesting the checks above did not foresee: refuse, never crash
        raise _refuse_nesting() from None


def _check(text: str, depth: int) -> str:
    statements = _statements(text)
    if not statements:
        raise RefusedSQL("The query has no statement in it (only comments or ';').")
    if len(statements) > 1:
        raise RefusedSQL(
            f"One statement at a time, please: this text holds {len(statements)} statements "
            "separated by ';'."
        )
    parts = tokens(text)
    sql = _strip_comments(text, parts)
    parts = tokens(sql)
    # Parse what will actually run: it must still be one statement of the same kind.
    again = _statements(sql)
    if again != statements:
        raise RefusedSQL("The query changes meaning without its comments; remove the comments.")
    kind = statements[0]
    code = _code(parts)
    first = code[0].name if code else ""
    if kind in _REFUSED_KINDS:
        raise RefusedSQL(
            f"{first.upper() or kind} statements are not allowed: {_REFUSED_KINDS[kind]}. "
            f"{READ_ONLY_HELP}"
        )
    read = kind == "SELECT" or (kind == "MULTI" and first in _PIVOT_KEYWORDS)
    if not read and not (kind == "EXPLAIN" and depth == 0):
        raise RefusedSQL(f"This kind of statement ({kind}) is not allowed. {READ_ONLY_HELP}")
    _check_tokens(parts)
    if kind == "SELECT":
        _check_tree(sql)
    elif kind == "EXPLAIN":
        _check(_explained(sql, parts), depth=1)
    # A PIVOT that finds its own columns (MULTI) parses as several internal statements, which
    # the JSON serializer cannot show: the token checks above and the engine's wall cover it.
    return sql
