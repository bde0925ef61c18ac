"""Sign-in inside the app: who is looking, and what those who may not look see instead.

With no ``[auth]`` section in Streamlit's secrets the app is in local mode: it serves this
computer only and the person at it holds every role. With one, people sign in through the
council's OpenID Connect provider (``st.login``) and their roles come from the ID token
(:func:`triborough.access.auth.person_from_claims`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import streamlit as st

from triborough.access import audit, auth
from triborough.access.auth import AccessDenied, Person, Role
from triborough.model.plain_text import plain
from triborough.settings import get_settings


def signin_configured() -> bool:
    """True when Streamlit's secrets hold an ``[auth]`` section (sign-in is on)."""
    try:
        # Reading st.secrets with no secrets file shows an error in the page; ask first.
        if not st.secrets.load_if_toml_exists():
            return False
        return "auth" in st.secrets
    except Exception:  # an unreadable secrets file: Streamlit reports it; treat as not set
        return False


def _role_map() -> dict[str, auth.Grant]:
    try:
        return auth.parse_role_map(get_settings().role_map)
    except auth.ConfigError as exc:
        st.error(f"Sign-in is misconfigured: {plain(exc)}")
        st.stop()
        raise  # unreachable; st.stop raises


def current_person() -> Person | None:
    """Who is looking: the local operator (local mode), the signed-in person, or None when
    sign-in is on and nobody has signed in yet."""
    if not signin_configured():
        return auth.local_operator()
    auth.mark_signed_in_server()
    if not st.user.is_logged_in:
        return None
    claims = st.user.to_dict()
    person = auth.person_from_claims(claims, get_settings().role_claim, _role_map())
    _record_sign_in(person, claims)
    return person


_signed_in: set[tuple[str, str]] = set()
_signed_in_lock = threading.Lock()


def _record_sign_in(person: Person, claims: dict[str, object]) -> None:
    """Audit a sign-in once. Every page load is a new Streamlit session carrying the same ID
    token, so a sign-in is known by its token (subject and issue time), not by the session."""
    issued = claims.get("iat")
    if issued is None:  # a provider that leaves it out: once per session instead
        if st.session_state.get("_tb_sign_in_recorded"):
            return
        st.session_state["_tb_sign_in_recorded"] = True
    else:
        with _signed_in_lock:
            if (str(claims.get("sub")), str(issued)) in _signed_in:
                return
            _signed_in.add((str(claims.get("sub")), str(issued)))
    audit.record(
        "sign-in", person.name, "ok" if person.role else "no role",
        role=person.role.label if person.role else None,
        boroughs=sorted(person.boroughs) if person.boroughs is not None else "all",
    )


def page_person() -> Person:
    """The person a page runs for. app.py runs a page only for someone who may open it; a page
    reached any other way with nobody signed in gets the sign-in prompt and stops."""
    person = current_person()
    if person is None:
        sign_in_page()
        st.stop()
        raise AssertionError("unreachable")  # st.stop raises
    return person


def guard_local_exposure() -> None:
    """Stop when the server listens beyond this computer with nobody asked to sign in (a bare
    ``streamlit run --server.address 0.0.0.0``); ``triborough serve`` refuses that earlier."""
    address = str(st.get_option("server.address") or "")
    if address and not auth.is_loopback(address) and not signin_configured():
        st.error(
            f"This dashboard is listening on {plain(address)} without sign-in. Configure "
            "sign-in (README: Serving to others) or serve it on 127.0.0.1 only."
        )
        st.stop()


def sidebar_identity(person: Person) -> None:
    """One short line saying who can open the app; a sign-out button when signed in."""
    if person.local:
        st.sidebar.caption("Only this computer can open this dashboard.")
        return
    st.sidebar.caption(f"Signed in as {plain(person.describe())}.")
    if st.sidebar.button("Sign out", key="sign_out"):
        st.logout()


def sign_in_page() -> None:
    """What someone who has not signed in sees, at every address: a prompt and nothing else."""
    st.title("Tri-borough Insight")
    st.markdown("Sign in with your council account to see the dashboard.")
    if st.button("Sign in", key="sign_in", type="primary"):
        st.login()


def no_access_page(person: Person) -> Callable[[], None]:
    """The page for a signed-in person with no mapped role: no figures, who to ask."""

    def no_access() -> None:
        st.title("No access yet")
        st.markdown(
            f"You are signed in as {plain(person.name)}, but you have no role in Tri-borough "
            "Insight yet: ask your administrator."
        )
        if st.button("Sign out", key="sign_out_no_access"):
            st.logout()

    return no_access


def refusal_page(person: Person, title: str, needed: Role) -> Callable[[], None]:
    """The page shown at the address of a page ``person`` may not open. None of that page's
    code runs; the refusal is recorded."""

    def refused() -> None:
        st.title(title)
        try:
            auth.require(person, needed, f"Opening {title}")
        except AccessDenied as exc:
            st.error(plain(exc))

    return refused


def require_section(person: Person, needed: Role, what: str) -> bool:
    """True when ``person`` may use a section of a page; otherwise say so in its place."""
    if person.can(needed):
        return True
    st.info(f"{what} needs the {needed.label} role. Ask your administrator if you need it.")
    return False
