"""The organisation: subdistricts, communities, buildings, households, stations, bodies."""

from flask import Blueprint

bp = Blueprint("org", __name__, template_folder="templates")
