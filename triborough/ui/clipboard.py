"""A button that copies words to the clipboard: a chart's summary, or the link to the view.

A Streamlit component of our own (``st.components.v2``, no build step), because Streamlit has
no copy button of its own but the code block's, which shows only on hover. It is a real
``<button>``: reached with Tab, pressed with Enter or Space. The words are set as text, never
as markup, and a browser that refuses the clipboard (a plain-http address other than this
computer) gets the words shown to copy by hand.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

_JS = """
export default function (component) {
  const { data, parentElement } = component;
  let button = parentElement.querySelector("button");
  let status = parentElement.querySelector("[role=status]");
  if (!button) {
    button = document.createElement("button");
    button.type = "button";
    status = document.createElement("span");
    status.setAttribute("role", "status");
    parentElement.append(button, status);
  }
  button.textContent = data.label;
  button.dataset.copy = data.link ? "link" : "text";
  button.setAttribute("aria-label", data.label + (data.link ? "" : ": " + data.text));
  status.textContent = "";
  button.onclick = async () => {
    const text = data.link ? window.location.href : data.text;
    let copied = false;
    try {
      await navigator.clipboard.writeText(text);
      copied = true;
    } catch (refused) {
      const area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      try { copied = document.execCommand("copy"); } catch (old) { copied = false; }
      area.remove();
      button.focus();
    }
    status.textContent = copied ? data.done : data.failed + " " + text;
  };
}
"""

# Drawn like Streamlit's own secondary buttons, in the theme's text colour (no colour here).
_CSS = """
button {
  font: inherit; font-size: 0.875rem; color: inherit; background: transparent; cursor: pointer;
  min-height: 2.5rem; padding: 0.25rem 0.75rem; border-radius: 0.5rem;
  border: 1px solid color-mix(in srgb, currentColor 20%, transparent);
}
button:hover { border-color: currentColor; }
button:focus-visible { outline: 3px solid currentColor; outline-offset: 2px; }
span[role=status] { margin-left: 0.75rem; font-size: 0.875rem; overflow-wrap: anywhere; }
"""

_copy = st.components.v2.component("triborough.copy", js=_JS, css=_CSS)


def copy_button(label: str, *, key: str, text: str = "", link: bool = False) -> Any:
    """A button labelled ``label`` that copies ``text``, or with ``link`` the address of the
    page as the browser shows it (so every choice bound to the URL travels with it)."""
    return _copy(
        key=key,
        data={
            "label": label,
            "text": text,
            "link": link,
            "done": "Link copied." if link else "Summary copied.",
            "failed": "This browser refused the clipboard; copy this by hand:",
        },
    )
