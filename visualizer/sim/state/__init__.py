"""Where state lives: sessions and their tables, the shared store, and placements."""
