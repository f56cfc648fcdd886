"""The window's export and recording actions: ask where, render, save, report.

Every file is written atomically (``export.save``); a failure shows one dialog saying
what failed and leaves nothing half-written. ``write_bundle`` is the fixed set of files
the Export dialog and ``visualizer export`` both produce.

Pictures are made for publishing: the plots are laid out at least 1,600 px wide for
their files, whatever the window's size; a picture can carry a stamp (scenario, seed,
simulated time) in a band under it; recorded frames carry the clock and the headline
counters, so a clip tells its story without the window around it.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from visualizer.app.compare import document
from visualizer.sim import table
from visualizer.sim.schema import server_slots
from visualizer.ui.canvas.view import CanvasView
from visualizer.ui.colors import FAILURE
from visualizer.ui.export import render as export
from visualizer.ui.export.recording import EncodeJob, Recording
from visualizer.ui.export.render import Caption, ExportError

if TYPE_CHECKING:
    from visualizer.ui.window.host import ExportSurface
    from visualizer.ui.window.settings import AppSettings

#: Plot pictures at 1× are at least this many pixels wide, whatever the window's size.
PLOT_PICTURE_WIDTH = 1600
#: The plot panel is laid out at least this tall for plots.png (logical pixels).
PLOT_PANEL_HEIGHT = 340
#: One plot's file: laid out at this logical size, drawn at 2× (1,600 × 1,000 px at 1×).
PLOT_FILE_SIZE = QSize(800, 500)
PLOT_FILE_SCALE = 2
#: Text height of the stamp, in logical pixels (times the picture's scale).
STAMP_PX = 12.0
#: The kinds of picture stamped unless told otherwise (the canvas and window are not).
STAMPED_BY_DEFAULT = ("plots_png", "plot_files")


@dataclass(frozen=True)
class Artifact:
    """One kind of file the Export dialog offers (``name`` is the file name in a folder)."""

    key: str
    label: str
    name: str


BUNDLE = (
    Artifact("window_png", "Whole window (PNG)", "window.png"),
    Artifact("canvas_png", "Canvas (PNG)", "canvas.png"),
    Artifact("canvas_svg", "Canvas (SVG, text stays text)", "canvas.svg"),
    Artifact("plots_png", "All plots in one picture (PNG)", "plots.png"),
    Artifact("plot_files", "Each plot (PNG and SVG)", "plot-*.png/svg"),
    Artifact("metrics_csv", "Per-second metrics (CSV)", "metrics.csv"),
    Artifact("summary_json", "Summary (JSON, as visualizer run --json)", "summary.json"),
)


def render_artifact(
    window: ExportSurface, key: str, scale: int = 1, stamp: bool | None = None
) -> list[tuple[str, bytes | str]]:
    """One kind of export as (file name, contents) pairs, rendered in memory."""
    return render_artifacts(window, (key,), scale, stamp)


def render_artifacts(
    window: ExportSurface, keys: tuple[str, ...], scale: int = 1, stamp: bool | None = None
) -> list[tuple[str, bytes | str]]:
    """Several kinds of export, from one fresh frame of the window.

    ``stamp``: True stamps every picture with scenario, seed and time, False none, None
    the plots only (``STAMPED_BY_DEFAULT``)."""
    fresh_frame(window)
    window.refresh_plots()
    view = window.compare_view()
    views = view.findChildren(CanvasView) if view is not None else [window.canvas]
    with ExitStack() as stack:
        for canvas in views:
            stack.enter_context(canvas.topology.for_export())
        return [item for key in keys for item in _render(window, key, scale, stamp)]


def fresh_frame(window: ExportSurface) -> None:
    """Have the window draw the current moment again, whole, before it is pictured: a
    paused window last redrew its status line when it was paused (with the frame rate of
    that moment), and its canvas when something last changed."""
    window.driver.redraw()


def stamps(key: str, stamp: bool | None) -> bool:
    """Whether a picture of kind ``key`` carries the stamp."""
    return key in STAMPED_BY_DEFAULT if stamp is None else stamp


def stamp_caption(window: ExportSurface, size: float, background: str | QColor) -> Caption:
    """The stamp, "sticky-crash · seed 1 · t = 61.3 s": small, at the band's right end."""
    snap = window.driver.run.snapshot()
    scenario = snap.config.scenario
    text = f"{scenario.name} · seed {scenario.seed} · t = {snap.t:,.1f} s"
    return Caption(
        right=((text, window.theme.muted, False),), background=_name(background), size=size
    )


