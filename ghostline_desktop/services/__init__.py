"""GhostLine services package."""
