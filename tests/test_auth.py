"""Roles, the role map, and the checks the workbench and the loader make themselves."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest

from triborough.access import audit, auth
from triborough.access.auth import AccessDenied, ConfigError, Grant, Person, Role
from triborough.model.plain_text import JOINER, plain
from triborough.read.workbench import (
    WorkbenchError,
    explain,
    open_workbench_connection,
    run_user_sql,
)
from triborough.settings import PROJECT_ROOT, get_settings
from triborough.warehouse import validation
from triborough.warehouse.ingest import IngestError, Upload, ingest

WCC, HF, RBKC = "E09000033", "E09000013", "E09000020"
SAMPLE = (PROJECT_ROOT / "data" / "samples" / "caseload_monthly.csv").read_text(encoding="utf-8")
WESTMINSTER = SAMPLE.replace(HF, WCC)

VIEWER = Person("vera@council.test", Role.VIEWER)
ANALYST = Person("ali@council.test", Role.ANALYST)
WCC_STEWARD = Person("sam@council.test", Role.STEWARD, frozenset({WCC}))
NOBODY = Person("nia@council.test", None)


@pytest.fixture
def audit_log(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "audit.sqlite3"
    monkeypatch.setenv("TRIBOROUGH_AUDIT_PATH", str(path))
    get_settings.cache_clear()
    return path


@pytest.fixture
def warehouse(built_warehouse, tmp_path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(built_warehouse, path)
    return path


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- the role map


def test_role_map_values() -> None:
    assert auth.parse_grant("viewer") == Grant(Role.VIEWER)
    assert auth.parse_grant(" Analyst ") == Grant(Role.ANALYST)
    assert auth.parse_grant("steward") == Grant(Role.STEWARD)
    assert auth.parse_grant("steward:e09000033,E09000020") == Grant(
        Role.STEWARD, frozenset({WCC, RBKC})
    )


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("admin", "unknown role 'admin'"),
        ("analyst:E09000033", "only a steward can be limited"),
        ("steward:E09000001", "E09000001"),
        ("steward:", None),
    ],
)
def test_bad_role_map_values_are_refused_by_name(value: str, named: str | None) -> None:
    if named is None:  # 'steward:' with nothing after it is a plain steward
        assert auth.parse_grant(value) == Grant(Role.STEWARD)
        return
    with pytest.raises(ConfigError, match=named):
        auth.parse_grant(value)


def test_roles_come_from_the_claim_highest_first_and_limits_combine() -> None:
    role_map = auth.parse_role_map({
        "Tri.Viewer": "viewer", "Tri.Analyst": "analyst",
        "Tri.Steward.WCC": f"steward:{WCC}", "Tri.Steward.RBKC": f"steward:{RBKC}",
        "Tri.Steward": "steward",
    })
    claims = {"email": "a@council.test", "roles": ["Tri.Viewer", "Tri.Analyst"]}
    assert auth.person_from_claims(claims, "roles", role_map) == Person(
        "a@council.test", Role.ANALYST)
    limited = {"email": "s@c", "roles": ["Tri.Analyst", "Tri.Steward.WCC", "Tri.Steward.RBKC"]}
    assert auth.person_from_claims(limited, "roles", role_map).boroughs == {WCC, RBKC}
    unlimited = {"email": "s@c", "roles": ["Tri.Steward.WCC", "Tri.Steward"]}
    assert auth.person_from_claims(unlimited, "roles", role_map).boroughs is None
    # A provider sending one group as a plain string; a claim of another name is not read.
    assert auth.person_from_claims({"sub": "x", "groups": "Tri.Viewer"}, "groups", role_map).role \
        is Role.VIEWER
    assert auth.person_from_claims({"sub": "x", "groups": ["Tri.Steward"]}, "roles",
                                   role_map) == Person("x", None)


def test_roles_are_cumulative() -> None:
    assert [r for r in Role if VIEWER.can(r)] == [Role.VIEWER]
    assert [r for r in Role if ANALYST.can(r)] == [Role.VIEWER, Role.ANALYST]
    assert all(WCC_STEWARD.can(r) for r in Role)
    assert not any(NOBODY.can(r) for r in Role)
    assert WCC_STEWARD.describe() == "sam@council.test (steward for Westminster)"


def test_shared_mode_names_what_to_set() -> None:
    problems = auth.signin_problems({"redirect_uri": "https://x/oauth2callback"}, {})
    assert "cookie_secret, client_id, client_secret, server_metadata_url under [auth]" in \
        problems[0]
    assert "TRIBOROUGH_ROLE_MAP" in problems[1]
    complete = dict.fromkeys(auth.AUTH_KEYS, "set")
    assert auth.signin_problems(complete, {"Tri.Viewer": "viewer"}) == []
    assert auth.signin_problems(complete, {"Tri.X": "boss"}) == [
        "unknown role 'boss' in TRIBOROUGH_ROLE_MAP: use viewer, analyst, steward or "
        "steward:<borough code>"
    ]


def test_a_signed_in_server_refuses_an_action_that_names_nobody(monkeypatch) -> None:
    assert auth.acting(None).local and auth.acting(None).can(Role.STEWARD)
    monkeypatch.setattr(auth, "_signed_in_server", True)
    with pytest.raises(AccessDenied, match="no signed-in person"):
        auth.acting(None)
    assert auth.acting(VIEWER) is VIEWER


# --------------------------------------------------------------------------- the workbench


def test_workbench_refuses_a_viewer_and_audits_an_analyst(warehouse, audit_log) -> None:
    settings = get_settings()
    con = open_workbench_connection(warehouse, settings)
    try:
        with pytest.raises(AccessDenied, match="needs the analyst role; vera@council.test has "
                           "viewer"):
            run_user_sql(con, "select 1", settings, by=VIEWER)
        with pytest.raises(AccessDenied):
            explain(con, "select 1", settings, by=NOBODY)
        result = run_user_sql(con, "select * from dim_area where is_triborough", settings,
                              by=ANALYST)
        with pytest.raises(WorkbenchError):
            run_user_sql(con, "select nope from dim_area", settings, by=ANALYST)
        plan = explain(con, "select * from dim_area", settings, by=ANALYST)
    finally:
        con.close()
    assert result.row_count == 3 and plan.strip()
    log = audit.entries()
    refusals = [(e.actor, e.details["needs"], e.details["held"]) for e in log
                if e.kind == "refusal"]
    assert refusals == [("vera@council.test", "analyst", "viewer"),
                        ("nia@council.test", "analyst", "no role")]
    queries = [e for e in log if e.kind == "query"]
    assert [(q.actor, q.outcome[:6], q.details["sql"]) for q in queries[:2]] == [
        ("ali@council.test", "ok", "select * from dim_area where is_triborough"),
        ("ali@council.test", "failed", "select nope from dim_area"),
    ]
    assert queries[0].details["rows"] == 3 and queries[0].details["ms"] >= 0
    assert "Binder Error" in queries[1].outcome
    assert queries[2].details["explain"] is True


# --------------------------------------------------------------------------- loading


def test_only_a_steward_loads_and_nothing_changes_for_anyone_else(warehouse, audit_log) -> None:
    before = _sha(warehouse)
    for person in (VIEWER, ANALYST, NOBODY):
        with pytest.raises(AccessDenied, match="Loading council extracts needs the steward"):
            ingest([Upload("w.csv", WESTMINSTER.encode())], warehouse, by=person)
    assert _sha(warehouse) == before
    assert [e.actor for e in audit.entries() if e.kind == "refusal"] == [
        VIEWER.name, ANALYST.name, NOBODY.name]


def test_westminster_steward_loads_westminster_and_is_refused_other_rows_whole(
    warehouse, audit_log
) -> None:
    [load] = ingest([Upload("wcc.csv", WESTMINSTER.encode())], warehouse, by=WCC_STEWARD)
    assert load.rows == 12
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute("select loaded_by from meta_load where file = 'wcc.csv'").fetchall() \
            == [(WCC_STEWARD.name,)]
    finally:
        con.close()

    lines = WESTMINSTER.splitlines(keepends=True)
    mixed = "".join(line.replace(WCC, RBKC) if n in (4, 9) else line
                    for n, line in enumerate(lines, start=1))
    before = _sha(warehouse)
    with pytest.raises(IngestError) as refused:
        ingest([Upload("mixed.csv", mixed.encode())], warehouse, by=WCC_STEWARD)
    [v] = refused.value.validations
    assert [(x.line, x.column, x.rule, x.value) for x in v.violations] == [
        (4, "borough_code", validation.OUTSIDE_BOROUGHS, RBKC),
        (9, "borough_code", validation.OUTSIDE_BOROUGHS, RBKC),
    ]
    assert "Kensington and Chelsea (E09000020); sam@council.test may load only Westminster" in \
        v.violations[0].detail
    assert _sha(warehouse) == before

    loads = [e for e in audit.entries() if e.kind == "load"]
    assert [(e.outcome, e.details["file"], e.details["rows"], e.details["boroughs"])
            for e in loads] == [("loaded", "wcc.csv", 12, [WCC]),
                                ("refused", "mixed.csv", 12, None)]
    assert loads[0].details["sha256"] == hashlib.sha256(WESTMINSTER.encode()).hexdigest()
    assert loads[1].details["problems"] == 2


def test_an_unlimited_steward_loads_any_borough(warehouse, audit_log) -> None:
    steward = Person("lee@council.test", Role.STEWARD)
    [load] = ingest([Upload("hf.csv", SAMPLE.encode())], warehouse, by=steward)
    assert load.rows == 12
    [again] = ingest([Upload("hf.csv", SAMPLE.encode())], warehouse, by=steward)
    assert again.skipped
    assert [e.outcome for e in audit.entries() if e.kind == "load"] == ["loaded", "already loaded"]


# --------------------------------------------------------------------------- user text


def test_loaded_text_may_not_carry_markup() -> None:
    """A vendor named with a link would become a live link in the contracts chart."""
    from triborough.warehouse.validation import MARKUP, validate_bytes

    lines = (PROJECT_ROOT / "data" / "samples" / "contracts.csv").read_text().splitlines()
    lines[2] = lines[2].replace("Vendor H", '<a href="https://evil.example">Vendor H</a>')
    lines[3] = lines[3].replace("Vendor H", "Vendor <5 staff>")  # '<' before a digit is text
    result = validate_bytes("\n".join(lines).encode(), "contracts.csv", None, ())
    assert [(v.line, v.column, v.rule) for v in result.violations] == [(3, "vendor", MARKUP)]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("[x](https://evil.example).csv", f"\\[x\\](https{JOINER}\\://evil.example).csv"),
        ("read_csv() is not allowed", "read_csv() is not allowed"),
        ("*bold* _it_ :red[c] $x$ <b>", "\\*bold\\* \\_it\\_ \\:red\\[c\\] \\$x\\$ \\<b\\>"),
        ("www.evil.example a@b.test", f"www{JOINER}.evil.example a{JOINER}@b.test"),
    ],
)
def test_user_text_is_shown_as_written(text: str, shown: str) -> None:
    assert plain(text) == shown


def test_local_mode_says_only_this_computer_can_open_it(app_env) -> None:
    """With no [auth] in the secrets, the app runs for the local operator and says so."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=90)
    at.run()
    assert not at.exception
    assert [c.value for c in at.sidebar.caption] == [
        "Only this computer can open this dashboard.",
        "The link keeps the boroughs, years and this page's choices.",  # copy link to this view
    ]
    assert at.sidebar.multiselect(key="boroughs") is not None


def test_data_page_refuses_a_file_over_the_upload_limit(warehouse, audit_log, monkeypatch) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("TRIBOROUGH_WAREHOUSE_PATH", str(warehouse))
    monkeypatch.setenv("TRIBOROUGH_MAX_UPLOAD_MB", "1")
    get_settings.cache_clear()
    before = _sha(warehouse)
    big = WESTMINSTER.encode() + b"\n" * (1024 * 1024)
    at = AppTest.from_file(str(PROJECT_ROOT / "pages" / "data.py"), default_timeout=90)
    at.run()
    at.file_uploader(key="upload_file").set_value(("big.csv", big, "text/csv"))
    at.button(key="upload_load").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        f"big.csv is {len(big):,} bytes, over the limit of 1 MB (TRIBOROUGH_MAX_UPLOAD_MB); "
        "nothing was checked or loaded."]
    assert not at.success and _sha(warehouse) == before
    assert [e for e in audit.entries() if e.kind == "load"] == []