def clock_caption(window: ExportSurface, width: int) -> Caption:
    """The band under a recorded frame ``width`` pixels wide: the simulated clock and the
    scenario at the left, sessions lost and failed requests at the right (in the failure
    red once there are any), read from the run at the moment of the frame."""
    snap = window.driver.run.snapshot()
    theme = window.theme

    def count(n: int) -> tuple[str, str, bool]:
        return (f"{n:,}", FAILURE if n else theme.text, True)

    return Caption(
        left=(
            (f"t = {snap.t:,.1f} s", theme.text, True),
            (f"   {snap.config.scenario.name}", theme.muted, False),
        ),
        right=(
            count(snap.lost),
            (" sessions lost    ", theme.muted, False),
            count(snap.failed),
            (" failed requests", theme.muted, False),
        ),
        background=theme.canvas,
        size=min(32.0, max(14.0, width / 70)),
    )


def _name(color: str | QColor) -> str:
    return color if isinstance(color, str) else color.name()


def plot_names(window: ExportSurface) -> tuple[str, ...]:
    """The plots' names in files (``plot-NAME.png``), in the panel's order."""
    assert window.plots is not None
    return tuple(window.plots.NAMES)


def plots_picture(window: ExportSurface, scale: int = 1, stamp: bool = True) -> QImage:
    """All plots in one picture, laid out at least ``PLOT_PICTURE_WIDTH`` wide."""
    panel = window.plots
    assert panel is not None
    size = QSize(max(panel.width(), PLOT_PICTURE_WIDTH), max(panel.height(), PLOT_PANEL_HEIGHT))
    image = export.render_widget(panel, scale, size)
    if not stamp:
        return image
    background = panel.palette().window().color()
    return export.with_caption(image, stamp_caption(window, STAMP_PX * scale, background))


def plot_picture(window: ExportSurface, index: int, scale: int = 1, stamp: bool = True) -> QImage:
    """One plot as a PNG's picture: ``PLOT_FILE_SIZE`` drawn at 2× ``scale``."""
    assert window.plots is not None
    plot = window.plots.plots[index]
    pixels = PLOT_FILE_SCALE * scale
    image = export.render_widget(plot, pixels, PLOT_FILE_SIZE)
    if not stamp:
        return image
    caption = stamp_caption(window, STAMP_PX * pixels, window.theme.plot_bg)
    return export.with_caption(image, caption)


def plot_svg(window: ExportSurface, index: int, stamp: bool = True) -> bytes:
    assert window.plots is not None
    plot = window.plots.plots[index]
    caption = stamp_caption(window, STAMP_PX, window.theme.plot_bg) if stamp else None
    title = f"{plot_names(window)[index]} — Request Routing Visualizer"
    return export.widget_svg(plot, title, PLOT_FILE_SIZE, caption)


