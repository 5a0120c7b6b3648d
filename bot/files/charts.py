"""PNG charts of /stats: several panels on one image, Chinese labels in Noto Sans CJK SC.

Pure functions from already-worded values to bytes (the caller translates every label), drawn
with matplotlib's object API on the Agg canvas: no pyplot, no global figure state, so charts
can be drawn in worker threads side by side. Only the font file is taken from the mplfonts
package; none of its code runs.
"""

from __future__ import annotations

import importlib.util
from io import BytesIO
from pathlib import Path
from typing import Any, Literal

import matplotlib
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from pydantic import BaseModel

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Bars beyond this many are summed into the last one, so a street of 40 branches stays legible.
MAX_BARS = 10
_PALETTE = ("#c8102e", "#e8743b", "#f2b134", "#2f7ebc", "#5aa469", "#8e6bb5", "#7f8c8d")
_COLUMNS = 3


def _font_file() -> Path:
    # find_spec locates the package without importing it: its __init__ would run its own
    # font-management code, and only the font file is wanted.
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the mplfonts package (which carries Noto Sans CJK SC) is missing")
    return Path(next(iter(spec.submodule_search_locations))) / "fonts" / "NotoSansCJKsc-Regular.otf"


FONT_FILE = _font_file()
font_manager.fontManager.addfont(str(FONT_FILE))
FONT_FAMILY = font_manager.FontProperties(fname=FONT_FILE).get_name()
_STYLE: dict[Any, Any] = {
    "font.family": "sans-serif",
    # DejaVu Sans (shipped with matplotlib) draws what the CJK font lacks, glyph by glyph.
    "font.sans-serif": [FONT_FAMILY, "DejaVu Sans"],
    "axes.unicode_minus": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


class Panel(BaseModel):
    """One small chart: bars (upright or lying) or a pie of labelled values."""

    title: str
    labels: list[str]
    values: list[float]
    kind: Literal["bar", "barh", "pie"] = "bar"
    # a line under the panel: a share, an average, a total
    note: str = ""
    # shown instead of the chart when every value is zero
    empty: str = ""
    # the label of the bar that sums those beyond MAX_BARS
    others: str = "…"


class Chart(BaseModel):
    title: str
    subtitle: str = ""
    panels: list[Panel]


def render_png(chart: Chart, *, dpi: int = 100) -> bytes:
    """Draws the panels in a grid of three columns and returns the PNG."""
    rows = max(1, -(-len(chart.panels) // _COLUMNS))
    with matplotlib.rc_context(_STYLE):
        figure = Figure(figsize=(13, 4.1 * rows + 0.9), dpi=dpi, layout="constrained")
        FigureCanvasAgg(figure)
        figure.suptitle(
            f"{chart.title}\n{chart.subtitle}" if chart.subtitle else chart.title,
            fontsize=15,
            fontweight="bold",
        )
        grid = figure.subplots(rows, _COLUMNS, squeeze=False)
        for index, axes in enumerate(grid.flat):
            if index < len(chart.panels):
                _draw(axes, chart.panels[index])
            else:
                axes.set_axis_off()
        buffer = BytesIO()
        figure.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


def _draw(axes: Axes, panel: Panel) -> None:
    axes.set_title(panel.title, fontsize=12, fontweight="bold")
    labels, values = _fold_extra(panel)
    if not values or not any(values):
        axes.set_axis_off()
        axes.text(0.5, 0.5, panel.empty, ha="center", va="center", fontsize=11, wrap=True)
    elif panel.kind == "pie":
        shown = [(label, value) for label, value in zip(labels, values, strict=True) if value]
        axes.pie(
            [value for _, value in shown],
            labels=[label for label, _ in shown],
            colors=_PALETTE[: len(shown)],
            autopct="%1.1f%%",
            startangle=90,
            counterclock=False,
            textprops={"fontsize": 10},
        )
        axes.set_aspect("equal")
    elif panel.kind == "barh":
        # The first label on top, as a list reads.
        bars = axes.barh(labels[::-1], values[::-1], color=_PALETTE[3])
        axes.bar_label(bars, labels=[_number(v) for v in values[::-1]], padding=3, fontsize=9)
        axes.tick_params(axis="y", labelsize=9)
        axes.set_xmargin(0.18)
    else:
        colors = [_PALETTE[i % len(_PALETTE)] for i in range(len(values))]
        bars = axes.bar(labels, values, color=colors)
        axes.bar_label(bars, labels=[_number(v) for v in values], padding=2, fontsize=9)
        axes.tick_params(axis="x", labelsize=9)
        axes.set_ymargin(0.15)
    if panel.note:
        axes.annotate(
            panel.note,
            xy=(0.5, 0),
            xycoords="axes fraction",
            xytext=(0, -26),
            textcoords="offset points",
            ha="center",
            va="top",
            fontsize=10,
            color="#333333",
            annotation_clip=False,
        )


def _fold_extra(panel: Panel) -> tuple[list[str], list[float]]:
    """At most MAX_BARS bars: the rest are summed into one labelled `others`."""
    labels, values = list(panel.labels), list(panel.values)
    if panel.kind == "barh" and len(values) > MAX_BARS:
        rest = sum(values[MAX_BARS - 1 :])
        labels = [*labels[: MAX_BARS - 1], panel.others]
        values = [*values[: MAX_BARS - 1], rest]
    return labels, values


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
