"""Fixtures for the browser tests: one Streamlit server and one headless Chromium per session.

The browser is Debian's Chromium (``/usr/bin/chromium`` or ``TRIBOROUGH_CHROMIUM``), driven by
Playwright for Python: Playwright's own browser download needs the internet, which CI and the
developers' machines do not have. Without Chromium the tests skip, saying why, unless
``TRIBOROUGH_REQUIRE_BROWSER=1`` (set by CI), when they fail instead.

Nothing may leave the machine: Chromium starts with its background services off, the server
listens on 127.0.0.1 only, and every browser context aborts (and records) any request to a host
other than localhost, failing the test that made it.

Pages are discovered from ``app.SECTIONS`` (read from app.py's source, without starting
Streamlit), so a page added there is tested without touching this folder.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from .support import (
    CHROMIUM_ARGS,
    DESKTOP,
    PAGES,
    PEOPLE,
    ROLE_MAP,
    TABLET,
    AppDriver,
    AppPage,
    Served,
    ServerFailed,
    SignedInServer,
    free_port,
    nav_paths,
    new_context,
    start_server,
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Any test asking for ``app_page`` runs once per page of the app.

    Session scope makes pytest run all the tests of one page together, so that the page
    loaded once for the read-only checks (the ``shown`` fixture) serves all of them.
    """
    if "app_page" in metafunc.fixturenames:
        metafunc.parametrize("app_page", PAGES, ids=[p.url_path for p in PAGES], scope="session")


def _unavailable(reason: str) -> None:
    """Skip (on a developer's machine) or fail (in CI) when the browser cannot be had."""
    if os.environ.get("TRIBOROUGH_REQUIRE_BROWSER", "") == "1":
        pytest.fail(f"{reason} (TRIBOROUGH_REQUIRE_BROWSER=1, so this is a failure)")
    pytest.skip(f"{reason}; install Debian's chromium (apt-get install chromium) to run it")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path to the Chromium binary: TRIBOROUGH_CHROMIUM, else Debian's /usr/bin/chromium."""
    configured = os.environ.get("TRIBOROUGH_CHROMIUM")
    candidates = [configured] if configured else ["/usr/bin/chromium", shutil.which("chromium")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    if configured:
        _unavailable(f"TRIBOROUGH_CHROMIUM={configured} is not an executable file")
    _unavailable("Chromium not found at /usr/bin/chromium (or set TRIBOROUGH_CHROMIUM)")
    raise AssertionError("unreachable")


@pytest.fixture(scope="session")
def chromium(chromium_path: str) -> Iterator[object]:
    """One headless Chromium for the whole session; each test gets its own context."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright Python package is not installed (pip install -e '.[test]')")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def server(chromium, built_warehouse: Path, tmp_path_factory) -> Iterator[Served]:
    """The app, served once for the session against the test warehouse.

    Asks for ``chromium`` first so that a machine without a browser skips before paying for a
    warehouse build and a server start. Opens the root URL once before any test: that reads
    where the navigation serves each page, and takes the server out of Streamlit's legacy
    ``pages/`` mode (test_deep_link_on_fresh_server_runs_through_app checks that problem on
    its own server).
    """
    try:
        with start_server(built_warehouse, tmp_path_factory.mktemp("streamlit")) as url:
            context, guard = new_context(chromium, DESKTOP)
            try:
                driver = AppDriver(context.new_page(), Served(url, {}))
                driver.open("")
                driver.page.wait_for_selector('[data-testid="stSidebarNavLink"]')
                paths = nav_paths(driver.page)
            finally:
                context.close()
            assert not guard.blocked, f"the browser tried to reach off-machine: {guard.blocked}"
            yield Served(url, paths)
    except ServerFailed as exc:
        pytest.fail(str(exc))


def _driver(
    chromium,  # noqa: ANN001 - playwright Browser
    server: Served,
    viewport: dict,
    app_page: AppPage | None = None,
) -> Iterator[AppDriver]:
    context, guard = new_context(chromium, viewport)
    try:
        driver = AppDriver(context.new_page(), server)
        if app_page is not None:
            driver.open_page(app_page)
        yield driver
    finally:
        context.close()
    assert not guard.blocked, f"the browser tried to reach hosts off this machine: {guard.blocked}"


@pytest.fixture
def app(chromium, server: Served) -> Iterator[AppDriver]:
    """A fresh browser context (so a fresh Streamlit session) at desktop size, 1366x900."""
    yield from _driver(chromium, server, DESKTOP)


@pytest.fixture
def tablet_app(chromium, server: Served) -> Iterator[AppDriver]:
    """A fresh browser context at tablet size, 768x1024."""
    yield from _driver(chromium, server, TABLET)


@pytest.fixture(scope="session")
def _page_once(chromium, server: Served, app_page: AppPage) -> Iterator[AppDriver]:
    """``app_page`` loaded once at desktop size for all the tests of that page."""
    yield from _driver(chromium, server, DESKTOP, app_page)


@pytest.fixture
def shown(_page_once: AppDriver, app_page: AppPage) -> AppDriver:
    """``app_page`` as it first loads, shared by the tests of that page to save loads.

    A test that changes it (a filter, a toggle) sets ``changed``; the next test then gets it
    loaded afresh, so no test depends on another's order.
    """
    if _page_once.changed:
        _page_once.open_page(app_page)
    return _page_once


@pytest.fixture(scope="session")
def cli_server(chromium, built_warehouse: Path, tmp_path_factory) -> Iterator[str]:
    """``triborough serve`` as README starts it, with its own defaults (address, routing), on a
    server of its own. No test opens a page on it before the deep-link test, which needs a
    first visit."""
    try:
        with start_server(built_warehouse, tmp_path_factory.mktemp("fresh"), via_cli=True) as url:
            yield url
    except ServerFailed as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[str]:
    """An OpenID Connect provider on localhost (oidc-provider-mock) that knows one person per
    role (``PEOPLE``); their roles travel in the ID token's ``roles`` claim."""
    from oidc_provider_mock import User, run_server_in_thread

    # The test provider speaks plain http on localhost; Authlib refuses that unless told.
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
    users = [
        User(sub=email, claims={"email": email, "name": name, "roles": roles})
        for email, name, roles in PEOPLE.values()
    ]
    with run_server_in_thread(user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="session")
def signin_server(
    chromium, built_warehouse: Path, oidc_provider: str, tmp_path_factory
) -> Iterator[SignedInServer]:
    """``triborough serve`` with sign-in configured against ``oidc_provider``, on its own copy
    of the warehouse (the steward's test loads into it) and its own audit log."""
    work = tmp_path_factory.mktemp("signin")
    warehouse = work / "warehouse.duckdb"
    shutil.copyfile(built_warehouse, warehouse)
    port = free_port()
    secrets_file = work / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        'client_id = "triborough-tests"\n'
        'client_secret = "any-secret-the-test-provider-accepts"\n'
        f'server_metadata_url = "{oidc_provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    audit_path = work / "audit.sqlite3"
    env = {
        "STREAMLIT_SECRETS_FILES": str(secrets_file),
        "TRIBOROUGH_ROLE_MAP": json.dumps(ROLE_MAP),
        "TRIBOROUGH_AUDIT_PATH": str(audit_path),
    }
    try:
        with start_server(warehouse, work, via_cli=True, port=port, env=env) as url:
            yield SignedInServer(Served(url, {}), warehouse, audit_path)
    except ServerFailed as exc:
        pytest.fail(str(exc))