def _render(
    window: ExportSurface, key: str, scale: int, stamp: bool | None
) -> list[tuple[str, bytes | str]]:
    run = window.driver.run
    stamped = stamps(key, stamp)
    canvas_bg = window.scene.backgroundBrush().color()
    if key == "window_png":
        image = window.window_image()
        if stamped:
            image = export.with_caption(image, stamp_caption(window, STAMP_PX, canvas_bg))
        return [("window.png", export.image_png(image))]
    view = window.compare_view()  # comparing: the scoreboard and both canvases
    if key == "canvas_png" and view is not None:
        with export.vector_views(view):
            image = export.render_widget(view, scale)
        if stamped:
            image = export.with_caption(image, stamp_caption(window, STAMP_PX * scale, canvas_bg))
        return [("canvas.png", export.image_png(image))]
    if key == "canvas_svg" and view is not None:
        caption = stamp_caption(window, STAMP_PX, canvas_bg) if stamped else None
        with export.vector_views(view):
            return [("canvas.svg", export.widget_svg(view, window.windowTitle(), None, caption))]
    if key == "canvas_png":
        image = export.render_scene(window.scene, scale)
        if stamped:
            caption = stamp_caption(window, STAMP_PX * scale, canvas_bg)
            image = export.with_caption(image, caption)
        return [("canvas.png", export.image_png(image))]
    if key == "canvas_svg":
        caption = stamp_caption(window, STAMP_PX, canvas_bg) if stamped else None
        return [("canvas.svg", export.scene_svg(window.scene, window.windowTitle(), caption))]
    if key == "plots_png":
        return [("plots.png", export.image_png(plots_picture(window, scale, stamped)))]
    if key == "plot_files":
        files: list[tuple[str, bytes | str]] = []
        for k, name in enumerate(plot_names(window)):
            picture = plot_picture(window, k, scale, stamped)
            files.append((f"plot-{name}.png", export.image_png(picture)))
            files.append((f"plot-{name}.svg", plot_svg(window, k, stamped)))
        return files
    comparison = window.driver.comparison
    if key == "metrics_csv" and comparison is not None:  # one file: a_* and b_* columns
        a, b = comparison.runs
        slots = [max(r.server_slots(), server_slots(r.reproducible_config())) for r in (a, b)]
        figures = table.lesson_figures(a.config)
        rows = [
            table.paired_header(*slots, figures),
            *table.paired_rows(a.samples, b.samples, *slots),
        ]
        return [("metrics.csv", export.csv_text(rows))]
    if key == "metrics_csv":
        slots = max(run.server_slots(), server_slots(run.reproducible_config()))
        figures = table.lesson_figures(run.config)
        return [("metrics.csv", export.metrics_csv(run.samples, slots, figures))]
    if key == "summary_json" and comparison is not None:  # as visualizer compare --json
        return [("summary.json", export.summary_json(document(*comparison.summaries())))]
    if key == "summary_json":
        return [("summary.json", export.summary_json(run.summary()))]
    raise ValueError(f"unknown export {key!r}")


def write_bundle(
    window: ExportSurface,
    folder: Path,
    keys: tuple[str, ...] = tuple(a.key for a in BUNDLE if a.key != "plot_files"),
    scale: int = 1,
    stamp: bool | None = None,
) -> list[Path]:
    """Write several kinds of file into ``folder`` (created if needed), each atomically.

    The user chose the folder, not what is in it: a link found there under one of our
    file names (``summary.json -> ../precious.txt``) is replaced, its target untouched."""
    folder = export.writable_folder(folder)
    files = render_artifacts(window, keys, scale, stamp)
    return [export.save(folder / name, data, own_name=True) for name, data in files]


def clip_frame(window: ExportSurface, image: QImage) -> QImage:
    """A recorded frame: the picture with the clock and the counters in a band under it."""
    return export.with_caption(image, clock_caption(window, image.width()))


