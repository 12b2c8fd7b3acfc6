"""GhostLine ai package."""
