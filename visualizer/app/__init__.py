"""The run layer (no Qt): a run with its history, and what the window and the CLI do to it."""