def record_clip(window: ExportSurface, path: Path, seconds: float, fps: float = 10.0) -> Path:
    """Record ``seconds`` of simulated time from now, at 1×, the canvas only (with the
    clock and the counters under each frame; a GIF keeps the full size)."""
    recording = Recording(fps, QColor(window.theme.canvas))
    driver = window.driver

    def capture(t: float) -> None:
        recording.add(clip_frame(window, window.grab_canvas()))

    end = driver.now + seconds
    driver.set_speed(1.0)
    try:  # the frames on disk go on every way out, Ctrl+C included
        with window.canvas.topology.for_export():  # a file shows no "click to restart"
            driver.start_recording(fps, capture)
            driver.play()
            try:
                for _ in range(round(seconds * fps) * 4 + 10):  # bounded, whatever happens
                    if driver.now >= end - 1e-9:
                        break
                    driver.tick(1.0 / fps)
            finally:
                driver.stop_recording()
                driver.pause()
            return recording.encode(path)
    finally:
        recording.discard()


class Exporter(QObject):
    """Export and recording actions; dialogs are methods so tests can replace them."""

    recordingChanged = Signal(bool)

    def __init__(self, window: ExportSurface, parent: QWidget, settings: AppSettings) -> None:
        super().__init__(parent)
        self.window = window
        self.parent_widget = parent
        self.settings = settings
        self.recording: Recording | None = None
        self.encoding: EncodeJob | None = None  # the last recording being saved
        self._record_target = "canvas"
        #: The Export dialog's "stamp pictures" box, remembered for the session; when it
        #: is off only the plots are stamped.
        self.stamp_pictures = False

    @property
    def stamp(self) -> bool | None:
        """What ``render_artifact`` is told: stamp everything, or the defaults."""
        return True if self.stamp_pictures else None

    # --- dialogs (replaced in tests) ------------------------------------------------------

    def _stem(self) -> str:
        """The scenario's name as the start of a proposed file name (never a path)."""
        return export.file_stem(self.window.driver.config.scenario.name)

    def ask_save(self, title: str, name: str, filters: str) -> Path | None:
        start = str(Path(self.settings.export_folder) / name)
        path, _ = QFileDialog.getSaveFileName(self.parent_widget, title, start, filters)
        return Path(path) if path else None

    def _done(self, paths: list[Path]) -> None:
        if paths:
            self.settings.export_folder = str(paths[0].parent)
            shown = paths[0] if len(paths) == 1 else f"{len(paths)} files in {paths[0].parent}"
            self.window.show_status(f"Exported {shown}")

    def _guard(self, action: Callable[[], list[Path]]) -> list[Path]:
        try:
            paths = action()
        except ExportError as exc:
            self.window.show_error("Export failed", str(exc))
            return []
        self._done(paths)
        return paths

    # --- single exports -------------------------------------------------------------------

    def export_one(self, key: str, scale: int = 1) -> list[Path]:
        """Ask for a file name for one export (PNG/SVG/CSV/JSON) and write it."""
        artifact = next(a for a in BUNDLE if a.key == key)
        suffix = Path(artifact.name).suffix or ".png"
        filters = {
            ".png": "PNG image (*.png)",
            ".svg": "SVG drawing (*.svg)",
            ".csv": "CSV table (*.csv)",
            ".json": "JSON (*.json)",
        }[suffix]
        default = f"{self._stem()}-{artifact.name}"
        path = self.ask_save(f"Export {artifact.label}", default, filters)
        if path is None:
            return []
        if path.suffix.lower() != suffix:
            path = path.with_name(path.name + suffix)
        return self._guard(
            lambda: [export.save(path, render_artifact(self.window, key, scale, self.stamp)[0][1])]
        )

    def add_export_one_menu(self, menu: QMenu) -> None:
        """The Scenario menu's "Export one" submenu: each kind of file on its own."""
        one = menu.addMenu("Export o&ne")
        for scale in (1, 2, 4):
            one.addAction(
                f"Canvas as PNG ({scale}×)…", lambda s=scale: self.export_one("canvas_png", s)
            )
        for key, text in (
            ("canvas_svg", "Canvas as SVG…"),
            ("window_png", "Whole window as PNG…"),
            ("plots_png", "All plots as PNG…"),
            ("metrics_csv", "Per-second metrics as CSV…"),
            ("summary_json", "Summary as JSON…"),
        ):
            one.addAction(text, lambda k=key: self.export_one(k))

    def export_plot(self, index: int, fmt: str) -> list[Path]:
        """A single plot as PNG or SVG (the plots' right-click menu)."""
        name = plot_names(self.window)[index]
        default = f"{self._stem()}-plot-{name}.{fmt}"
        filters = "PNG image (*.png)" if fmt == "png" else "SVG drawing (*.svg)"
        path = self.ask_save(f"Export the {name} plot", default, filters)
        if path is None:
            return []
        stamped = stamps("plot_files", self.stamp)

        def write() -> list[Path]:
            fresh_frame(self.window)
            self.window.refresh_plots()
            if fmt == "png":
                return [export.save_png(path, plot_picture(self.window, index, 1, stamped))]
            return [export.save(path, plot_svg(self.window, index, stamped))]

        return self._guard(write)

    def export_dialog(self) -> list[Path]:
        dialog = ExportDialog(self.parent_widget, self.settings.export_folder, self.stamp_pictures)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return []
        keys, folder, scale, self.stamp_pictures = dialog.choice()
        return self._guard(lambda: write_bundle(self.window, folder, keys, scale, self.stamp))

    # --- recording --------------------------------------------------------------------------

    @property
    def is_recording(self) -> bool:
        return self.recording is not None

    def toggle_recording(self) -> None:
        if self.is_recording:
            self.stop_recording()
        else:
            dialog = RecordDialog(self.parent_widget)
            if dialog.exec() == QDialog.DialogCode.Accepted:
                self.start_recording(*dialog.choice())

    def start_recording(
        self, target: str = "canvas", fps: float = 20.0, small_gif: bool = False
    ) -> None:
        """Capture frames at exact simulated times while the run plays; ``small_gif``
        scales a GIF to ``Recording.SMALL_GIF_WIDTH`` (an MP4 keeps the full size)."""
        if self.is_recording:
            return
        gif_width = Recording.SMALL_GIF_WIDTH if small_gif else None
        self.recording = Recording(fps, QColor(self.window.theme.canvas), gif_width)
        self._record_target = target
        self.window.driver.start_recording(fps, self._capture)
        self.recordingChanged.emit(True)

    def _capture(self, t: float) -> None:
        if self.recording is None:
            return
        image: QImage = (
            self.window.grab_canvas()
            if self._record_target == "canvas"
            else self.window.window_image()
        )
        try:
            self.recording.add(clip_frame(self.window, image))
        except ExportError as exc:
            self.stop_recording(discard=True)
            self.window.show_error("Recording stopped", str(exc))

    def stop_recording(self, path: Path | None = None, discard: bool = False) -> EncodeJob | None:
        """Stop capturing; ask where to save (unless ``path``) and encode on a worker
        thread with a progress dialog (the run goes on meanwhile). Returns the job."""
        recording = self.recording
        if recording is None:
            return None
        self.recording = None
        self.window.driver.stop_recording()
        self.recordingChanged.emit(False)
        if not discard and recording.frames == 0:
            self.window.show_error(
                "Nothing recorded", "Play the simulation while recording to capture it."
            )
        if discard or recording.frames == 0:
            recording.discard()
            return None
        if path is None:
            default = f"{self._stem()}.gif"
            path = self.ask_save(
                "Save the recording", default, "GIF animation (*.gif);;MP4 video (*.mp4)"
            )
            if path is None:
                recording.discard()
                return None
        job = EncodeJob(recording, path, self)
        progress = QProgressDialog(
            "Encoding the recording…", "Cancel", 0, max(1, job.total), self.parent_widget
        )
        progress.setWindowTitle("Saving recording")
        # not modal: the window stays live (and the run plays on) while it encodes
        progress.setWindowModality(Qt.WindowModality.NonModal)
        progress.setMinimumDuration(300)
        progress.canceled.connect(job.cancel)
        job.progressed.connect(progress.setValue)

        def finished() -> None:
            progress.close()
            progress.deleteLater()
            if job.error is not None:
                self.window.show_error("Recording not saved", job.error)
            elif job.path is not None:
                self._done([job.path])

        job.finished.connect(finished)
        self.encoding = job
        return job

    def finish(self) -> None:
        """Wait for an encoding still under way (the window is closing)."""
        if self.encoding is not None and self.encoding.running:
            self.encoding.wait()

    def recording_status(self) -> str:
        r = self.recording
        if r is None:
            return ""
        return f"● REC {r.seconds:,.1f} s · {r.frames:,} frames"


