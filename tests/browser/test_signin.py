"""Sign-in and roles in a browser, against a real OpenID Connect provider on localhost.

One person per role signs in at the test provider (``oidc_provider``) to the app served with
sign-in on (``signin_server``): what each sees, what each is refused by URL, and what reaches
the audit log. Local mode's listening sockets are read from the server process itself.
"""

from __future__ import annotations

import hashlib
import urllib.request
from collections.abc import Iterator

import duckdb
import psutil
import pytest

from triborough.access import audit
from triborough.model.plain_text import JOINER

from .support import (
    DESKTOP,
    PAGES,
    PEOPLE,
    PROJECT_ROOT,
    SCREENSHOT_DIR,
    AppDriver,
    SignedInServer,
    new_context,
    proc_pid,
    sign_in,
)
from .test_sql_workbench import QUERY, run_sql

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DASHBOARDS = [p.title for p in PAGES if p.url_path != "sql"]
SAMPLE = (PROJECT_ROOT / "data" / "samples" / "caseload_monthly.csv").read_text(encoding="utf-8")
# The sample is Hammersmith and Fulham's; as Westminster's, and with two Kensington and Chelsea
# rows (file lines 3 and 5) among Westminster's.
WESTMINSTER = SAMPLE.replace("E09000013", "E09000033")
_lines = WESTMINSTER.splitlines(keepends=True)
MIXED = "".join(
    line.replace("E09000033", "E09000020") if n in (3, 5) else line
    for n, line in enumerate(_lines, start=1)
)
HOSTILE_NAME = "[x](https://evil.example).csv"


@pytest.fixture
def visitor(chromium, signin_server: SignedInServer) -> Iterator[AppDriver]:
    """A fresh browser context (no sign-in cookie) on the signed-in server."""
    context, guard = new_context(chromium, DESKTOP)
    try:
        yield AppDriver(context.new_page(), signin_server.served)
    finally:
        context.close()
    assert not guard.blocked, f"the browser tried to reach hosts off this machine: {guard.blocked}"


def _as(visitor: AppDriver, role: str) -> str:
    email = PEOPLE[role][0]
    sign_in(visitor, email)
    return email


def _no_figures(app: AppDriver) -> None:
    main = app.page.get_by_test_id("stMain")
    assert main.get_by_test_id("stPlotlyChart").count() == 0, "a chart is on the page"
    assert main.get_by_test_id("stDataFrame").count() == 0, "a table is on the page"
    assert app.nav_labels() == [], f"the menu lists pages: {app.nav_labels()}"
    assert app.page.get_by_text("Boroughs shown").count() == 0, "the filters are shown"
    text = app.main_text()
    assert not any(ch.isdigit() for ch in text), f"a figure is on the page: {text!r}"


def _entries(server: SignedInServer, kind: str, actor: str) -> list[audit.Entry]:
    return [e for e in audit.entries(path=server.audit_path)
            if e.kind == kind and e.actor == actor]


def _sha256(path) -> str:  # noqa: ANN001 - Path
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _upload(app: AppDriver, name: str, text: str) -> None:
    """Choose a file in the Data page's uploader, then press Check and load."""
    with app.rerun():
        app.page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
            files=[{"name": name, "mimeType": "text/csv", "buffer": text.encode("utf-8")}]
        )
    with app.rerun():
        app.page.locator(".st-key-upload_load button").click()


def test_anonymous_sees_only_the_sign_in_prompt(visitor: AppDriver) -> None:
    """Before signing in, every address (the home page, a dashboard, the workbench, the Data
    page) shows the sign-in prompt and nothing else."""
    for path in ("", "savings", "sql", "data"):
        visitor.open(path)
        assert visitor.page.get_by_role("button", name="Sign in").count() == 1, path
        _no_figures(visitor)
    visitor.full_page_screenshot(SCREENSHOT_DIR / "signin-anonymous.png")


def test_viewer_sees_dashboards_and_is_refused_the_workbench_and_uploads(
    visitor: AppDriver, signin_server: SignedInServer
) -> None:
    email = _as(visitor, "viewer")
    assert visitor.nav_labels() == DASHBOARDS
    sidebar = visitor.page.get_by_test_id("stSidebar")
    assert f"Signed in as {email} (viewer)" in sidebar.inner_text().replace(JOINER, "")
    assert sidebar.locator("a[href^=mailto]").count() == 0, "their address became a link"
    assert visitor.page.get_by_test_id("stPlotlyChart").count() > 0, "the Overview drew no chart"
    visitor.full_page_screenshot(SCREENSHOT_DIR / "signin-viewer.png")

    visitor.open("sql")
    main = visitor.page.get_by_test_id("stMain")
    assert "needs the analyst role" in main.inner_text()
    assert visitor.page.locator(".st-key-sql textarea").count() == 0, "the workbench ran"
    assert visitor.page.locator(".st-key-sql_plain").count() == 0, "the editor was drawn"
    refused = _entries(signin_server, "refusal", email)
    assert any(e.details.get("action") == "Opening SQL workbench" for e in refused), refused

    visitor.open("data")
    assert "Loading council extracts needs the steward role" in visitor.main_text()
    assert visitor.page.get_by_test_id("stFileUploader").count() == 0, "an uploader is shown"
    assert visitor.page.get_by_text("Audit log").count() == 0, "the audit log is shown"
    assert visitor.page.get_by_test_id("stDataFrame").count() > 0, "no catalogue on Data page"


