"""Opening a scenario from the window: a file that is not a regular file is refused at
once, with one message, and the run goes on untouched."""

from __future__ import annotations

import contextlib
import os
import threading
import time


def test_opening_a_fifo_is_refused_at_once_and_leaves_the_run_alone(qtbot, open_window, tmp_path):
    window = open_window("sticky-crash")
    window.driver.step(5.0)
    before = (window.driver.run.engine, window.driver.run.engine.now, window.driver.config)
    fifo = tmp_path / "x.toml"
    os.mkfifo(fifo)
    errors: list[tuple[str, str]] = []
    window.show_error = lambda title, message: errors.append((title, message))

    done = threading.Event()

    def unblock() -> None:
        """Should the open wait for a writer (the bug), give it EOF rather than hang."""
        if not done.wait(5.0):
            with contextlib.suppress(OSError):  # nobody reading: nothing to unblock
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))

    watcher = threading.Thread(target=unblock, daemon=True)
    watcher.start()
    started = time.monotonic()
    try:
        opened = window.files.open_path(fifo)
    finally:
        done.set()
        watcher.join()
    assert time.monotonic() - started < 2.0
    assert not opened
    assert (window.driver.run.engine, window.driver.run.engine.now, window.driver.config) == before
    ((title, message),) = errors
    assert title == "Cannot open the scenario"
    assert str(fifo) in message and "is a named pipe (FIFO)" in message
    assert str(fifo) not in window.settings.recent_files()
