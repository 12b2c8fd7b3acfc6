"""GhostLine ui.widgets package."""
