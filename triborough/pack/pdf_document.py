"""The committee pack as an A4 PDF: the pack's content (``triborough.pack.content``) laid out as
HTML and print CSS, which WeasyPrint renders as a tagged PDF/UA-1 document in British English with
alt text on every chart and its fonts embedded."""

from __future__ import annotations

import base64
import html
import re
import string
import time
from collections.abc import Sequence
from pathlib import Path

from triborough.model.boroughs import BOROUGH_BY_CODE
from triborough.model.style import BOROUGH_COLOURS, PACK_COLOURS, RAG_COLOURS
from triborough.pack import content as pack
from triborough.pack.effect_summary import EffectSummary


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


_CSS = string.Template("""
@page {
  size: A4; margin: 18mm 17mm 22mm 17mm;
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 8pt;
                  color: $footer; }
}
html { font-family: "Liberation Sans", "DejaVu Sans", sans-serif; font-size: 10pt;
       line-height: 1.4; color: $text; }
h1 { font-size: 17pt; margin: 0 0 4mm; break-before: page; color: $heading; }
h2 { font-size: 12.5pt; margin: 6mm 0 2mm; break-after: avoid; color: $heading; }
h3 { font-size: 10.5pt; margin: 4mm 0 1mm; break-after: avoid; }
.cover h1 { break-before: auto; font-size: 26pt; margin-top: 30mm; }
.cover dl { margin-top: 12mm; font-size: 12pt; }
.cover dt { font-weight: bold; margin-top: 4mm; }
.cover dd { margin: 0; }
.notice { border: 2pt solid $notice; padding: 3mm 4mm; margin-top: 10mm; font-size: 11pt; }
.lead { font-size: 10.5pt; }
nav ol { list-style: none; padding: 0; font-size: 12pt; }
nav li { margin: 3mm 0; }
nav a { color: $text; text-decoration: none; }
nav a::after { content: leader(".") " " target-counter(attr(href), page); }
ul.brief { padding-left: 5mm; margin: 1mm 0 3mm; }
ul.brief li { margin-bottom: 1.5mm; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; font-size: 8.3pt;
        margin: 1mm 0 4mm; }
thead { display: table-header-group; }
th, td { text-align: left; vertical-align: top; padding: 1.2mm 1.5mm;
         border-bottom: 0.5pt solid $rule; }
th { background: $header_fill; }
tr, table.group { break-inside: avoid; }
table.group { margin: 0 0 2.5mm; }
tr.measure th { background: $measure_fill; font-size: 8.8pt; }
td.num { white-space: nowrap; }
td.rag-green { border-left: 4pt solid """ + RAG_COLOURS["green"] + """; }
td.rag-amber { border-left: 4pt solid """ + RAG_COLOURS["amber"] + """; }
td.rag-red { border-left: 4pt solid """ + RAG_COLOURS["red"] + """; }
figure { margin: 0 0 5mm; break-inside: avoid; }
figure img { width: 100%; }
figcaption { font-size: 8pt; color: $caption; }
.small { font-size: 8pt; color: $caption; }
.url { word-break: break-all; }
.key span { font-weight: bold; }
""").substitute(PACK_COLOURS)


def _footer_css(text: str) -> str:
    """The footer line on every page; the text is quoted for CSS."""
    quoted = text.replace("\\", "\\\\").replace('"', '\\"')
    return ('@page { @bottom-left { content: "' + quoted + '"; font-size: 8pt; color: '
            + PACK_COLOURS["footer"] + "; } }")


def _table(headings: Sequence[tuple[str, int]], groups: Sequence[tuple[str, list[list[pack.Cell]]]],
           caption: str = "") -> str:
    """Rows in groups: a titled group (a measure) is a small table of its own, headed by its
    title and the column headings, kept on one page (WeasyPrint splits a group inside one long
    table, leaving its title alone at the foot of a page); untitled rows make one table whose
    headings repeat on each page. The first cell of a row heads it. ``headings`` are (heading,
    width in per cent): fixed widths spare WeasyPrint measuring every cell twice."""
    cols = "<colgroup>" + "".join(f'<col style="width:{w}%">' for _h, w in headings) + "</colgroup>"
    head = "<tr>" + "".join(f'<th scope="col">{_e(h)}</th>' for h, _w in headings) + "</tr>"
    out = [f'<p class="small">{_e(caption)}</p>'] if caption else []
    for title, rows in groups:
        body = []
        for row in rows:
            cells = []
            for j, cell in enumerate(row):
                text, cls = cell if isinstance(cell, tuple) else (cell, "")
                attr = f' class="{cls}"' if cls else ""
                cells.append(f'<th scope="row"{attr}>{_e(text)}</th>' if j == 0
                             else f"<td{attr}>{_e(text)}</td>")
            body.append(f"<tr>{''.join(cells)}</tr>")
        named = (f'<tr class="measure"><th scope="colgroup" colspan="{len(headings)}">'
                 f"{_e(title)}</th></tr>") if title else ""
        out.append(f'<table class="{"group" if title else ""}">{cols}<thead>{named}{head}'
                   f"</thead><tbody>{''.join(body)}</tbody></table>")
    return "".join(out)


def _brief(sentences: Sequence[str]) -> str:
    return '<ul class="brief">' + "".join(f"<li>{_e(s)}</li>" for s in sentences) + "</ul>"


def _borough_key(areas: Sequence[str]) -> str:
    return "; ".join(
        f'<span style="color:{BOROUGH_COLOURS[a]}">{_e(BOROUGH_BY_CODE[a].name)}</span>: '
        f"{pack.LINE_SHAPES[a]}" for a in areas)


