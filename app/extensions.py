"""Flask extensions, created here and bound to the app in `create_app`."""

from typing import TYPE_CHECKING

from flask_caching import Cache
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from app.core.i18n import AppBabel

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = HTMX()
babel = AppBabel()
limiter = Limiter(key_func=get_remote_address)
#: Rendered fragments and per-change figures (app/core/fragments.py); in-process or Redis.
cache = Cache()

if TYPE_CHECKING:
    # Flask-SQLAlchemy makes `db.Model` at run time; type checkers see its declarative base.
    Model = Base
else:
    Model = db.Model
