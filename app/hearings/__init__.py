"""The hearings domain."""

from flask import Blueprint

bp = Blueprint("hearings", __name__, template_folder="templates", url_prefix="/hearings")
