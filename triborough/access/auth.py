"""Who may do what: roles, the role map from ID-token claims, and the checks the server makes.

Roles are cumulative: a ``viewer`` sees every dashboard page and its downloads, an ``analyst``
also runs SQL in the workbench, a ``steward`` also loads council extracts and reads the audit
log. A steward may be limited to some boroughs (``"steward:E09000033"``): their loads may then
touch only those boroughs' rows.

The functions that run workbench SQL and load extracts call :func:`require` themselves, so
hiding a page is never the only wall. Nothing here imports Streamlit: the CLI uses it too.
"""

from __future__ import annotations

import enum
import getpass
import os
import time
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from triborough.access import audit
from triborough.model.boroughs import BOROUGH_BY_CODE, borough_name


class Role(enum.IntEnum):
    """A role; a higher role holds everything a lower one does."""

    VIEWER = 1
    ANALYST = 2
    STEWARD = 3

    @property
    def label(self) -> str:
        """The role's name as written in the role map."""
        return self.name.lower()


ROLE_WORDS = {
    Role.VIEWER: "every dashboard page and its downloads",
    Role.ANALYST: "as viewer, plus the SQL workbench",
    Role.STEWARD: "as analyst, plus loading council extracts and reading the audit log",
}


class AccessDenied(PermissionError):
    """The acting person lacks the role (or borough) an action needs; the message says which."""


class ConfigError(ValueError):
    """The role map or sign-in settings are wrong; the message names the setting."""


@dataclass(frozen=True)
class Grant:
    """What one claim value in the role map gives: a role and, for a steward, the boroughs."""

    role: Role
    boroughs: frozenset[str] | None = None  # None: every borough


@dataclass(frozen=True)
class Person:
    """Someone acting in the app or the CLI."""

    name: str
    role: Role | None  # None: signed in, but no mapped role
    boroughs: frozenset[str] | None = None  # a steward's limit; None: every borough
    local: bool = False  # the local operator (no sign-in, this computer only)

    def can(self, role: Role) -> bool:
        """True when the person holds ``role`` (or a higher one)."""
        return self.role is not None and self.role >= role

    def describe(self) -> str:
        """'Ann Smith (steward for Westminster)', for the sidebar and the audit log."""
        if self.role is None:
            return f"{self.name} (no role)"
        text = self.role.label
        if self.boroughs is not None:
            text += " for " + ", ".join(borough_name(c) for c in sorted(self.boroughs))
        return f"{self.name} ({text})"


def parse_grant(value: str) -> Grant:
    """``viewer``, ``analyst``, ``steward`` or ``steward:E09000033[,E09000013]``.

    Raises ConfigError naming the bad value.
    """
    text = value.strip().lower()
    role_name, _, limit = text.partition(":")
    try:
        role = Role[role_name.strip().upper()]
    except KeyError:
        raise ConfigError(
            f"unknown role {value!r} in TRIBOROUGH_ROLE_MAP: use viewer, analyst, steward or "
            "steward:<borough code>"
        ) from None
    if not limit:
        return Grant(role)
    if role is not Role.STEWARD:
        raise ConfigError(f"{value!r}: only a steward can be limited to boroughs")
    codes = frozenset(c.strip().upper() for c in limit.split(",") if c.strip())
    unknown = sorted(codes - set(BOROUGH_BY_CODE))
    if unknown or not codes:
        raise ConfigError(
            f"{value!r}: borough code(s) {', '.join(unknown) or '(none)'} are not one of "
            + ", ".join(f"{b.code} ({b.name})" for b in BOROUGH_BY_CODE.values())
        )
    return Grant(role, codes)


def parse_role_map(mapping: Mapping[str, str]) -> dict[str, Grant]:
    """The role map (claim value -> role text) checked and parsed; raises ConfigError."""
    return {str(claim): parse_grant(str(value)) for claim, value in mapping.items()}


def claim_values(claims: Mapping[str, object], claim: str) -> list[str]:
    """The values of ``claim`` in an ID token: a list, or one string (some providers send one
    group as a plain string)."""
    value = claims.get(claim)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable):
        return [str(v) for v in value]
    return [str(value)]


