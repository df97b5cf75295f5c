"""Accounts: registration, log-in, profile, household membership, roles, privacy."""

from flask import Blueprint

bp = Blueprint("accounts", __name__, template_folder="templates")
