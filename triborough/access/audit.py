"""The audit log: who signed in, who was refused, every workbench query and every load.

An append-only SQLite file kept outside the warehouse (which is read-only to the app and
replaced whole by every build and load). WAL mode lets the app and the CLI write at once, and
triggers refuse any UPDATE or DELETE, so a row once written stays as written.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from triborough.settings import get_settings

KINDS = ("sign-in", "refusal", "query", "load")

_SCHEMA = """
create table if not exists audit (
    id integer primary key autoincrement,
    at text not null,
    kind text not null,
    actor text not null,
    outcome text not null,
    details text not null
);
create index if not exists audit_at on audit (at);
create trigger if not exists audit_no_update before update on audit
begin select raise(abort, 'the audit log is append-only'); end;
create trigger if not exists audit_no_delete before delete on audit
begin select raise(abort, 'the audit log is append-only'); end;
"""


@dataclass(frozen=True)
class Entry:
    """One audit record."""

    at: str  # UTC, ISO 8601 to the second
    kind: str
    actor: str
    outcome: str
    details: dict[str, object]

    def line(self) -> str:
        """The entry as one line of text: time, kind, who, outcome, then key=value details."""
        extra = " ".join(
            f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in self.details.items()
        )
        return f"{self.at}  {self.kind:<8} {self.actor}  {self.outcome}" + (
            f"  {extra}" if extra else ""
        )


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    # A writer waits up to 30 s for another (the app and the CLI may write at the same moment).
    con = sqlite3.connect(path, timeout=30, isolation_level=None)
    con.execute("pragma journal_mode=wal")
    con.execute("pragma synchronous=full")
    con.executescript(_SCHEMA)
    return con


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _storable(text: str) -> str:
    """``text`` as SQLite can store it: hostile SQL may hold lone surrogates, which UTF-8
    cannot encode, and the attempt must still be logged (as a visible escape)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def record(
    kind: str, actor: str, outcome: str, *, path: Path | None = None, **details: object
) -> None:
    """Append one entry. ``kind`` is one of :data:`KINDS`; ``details`` must be JSON-serialisable.

    Raises ValueError for an unknown kind; an entry that cannot be written raises (an action
    that must be audited does not go ahead silently unaudited).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown audit kind {kind!r}; expected one of {', '.join(KINDS)}")
    con = _connect(path or get_settings().audit_path)
    try:
        con.execute(
            "insert into audit (at, kind, actor, outcome, details) values (?, ?, ?, ?, ?)",
            (_now(), kind, _storable(actor), _storable(outcome),
             _storable(json.dumps(details, default=str, ensure_ascii=False))),
        )
    finally:
        con.close()


def parse_since(text: str) -> dt.datetime:
    """A date (``2026-11-30``) or date and time (``2026-11-30T09:00``), read as UTC.

    Raises ValueError naming the expected forms.
    """
    try:
        when = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"{text!r} is not a date: give YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC)"
        ) from None
    return when.replace(tzinfo=None) if when.tzinfo is None else when.astimezone(dt.UTC).replace(
        tzinfo=None
    )


def entries(
    since: dt.datetime | dt.date | None = None, *, path: Path | None = None
) -> list[Entry]:
    """Every entry at or after ``since`` (UTC; all when None), oldest first.

    A log that does not exist yet has no entries (it is not created by reading).
    """
    where = path or get_settings().audit_path
    if not where.exists():
        return []
    con = _connect(where)
    try:
        if since is None:
            rows = con.execute("select at, kind, actor, outcome, details from audit order by id")
        else:
            if not isinstance(since, dt.datetime):
                since = dt.datetime.combine(since, dt.time())
            bound = since.replace(microsecond=0).isoformat() + "Z"
            rows = con.execute(
                "select at, kind, actor, outcome, details from audit where at >= ? order by id",
                (bound,),
            )
        return [Entry(at, kind, actor, outcome, json.loads(details))
                for at, kind, actor, outcome, details in rows.fetchall()]
    finally:
        con.close()
