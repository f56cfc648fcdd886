"""The live plots: the panel, its rows, parts, legends and style, and the dock that loads them."""
