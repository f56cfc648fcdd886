"""The docks and bars around the canvas: controls, inspector, event log, timeline,
status and the F1 help."""
