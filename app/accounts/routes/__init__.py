"""Accounts' pages, one module per topic; importing this package attaches them to `bp`."""

from app.accounts.routes import admin, audit, auth, household, profile, recovery, secretary

__all__ = ["admin", "audit", "auth", "household", "profile", "recovery", "secretary"]
