"""适老化: no time limits on forms. An elderly resident may take an afternoon over a comment:
a form whose CSRF token was issued hours ago still posts, and nothing on a page counts down."""

import time
from unittest import mock

from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from app.extensions import db
from app.pacts.models import Comment
from tests import pacts_factories as pf


def test_a_form_opened_hours_ago_still_posts(client, make, login, app):
    c = make.community()
    sec = make.user("secretary", community=c)
    resident = make.user("resident", community=c)
    with pf.request_context(app):
        pact = pf.pact(c, sec)
    db.session.commit()
    clause = pact.latest_version.clauses[0]
    login(resident)
    page = client.get(f"/pacts/{pact.id}/clauses/{clause.id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page
    with client.session_transaction() as session:
        raw = session["csrf_token"]
    twelve_hours_ago = int(time.time()) - 12 * 3600
    with mock.patch.object(TimestampSigner, "get_timestamp", return_value=twelve_hours_ago):
        old_token = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)
    r = client.post(
        f"/pacts/{pact.id}/clauses/{clause.id}/comments",
        data={"csrf_token": old_token, "body": "想了一下午，还是支持。"},
        csrf=False,
    )
    assert r.status_code == 303
    assert db.session.scalars(select(Comment.body)).all() == ["想了一下午，还是支持。"]
