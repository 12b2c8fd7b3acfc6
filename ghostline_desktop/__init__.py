"""GhostLine Desktop: a local-first writing app for authors."""

__version__ = "0.1.0"
