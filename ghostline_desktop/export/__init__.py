"""GhostLine export package."""
