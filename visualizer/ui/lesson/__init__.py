"""What the canvas and the strip say of a lesson: the base of a lesson's view (headline,
cards, plots), the explanation and the strip."""
