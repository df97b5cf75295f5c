"""In-app notifications: the unread count in the header, read one, read all."""

from sqlalchemy import select

from app.core.notifications import N_, Notification, notify, unread_count


def test_notify_posts_once_per_user_and_counts_unread(db, make):
    a, b = make.user(), make.user()
    notify([a, b, a], N_("You were appointed %(role)s."), link="/", role="secretary")
    assert unread_count(a) == 1 and unread_count(b) == 1


def test_notification_text_is_translated_when_shown(client, make, login):
    user = make.user()
    notify(
        user,
        N_("You are now a member of household %(household)s."),
        link="/",
        household="3号楼 301",
    )
    login(user)
    page = client.get("/notifications").get_data(as_text=True)
    assert "3号楼 301" in page and "You are now" not in page
    client.post("/language", data={"lang": "en"})
    assert "You are now a member of household 3号楼 301." in client.get("/notifications").get_data(
        as_text=True
    )


def test_header_shows_unread_count_and_reading_clears_it(client, db, make, login):
    user = make.user()
    notify(user, N_("You were appointed %(role)s."), link="/account", role="deputy")
    notify(user, N_("You were appointed %(role)s."), link="/account", role="secretary")
    login(user)
    assert 'id="unread-count">2<' in client.get("/").get_data(as_text=True)
    first = db.session.scalars(select(Notification).order_by(Notification.id)).first()
    response = client.post(f"/notifications/{first.id}/read")
    assert response.status_code == 303 and response.headers["Location"] == "/account"
    assert 'id="unread-count">1<' in client.get("/").get_data(as_text=True)
    client.post("/notifications/read-all")
    assert 'id="unread-count"' not in client.get("/").get_data(as_text=True)


def test_reading_with_htmx_returns_the_item(client, db, make, login):
    user = make.user()
    notify(user, N_("You were appointed %(role)s."), link="/", role="deputy")
    login(user)
    note = db.session.scalar(select(Notification))
    response = client.post(f"/notifications/{note.id}/read", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert f'id="notification-{note.id}"' in response.get_data(as_text=True)


def test_nobody_reads_another_users_notification(client, db, make, login):
    owner, other = make.user(), make.user()
    notify(owner, N_("You were appointed %(role)s."), link="/", role="deputy")
    note = db.session.scalar(select(Notification))
    login(other)
    assert client.post(f"/notifications/{note.id}/read").status_code == 404
    assert note.read_at is None


def test_the_count_is_read_once_per_request_and_forgotten_on_notify_and_read(app, db, make):
    from app.core.notifications import mark_read, unread_count_once

    user = make.user()
    with app.test_request_context("/"):
        assert unread_count_once(user) == 0
        db.session.add(Notification(user_id=user.id, message="x", params={}, link="/"))
        db.session.flush()
        assert unread_count_once(user) == 0  # read once: a plain insert is not seen
        notify(user, N_("You were appointed %(role)s."), link="/", role="deputy")
        assert unread_count_once(user) == 2
        mark_read(user)
        assert unread_count_once(user) == 0


def test_the_count_read_with_the_user_is_forgotten_on_notify_and_read(app, db, make):
    from app.accounts.models import load_user
    from app.core.notifications import mark_read, unread_count_once

    user = make.user()
    notify(user, N_("You were appointed %(role)s."), link="/", role="deputy")
    db.session.commit()
    with app.test_request_context("/"):
        loaded = load_user(user.get_id())
        assert loaded is not None
        assert unread_count_once(loaded) == 1  # read along with the user
        notify(loaded, N_("You were appointed %(role)s."), link="/", role="handler")
        assert unread_count_once(loaded) == 2
        mark_read(loaded)
        assert unread_count_once(loaded) == 0
