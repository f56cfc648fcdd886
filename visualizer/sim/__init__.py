"""The simulation engine: pure Python + simpy. Never imports Qt (a test enforces it)."""
