"""Helpers for the browser tests: page discovery, the Streamlit server, a driver with the waits
a Streamlit page needs, and a guard that keeps the browser on this machine.

Kept apart from conftest.py so that test modules can import them (``from .support import``).
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from triborough.bench.local_server import (  # noqa: F401 - the tests import them from here
    CHROMIUM_ARGS,
    ServerFailed,
    free_port,
    serving,
    streamlit_command,
)
from triborough.model.navigation import SECTIONS

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = PROJECT_ROOT / "screenshots"

DESKTOP = {"width": 1366, "height": 900}
TABLET = {"width": 768, "height": 1024}

# Generous waits: CI has 2 cores and the first run of a page fills Streamlit's caches.
SERVER_START_TIMEOUT_S = 90
RUN_TIMEOUT_MS = 60_000

BOROUGHS = ("Westminster", "Hammersmith and Fulham", "Kensington and Chelsea")

# The signed-in tests: one person per role at the test provider, and the role map that reads
# their ID tokens' `roles` claim (the Westminster steward is limited to Westminster).
ROLE_MAP = {
    "tri-viewer": "viewer",
    "tri-analyst": "analyst",
    "tri-steward-wcc": "steward:E09000033",
}
PEOPLE = {  # role -> (email, name, roles claim)
    "viewer": ("vera.viewer@council.test", "Vera Viewer", ["tri-viewer"]),
    "analyst": ("ali.analyst@council.test", "Ali Analyst", ["tri-analyst"]),
    "steward": ("sam.steward@council.test", "Sam Steward", ["tri-steward-wcc"]),
    "no role": ("nia.norole@council.test", "Nia Norole", ["some-other-app"]),
}


# --------------------------------------------------------------------------- page discovery


@dataclass(frozen=True)
class AppPage:
    """One page as app.SECTIONS declares it."""

    section: str
    file: str
    title: str
    url_path: str


def discover_pages() -> list[AppPage]:
    """The pages the app serves (:data:`triborough.model.navigation.SECTIONS`)."""
    return [
        AppPage(section, file, title, url_path)
        for section, specs in SECTIONS.items()
        for file, title, url_path in specs
    ]


PAGES = discover_pages()


# --------------------------------------------------------------------------- the server


# The process id serving each base URL, for tests that look at the server process itself.
proc_pid: dict[str, int] = {}


@contextlib.contextmanager
def start_server(
    warehouse: Path,
    log_dir: Path,
    *,
    via_cli: bool = False,
    port: int | None = None,
    env: dict[str, str | None] | None = None,
) -> Iterator[str]:
    """Serve the app on a free loopback port against ``warehouse``.

    Runs ``streamlit run app.py``, or with ``via_cli`` the project's own ``triborough serve``
    (which README tells people to use; it chooses the address itself). ``env`` adds variables
    (None removes one). Yields the base URL once ``/_stcore/health`` answers; stops the process
    group after.
    """
    port = port or free_port()
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"streamlit-{port}.log"
    env = {
        **os.environ,
        "TRIBOROUGH_WAREHOUSE_PATH": str(warehouse),
        "TRIBOROUGH_COUNCIL_DIR": str(log_dir / "council"),  # never the project's own store
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        # not reachable from the network (`triborough serve` sets the address itself)
        **({"TRIBOROUGH_HOST": None} if via_cli else {"STREAMLIT_SERVER_ADDRESS": "127.0.0.1"}),
        **(env or {}),
    }
    env = {k: v for k, v in env.items() if v is not None}
    if via_cli:
        cmd = [sys.executable, "-m", "triborough.cli", "serve", "--port", str(port)]
    else:
        cmd = streamlit_command(sys.executable, "app.py", port)
    url = f"http://127.0.0.1:{port}"
    with serving(cmd, port=port, cwd=PROJECT_ROOT, env=env, log_path=log_path,
                 timeout_s=SERVER_START_TIMEOUT_S) as proc:
        proc_pid[url] = proc.pid
        yield url


# --------------------------------------------------------------------------- the browser side


# Any http(s) URL whose host is not this machine. Given as a regular expression, Playwright
# matches it inside its driver, so local requests are not paused on a round trip to Python.
OFF_MACHINE = re.compile(r"^(?!https?://(?:127\.0\.0\.1|localhost|\[::1\])(?:[:/]|$))")


@dataclass
class EgressGuard:
    """Requests the browser tried to send off the machine (each one is aborted)."""

    blocked: list[str] = field(default_factory=list)

    def route(self, route) -> None:  # noqa: ANN001 - playwright Route
        self.blocked.append(route.request.url)
        route.abort()


def new_context(browser, viewport: dict):  # noqa: ANN001, ANN201 - playwright objects
    """A fresh context (so a fresh Streamlit session) whose requests stay on this machine."""
    context = browser.new_context(
        viewport=viewport,
        accept_downloads=True,
        locale="en-GB",
        timezone_id="Europe/London",
        reduced_motion="reduce",  # no animations mid-screenshot
        service_workers="block",  # so that every request passes the route below
    )
    context.set_default_timeout(RUN_TIMEOUT_MS)
    guard = EgressGuard()
    context.route(OFF_MACHINE, guard.route)
    return context, guard


@dataclass(frozen=True)
class Served:
    """The running app: its base URL and the path each page title is served at."""

    base_url: str
    paths: dict[str, str]


@dataclass(frozen=True)
class SignedInServer:
    """The app served with sign-in on: its address, its warehouse and its audit log."""

    served: Served
    warehouse: Path
    audit_path: Path


# The test provider's form links its stylesheet from a CDN; it is answered here, empty, so
# that nothing leaves the machine (the guard would abort it and fail the test).
PROVIDER_CDN = "https://cdn.jsdelivr.net/**"


def sign_in(app: AppDriver, email: str) -> None:
    """Sign in as ``email`` at the test provider: the app's Sign in button, the provider's form,
    then back to the app's home page."""
    app.page.context.route(
        PROVIDER_CDN, lambda route: route.fulfill(status=200, content_type="text/css", body="")
    )
    app.open("")
    app.page.get_by_role("button", name="Sign in").click()
    app.page.locator("input[name=sub]").fill(email)
    app.page.get_by_role("button", name="Authorize").click()
    app.page.wait_for_url(f"{app.server.base_url}/**")
    app.page.wait_for_selector('[data-testid="stMain"]')
    app.wait_for_run()


