"""What the layout test checks on a shown window: every text the canvases and plots paint
(recorded by ``visualizer.ui.canvas.painted``) and every label widget, for text cut by its box,
text outside its view or the window, two texts over each other, and type too small for
the room. Each fault is a line naming the place and the words."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import QPoint, QRect, QRectF, Qt
from PySide6.QtGui import QFont, QFontInfo, QFontMetricsF, QImage, QPainter
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QGraphicsItem,
    QGraphicsView,
    QLabel,
    QWidget,
)

from visualizer.ui.canvas import painted
from visualizer.ui.panels.timeline import Timeline

#: Two texts overlap when their ink shares more than this in both directions (pixels):
#: a font's line box is taller than its glyphs.
OVERLAP_PX = 3.0


@dataclass(frozen=True)
class Rule:
    """What a layout must meet: the smallest type, and the smallest for names and key
    numbers (device pixels; 0 = no rule)."""

    least_px: float = 0.0
    names_px: float = 0.0


def _views(window: QWidget) -> list[QGraphicsView]:
    mine = [window] if isinstance(window, QGraphicsView) else []
    return [
        v
        for v in [*mine, *window.findChildren(QGraphicsView)]
        if v.isVisible() and v.width() > 1 and v.height() > 1
    ]


def painted_in(view: QGraphicsView) -> list[painted.PaintedText]:
    """Every text ``view`` paints now, in its viewport's pixels (item caches off while
    rendering, so each item paints with the view's transform)."""
    items = view.scene().items()
    modes = [item.cacheMode() for item in items]
    for item in items:
        item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
    size = view.viewport().size()
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    try:
        with painted.recording() as log:
            p = QPainter(image)
            view.render(p, QRectF(image.rect()), QRect(QPoint(0, 0), size))
            p.end()
    finally:
        for item, mode in zip(items, modes, strict=True):
            item.setCacheMode(mode)
    return list(log)


def painted_widget(widget: QWidget) -> list[painted.PaintedText]:
    """Every text a custom-painted widget (the timeline) paints now, in its pixels."""
    image = QImage(widget.size(), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    with painted.recording() as log:
        widget.render(image)
    return list(log)


def _name(view: QGraphicsView) -> str:
    return view.objectName() or type(view).__name__


def _painted(window: QWidget) -> list[tuple[str, QRectF, list[painted.PaintedText]]]:
    """(place, its room, its texts) for every canvas, plot and timeline shown."""
    out = []
    for view in _views(window):
        room = QRectF(view.viewport().rect())
        out.append((_name(view), room, painted_in(view)))
    for widget in window.findChildren(Timeline):
        if widget.isVisible():
            out.append(("Timeline", QRectF(widget.rect()), painted_widget(widget)))
    return out


def canvas_faults(window: QWidget, rule: Rule) -> list[str]:
    out: list[str] = []
    for where, room, everything in _painted(window):
        texts = [t for t in everything if not t.dropped]
        room = room.adjusted(-1, -1, 1, 1)
        out += [
            f"{where}: the {t.role} {t.text!r} left out" for t in everything if t.dropped and t.role
        ]
        for t in texts:
            if t.role and rule.names_px and t.px < rule.names_px - 0.5:
                out.append(f"{where}: the {t.role} {t.text!r} in {t.px:.1f} px type")
        for t in texts:
            if t.spills:
                out.append(f"{where}: {t.text!r} cut by its box ({_r(t.ink)} in {_r(t.box)})")
            if t.text.endswith("…"):
                out.append(f"{where}: {t.text!r} cut short")
            if not room.contains(t.ink):
                out.append(f"{where}: {t.text!r} outside the view ({_r(t.ink)})")
            if rule.least_px and t.px < rule.least_px - 0.5:
                out.append(f"{where}: {t.text!r} in {t.px:.1f} px type")
        out += [f"{where}: {a!r} over {b!r}" for a, b in _overlaps(texts)]
    return out


def _glyphs(t: painted.PaintedText) -> QRectF:
    """Where a text's glyphs are: its line's box less the room above the capitals and
    below the descenders (a tenth of the type each)."""
    return t.ink.adjusted(0, 0.1 * t.px, 0, -0.1 * t.px)


def _overlaps(texts: list[painted.PaintedText]) -> Iterable[tuple[str, str]]:
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            shared = _glyphs(a).intersected(_glyphs(b))
            if shared.width() > OVERLAP_PX and shared.height() > OVERLAP_PX:
                yield a.text, b.text


def widget_faults(window: QWidget, rule: Rule) -> list[str]:
    """Labels and buttons: text wider than the label (not wrapped), outside the window,
    or smaller than the rule."""
    out: list[str] = []
    frame = window.rect().adjusted(-1, -1, 1, 1)
    widgets = [*window.findChildren(QLabel), *window.findChildren(QAbstractButton)]
    for w in widgets:
        if not w.isVisible() or not w.text().strip():
            continue
        text = w.text()
        at = QRect(w.mapTo(window, QPoint(0, 0)), w.size())
        if not frame.contains(at) and not _scrolled(w, window):
            out.append(f"{type(w).__name__} {text!r} outside the window ({at})")
        plain = isinstance(w, QLabel) and w.textFormat() != Qt.TextFormat.RichText
        if plain and not w.wordWrap() and "<" not in text:
            wide = max(QFontMetricsF(w.font()).horizontalAdvance(x) for x in text.split("\n"))
            room = w.contentsRect().width() - 2 * w.margin()
            if wide > room + 1:
                out.append(f"label {text!r} cut ({wide:.0f} px in {room} px)")
        px = QFontInfo(w.font()).pixelSize()
        if rule.least_px and px < rule.least_px - 0.5:
            out.append(f"{type(w).__name__} {text!r} in {px} px type")
    return out


def _scrolled(w: QWidget, window: QWidget) -> bool:
    """``w`` lies in a scroll area's contents (scrolling reaches it)."""
    parent = w.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def plot_faults(window: QWidget, rule: Rule) -> list[str]:
    """The plots' titles and tick labels (pyqtgraph draws them itself): type size."""
    out: list[str] = []
    if not rule.least_px:
        return out
    for plot in window.findChildren(pg.PlotWidget):
        if not plot.isVisible():
            continue
        item = plot.getPlotItem()
        title = item.titleLabel
        if title.isVisible() and title.text:
            sized = QFont(title.item.font())  # (the title's size is in its HTML, in pt)
            sized.setPointSizeF(float(str(title.opts.get("size", "9pt")).removesuffix("pt")))
            px = QFontInfo(sized).pixelSize()
            if px < rule.least_px - 0.5:
                out.append(f"plot title {title.text!r} in {px} px type")
            if "…" in title.text:
                out.append(f"plot title {title.text!r} cut")
        for name in ("left", "bottom"):
            axis = item.getAxis(name)
            if not axis.isVisible() or not axis.style.get("showValues", True):
                continue
            px = QFontInfo(axis.style.get("tickFont") or axis.font()).pixelSize()
            if px < rule.least_px - 0.5:
                out.append(f"plot {title.text!r}: {name} axis ticks in {px} px type")
    return out


def layout_faults(window: QWidget, rule: Rule = Rule()) -> list[str]:
    return canvas_faults(window, rule) + widget_faults(window, rule) + plot_faults(window, rule)


def _r(r: QRectF | None) -> str:
    if r is None:
        return "-"
    return f"{r.x():.0f},{r.y():.0f} {r.width():.0f}×{r.height():.0f}"
