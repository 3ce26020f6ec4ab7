"""The benchmark fails PDF figures it cannot stand behind: no Chinese font, pages not counted, over target."""

from bench.management.commands.bench import Command
from forms_toolkit import print_fonts

GOOD = {
    "1_page": {"p95_ms": 120.0, "kib": 99},
    "long": {"pages": 10, "median_ms": 800.0},
}


def _problems(pdf, monkeypatch, missing=None):
    monkeypatch.setattr(print_fonts, "missing", lambda: missing)
    return Command()._pdf_problems(pdf)


def test_figures_within_target_on_a_machine_with_the_font_pass(monkeypatch):
    assert _problems(GOOD, monkeypatch) == []


def test_without_the_chinese_font_the_figures_fail_whatever_they_are(monkeypatch):
    [problem] = _problems(GOOD, monkeypatch, missing="Noto Sans CJK SC is not installed")
    assert "no Chinese font" in problem and "fonts-noto-cjk" in problem


def test_uncounted_or_too_few_pages_and_slow_renders_fail(monkeypatch):
    uncounted = {**GOOD, "long": {"pages": None, "median_ms": 240.0}}
    assert "poppler-utils" in _problems(uncounted, monkeypatch)[0]
    short = {**GOOD, "long": {"pages": 9, "median_ms": 800.0}}
    assert "9 pages" in _problems(short, monkeypatch)[0]
    slow = {"1_page": {"p95_ms": 301.0, "kib": 99}, "long": {"pages": 10, "median_ms": 1201.0}}
    assert len(_problems(slow, monkeypatch)) == 2
