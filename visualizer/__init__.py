"""Request Routing Visualizer: stateful vs stateless request routing, made visible."""

__version__ = "0.1.0"
