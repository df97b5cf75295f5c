"""Imports every domain's models so that SQLAlchemy and Alembic see the whole schema."""

from app.accounts.models import *  # noqa: F403
from app.core.audit import AuditEntry  # noqa: F401
from app.core.notifications import Notification  # noqa: F401
from app.core.once import OnceSubmission  # noqa: F401
from app.core.outbox import OutboxMail  # noqa: F401
from app.core.schedule import ScheduledEffect  # noqa: F401
from app.core.workdays import CalendarDay  # noqa: F401
from app.hearings.models import *  # noqa: F403
from app.org.models import *  # noqa: F403
from app.pacts.models import *  # noqa: F403
from app.projects.models import *  # noqa: F403
from app.suggestions.models import *  # noqa: F403
from app.votes.models import *  # noqa: F403
