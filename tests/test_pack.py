"""The committee pack as a councillor gets it from ``triborough pack``: the boroughs, the
published figures and every section in the text, a sensible length, embedded fonts, a structure
tree with alt text on every chart, British English; bad filters refused with nothing written."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from triborough.cli import main
from triborough.pack.content import SECTIONS, PackError, gather, parse_boroughs, parse_years
from triborough.pack.pdf_document import pack_html
from triborough.settings import get_settings

WCC, HF, RBKC = "E09000033", "E09000013", "E09000020"
NAMES = {WCC: "Westminster", HF: "Hammersmith and Fulham", RBKC: "Kensington and Chelsea"}
# ONS mid-2024 (MYE2 'All ages'), as on the Overview.
POPULATION = {WCC: "209,996", HF: "188,687", RBKC: "144,518"}


def _unavailable(reason: str) -> None:
    if os.environ.get("TRIBOROUGH_REQUIRE_BROWSER", "") == "1":
        pytest.fail(f"{reason} (TRIBOROUGH_REQUIRE_BROWSER=1, so this is a failure)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def tools() -> None:
    """Chromium draws the charts (kaleido); poppler's tools read the PDF."""
    if not (Path("/usr/bin/chromium").exists() or shutil.which("chromium")):
        _unavailable("Chromium not found: install Debian's chromium to build the pack")
    for tool in ("pdftotext", "pdffonts", "pdfinfo"):
        if not shutil.which(tool):
            _unavailable(f"{tool} not found: install Debian's poppler-utils")


def _pack(warehouse: Path, out: Path, *args: str) -> Path:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRIBOROUGH_WAREHOUSE_PATH", str(warehouse))
        get_settings.cache_clear()
        assert main(["pack", *args, "--out", str(out)]) == 0
    get_settings.cache_clear()
    return out


@pytest.fixture(scope="module")
def default_pack(tools, built_warehouse, tmp_path_factory) -> Path:
    return _pack(built_warehouse, tmp_path_factory.mktemp("pack") / "all.pdf")


@pytest.fixture(scope="module")
def one_borough_pack(tools, built_warehouse, tmp_path_factory) -> Path:
    return _pack(built_warehouse, tmp_path_factory.mktemp("pack") / "rbkc.pdf",
                 "--boroughs", "RBKC", "--years", "2015-2025")


def _text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    return " ".join(out.split())  # lines joined: a sentence may wrap


def _fonts(pdf: Path) -> list[list[str]]:
    lines = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    return [line.split() for line in lines if line.strip()]


def _figures(node: object) -> Iterator[DictionaryObject]:
    """Every /Figure element in a structure tree."""
    node = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(node, DictionaryObject):
        if node.get("/S") == "/Figure":
            yield node
        kids = node.get("/K")
        if kids is not None:
            yield from _figures(kids)
    elif isinstance(node, list):
        for kid in node:
            yield from _figures(kid)


def test_default_pack_names_all_three_boroughs_and_their_populations(default_pack):
    text = _text(default_pack)
    for code in (WCC, HF, RBKC):
        assert NAMES[code] in text
        assert POPULATION[code] in text
    for title in ("Contents", *SECTIONS.values()):
        assert title in text
    # The narrative's sentences, and the red/amber/green in words.
    assert ("Children looked after per 10,000 children in Westminster stood at 62 in 2024-25"
            in text)
    assert "off target" in text and "on target" in text
    # Targets are generated: the cover says the pack holds illustrative figures.
    assert "Contains illustrative figures" in text


def test_default_pack_is_a4_of_sensible_length_small_and_fonts_embedded(default_pack):
    info = subprocess.run(["pdfinfo", str(default_pack)], capture_output=True, text=True,
                          check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines()
                     if line.startswith("Pages:")))
    assert 12 <= pages <= 30
    assert "(A4)" in info
    assert default_pack.stat().st_size < 5_000_000
    fonts = _fonts(default_pack)
    assert fonts
    # pdffonts: name, type..., then emb sub uni; every font embedded.
    assert all(row[-5] == "yes" for row in fonts), fonts


def test_pack_is_tagged_with_language_and_alt_text_on_every_chart(default_pack):
    reader = PdfReader(default_pack)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert root["/MarkInfo"]["/Marked"]
    figures = list(_figures(root["/StructTreeRoot"]))
    assert len(figures) >= 6  # six to eight key charts
    for figure in figures:
        assert str(figure.get("/Alt", "")).strip(), figure


EFFECT_HEADLINE = (
    "After sharing began in 2011-12, social care spend per resident in the three boroughs was "
    "on average £96 (2024-25 prices) a year lower than comparable London boroughs would "
    "suggest, over the 14 published years from 2011-12 (95% interval −£171 to −£22). A gap "
    "this large appeared in under 1% of the comparisons made with councils that did not "
    "share. Chance alone rarely gives a gap this large."
)


def _pages(pdf: Path) -> list[str]:
    """Each page's text, whitespace joined."""
    return [" ".join(page.split()) for page in subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
        check=True).stdout.split("\f")]


