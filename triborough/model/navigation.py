"""The dashboard's pages, by audience: one list that app.py, the tests and the benchmark read.

Importable without starting Streamlit, so the browser tests and the benchmark find every page
the app serves from the same declaration.
"""

from __future__ import annotations

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
