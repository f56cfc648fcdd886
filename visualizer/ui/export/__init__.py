"""Pictures, numbers, recordings and the slide deck out of the window."""
