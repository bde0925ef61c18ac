"""User text (file names, people's names, engine messages) shown literally in Streamlit markdown.

Streamlit renders markdown in titles, captions and alert boxes: a file called
``[x](https://evil.example).csv`` would become a link, ``:red[...]`` colour, ``$...$`` maths.
The characters that start those are backslash-escaped (CommonMark allows it for any ASCII
punctuation); plain words such as ``read_csv()`` stay as they are.

Bare addresses (``https://…``, ``www.…``, ``name@host``) are linked after parsing, from the
text itself, so no escape stops them: an invisible word joiner (U+2060) goes before their
``:``, ``.`` or ``@``, and the text reads the same.
"""

from __future__ import annotations

import re

JOINER = "\u2060"
# Always active: links and images, code, emphasis, HTML, strikethrough, tables, maths, headings.
_ALWAYS = r"[\\`*\[\]<>~|$#]"
# Active only in context: '_' opening or closing emphasis (not inside a word); ':' starting an
# icon or emoji shortcode.
_CONTEXT = r"(?<!\w)_|_(?!\w)|:(?=\S)"
_ACTIVE = re.compile(f"{_ALWAYS}|{_CONTEXT}")
_AUTOLINK = re.compile(r"(?=://)|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)


def plain(text: object) -> str:
    """``text`` escaped so that Streamlit's markdown shows it as written (no links, styling)."""
    unlinked = _AUTOLINK.sub(JOINER, str(text))
    return _ACTIVE.sub(lambda m: "\\" + m.group(0), unlinked)
