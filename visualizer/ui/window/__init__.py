"""The main window and what it wires: start-up, menus, keys, the driver and steering,
scenario files and remembered settings."""
