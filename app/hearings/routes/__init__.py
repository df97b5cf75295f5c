"""The hearings pages, by topic; importing this package attaches every view to the blueprint."""

from app.hearings.routes import calendars, reception, registration, sessions  # noqa: F401
