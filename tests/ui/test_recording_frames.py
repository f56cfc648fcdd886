"""Recordings that tell their story: full-size GIFs unless asked to scale, and the clock
and the headline counters under every frame (GIF and MP4)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QDialog

from visualizer.ui.export import actions as exporter
from visualizer.ui.export.actions import clock_caption
from visualizer.ui.export.recording import Recording


@pytest.fixture
def running(open_window):
    window = open_window("sticky-crash")
    window.driver.step(65.0)  # past the crash of server-2 at 60 s
    return window


def test_a_gif_keeps_full_size_unless_asked_to_scale(qapp, tmp_path):
    image = QImage(1600, 120, QImage.Format.Format_RGB32)
    for gif_width, expected in ((None, 1600), (Recording.SMALL_GIF_WIDTH, 1000)):
        recording = Recording(10, QColor("white"), gif_width)
        for k in range(3):
            image.fill(QColor(60 * k, 90, 160))
            recording.add(image)
        path = recording.encode(tmp_path / f"clip-{expected}.gif")
        with Image.open(path) as gif:
            assert gif.size[0] == expected
        mp4 = recording.encode(tmp_path / f"clip-{expected}.mp4")
        assert mp4.read_bytes()[4:8] == b"ftyp"
        recording.discard()


def test_the_record_dialog_offers_to_scale_the_gif_off_by_default(running, tmp_path, monkeypatch):
    dialog = exporter.RecordDialog(running)
    assert dialog.small_gif.text() == "Scale the GIF to 1,000 px wide"
    assert dialog.choice() == ("canvas", 20.0, False)
    dialog.small_gif.setChecked(True)
    assert dialog.choice()[2] is True

    class Small(exporter.RecordDialog):
        def exec(self):
            self.small_gif.setChecked(True)
            return QDialog.DialogCode.Accepted

    monkeypatch.setattr(exporter, "RecordDialog", Small)
    running.exporter.toggle_recording()
    assert running.exporter.recording.gif_width == Recording.SMALL_GIF_WIDTH
    running.exporter.stop_recording(discard=True)


def test_recorded_frames_carry_the_clock_and_the_counters(running, tmp_path):
    caption = clock_caption(running, 1200)
    snap = running.driver.run.snapshot()
    assert snap.lost > 0 and snap.failed > 0
    text = caption.text()
    assert text.startswith(f"t = {snap.t:,.1f} s")
    assert f"{snap.lost:,} sessions lost" in text
    assert f"{snap.failed:,} failed requests" in text
    # each captured frame reads the run at its own moment
    times, clocks = [], []
    ex = running.exporter
    ex.start_recording("canvas", 10.0)
    real = ex.recording.add

    def add(image):
        clocks.append(clock_caption(running, 100).text().split(" s")[0])
        times.append(running.driver.run.snapshot().t)
        real(image)

    ex.recording.add = add
    running.driver.play()
    for _ in range(6):
        running.driver.tick(0.1)
    viewport = running.canvas.viewport().size()
    frame_h = ex.recording.size[1]
    path = ex.stop_recording(tmp_path / "clip.gif").wait()
    assert clocks == [f"t = {t:,.1f}" for t in times] and len(set(clocks)) == len(clocks)
    band = clock_caption(running, viewport.width()).height
    assert frame_h == viewport.height() + band
    with Image.open(path) as gif:
        frame = gif.convert("RGB")
        pixels = np.asarray(frame)[-band:]
        assert pixels.std() > 5  # the band holds text
        red = (pixels[..., 0] > 180) & (pixels[..., 1] < 80) & (pixels[..., 2] < 80)
        assert red.sum() > 20  # the counters, in the failure red once there are any


def test_the_mp4_frames_carry_the_band_too(running, tmp_path):
    ex = running.exporter
    ex.start_recording("window", 10.0)
    running.driver.play()
    for _ in range(3):
        running.driver.tick(0.1)
    size = ex.recording.size
    ex.stop_recording(tmp_path / "clip.mp4").wait()
    band = clock_caption(running, running.width()).height
    assert size == (running.width(), running.height() + band)


def _frames(n: int, w: int = 320, h: int = 200) -> list[np.ndarray]:
    """A still, busy background (noise: it compresses badly) with one square moving
    over it; frame 2 repeats frame 1 (nothing moved)."""
    rng = np.random.default_rng(7)
    background = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    frames = []
    for k in range(n):
        frame = background.copy()
        x = 10 + 12 * (k if k != 2 else 1)
        frame[50:80, x : x + 30] = (214, 39, 40)
        frames.append(frame)
    return frames


def _image(pixels: np.ndarray) -> QImage:
    h, w, _ = pixels.shape
    return QImage(pixels.tobytes(), w, h, 3 * w, QImage.Format.Format_RGB888).copy()


def test_a_gif_stores_what_changed_and_plays_back_every_frame(qapp, tmp_path):
    frames = _frames(8)
    recording = Recording(10, QColor("white"))
    for pixels in frames:
        recording.add(_image(pixels))
    path = recording.encode(tmp_path / "clip.gif")
    single = Recording(10, QColor("white"))
    single.add(_image(frames[0]))
    one = single.encode(tmp_path / "one.gif").stat().st_size
    # the noise is stored once; later frames hold the moving square only
    assert path.stat().st_size < 2 * one
    with Image.open(path) as gif:
        assert gif.n_frames == len(frames)
        for k, pixels in enumerate(frames):
            gif.seek(k)
            shown = np.asarray(gif.convert("RGB")).astype(int)
            assert shown.shape == pixels.shape
            # the square is where it is in this frame, not where it was
            assert np.abs(shown[50:80] - pixels[50:80].astype(int)).mean() < 16
            assert np.abs(shown - pixels.astype(int)).mean() < 16  # quantised noise
    recording.discard()
    single.discard()