def test_analyst_query_runs_and_is_audited_under_their_name(
    visitor: AppDriver, signin_server: SignedInServer
) -> None:
    email = _as(visitor, "analyst")
    assert visitor.nav_labels() == [p.title for p in PAGES]
    visitor.open("sql")
    run_sql(visitor, QUERY)
    visitor.page.get_by_test_id("stMain").get_by_text("3 rows", exact=False).first.wait_for()
    [entry] = [e for e in _entries(signin_server, "query", email) if e.details["sql"] == QUERY]
    assert (entry.outcome, entry.details["rows"]) == ("ok", 3)

    visitor.open("data")
    assert visitor.page.get_by_test_id("stFileUploader").count() == 0, "an uploader is shown"


def test_westminster_steward_loads_westminster_and_is_refused_other_boroughs(
    visitor: AppDriver, signin_server: SignedInServer
) -> None:
    email = _as(visitor, "steward")
    assert visitor.nav_labels() == [p.title for p in PAGES]
    assert "(steward for Westminster)" in visitor.page.get_by_test_id("stSidebar").inner_text()
    visitor.open("data")
    _upload(visitor, "westminster_caseload.csv", WESTMINSTER)
    loaded = visitor.page.get_by_test_id("stAlertContentSuccess").get_by_text(
        "12 rows loaded into caseload_monthly", exact=False
    )
    loaded.first.wait_for(timeout=60_000)  # the page reruns once more when the load is done
    assert loaded.count() == 1, visitor.main_text()
    con = duckdb.connect(str(signin_server.warehouse), read_only=True)
    try:
        loaded_by = con.execute(
            "select loaded_by from meta_load where file = 'westminster_caseload.csv'"
        ).fetchall()
    finally:
        con.close()
    assert loaded_by == [(email,)]

    before = _sha256(signin_server.warehouse)
    _upload(visitor, HOSTILE_NAME, MIXED)
    error = visitor.page.get_by_test_id("stAlertContentError").inner_text()
    # The file name is shown as written (an invisible joiner keeps its address from being
    # linked), not turned into a link.
    assert f"{HOSTILE_NAME}: 2 problem(s); nothing was loaded" in error.replace(JOINER, "")
    assert visitor.page.locator('a[href*="evil.example"]').count() == 0
    assert _sha256(signin_server.warehouse) == before, "a refused file changed the warehouse"
    [refused] = [e for e in _entries(signin_server, "load", email) if e.outcome == "refused"]
    assert (refused.details["file"], refused.details["problems"]) == (HOSTILE_NAME, 2)
    visitor.page.get_by_text("Audit log").click()
    visitor.full_page_screenshot(SCREENSHOT_DIR / "signin-steward-refused.png")


def test_person_with_no_role_gets_the_no_access_page(
    visitor: AppDriver, signin_server: SignedInServer
) -> None:
    email = _as(visitor, "no role")
    for path in ("", "sql", "data"):
        visitor.open(path)
        text = visitor.main_text()
        assert "No access yet" in text and "ask your administrator" in text, path
        _no_figures(visitor)
    visitor.full_page_screenshot(SCREENSHOT_DIR / "signin-no-role.png")
    # One sign-in, however many pages were opened after it.
    [signin] = _entries(signin_server, "sign-in", email)
    assert signin.outcome == "no role"


def test_local_mode_listens_on_this_computer_only(cli_server: str) -> None:
    """``triborough serve`` with no settings listens on 127.0.0.1 and nowhere else."""
    process = psutil.Process(proc_pid[cli_server])
    listening = {
        (c.laddr.ip, c.laddr.port)
        for p in (process, *process.children(recursive=True))
        for c in p.net_connections(kind="inet")
        if c.status == psutil.CONN_LISTEN
    }
    port = int(cli_server.rsplit(":", 1)[1])
    assert listening == {("127.0.0.1", port)}, listening


def test_server_refuses_cross_origin_and_sets_an_xsrf_cookie(cli_server: str) -> None:
    """``triborough serve`` keeps Streamlit's CORS protection (no ``Access-Control-Allow-Origin``
    for another site) and XSRF protection (the token cookie Streamlit hands out with its
    health check)."""
    request = urllib.request.Request(
        f"{cli_server}/_stcore/health", headers={"Origin": "http://evil.example"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # loopback only
        allowed = response.headers.get("Access-Control-Allow-Origin")
        cookies = response.headers.get_all("Set-Cookie") or []
    assert allowed is None, allowed
    assert any(c.startswith("_streamlit_xsrf=") for c in cookies), cookies
