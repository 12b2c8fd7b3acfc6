"""GhostLine ui.panels package."""