def test_effect_estimate_is_quoted_once_with_its_interval_and_checks(default_pack):
    pages = _pages(default_pack)
    quoting = [i for i, page in enumerate(pages) if EFFECT_HEADLINE in page]
    # The one place a cause is claimed: one page, in the effect section, never in the summary.
    assert len(quoting) == 1
    page = pages[quoting[0]]
    assert "Did sharing work? The effect estimate" in page
    for figures in (
        "Difference-in-differences", "−£96 a year −£171 to −£22 0.009",  # the headline
        "−£23 a year −£90 to £43 0.456",  # synthetic comparison
        "−£62 a year −£252 to £65 0.538",  # DfE statistical neighbours
    ):
        assert figures in page, figures
    assert "The estimate and two checks on it" in page
    assert "What this can and cannot tell you" in page
    assert "Austerity: every council's budget was cut from 2010" in " ".join(pages)
    assert sum("comparable London boroughs would suggest" in p for p in pages) == 1


def test_one_borough_pack_keeps_to_that_borough_and_years(one_borough_pack):
    text = _text(one_borough_pack)
    assert NAMES[RBKC] in text and POPULATION[RBKC] in text
    assert NAMES[WCC] not in text and POPULATION[WCC] not in text
    assert NAMES[HF] not in text and POPULATION[HF] not in text
    assert "2015 to 2025" in text
    for title in ("Contents", *SECTIONS.values()):
        assert title in text
    pages = len(PdfReader(one_borough_pack).pages)
    assert 8 <= pages <= 20
    # The estimate is the arrangement's, for the three together, whichever borough is chosen.
    assert EFFECT_HEADLINE in text
    assert "is for the three boroughs together" in text


def test_a_warehouse_that_cannot_support_an_estimate_says_so_in_the_pack(built_warehouse):
    reason = ("the published figures cannot support an estimate of the effect of sharing: the "
              "estimate needs at least two periods before 2011-12; the panel has 0")
    content = replace(gather(built_warehouse, [RBKC], 2015, 2025), charts=[], effect=reason)
    document = pack_html(content, [])
    assert f"<p>No estimate is given: {reason}.</p>" in document
    assert '<a href="#effect">Did sharing work? The effect estimate</a>' in document
    assert "a year lower than" not in document and "95% interval" not in document


@pytest.mark.parametrize(("args", "message"), [
    (["--boroughs", "E09000033,XYZ"], "unknown borough 'XYZ' in --boroughs"),
    (["--years", "2024-2015"], "must run forwards within 2007-2025"),
    (["--years", "2006-2015"], "must run forwards within 2007-2025"),
    (["--years", "twenty"], "is not FROM-TO"),
])
def test_bad_filters_are_refused_and_nothing_is_written(args, message, built_warehouse,
                                                         tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TRIBOROUGH_WAREHOUSE_PATH", str(built_warehouse))
    get_settings.cache_clear()
    out = tmp_path / "pack.pdf"
    assert main(["pack", *args, "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_out_must_be_a_pdf_or_word_file_in_a_folder_that_exists(tmp_path, capsys):
    assert main(["pack", "--out", str(tmp_path / "pack.txt")]) == 2
    assert "must name a .pdf or .docx (Word) file" in capsys.readouterr().err
    assert main(["pack", "--out", str(tmp_path / "missing" / "pack.pdf")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_filters_parse_codes_and_short_names_in_the_fixed_order():
    assert parse_boroughs(None) == [WCC, HF, RBKC]
    assert parse_boroughs("rbkc, E09000033") == [WCC, RBKC]
    assert parse_boroughs("h&f") == [HF]
    assert parse_years("2015-2024") == (2015, 2024)
    assert parse_years(None) == (2007, 2025)  # the sidebar's default years
    with pytest.raises(PackError, match="unknown borough ''"):
        parse_boroughs("WCC,,RBKC")


@pytest.fixture(scope="module")
def word_pack(tools, built_warehouse, tmp_path_factory) -> Path:
    return _pack(built_warehouse, tmp_path_factory.mktemp("pack") / "all.docx")


def test_word_pack_has_the_sections_tables_charts_and_estimate(word_pack):
    from docx import Document
    from docx.oxml.ns import qn

    doc = Document(str(word_pack))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["Contents", *SECTIONS.values()]
    cells = {c.text for t in doc.tables for row in t.rows for c in row.cells}
    for code in (WCC, HF, RBKC):
        assert NAMES[code] in cells and POPULATION[code] in cells
    # Every table's first row is its header, repeated on each page.
    assert all(t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None for t in doc.tables)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert EFFECT_HEADLINE in text and text.count("would suggest") == 1
    assert ("Children looked after per 10,000 children in Westminster stood at 62 in 2024-25"
            in text)
    assert "Contains illustrative figures." in text
    estimates = [[c.text for c in row.cells] for t in doc.tables for row in t.rows
                 if row.cells[0].text == "Difference-in-differences"]
    assert estimates[0][2:5] == ["−£96 a year", "−£171 to −£22", "0.009"]
    # The charts as pictures, each with its alt text, and its source line after it.
    pictures = doc.inline_shapes
    assert len(pictures) == 8
    assert all(p._inline.docPr.get("descr", "").startswith(("Line chart", "Timeline"))
               for p in pictures), [p._inline.docPr.get("descr") for p in pictures]
    assert "Source: Ofsted, children's services inspection outcomes" in text
    assert doc.core_properties.language == "en-GB"
    assert doc.sections[0].footer.paragraphs[0].text.startswith(
        "Tri-borough Insight: committee pack · generated ")
