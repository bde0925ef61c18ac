"""Results kept per distinct input, for pure functions a page calls on every rerun: the same
few frames and figures are asked for by every session, and recomputing them was most of a warm
page's run. Kept in a Streamlit resource, so "Clear cache" (and a cold benchmark run) empties
it; the least recently used are dropped past a limit.

Only for functions whose result depends on nothing but their arguments, and whose callers do
not change what they get back (polars frames cannot be changed in place).
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

import polars as pl
import streamlit as st

T = TypeVar("T")


class _Store:
    """Results by (function, arguments), least recently used dropped past ``limit``."""

    def __init__(self, limit: int = 512) -> None:
        self.limit = limit
        self.lock = threading.Lock()
        self.items: OrderedDict[tuple, Any] = OrderedDict()


@st.cache_resource(show_spinner=False)
def _store() -> _Store:
    return _Store()


def fingerprint(value: Any) -> Any:
    """A hashable stand-in for an argument (frames by schema, size and row hashes)."""
    if isinstance(value, pl.DataFrame):
        rows = tuple(value.hash_rows(seed=0).to_list()) if value.height else ()
        return ("frame", tuple((k, str(t)) for k, t in value.schema.items()), rows)
    if isinstance(value, list | tuple):
        return tuple(fingerprint(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), fingerprint(v)) for k, v in value.items()))
    return value if isinstance(value, str | int | float | bool | dt.date | None) else repr(value)


def kept(fn: Callable[..., T]) -> Callable[..., T]:
    """``fn`` with its result kept per distinct input (see the module's note on when)."""
    name = f"{fn.__module__}.{fn.__qualname__}"

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        key = (name, fingerprint(args), fingerprint(kwargs))
        store = _store()
        with store.lock:
            found = store.items.get(key, _MISSING)
            if found is not _MISSING:
                store.items.move_to_end(key)
                return found
        result = fn(*args, **kwargs)
        with store.lock:
            store.items[key] = result
            while len(store.items) > store.limit:
                store.items.popitem(last=False)
        return result

    return wrapper


_MISSING = object()