def person_from_claims(
    claims: Mapping[str, object], claim: str, role_map: Mapping[str, Grant]
) -> Person:
    """The signed-in person: their highest mapped role, and for a steward whose every steward
    grant is limited, the union of those boroughs."""
    name = str(claims.get("email") or claims.get("name") or claims.get("sub") or "unknown")
    grants = [role_map[v] for v in claim_values(claims, claim) if v in role_map]
    if not grants:
        return Person(name, None)
    top = max(g.role for g in grants)
    limits = [g.boroughs for g in grants if g.role == top]
    boroughs = None if any(b is None for b in limits) else frozenset().union(*limits)
    return Person(name, top, boroughs)


def os_user() -> str:
    """The operating-system user running this process."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return str(os.getuid())


def local_operator(name: str | None = None) -> Person:
    """The person at this computer when nobody signs in: every role, every borough."""
    return Person(name or os_user(), Role.STEWARD, None, local=True)


# Set by the app when it serves with sign-in: from then on in this process, code that runs SQL
# or loads data must be told who is acting; nobody is assumed to be the local operator.
_signed_in_server = False


def mark_signed_in_server() -> None:
    """Say that this process serves people who sign in (see :func:`acting`)."""
    global _signed_in_server
    _signed_in_server = True


def acting(by: Person | None) -> Person:
    """The person to check: ``by``, or the local operator when no one is named.

    In a process serving signed-in people, naming nobody is refused, so a code path that
    forgot to pass the person fails closed rather than acting as the operator.
    """
    if by is not None:
        return by
    if _signed_in_server:
        raise AccessDenied("refused: no signed-in person was given for this action")
    return local_operator()


def require(person: Person, role: Role, action: str) -> None:
    """Raise AccessDenied (and record the refusal) unless ``person`` holds ``role``."""
    if person.can(role):
        return
    held = person.role.label if person.role else "no role"
    audit.record("refusal", person.name, "refused", action=action, needs=role.label, held=held)
    raise AccessDenied(
        f"{action} needs the {role.label} role; {person.name} has {held}. "
        "Ask your administrator for access."
    )


@contextmanager
def audited_query(
    by: Person | None,
    sql: str,
    params: Mapping[str, object] | None = None,
    *,
    explain: bool = False,
) -> Iterator[Callable[[int, float], None]]:
    """Check that the acting person may run workbench SQL, then audit the query's outcome.

    The body calls the yielded function with the rows returned and the engine's time; a body
    that raises is recorded with the first line of its message, and the error goes on.
    """
    person = acting(by)
    require(person, Role.ANALYST, "Running SQL in the workbench")
    details: dict[str, object] = {"sql": sql}
    if params:
        details["params"] = dict(params)
    if explain:
        details["explain"] = True
    started = time.perf_counter()

    def done(rows: int, elapsed_ms: float) -> None:
        details.update(rows=rows, ms=round(elapsed_ms, 1))

    try:
        yield done
    except Exception as exc:
        details["ms"] = round((time.perf_counter() - started) * 1000, 1)
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        audit.record("query", person.name, f"failed: {first}", **details)
        raise
    audit.record("query", person.name, "ok", **details)


# --------------------------------------------------------------------------- sign-in settings

# What Streamlit's st.login() needs in [auth] for the default provider.
AUTH_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")


def read_auth_section(files: Iterable[Path]) -> dict[str, object]:
    """The ``[auth]`` table merged from Streamlit's secrets files (later files win)."""
    merged: dict[str, object] = {}
    for path in files:
        if path.is_file():
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"{path} is not valid TOML: {exc}") from None
            section = data.get("auth")
            if isinstance(section, dict):
                merged.update(section)
    return merged


def signin_problems(auth_section: Mapping[str, object], role_map: Mapping[str, str]) -> list[str]:
    """What is missing before the app may serve other computers; empty when nothing is."""
    problems = []
    missing = [k for k in AUTH_KEYS if not str(auth_section.get(k) or "").strip()]
    if missing:
        problems.append(
            "sign-in is not configured: set " + ", ".join(missing) + " under [auth] in "
            ".streamlit/secrets.toml (copy .streamlit/secrets.example.toml)"
        )
    if not role_map:
        problems.append(
            "no roles are mapped: set TRIBOROUGH_ROLE_MAP, e.g. "
            '\'{"Tri.Viewer": "viewer", "Tri.Analyst": "analyst", "Tri.Steward": "steward"}\''
        )
    else:
        try:
            parse_role_map(role_map)
        except ConfigError as exc:
            problems.append(str(exc))
    return problems


def is_loopback(host: str) -> bool:
    """True for an address only this computer can reach."""
    return host in ("localhost", "::1") or host.startswith("127.")
