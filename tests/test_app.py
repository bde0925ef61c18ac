"""The app shell: navigation reaches every page, each runs under app.py without an error."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from triborough.model.navigation import SECTIONS
from triborough.settings import PROJECT_ROOT

PAGES = [spec for specs in SECTIONS.values() for spec in specs]


def test_every_page_file_exists_with_a_unique_clean_url():
    urls = [url for _, _, url in PAGES]
    assert len(urls) == len(set(urls))
    for file, _, url in PAGES:
        assert (PROJECT_ROOT / "pages" / file).is_file(), file
        assert url.isidentifier() and url.islower(), url
    assert set(SECTIONS) == {"For councillors", "For CIOs", "For analysts"}


@pytest.mark.slow
@pytest.mark.parametrize("file", [file for file, _, _ in PAGES])
def test_every_page_runs_from_the_app_without_an_error(app_env, file):
    # AppTest runs a switched-to page's script on its own, so the shared sidebar is checked in
    # the browser tests; here each page must run cleanly from the app's navigation.
    at = AppTest.from_file("../app.py", default_timeout=90)
    at.run()
    assert not at.exception
    if file != "overview.py":
        at.switch_page(f"pages/{file}")
        at.run()
    assert not at.exception, file
    assert at.title, f"{file} has no title"
    assert not at.error, [e.value for e in at.error]
