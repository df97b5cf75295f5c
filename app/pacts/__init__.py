"""The pacts domain."""

from flask import Blueprint

bp = Blueprint("pacts", __name__, template_folder="templates", url_prefix="/pacts")
