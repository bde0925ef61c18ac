"""A view in its address: the sidebar filters and every page's choices live in the URL.

Streamlit binds a widget to a query parameter of the same name as its key (``bind=IN_URL``),
so one argument on the widget is all a page adds. What that gives, checked in the tests:

- a link opened in a new browser shows the same boroughs, years and choices;
- the browser's Back returns to the previous choices. Streamlit 1.67 writes a bound widget's
  change with ``history.replaceState``, so Back would leave the page instead; a page-wide
  script (``_KEEP_HISTORY``, installed once) turns a change of the query string on the same
  page into ``history.pushState``. Streamlit's own Back handling (a ``popstate``, after which
  it replaces the entry again) is left alone, and Back reruns the page with the older values;
- the address is untrusted: a value that is not one of the widget's options (an unknown
  borough, a year out of range, a measure not offered) is dropped from it and the default
  shown, a query string over 524,288 characters is ignored whole, and unknown keys are left
  unread. Values are only ever matched against options, never shown, so no markup in the
  address reaches the page;
- a value equal to its default is left out, so a default view's link is the bare page.
"""

from __future__ import annotations

import streamlit as st

from triborough.ui.clipboard import copy_button

IN_URL = "query-params"

# Runs in the page (not a frame): a query-string change on the same page made by replaceState
# becomes a history entry of its own, except just after Back or Forward, when Streamlit
# replaces the entry it returned to.
_KEEP_HISTORY = """
export default function () {
  if (window.__triboroughHistory) return;
  window.__triboroughHistory = true;
  const replace = window.history.replaceState.bind(window.history);
  const push = window.history.pushState.bind(window.history);
  let travelledAt = -Infinity;
  window.addEventListener("popstate", () => { travelledAt = performance.now(); });
  window.history.replaceState = function (state, unused, url) {
    if (url !== undefined && url !== null && performance.now() - travelledAt > 2000) {
      const next = new URL(String(url), window.location.href);
      if (next.origin === window.location.origin
          && next.pathname === window.location.pathname
          && next.search !== window.location.search) {
        return push(state, unused, url);
      }
    }
    return replace(state, unused, url);
  };
}
"""
_keep_history = st.components.v2.component("triborough.history", js=_KEEP_HISTORY)


def copy_link() -> None:
    """The 'Copy link to this view' control, in the sidebar under the filters; it also keeps
    each change of a choice in the browser's history, so Back undoes it."""
    with st.sidebar:
        copy_button("Copy link to this view", key="copy_view_link", link=True)
        st.caption("The link keeps the boroughs, years and this page's choices.")
        _keep_history(key="keep_history", height=0)
