"""Tri-borough Insight: the entry point. Navigation, shared sidebar filters, then the page."""

from pathlib import Path

import streamlit as st

from triborough.ui import sidebar_filters

PAGES = Path(__file__).parent / "pages"

# (file in pages/, title, clean URL path) per audience.
SECTIONS: dict[str, list[tuple[str, str, str]]] = {
    "For councillors": [
        ("overview.py", "Overview", "overview"),
        ("savings.py", "Savings and spend", "savings"),
        ("caseload.py", "Caseload", "caseload"),
        ("quality.py", "Service quality", "quality"),
        ("effect.py", "Did sharing work?", "effect"),
    ],
    "For CIOs": [
        ("systems.py", "Systems and IT", "systems"),
        ("compare.py", "Compare", "compare"),
    ],
    "For analysts": [
        ("sql.py", "SQL workbench", "sql"),
        ("data.py", "Data and sources", "data"),
    ],
}
# The Overview is the home page: Streamlit serves the default page at the root URL ("/").
HOME = "overview"

st.set_page_config(page_title="Tri-borough Insight", page_icon="📊", layout="wide")
# Headline figures read large; keyboard focus on the page links must be clearly visible; the
# sidebar's borough chips show whole names ('Hammersmith and …' was cut short).
st.html(
    "<style>"
    "[data-testid='stMarkdownContainer'] p.tb-value{font-size:1.9rem;font-weight:600;"
    "margin:0.1rem 0 0.2rem 0;}"
    "[data-testid='stSidebarNavLink']:focus-visible{outline:3px solid #0b4f8a;}"
    "[data-testid='stSidebar'] [data-tag]{max-width:100%;height:auto;}"
    "[data-testid='stSidebar'] [data-tag]>span{max-width:none;overflow:visible;"
    "white-space:normal;text-overflow:clip;}"
    "</style>"
)

# The home page reserves its own url_path without serving it, so it takes an internal one and
# its documented address ('/overview') is answered by a hidden page that sends readers on.
by_url = {
    url: st.Page(PAGES / file, title=title, url_path="home" if url == HOME else url,
                 default=(url == HOME))
    for specs in SECTIONS.values()
    for file, title, url in specs
}
home = by_url[HOME]


def _to_home() -> None:
    """Streamlit serves the home page at '/' only; a link to '/overview' lands here and is
    sent on to it, rather than on a 'page not found' notice."""
    st.switch_page(home)


# Hidden: not in the menu, only there to answer the home page's own name.
home_title = next(title for specs in SECTIONS.values() for _, title, url in specs if url == HOME)
alias = st.Page(_to_home, title=home_title, url_path=HOME, visibility="hidden")
page = st.navigation(
    {section: [by_url[url] for _, _, url in specs] for section, specs in SECTIONS.items()}
    | {"": [alias]}
)
st.sidebar.markdown("**Tri-borough Insight**  \nPublished figures, three boroughs side by side.")
sidebar_filters()
page.run()
