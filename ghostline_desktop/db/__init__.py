"""GhostLine db package."""
