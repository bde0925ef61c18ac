"""The workbench's SQL editor: highlighting and completion, with a plain text box beside it.

The highlighting editor is ``streamlit-code-editor`` (Ace, bundled with the package, so it
works with no network). Ace keeps the Tab key for indenting, so it runs with Ace's keyboard
accessibility mode (Tab moves on, Enter starts editing, Escape leaves) and the page offers a
plain text box as well, for screen readers and anyone who prefers one.

One session value holds the query (:data:`TEXT`); both editors show it. Whatever changes it
from outside the editor (history, saved queries, "insert into query") goes through
:func:`set_sql`, which also gives the editor a new key so it opens with the new text.
"""

from __future__ import annotations

from collections.abc import MutableMapping

import streamlit as st
from code_editor import code_editor

from triborough.model.style import sql_editor_css

TEXT = "wb_sql"  # the query, whichever editor shows it
PLAIN_KEY = "sql"  # the plain text box's widget key
PLAIN_TOGGLE = "sql_plain"
_VERSION = "wb_sql_version"  # bumped on every change from outside the editor
_SEED = "wb_sql_seed"  # the text the current editor instance opened with
_APPLIED = "wb_sql_applied"  # the id of the last editor event taken into TEXT
_CURSOR = "wb_sql_cursor"


def set_sql(text: str, state: MutableMapping[str, object] | None = None) -> None:
    """Make ``text`` the query, in both editors."""
    state = st.session_state if state is None else state
    state[TEXT] = text
    state[_SEED] = text
    state[_VERSION] = int(state.get(_VERSION, 0)) + 1  # type: ignore[call-overload]
    state.pop(_CURSOR, None)


def current_sql(default: str) -> str:
    """The query as it stands (``default`` the first time)."""
    if TEXT not in st.session_state:
        set_sql(default)
    return str(st.session_state[TEXT])


def cursor() -> dict[str, object] | None:
    """Where the editor's cursor was at its last event (row and column from 0), if known."""
    value = st.session_state.get(_CURSOR)
    return value if isinstance(value, dict) else None


def _from_plain() -> None:
    set_sql(str(st.session_state.get(PLAIN_KEY, "")))


def sql_editor(completions: list[dict[str, object]], max_chars: int) -> bool:
    """Draw the editor (or the plain text box) and return True when Ctrl+Enter asked to run.

    ``completions`` are the tables and columns offered as the analyst types.
    """
    current_sql("")
    plain = st.toggle(
        "Plain text box (no highlighting or completion)", key=PLAIN_TOGGLE,
        on_change=lambda: set_sql(str(st.session_state[TEXT])),
        help="The highlighting editor: Tab moves past it; press Enter to type in it and Escape "
        "to leave it. Ctrl+Space lists table and column names; Ctrl+Enter runs the query.",
    )
    if plain:
        st.session_state[PLAIN_KEY] = st.session_state[TEXT]
        st.text_area("SQL", key=PLAIN_KEY, height=180, max_chars=max_chars,
                     on_change=_from_plain)
        return False
    st.caption("SQL · Ctrl+Space lists table and column names · Ctrl+Enter runs")
    event = code_editor(
        str(st.session_state.get(_SEED, "")),
        lang="sql",
        height=[8, 20],
        completions=completions,
        # The package binds Escape to leaving its snippet editor, which the workbench does not
        # use; moved off Escape, Escape goes back to Ace's "leave the text, let Tab move on".
        keybindings={"commands": [{"name": "exitSession",
                                   "bindkey": {"win": "Ctrl-Alt-Shift-F12",
                                               "mac": "Command-Alt-Shift-F12"}}]},
        # Only on leaving the editor (and Ctrl+Enter): a rerun on every pause in typing would
        # redraw the result under the analyst's hands.
        response_mode=["blur"],
        options={"enableKeyboardAccessibility": True, "wrap": True, "showPrintMargin": False,
                 "showGutter": False},
        # Ace's own TextMate theme: the package's Streamlit themes fetch a web font from
        # another site, and the workbench must work with no network (and send nothing out).
        props={"placeholder": "select … from …", "theme": "textmate"},
        component_props={"globalCSS": sql_editor_css()},
        key=f"sql_editor_{st.session_state.get(_VERSION, 0)}",
    )
    if not isinstance(event, dict) or not event.get("id"):
        return False
    if event["id"] == st.session_state.get(_APPLIED):
        return False
    st.session_state[_APPLIED] = event["id"]
    text = str(event.get("text", ""))[:max_chars]
    st.session_state[TEXT] = text
    if isinstance(event.get("cursor"), dict):
        st.session_state[_CURSOR] = event["cursor"]
    return event.get("type") == "submit"
