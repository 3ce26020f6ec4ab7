"""Print a form on A4 in the paper's layout with WeasyPrint, Chinese in an embedded, subset Noto Sans CJK SC
(cut down first to the characters forms are written in: ``print_fonts``)."""

import functools
import gc
import re
import unicodedata
from collections.abc import Sequence

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from forms_toolkit import print_fonts
from forms_toolkit.selectors import Table, form_display

# A4 less the page margins, in ems of the 10pt body text; a cell's padding and borders, about 1.5 em.
PORTRAIT_WIDTH_EM = 182 / 3.53
LANDSCAPE_WIDTH_EM = 269 / 3.53
CELL_PADDING_EM = 1.5
# Text in a cell wraps, but not narrower than this.
MIN_TEXT_EM = 3


@functools.cache
def _weasyprint_shared():
    """One font configuration and render cache per process: each PDF after the first reuses the
    loaded CJK fonts (the p95 of a 1-page form fell from 266 ms to 152 ms at its slowest)."""
    from weasyprint.text.fonts import FontConfiguration

    return {"font_config": FontConfiguration(), "cache": {}}


@functools.cache
def _url_fetcher():
    """A form prints from what is on disk, never the network. One fetcher per process: WeasyPrint's
    default, built for every PDF, loaded the system's certificates each time (30 ms, more under load)."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=("file", "data"))


def warm_up() -> None:
    """Print one blank paper: WeasyPrint, the print faces and the template are then loaded for the
    process's first real PDF."""
    import logging

    from django.contrib.auth.models import AnonymousUser

    try:
        render_paper_pdf(paper={"title": "预热", "number": ""}, user=AnonymousUser())
    except Exception:  # a failed warm-up costs the first PDF its time, nothing else
        logging.getLogger(__name__).warning("PDF warm-up failed", exc_info=True)


def render_form_pdf(*, form_type, form, user) -> bytes:
    """A stage form on paper: its own print template where it has one, else the shared one."""
    shown = form_display(form_type=form_type, form=form, user=user, printed=True)
    header = shown["header"]
    paper = {
        "title": form_type.title,
        "number": form.number,
        "meta": header[:3],  # 编号, who filled it, its date: the line under the title
        "header": header[3:],
        "sections": shown["sections"],
        "tables": shown["tables"],
        "results": shown["results"],
        "audit": shown["audit"],
        "with_advice": True,
        "advice": form.manager_advice,
        "signatures": shown["signatures"],
        "form_type": form_type,
        "form": form,
    }
    return render_paper_pdf(paper=paper, user=user, templates=[f"pdf/{form_type.model._meta.model_name}.html"])


def render_paper_pdf(*, paper: dict, user, templates: Sequence[str] = ()) -> bytes:
    """Print ``paper`` (title, number, meta, header, sections, tables, results, audit, advice, signatures)
    on A4 through ``templates`` or the shared ``pdf/paper.html``."""
    from weasyprint import HTML

    context = {
        **paper,
        "company": settings.COMPANY_NAME,
        "printed_at": timezone.localtime(),
        "printed_by": user,
        "print_faces": print_fonts.faces(),
        "print_family": print_fonts.FAMILY,
        "print_font_families": print_fonts.font_families(),
    }
    tables = context.get("tables") or []
    # A table whose columns, each at its least, fill most of a portrait page (the call log's twelve)
    # would leave its text a few characters a line: the paper turns sideways.
    context["landscape"] = any(sum(_plan(table)[1]) > 0.75 * PORTRAIT_WIDTH_EM for table in tables)
    room = LANDSCAPE_WIDTH_EM if context["landscape"] else PORTRAIT_WIDTH_EM
    context["tables"] = [(table, column_widths(table, room=room)) for table in tables]
    html = render_to_string([*templates, "pdf/paper.html"], context)
    # WeasyPrint makes hundreds of thousands of short-lived objects for one PDF, and the cycle
    # collector walking them again and again took about a tenth of a 1-page form's time (median
    # 428 -> 386 ms). It is paused for the render; whichever render paused it resumes it.
    paused_here = gc.isenabled()
    gc.disable()
    try:
        return HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=_url_fetcher()).write_pdf(
            **_weasyprint_shared()
        )
    finally:
        if paused_here:
            gc.enable()


def _text_width(text: str) -> float:
    """Roughly how many ems a line of ``text`` takes: Chinese characters one each, the rest about half."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.55 for c in text)


def _longest_word(text: str) -> float:
    """The widest run a line cannot break inside: a number, a code, a Latin word."""
    return max((_text_width(word) for word in _UNBROKEN.findall(text)), default=0.0)


_UNBROKEN = re.compile(r"[^\s\u2e80-\uffef]+")


def _plan(table: Table) -> tuple[list[float], list[float]]:
    """Each column's width in ems: wanted (its longest line unbroken) and least (its heading on
    two lines, its text on lines of a few characters, its longest number or word whole)."""
    wanted, least = [], []
    for i, header in enumerate(table.headers):
        cells = [str(row[i]) for row in table.rows]
        heading = _text_width(header)
        content = max((_text_width(line) for cell in cells for line in cell.splitlines()), default=0.0)
        word = max((_longest_word(cell) for cell in cells), default=0.0)
        wanted.append(max(heading, content) + CELL_PADDING_EM)
        least.append(max(heading / 2, min(content, MIN_TEXT_EM), word) + CELL_PADDING_EM)
    return wanted, least


def column_widths(table: Table, *, room: float = PORTRAIT_WIDTH_EM) -> list[float]:
    """Each column's share of the table (percent) for a fixed table layout ``room`` ems wide.

    WeasyPrint's automatic layout measures every cell at every possible line break before it
    places anything: most of a 64-row call log's print time. Planning the widths from the text
    here is instant. Each column gets room in proportion to its longest line, but not less than
    its least: the automatic layout left long texts narrow and broke short Chinese headings one
    character a line.
    """
    if not table.headers:
        return []
    wanted, least = _plan(table)
    if sum(wanted) <= room or sum(least) >= room:
        return _shares(wanted if sum(wanted) <= room else least)
    # One scale for every column, those it would squeeze below their least held there instead.
    held: set[int] = set()
    while True:
        free = [i for i in range(len(wanted)) if i not in held]
        scale = (room - sum(least[i] for i in held)) / sum(wanted[i] for i in free)
        squeezed = {i for i in free if wanted[i] * scale < least[i]}
        if not squeezed:
            break
        held |= squeezed
    return _shares([least[i] if i in held else wanted[i] * scale for i in range(len(wanted))])


def _shares(widths: list[float]) -> list[float]:
    total = sum(widths)
    return [round(100 * width / total, 2) for width in widths]
