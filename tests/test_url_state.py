"""Views in the address: the sidebar filters and each page's choices round-trip through the
URL's query parameters, and a hostile address falls back to the default view quietly."""

from __future__ import annotations

import ast
import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.pagetest import page_text, run_page
from triborough.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow

WESTMINSTER = "E09000033"
CHOICE_WIDGETS = {"selectbox", "segmented_control", "radio", "multiselect", "slider",
                  "select_slider", "toggle", "checkbox", "pills", "tabs", "expander"}
# Choices that are not a view: the upload form's table, and the SQL workbench, whose query
# text, parameters and chart of a result are an analyst's work in progress.
NOT_A_VIEW = {"upload_table"}
UNBOUND_PAGES = {"sql.py"}


def _run(script: str, **params: str | list[str]) -> AppTest:
    """Run ``script`` (the app, or a page on its own) opened at an address with ``params``."""
    return run_page(script, address=params)


def _address(at: AppTest) -> dict[str, list[str]]:
    return {k: list(v) if isinstance(v, list | tuple) else [v] for k, v in at.query_params.items()}


APP, COMPARE = "../app.py", "../pages/compare.py"


def test_sidebar_filters_are_read_from_the_address_and_kept_in_it(app_env):
    # Chromium checks the other half (a changed filter is written to the address): Streamlit's
    # browser side writes it, which AppTest does not run.
    assert _address(_run(APP)) == {}  # the default view's address is the bare page
    address = {"boroughs": ["Westminster", "Kensington and Chelsea"], "period": ["2012", "2020"]}
    at = _run(APP, **address)
    assert at.multiselect(key="boroughs").value == [WESTMINSTER, "E09000020"]
    assert at.slider(key="period").value == (2012, 2020)
    assert _address(at) == address


def test_a_compare_view_is_rebuilt_from_its_address(app_env):
    default = _run(COMPARE)
    assert default.selectbox(key="compare_metric").value == "cla_rate_per_10000"
    label = default.selectbox(key="compare_metric").format_func
    group = default.radio(key="compare_group").format_func
    address = {"compare_metric": [label("cin_rate_per_10000")],
               "compare_group": [group("same_tier")], "compare_index": ["true"]}

    at = _run(COMPARE, **address)
    assert at.selectbox(key="compare_metric").value == "cin_rate_per_10000"
    assert at.radio(key="compare_group").value == "same_tier"
    assert at.toggle(key="compare_index").value is True
    assert _address(at) == address
    title = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["title"]["text"]
    assert "Children in need" in title, title
    again = _run(COMPARE, **address)
    assert [c.proto.spec for c in again.get("plotly_chart")] == [
        c.proto.spec for c in at.get("plotly_chart")]


HOSTILE = {
    "boroughs": ["E09999999", "<script>alert(1)</script>"],
    "period": ["1900", "3000"],
    "compare_metric": "<img src=x onerror=alert(1)>",
    "compare_group": "x" * 10_000,
    "compare_index": "maybe",
    "unknown_key": "<b>hello</b>",
}


def test_a_hostile_address_gives_the_default_view_and_echoes_nothing(app_env):
    shell = _run(APP, **HOSTILE)
    assert shell.multiselect(key="boroughs").value == [WESTMINSTER, "E09000013", "E09000020"]
    assert shell.slider(key="period").value == (2007, 2025)
    at = _run(COMPARE, **HOSTILE)
    assert at.selectbox(key="compare_metric").value == "cla_rate_per_10000"
    assert at.radio(key="compare_group").value == "london"
    assert at.toggle(key="compare_index").value is False
    for view in (shell, at):
        assert not view.error
        text = page_text(view)
        for echoed in ("<script", "onerror", "<b>hello", "xxxxxxxxxx"):
            assert echoed not in text
    # Invalid values are dropped from the address; an unknown key is left there, unread.
    assert not set(_address(at)) & {"compare_metric", "compare_group", "compare_index"}
    assert set(_address(shell)) == {"compare_metric", "compare_group", "compare_index",
                                    "unknown_key"}


def test_a_huge_address_is_ignored_whole(app_env):
    at = _run(COMPARE, compare_metric="Children's services · Children in need at 31 March",
              padding="y" * 600_000)
    assert at.selectbox(key="compare_metric").value == "cla_rate_per_10000"


def _unbound_choices(path) -> list[str]:
    """'file:line key' for each keyed choice widget call in a page with no ``bind``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in CHOICE_WIDGETS):
            continue
        kwargs = {k.arg: k.value for k in node.keywords}
        key = kwargs.get("key")
        if key is None or "bind" in kwargs:
            continue
        name = key.value if isinstance(key, ast.Constant) else ast.unparse(key)
        if name not in NOT_A_VIEW:
            found.append(f"{path.name}:{node.lineno} {name}")
    return found


@pytest.mark.parametrize("page", sorted(p.name for p in (PROJECT_ROOT / "pages").glob("*.py")))
def test_every_choice_on_a_page_is_bound_to_the_address(page):
    if page in UNBOUND_PAGES:
        pytest.skip(f"{page}: an analyst's work in progress, not a view to share")
    assert _unbound_choices(PROJECT_ROOT / "pages" / page) == [], (
        "bind these to the URL with bind=\"query-params\" (or list them in NOT_A_VIEW)"
    )
