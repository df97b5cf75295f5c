"""The votes domain."""

from flask import Blueprint

bp = Blueprint("votes", __name__, template_folder="templates", url_prefix="/votes")
