"""The window: Qt widgets that read the engine's snapshots and send it commands."""
