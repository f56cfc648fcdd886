"""Compare mode in the window: the mode, its view (two canvases and the scoreboard),
its dialog and its plots."""
