"""Presenter mode and the presenter view."""
