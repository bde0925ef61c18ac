"""The committee pack as a Word document, for committee systems that take Word: the same
sections, sentences, tables, charts and sources as the PDF (``triborough.pack.content``), in
Word's own headings, lists and tables so that a clerk can edit it and a screen reader can
navigate it.

Charts are PNG at twice their size (Word takes no SVG from python-docx), each with its alt text.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from triborough.model.boroughs import BOROUGH_BY_CODE
from triborough.pack import content as pack
from triborough.pack.effect_summary import EffectSummary

TEXT_WIDTH_MM = 176  # A4 less 17 mm margins each side, as the PDF
LANGUAGE = "en-GB"


def _runs(paragraph, text: str) -> None:  # noqa: ANN001 - python-docx paragraph
    """Text into a paragraph, its **bold** marks as bold runs."""
    for i, part in enumerate(re.split(r"\*\*(.+?)\*\*", text)):
        if part:
            paragraph.add_run(part).bold = i % 2 == 1


def _small(doc: WordDocument, text: str) -> None:
    para = doc.add_paragraph()
    para.add_run(text).font.size = Pt(8.5)


def _bullets(doc: WordDocument, sentences: Sequence[str]) -> None:
    for sentence in sentences:
        _runs(doc.add_paragraph(style="List Bullet"), sentence)


def _repeat_header(row) -> None:  # noqa: ANN001 - python-docx row
    """Mark a table's first row as its header, repeated on each page and read as such."""
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)


def _table(doc: WordDocument, headings: Sequence[tuple[str, int]],
           groups: Sequence[tuple[str, list[list[pack.Cell]]]]) -> None:
    """Rows in groups as the PDF has them: a titled group is a table of its own headed by its
    title; the first row of each table holds the column headings."""
    for title, rows in groups:
        if title:
            doc.add_paragraph(title, style="Heading 4")
        table = doc.add_table(rows=1, cols=len(headings))
        table.style = "Table Grid"
        for cell, (heading, width) in zip(table.rows[0].cells, headings, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(heading).bold = True
            cell.width = Mm(TEXT_WIDTH_MM * width / 100)
        _repeat_header(table.rows[0])
        for row in rows:
            cells = table.add_row().cells
            for j, (cell, value) in enumerate(zip(cells, row, strict=True)):
                text = value[0] if isinstance(value, tuple) else value
                run = cell.paragraphs[0].add_run(str(text))
                run.bold = j == 0
                run.font.size = Pt(8.5)
        doc.add_paragraph()


def _figure(doc: WordDocument, png: bytes, alt: str, source: str) -> None:
    run = doc.add_paragraph().add_run()
    shape = run.add_picture(io.BytesIO(png), width=Mm(TEXT_WIDTH_MM))
    # Word reads a picture's alt text from docPr's descr; python-docx has no setter for it.
    shape._inline.docPr.set("descr", alt)
    _small(doc, source)


def _set_up(doc: WordDocument, content: pack.PackContent) -> None:
    """A4 with the PDF's margins, British English, the footer line with the page number, and
    the document's properties."""
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(17)
    section.top_margin, section.bottom_margin = Mm(18), Mm(22)
    run_defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")) \
        .find(qn("w:rPr"))
    lang = run_defaults.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        run_defaults.append(lang)
    lang.set(qn("w:val"), LANGUAGE)
    doc.styles["Normal"].font.name = "Liberation Sans"
    doc.styles["Normal"].font.size = Pt(10)
    footer = section.footer.paragraphs[0]
    footer.text = f"{pack.footer_text(content)} · page "
    page = OxmlElement("w:fldSimple")
    page.set(qn("w:instr"), "PAGE")
    footer._p.append(page)
    footer.alignment = WD_ALIGN_PARAGRAPH.LEFT
    props = doc.core_properties
    props.title = f"{pack.TITLE}: {pack.borough_names(content)}"
    props.author = "Tri-borough Insight"
    props.language = LANGUAGE
    props.subject = pack.footer_text(content)


def _effect(doc: WordDocument, effect: EffectSummary | str) -> None:
    doc.add_heading(pack.SECTIONS["effect"], level=1)
    if isinstance(effect, str):
        doc.add_paragraph(pack.no_effect_words(effect))
        return
    _small(doc, pack.EFFECT_INTRO)
    doc.add_heading("The answer", level=2)
    _runs(doc.add_paragraph(), effect.headline)
    _small(doc, effect.basis)
    doc.add_heading("The estimate and two checks on it", level=2)
    _small(doc, pack.EFFECT_CAPTION)
    _table(doc, pack.EFFECT_HEADINGS, [("", pack.effect_rows(effect))])
    doc.add_heading("What this can and cannot tell you", level=2)
    _bullets(doc, effect.limits)


def pack_docx(content: pack.PackContent, pngs: Sequence[bytes]) -> bytes:
    """The pack as a Word document."""
    doc = Document()
    _set_up(doc, content)
    doc.add_heading(pack.TITLE, level=0)
    doc.add_paragraph(f"Published service figures for {pack.borough_names(content)} in words, "
                      "tables and charts, against the London median and England.")
    for label, value in pack.cover_lines(content):
        para = doc.add_paragraph()
        para.add_run(f"{label}: ").bold = True
        para.add_run(value)
    if notice := pack.illustrative_notice(content):
        _runs(doc.add_paragraph(), f"**Contains illustrative figures.** {notice}")

    doc.add_heading("Contents", level=1)
    for title in pack.sections_present(content).values():
        doc.add_paragraph(title, style="List Number")

    doc.add_heading(pack.SECTIONS["summary"], level=1)
    _small(doc, pack.SUMMARY_NOTE)
    for title, sentences in content.summary:
        doc.add_heading(title, level=3)
        _bullets(doc, sentences)

    doc.add_heading(pack.SECTIONS["headlines"], level=1)
    _small(doc, pack.headline_caption(content))
    _table(doc, pack.HEADLINE_HEADINGS, pack.headline_groups(content))

    doc.add_heading(pack.SECTIONS["scorecard"], level=1)
    _small(doc, pack.SCORECARD_NOTE)
    for theme, sentences, rows in content.scorecard:
        doc.add_heading(theme, level=2)
        if rows.is_empty():
            doc.add_paragraph(pack.NO_FIGURES)
            continue
        doc.add_heading("In brief", level=3)
        _bullets(doc, sentences)
        _table(doc, pack.SCORECARD_HEADINGS, pack.scorecard_groups(rows))

    doc.add_heading(pack.SECTIONS["charts"], level=1)
    key = "; ".join(f"{BOROUGH_BY_CODE[a].name}: {pack.LINE_SHAPES[a]}" for a in content.areas)
    _small(doc, f"Lines: {key}; {pack.CHART_NOTE}")
    for (_fig, alt, source), png in zip(content.charts, pngs, strict=True):
        _figure(doc, png, alt, source)

    if content.effect is not None:
        _effect(doc, content.effect)

    doc.add_heading(pack.SECTIONS["appendix"], level=1)
    doc.add_heading("Methods", level=2)
    _bullets(doc, pack.methods())
    doc.add_heading("Sources and licences", level=2)
    _table(doc, pack.SOURCE_HEADINGS, [("", pack.source_rows(content))])

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def build_docx(warehouse: Path, areas: Sequence[str], first_year: int, last_year: int) -> bytes:
    """The committee pack as a Word document for these boroughs and years."""
    content, pngs = pack.build_content(warehouse, areas, first_year, last_year, image_format="png")
    return pack_docx(content, pngs)
