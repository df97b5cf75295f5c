"""Classic XSS payloads through comments and amendments never reach the page as active HTML."""

from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.pacts.models import Amendment, Comment
from tests import pacts_factories as pf

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<iframe src=javascript:alert(1)></iframe>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<a href='data:text/html,<script>alert(1)</script>'>x</a>",
    "![x](javascript:alert(1))",
    '![x](https://evil.example/x.png" onerror="alert(1))',
    "<body onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<details open ontoggle=alert(1)>",
    '"><script>alert(1)</script>',
    '<a href="https://ok.example" onclick="alert(1)">ok</a>',
    '<object data="javascript:alert(1)"></object>',
    "<<script>script>alert(1)<</script>/script>",
    '[x](https://ok.example "title" onmouseover=alert(1))',
]


class Inspector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "data", "formaction", "xlink:href") and value:
                v = "".join(value.split()).lower()
                if v.startswith(("javascript:", "data:", "vbscript:")):
                    self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "script" and not dict(attrs).get("src", "").startswith("/static/"):
            self.problems.append("<script> without our own src")
        if tag in ("iframe", "object", "embed", "img", "math", "style", "noscript", "details"):
            if not (tag == "details" and not any(n.startswith("on") for n, _v in attrs)):
                self.problems.append(f"<{tag}>")


def _problems(html: str) -> list[str]:
    inspector = Inspector()
    inspector.feed(html)
    return inspector.problems


@pytest.fixture
def world(make, app):
    c = make.community()
    b1 = make.building(c, households=2)
    sec = make.user("secretary", community=c)
    r1 = make.user("resident", community=c, household=b1.households[0])
    with pf.request_context(app):
        pact = pf.pact(c, sec)
    db.session.commit()
    return type("W", (), {"pact": pact, "r1": r1, "sec": sec})


def test_payloads_are_accepted_through_the_forms_and_rendered_inert(client, world, login, app):
    """Through the forms: nh3 is the one sanitiser, so each payload is stored as typed (nothing
    refuses text for looking like markup) and every page shows it harmless."""
    app.config["PACT_COMMENT_RATE_LIMIT"] = "1000 per minute"
    try:
        login(world.r1)
        p = world.pact
        clause = p.latest_version.clauses[0]
        for i, payload in enumerate(PAYLOADS):
            for url, data in (
                (f"/pacts/{p.id}/comments", {"body": payload}),
                (f"/pacts/{p.id}/clauses/{clause.id}/comments", {"body": payload}),
                (
                    f"/pacts/{p.id}/clauses/{clause.id}/amendments",
                    {"am-text": f"{payload} {i}", "am-reason": payload},
                ),
            ):
                assert client.post(url, data=data).status_code == 303, (url, payload)
    finally:
        app.config.pop("PACT_COMMENT_RATE_LIMIT")
    assert db.session.scalar(select(func.count(Comment.id))) == 2 * len(PAYLOADS)
    assert db.session.scalar(select(func.count(Amendment.id))) == len(PAYLOADS)
    _assert_pages_inert(client, world, login)


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("I learned Java script: it is fun", "I learned Java script: it is fun"),
        ("停车位 ‹只有 one = 2 个>", "停车位 ‹只有 one = 2 个&gt;"),
    ],
)
def test_ordinary_text_that_looks_like_markup_is_accepted_and_shown_escaped(
    client, world, login, text, escaped
):
    """The old regex "second sanitiser" refused these; they are ordinary comments."""
    login(world.r1)
    p = world.pact
    clause = p.latest_version.clauses[0]
    for url in (f"/pacts/{p.id}/comments", f"/pacts/{p.id}/clauses/{clause.id}/comments"):
        assert client.post(url, data={"body": text}).status_code == 303
    bodies = db.session.scalars(select(Comment.body)).all()
    assert bodies == [text, text]  # stored exactly as typed
    for page in (f"/pacts/{p.id}", f"/pacts/{p.id}/clauses/{clause.id}"):
        html = client.get(page).get_data(as_text=True)
        assert escaped in html
        assert _problems(html) == []
    assert "<" + "只有" not in html


def test_payloads_stored_raw_are_sanitised_when_rendered(client, world, login):
    """Even text that bypassed the forms (older data, imports) renders without active content."""
    p = world.pact
    clause = p.latest_version.clauses[0]
    for payload in PAYLOADS:
        db.session.add(Comment(pact_id=p.id, clause_id=None, author_id=world.r1.id, body=payload))
        db.session.add(
            Comment(pact_id=p.id, clause_id=clause.id, author_id=world.r1.id, body=payload)
        )
        db.session.add(
            Amendment(
                pact_id=p.id,
                clause_id=clause.id,
                author_id=world.r1.id,
                text=payload,
                reason=payload,
                response=payload,
            )
        )
    db.session.commit()
    _assert_pages_inert(client, world, login)
    html = client.get(f"/pacts/{p.id}/clauses/{clause.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as text in the amendment


def _assert_pages_inert(client, world, login):
    p = world.pact
    clause = p.latest_version.clauses[0]
    pages = [
        f"/pacts/{p.id}",
        f"/pacts/{p.id}?page=2",
        f"/pacts/{p.id}/clauses/{clause.id}",
        f"/pacts/{p.id}/clauses/{clause.id}?page=2",
    ]
    for viewer in (world.r1, world.sec):  # the secretary also sees the moderation forms
        login(viewer)
        for url in pages:
            html = client.get(url).get_data(as_text=True)
            assert _problems(html) == [], url
            assert "alert(1)</script>" not in html


def test_the_inspector_does_catch_active_html():
    assert _problems('<p><img src=x onerror="alert(1)"></p>')
    assert _problems('<a href=" javascript:alert(1)">x</a>')
    assert _problems("<script>alert(1)</script>")
    assert not _problems('<p><a href="https://ok.example" rel="nofollow">ok</a></p>')
