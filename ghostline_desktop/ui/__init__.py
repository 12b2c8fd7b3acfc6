"""GhostLine ui package."""
