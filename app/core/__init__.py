"""What every domain shares: base templates, home page, audit, notifications, errors."""

from flask import Blueprint

bp = Blueprint("core", __name__, template_folder="templates")