def pack_html(content: pack.PackContent, svgs: Sequence[str]) -> str:
    """The pack as one HTML document (print CSS included) for WeasyPrint."""
    names = pack.borough_names(content)
    footer = pack.footer_text(content)
    parts = []

    notice = pack.illustrative_notice(content)
    if notice:
        notice = ('<p class="notice"><strong>Contains illustrative figures.</strong> '
                  f"{_e(notice)}</p>")
    cover = "".join(f"<dt>{_e(label)}</dt><dd>{_e(value)}</dd>"
                    for label, value in pack.cover_lines(content))
    parts.append(
        f'<section class="cover"><h1>{_e(pack.TITLE)}</h1>'
        f'<p class="lead">Published service figures for {_e(names)} in words, tables and '
        f"charts, against the London median and England.</p><dl>{cover}</dl>{notice}</section>")

    toc = "".join(f'<li><a href="#{key}">{_e(title)}</a></li>'
                  for key, title in pack.sections_present(content).items())
    parts.append(f'<section><h1 id="contents">Contents</h1><nav><ol>{toc}</ol></nav></section>')

    summary = "".join(f"<h3>{_e(title)}</h3>{_brief(texts)}" for title, texts in content.summary)
    parts.append(f'<section><h1 id="summary">{pack.SECTIONS["summary"]}</h1>'
                 f'<p class="small">{_e(pack.SUMMARY_NOTE)}</p>{summary}</section>')

    parts.append(
        f'<section><h1 id="headlines">{pack.SECTIONS["headlines"]}</h1>'
        + _table(pack.HEADLINE_HEADINGS, pack.headline_groups(content),
                 caption=pack.headline_caption(content))
        + "</section>")

    score = [f'<section><h1 id="scorecard">{pack.SECTIONS["scorecard"]}</h1>'
             f'<p class="small">{_e(pack.SCORECARD_NOTE)}</p>']
    for theme, said, rows in content.scorecard:
        score.append(f"<h2>{_e(theme)}</h2>")
        if rows.is_empty():
            score.append(f"<p>{pack.NO_FIGURES}</p>")
            continue
        score.append("<h3>In brief</h3>" + _brief(said))
        score.append(_table(pack.SCORECARD_HEADINGS, pack.scorecard_groups(rows)))
    parts.append("".join(score) + "</section>")

    figures = []
    for (_fig, alt, source), svg in zip(content.charts, svgs, strict=True):
        data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        figures.append(f'<figure><img src="data:image/svg+xml;base64,{data}" alt="{_e(alt)}">'
                       f"<figcaption>{_e(source)}</figcaption></figure>")
    parts.append(
        f'<section><h1 id="charts">{pack.SECTIONS["charts"]}</h1>'
        f'<p class="small key">Lines: {_borough_key(content.areas)}; {_e(pack.CHART_NOTE)}'
        f"</p>{''.join(figures)}</section>")

    if content.effect is not None:
        parts.append(_effect_section(content.effect))
    parts.append(_appendix(content))
    return (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>{_e(pack.TITLE)}: {_e(names)}</title>"
        '<meta name="author" content="Tri-borough Insight">'
        f'<meta name="description" content="{_e(footer)}">'
        f"<style>{_CSS}{_footer_css(footer)}</style></head><body>{''.join(parts)}</body></html>"
    )


def _strong(text: str) -> str:
    """Text escaped for HTML, its **bold** marks made strong."""
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", _e(text))


def _effect_section(effect: EffectSummary | str) -> str:
    head = f'<section><h1 id="effect">{pack.SECTIONS["effect"]}</h1>'
    if isinstance(effect, str):
        return head + f"<p>{_e(pack.no_effect_words(effect))}</p></section>"
    rows = pack.effect_rows(effect)
    return (
        head + f'<p class="small">{_e(pack.EFFECT_INTRO)}</p>'
        f"<h2>The answer</h2><p>{_strong(effect.headline)}</p>"
        f'<p class="small">{_e(effect.basis)}</p>'
        "<h2>The estimate and two checks on it</h2>"
        + _table(pack.EFFECT_HEADINGS, [("", rows)],
                 caption=pack.EFFECT_CAPTION)
        + "<h2>What this can and cannot tell you</h2><ul>"
        + "".join(f"<li>{_strong(limit)}</li>" for limit in effect.limits)
        + "</ul></section>"
    )


def _appendix(content: pack.PackContent) -> str:
    return (
        f'<section><h1 id="appendix">{pack.SECTIONS["appendix"]}</h1><h2>Methods</h2><ul>'
        + "".join(f"<li>{_e(m)}</li>" for m in pack.methods())
        + "</ul><h2>Sources and licences</h2>"
        + _table(pack.SOURCE_HEADINGS, [("", pack.source_rows(content))])
        + "</section>"
    )


def render_pdf(document: str) -> bytes:
    """HTML to a tagged PDF/UA-1 document (fonts embedded) with WeasyPrint."""
    from weasyprint import HTML

    return HTML(string=document).write_pdf(pdf_variant="pdf/ua-1")


def build_pack(warehouse: Path, areas: Sequence[str], first_year: int, last_year: int,
               timings: dict[str, float] | None = None) -> bytes:
    """The committee pack PDF for these boroughs and years (``timings`` as ``pack.build_content``,
    with the PDF's layout added)."""
    content, svgs = pack.build_content(warehouse, areas, first_year, last_year, timings)
    started = time.perf_counter()
    pdf = render_pdf(pack_html(content, [svg.decode("utf-8") for svg in svgs]))
    if timings is not None:
        timings["PDF"] = time.perf_counter() - started
    return pdf
