"""Printed forms are set in Noto Sans CJK SC cut down to the characters forms are written in; anything
else falls back to the full font, and so does everything when the cut cannot be made."""

import logging
import shutil
import subprocess

import pytest
from fontTools.ttLib import TTFont

from forms_toolkit import print_fonts
from forms_toolkit.checks import chinese_print_font
from forms_toolkit.pdf import render_form_pdf
from forms_toolkit.registry import registry

needs_noto = pytest.mark.skipif(
    not shutil.which("fc-list") or "Noto Sans CJK SC" not in subprocess.run(
        ["fc-list", ":lang=zh-cn", "family"], capture_output=True, text=True
    ).stdout,
    reason="fonts-noto-cjk is not installed",
)  # fmt: skip
needs_poppler = pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils is not installed")


def test_the_cut_keeps_all_of_gb2312_and_latin_but_not_rare_characters():
    kept = set()
    for first, last in print_fonts.characters():
        kept.update(range(first, last + 1))
    gb2312 = [c for c in map(chr, kept) if _in_gb2312(c)]
    assert len(gb2312) == 7445  # GB 2312's 6,763 hanzi and 682 other characters
    for character in "中国装备项目阶段签字,。:;、“”《》【】（）A-z0-9ÄÖÜ€№①":
        assert ord(character) in kept, character
    for rare in "堃喆犇":
        assert ord(rare) not in kept


def _in_gb2312(character: str) -> bool:
    try:
        return len(character.encode("gb2312")) == 2
    except UnicodeEncodeError:
        return False


@needs_noto
def test_each_weight_is_cut_to_a_face_a_fraction_of_the_size(tmp_path):
    for weight in print_fonts.WEIGHTS.values():
        source, index = print_fonts.source_face(weight)
        target = tmp_path / f"{weight}.otf"
        print_fonts.cut(source, index, target)
        font = TTFont(target, lazy=True)
        cmap = font.getBestCmap()
        assert {ord("中"), ord("A"), ord("。")} <= cmap.keys()
        assert ord("堃") not in cmap
        assert font["maxp"].numGlyphs < 20_000  # of the full font's 65,535
        assert target.stat().st_size < 5 * 1024 * 1024
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bold.otf", "regular.otf"]  # no half-written file left


@needs_noto
def test_faces_are_cut_once_and_then_found(tmp_path, settings):
    settings.PRINT_FONT_DIR = tmp_path
    faces = print_fonts.faces.__wrapped__()
    assert [weight for weight, _ in faces] == ["normal", "bold"]
    written = {p: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    assert len(written) == 2
    assert print_fonts.faces.__wrapped__() == faces
    assert {p: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == written


def test_without_the_source_font_nothing_is_cut_and_the_log_says_chinese_cannot_print(
    tmp_path, settings, monkeypatch, caplog
):
    settings.PRINT_FONT_DIR = tmp_path
    monkeypatch.setattr(print_fonts, "SOURCE_FAMILY", "No Such Font SC")
    with caplog.at_level(logging.WARNING, logger="forms_toolkit.print_fonts"):
        assert print_fonts.faces.__wrapped__() == ()
    [record] = caplog.records
    assert record.levelno == logging.ERROR
    assert "no Chinese font" in record.getMessage()
    assert "No Such Font SC is not installed" in record.getMessage()
    assert list(tmp_path.iterdir()) == []


@needs_noto
def test_without_the_subsetter_forms_print_in_the_full_font_and_the_log_says_why(
    tmp_path, settings, monkeypatch, caplog
):
    settings.PRINT_FONT_DIR = tmp_path

    def no_subsetter():
        raise print_fonts.Unavailable("none of libharfbuzz-subset.so.0 could be loaded")

    monkeypatch.setattr(print_fonts, "_harfbuzz", no_subsetter)
    with caplog.at_level(logging.WARNING, logger="forms_toolkit.print_fonts"):
        assert print_fonts.faces.__wrapped__() == ()
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert "use the full Noto Sans CJK SC: none of libharfbuzz-subset.so.0" in record.getMessage()
    assert print_fonts.missing() is None  # the full font is there to print in


def test_a_server_without_the_chinese_font_is_warned_at_start_up(monkeypatch):
    monkeypatch.setattr(print_fonts, "SOURCE_FAMILY", "No Such Font SC")
    [warning] = chinese_print_font(app_configs=None)
    assert warning.id == "forms_toolkit.W001"
    assert "No Such Font SC is not installed" in warning.msg
    assert "fonts-noto-cjk" in warning.hint


@needs_noto
def test_a_server_with_the_chinese_font_passes_the_check():
    assert chinese_print_font(app_configs=None) == []
    assert print_fonts.missing() is None


def _fonts(tmp_path, content: bytes) -> str:
    path = tmp_path / "form.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


@needs_noto
@needs_poppler
@pytest.mark.django_db
def test_a_form_prints_in_the_cut_face_and_a_rare_name_in_the_full_font(
    tmp_path, monkeypatch, rep, manager, director, customer, project
):
    from demo.forms import demo_stage_form

    visit = demo_stage_form(
        "F05", project=project, customer=customer, by=rep, status="draft", approver=manager, director=director
    )
    fonts = _fonts(tmp_path, render_form_pdf(form_type=registry.get("F05"), form=visit, user=rep))
    assert "Print-Sans-SC" in fonts
    assert "Noto-Sans-CJK-SC" not in fonts

    visit.main_content = "拜访王堃、李喆"
    content = render_form_pdf(form_type=registry.get("F05"), form=visit, user=rep)
    fonts = _fonts(tmp_path, content)
    assert "Print-Sans-SC" in fonts
    assert "Noto-Sans-CJK-SC" in fonts
    (tmp_path / "rare.pdf").write_bytes(content)
    text = subprocess.run(["pdftotext", str(tmp_path / "rare.pdf"), "-"], capture_output=True, text=True).stdout
    assert "拜访王堃、李喆" in text

    monkeypatch.setattr(print_fonts, "faces", lambda: ())
    fonts = _fonts(tmp_path, render_form_pdf(form_type=registry.get("F05"), form=visit, user=rep))
    assert "Print-Sans-SC" not in fonts
    assert "Noto-Sans-CJK-SC" in fonts


@needs_noto
def test_the_command_cuts_the_faces_and_says_where(tmp_path, settings):
    from io import StringIO

    from django.core.management import call_command

    settings.PRINT_FONT_DIR = tmp_path
    print_fonts.faces.cache_clear()
    out = StringIO()
    try:
        call_command("print_fonts", stdout=out)
    finally:
        print_fonts.faces.cache_clear()
    assert "normal: file://" in out.getvalue() and "bold: file://" in out.getvalue()
    assert len(list(tmp_path.glob("*.otf"))) == 2
