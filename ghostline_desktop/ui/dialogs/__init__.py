"""GhostLine ui.dialogs package."""