def nav_paths(page) -> dict[str, str]:  # noqa: ANN001 - playwright Page
    """Page title -> path, read from the sidebar navigation's links."""
    links = page.locator('[data-testid="stSidebarNavLink"]')
    return {
        links.nth(i).inner_text().strip(): urlparse(links.nth(i).get_attribute("href")).path.strip(
            "/"
        )
        for i in range(links.count())
    }


WATCH_FOR_RUN_JS = """() => {
    window.__tbSawRun = false;
    if (window.__tbRunWatch) window.__tbRunWatch.disconnect();
    window.__tbRunWatch = new MutationObserver(records => {
        if (records.some(r => r.target.getAttribute('data-test-script-state') === 'running')) {
            window.__tbSawRun = true;
        }
    });
    window.__tbRunWatch.observe(document.body, {
        subtree: true, attributes: true, attributeFilter: ['data-test-script-state'],
    });
}"""


class AppDriver:
    """A browser tab on the app with the waits a Streamlit page needs.

    Streamlit draws after the first HTTP response, over a websocket; the app root carries
    ``data-test-script-state`` (``running`` / ``notRunning``), which is what "the page has
    finished drawing" means here.
    """

    def __init__(self, page, server: Served) -> None:  # noqa: ANN001 - playwright Page
        self.page = page
        self.server = server
        # Set by a test that changes the page (a filter, a toggle), so that a shared page is
        # loaded afresh before the next test looks at it.
        self.changed = False

    def open(self, path: str) -> None:
        """Load ``/<path>`` and wait until its script has run and its charts have drawn."""
        self.changed = False
        self.page.goto(f"{self.server.base_url}/{path}", wait_until="domcontentloaded")
        self.page.wait_for_selector('[data-testid="stMain"]')
        self.wait_for_run()

    def open_page(self, app_page: AppPage) -> None:
        """Open a page at the address the app's own navigation links to.

        That is ``/<url_path>`` except for the default page, which Streamlit serves at ``/``
        (test_documented_url_opens_the_page checks the ``/<url_path>`` addresses themselves).
        """
        paths = self.server.paths
        assert app_page.title in paths, (
            f"'{app_page.title}' (app.SECTIONS) is not in the sidebar navigation: {sorted(paths)}"
        )
        self.open(paths[app_page.title])

    def nav_labels(self) -> list[str]:
        """The page titles the sidebar navigation lists, in order."""
        links = self.page.locator('[data-testid="stSidebarNavLink"]').all_inner_texts()
        return [label.strip() for label in links]

    def dialogs(self) -> list[str]:
        """Text of any modal dialog on screen (Streamlit shows 'Page not found' in one)."""
        return self.page.locator('[data-testid="stDialog"]').all_inner_texts()

    def wait_for_run(self) -> None:
        """Wait until no script run is going on and what it drew has settled."""
        self.page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
        self.page.locator('[data-testid="stSkeleton"]').first.wait_for(state="detached")
        # Elements left from the previous run fade out as stale; wait until none are left.
        self.page.locator('[data-testid="stMain"] [data-stale="true"]').first.wait_for(
            state="detached"
        )
        self.wait_for_charts()

    @contextlib.contextmanager
    def rerun(self) -> Iterator[None]:
        """Around an action that makes Streamlit rerun (a widget change, a page link): after
        it, wait for that rerun to start and finish.

        A MutationObserver set up before the action notes the run starting, so a run that
        starts and ends between two polls is not missed and nothing waits on a fixed delay.
        """
        self.page.evaluate(WATCH_FOR_RUN_JS)
        yield
        self.page.wait_for_function("() => window.__tbSawRun === true")
        self.wait_for_run()

    def wait_for_charts(self) -> None:
        """Every Plotly chart on the page has drawn its SVG."""
        charts = self.page.locator('[data-testid="stPlotlyChart"]')
        for i in range(charts.count()):
            charts.nth(i).locator(".js-plotly-plot .main-svg").first.wait_for(state="attached")

    def main_text(self) -> str:
        """What the main area shows as text, chart text (titles, legends, ticks) included."""
        return self.page.evaluate(
            """() => {
                const main = document.querySelector('[data-testid="stMain"]');
                if (!main) return '';
                const svgText = [...main.querySelectorAll('svg text')]
                    .map(t => t.textContent).join('\\n');
                return main.innerText + '\\n' + svgText;
            }"""
        )

    def full_page_screenshot(self, path: Path) -> None:
        """A screenshot of the whole page, not just the window.

        Streamlit scrolls inside its own container rather than the document, so Playwright's
        ``full_page`` alone captures one window's worth: grow the window to the content's
        height first, then put it back.
        """
        viewport = self.page.viewport_size
        height = self.page.evaluate(
            """() => Math.max(document.scrollingElement.scrollHeight,
                ...[...document.querySelectorAll(
                    '[data-testid="stMain"], [data-testid="stAppViewContainer"]')]
                    .map(e => e.scrollHeight))"""
        )
        self.page.set_viewport_size({"width": viewport["width"], "height": int(height) + 40})
        self.page.wait_for_timeout(500)  # Plotly redraws on window resize; let it finish
        self.wait_for_charts()
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=True)
        self.page.set_viewport_size(viewport)