def _buttons(dialog: QDialog, ok_text: str) -> QDialogButtonBox:
    """OK (named ``ok_text``) and Cancel, wired to the dialog."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


class ExportDialog(QDialog):
    """Ctrl+E: choose what to export, the picture scale, and a folder."""

    def __init__(self, parent: QWidget, folder: str, stamp: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Write these files into a folder (existing files are replaced):"))
        self.boxes: dict[str, QCheckBox] = {}
        for artifact in BUNDLE:
            box = QCheckBox(f"{artifact.label}   →  {artifact.name}")
            box.setChecked(artifact.key != "plot_files")
            self.boxes[artifact.key] = box
            layout.addWidget(box)
        form = QFormLayout()
        self.scale = QComboBox()
        for s in export.SCALES:
            self.scale.addItem(f"{s}× pixels", s)
        form.addRow("Picture scale", self.scale)
        self.stamp = QCheckBox("Stamp pictures with scenario, seed and time")
        self.stamp.setChecked(stamp)
        self.stamp.setToolTip(
            "Small print under the canvas and the window pictures, e.g. "
            "“sticky-crash · seed 1 · t = 61.3 s”. The plots always carry it."
        )
        form.addRow(self.stamp)
        row = QHBoxLayout()
        self.folder = QLineEdit(folder)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        form.addRow("Folder", row)
        layout.addLayout(form)
        layout.addWidget(_buttons(self, "Export"))

    def _browse(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Export into", self.folder.text())
        if path:
            self.folder.setText(path)

    def choice(self) -> tuple[tuple[str, ...], Path, int, bool]:
        """The kinds of file, the folder, the scale, and whether to stamp every picture."""
        keys = tuple(k for k, box in self.boxes.items() if box.isChecked())
        folder = Path(self.folder.text()).expanduser()
        return keys, folder, int(self.scale.currentData()), self.stamp.isChecked()


class RecordDialog(QDialog):
    """Start recording: what to capture and at how many frames per second."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle("Record")
        form = QFormLayout(self)
        self.target = QComboBox()
        self.target.addItem("The canvas", "canvas")
        self.target.addItem("The whole window", "window")
        self.fps = QSpinBox()
        self.fps.setRange(5, 30)
        self.fps.setValue(20)
        self.fps.setSuffix(" frames/s")
        self.small_gif = QCheckBox(f"Scale the GIF to {Recording.SMALL_GIF_WIDTH:,} px wide")
        self.small_gif.setToolTip(
            "A smaller file; by default a GIF keeps the full size (an MP4 always does)"
        )
        form.addRow("Record", self.target)
        form.addRow("Frame rate", self.fps)
        form.addRow(self.small_gif)
        note = QLabel(
            "Frames are taken from simulated time, so the clip plays smoothly at the\n"
            "current speed even if the window cannot keep up. Press Ctrl+Shift+R to stop."
        )
        form.addRow(note)
        form.addRow(_buttons(self, "Start recording"))

    def choice(self) -> tuple[str, float, bool]:
        """What to capture, frames per second, and whether to scale a GIF down."""
        return str(self.target.currentData()), float(self.fps.value()), self.small_gif.isChecked()
