"""Charts draw Chinese text in Noto Sans CJK, never as missing-glyph boxes ("tofu").

The rendered PNGs are written to ``out/test-report/charts/`` (PREVIEW_DIR) so that a person can look at them.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import pytest

from scoring.analysis.report_data import analyse
from scoring.evaluate import Evaluation
from scoring.problems import Severity
from scoring.report import charts, fonts
from scoring.report.errors import ReportError
from tests.report.conftest import PREVIEW_DIR

CHARTS_DIR = PREVIEW_DIR / "charts"


def draw_text(text: str) -> tuple[np.ndarray, list[str]]:
    """``text`` drawn in matplotlib's current font settings, as pixels, with the warnings matplotlib gave."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(1.2, 0.6), dpi=100)
    figure.text(0.5, 0.5, text, fontsize=24, ha="center", va="center")
    buffer = io.BytesIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure.savefig(buffer, format="png")
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("L")), [
        str(w.message) for w in caught
    ]


def test_the_font_is_noto_sans_cjk() -> None:
    font = fonts.cjk_font()
    assert font.family.startswith("Noto Sans CJK")
    assert font.path.exists() and "NotoSansCJK" in font.path.name
    with charts.chart_style():
        from matplotlib import font_manager

        resolved = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]))
    assert Path(resolved) == font.path


def test_chinese_glyphs_are_drawn_not_boxes() -> None:
    # A font without the glyphs draws the same box for every character, so 数 and 字 come out identical:
    # that is what the fallback font does here, with a warning for each missing glyph.
    import matplotlib

    with matplotlib.rc_context({"font.family": "DejaVu Sans"}):
        tofu_a, tofu_warnings = draw_text("数")
        tofu_b, _ = draw_text("字")
    assert any("missing from font" in w for w in tofu_warnings)
    assert np.array_equal(tofu_a, tofu_b)
    # In the report's style the two characters are different shapes and nothing is missing.
    with charts.chart_style():
        a, warned_a = draw_text("数")
        b, warned_b = draw_text("字")
    assert not warned_a and not warned_b
    assert not np.array_equal(a, b)
    assert (a < 128).sum() > 0.5 * (tofu_a < 128).sum()  # real strokes, not an empty image


def test_report_charts_render_without_missing_glyphs(jinan: Evaluation) -> None:
    data = analyse(jinan)
    keys = ["trend", "ranking:1", "heatmap:1", "attainment", "change:1", "radar:370102", "radar:370126"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rendered = charts.render_charts(data, keys)
    assert not [w for w in caught if "missing from font" in str(w.message)]
    CHARTS_DIR.mkdir(parents=True, exist_ok=True)
    for key, png in rendered.items():
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        (CHARTS_DIR / f"{key.replace(':', '_')}.png").write_bytes(png)
    # radars share one figure but each unit gets its own picture
    assert rendered["radar:370102"] != rendered["radar:370126"]


def test_a_missing_font_stops_the_report_with_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "CJK_FAMILIES", ("No Such CJK Font",))
    monkeypatch.setattr(fonts, "_fontconfig_files", lambda: [])
    fonts.cjk_font.cache_clear()
    try:
        with pytest.raises(ReportError) as raised:
            fonts.cjk_font()
    finally:
        fonts.cjk_font.cache_clear()
    (problem,) = raised.value.problems
    assert problem.code == "report.font_missing" and problem.severity is Severity.ERROR
    assert "fonts-noto-cjk" in problem.message_zh and "install-system-deps.sh" in problem.message_en


def test_large_rounds_split_per_unit_charts_into_page_sized_parts() -> None:
    assert charts.parts(14) == 1
    assert charts.parts(45) == 1
    assert charts.parts(150) == 4


def test_value_axes_start_at_zero_and_every_unit_is_labelled(
    jinan: Evaluation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 17: a value axis starts at 0 and a chart of units names every unit (no label skipped)."""
    data = analyse(jinan)
    drawn: dict[str, object] = {}
    key = ""

    def keep(figure: object) -> bytes:
        drawn[key] = figure
        return b""

    monkeypatch.setattr(charts, "_png", keep)
    with charts.chart_style():
        for key in ("trend", "ranking", "heatmap", "attainment", "coordination", "density"):
            charts.CHARTS[key](data, 1)
    names = set(data.ranking["unit_name"])
    for key, figure in drawn.items():
        ax = figure.axes[0]  # type: ignore[attr-defined]
        if key in {"trend", "density"}:
            assert ax.get_ylim()[0] == 0, key
        if key in {"ranking", "attainment", "coordination"}:
            assert ax.get_xlim()[0] == 0, key
        if key in {"ranking", "heatmap", "coordination"}:
            labels = {t.get_text() for t in ax.get_yticklabels()}
            assert all(any(name in label for label in labels) for name in names), key
    targets = {t.get_text() for t in drawn["attainment"].axes[0].get_yticklabels()}  # type: ignore[attr-defined]
    assert targets == {t.name for t in data.targets}
