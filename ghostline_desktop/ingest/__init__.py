"""GhostLine ingest package."""
