"""User text (file names, people's names, engine messages) shown literally in Streamlit markdown.

Streamlit renders markdown in titles, captions and alert boxes: a file called
``[x](https://evil.example).csv`` would become a link, ``:red[...]`` colour, ``$...$`` maths and
a bare URL or address a link. The characters that start those are backslash-escaped (CommonMark
allows it for any ASCII punctuation), and plain words such as ``read_csv()`` stay as they are.
"""

from __future__ import annotations

import re

# Always active: links and images, code, emphasis, HTML, strikethrough, tables, maths, headings.
_ALWAYS = r"[\\`*\[\]<>~|$#@]"
# Active only in context: '_' opening or closing emphasis (not inside a word); ':' starting a
# URL scheme, an icon or an emoji shortcode; the dot of a 'www.' link.
_CONTEXT = r"(?<!\w)_|_(?!\w)|:(?=\S)|(?<=www)\."
_ACTIVE = re.compile(f"{_ALWAYS}|{_CONTEXT}", re.IGNORECASE)


def plain(text: object) -> str:
    """``text`` escaped so that Streamlit's markdown shows it as written (no links, styling)."""
    return _ACTIVE.sub(lambda m: "\\" + m.group(0), str(text))
