"""Tri-borough Insight: the entry point. Navigation, shared sidebar filters, then the page."""

from pathlib import Path

import streamlit as st

from triborough.access.auth import Role
from triborough.model.navigation import HOME, SECTIONS
from triborough.model.style import FOCUS_OUTLINE
from triborough.ui import signin
from triborough.ui.blocks import sidebar_filters
from triborough.ui.url_state import copy_link

PAGES = Path(__file__).parent / "pages"

# The role each page needs beyond viewer (roles are cumulative; see triborough.access.auth).
PAGE_ROLES: dict[str, Role] = {"sql": Role.ANALYST}

st.set_page_config(page_title="Tri-borough Insight", page_icon="📊", layout="wide")
# Headline figures read large; keyboard focus on the page links must be clearly visible; the
# sidebar's borough chips show whole names ('Hammersmith and …' was cut short).
st.html(
    "<style>"
    "[data-testid='stMarkdownContainer'] p.tb-value{font-size:1.9rem;font-weight:600;"
    "margin:0.1rem 0 0.2rem 0;}"
    f"[data-testid='stSidebarNavLink']:focus-visible{{outline:3px solid {FOCUS_OUTLINE};}}"
    "[data-testid='stSidebar'] [data-tag]{max-width:100%;height:auto;}"
    "[data-testid='stSidebar'] [data-tag]>span{max-width:none;overflow:visible;"
    "white-space:normal;text-overflow:clip;}"
    "</style>"
)

signin.guard_local_exposure()
person = signin.current_person()


def _page(file: str, title: str, url: str) -> st.Page:
    """The page itself for someone who may open it; otherwise, at the same address and out of
    the menu, the sign-in prompt, the no-access page or a refusal, and none of its code runs."""
    where = {"title": title, "url_path": "home" if url == HOME else url, "default": url == HOME}
    needed = PAGE_ROLES.get(url, Role.VIEWER)
    if person is not None and person.can(needed):
        return st.Page(PAGES / file, **where)
    if person is None:
        stand_in = signin.sign_in_page
    elif person.role is None:
        stand_in = signin.no_access_page(person)
    else:
        stand_in = signin.refusal_page(person, title, needed)
    return st.Page(stand_in, **where, visibility="hidden")


# The home page reserves its own url_path without serving it, so it takes an internal one and
# its documented address ('/overview') is answered by a hidden page that sends readers on.
by_url = {url: _page(file, title, url) for specs in SECTIONS.values() for file, title, url in specs}
home = by_url[HOME]


def _to_home() -> None:
    """Streamlit serves the home page at '/' only; a link to '/overview' lands here and is
    sent on to it, rather than on a 'page not found' notice."""
    st.switch_page(home)


# Hidden: not in the menu, only there to answer the home page's own name.
home_title = next(title for specs in SECTIONS.values() for _, title, url in specs if url == HOME)
alias = st.Page(_to_home, title=home_title, url_path=HOME, visibility="hidden")
# Someone not signed in, or with no role, gets no menu and no filters: only their one page.
has_role = person is not None and person.role is not None
page = st.navigation(
    {section: [by_url[url] for _, _, url in specs] for section, specs in SECTIONS.items()}
    | {"": [alias]},
    position="sidebar" if has_role else "hidden",
)
if has_role:
    st.sidebar.markdown(
        "**Tri-borough Insight**  \nPublished figures, three boroughs side by side."
    )
    signin.sidebar_identity(person)
    sidebar_filters()
    copy_link()
page.run()
