"""The suggestions pages, by topic; importing this package attaches every view to the blueprint."""

from app.suggestions.routes import answers, board, followup, page, triage  # noqa: F401
