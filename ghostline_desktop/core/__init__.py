"""GhostLine core package."""
