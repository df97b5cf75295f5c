"""Bad input over every route and form: never a 5xx, nothing saved when refused (issue 14).

The demo community gives every route something real to show. For every rule in the URL map,
as a visitor, a resident, a secretary and the administrator:
- each `<int:...>` id one beyond its column → 404;
- query parameters out of range (page, parent_id, voter_id, subject_id, ...), NUL characters and
  dates far out → no 5xx; a query string that is not UTF-8 → 400;
- every POST: the form the page shows (or a generic one) filled with NUL and control characters,
  numbers beyond the column and dates at 0001-01-01 / 9999-12-31; a body that is not UTF-8
  (400); an oversized chunked body without Content-Length (413). A refused request changes no
  row of any table.
"""

import io
import logging
import re
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select, text

from app.demo import DEMO_PASSWORD, load_demo
from app.extensions import db as _db
from app.extensions import limiter

HUGE = str(10**20)
BAD_QUERY = (
    f"page={HUGE}&parent_id={HUGE}&voter_id={HUGE}&subject_id={HUGE}&suggestion_id={HUGE}"
    f"&body={HUGE}&version={HUGE}&a={HUGE}&b={HUGE}&community_id={HUGE}&station_id={HUGE}"
    "&year=99999&start=0001-01-01&end=9999-12-31&subject_type=pact&q=a%00b%07&kind=range"
)
TEXT = "停车\x00位\x01\x1b"
GENERIC = {
    "text": TEXT,
    "body": TEXT,
    "name": TEXT,
    "reason": TEXT,
    "note": TEXT,
    "answer": TEXT,
    "title": TEXT,
    "parent_id": HUGE,
    "voter_id": HUGE,
    "subject_id": HUGE,
    "building": HUGE,
    "after": HUGE,
    "position": HUGE,
    "cost": HUGE,
    "percent": HUGE,
    "on": "0001-01-01",
    "due_date": "9999-12-31",
}
SKIP_POST = {"accounts.logout"}
INPUT = re.compile(r"<(input|textarea|select)\b([^>]*)>", re.I)
ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')
OPTION = re.compile(r'<option[^>]*value="([^"]*)"', re.I)


@dataclass
class Probe:
    problems: list[str] = field(default_factory=list)
    requests: int = 0

    def check(self, label: str, response, expect=None) -> None:
        self.requests += 1
        if response.status_code >= 500:
            self.problems.append(f"{label}: {response.status_code}")
        elif expect is not None and response.status_code not in expect:
            self.problems.append(f"{label}: {response.status_code}, expected {expect}")


def _counts() -> tuple:
    tables = [t.name for t in _db.metadata.sorted_tables]
    sql = "SELECT " + ", ".join(f'(SELECT COUNT(*) FROM "{t}")' for t in tables)
    return tuple(_db.session.execute(text(sql)).one())


def _values(rule, number: str):
    values = {}
    for name, converter in rule._converters.items():
        kind = type(converter).__name__
        if "Integer" in kind:
            values[name] = 1
        elif name == "number":
            values[name] = number
        elif name == "day":
            values[name] = "2026-10-01"
        elif name == "fmt":
            values[name] = "csv"
        elif name == "table":
            values[name] = "votes"
        else:
            values[name] = "x"
    return values


def _url(app, rule, values) -> str:
    with app.test_request_context():
        return app.url_map.bind("localhost").build(rule.endpoint, values, force_external=False)


def _bad_form(page: str) -> dict:
    """The page's form fields, each with a bad value of its kind."""
    data: dict[str, str] = {}
    for tag, attrs in INPUT.findall(page):
        found = dict(ATTR.findall(attrs))
        name = found.get("name")
        if not name or name == "csrf_token":
            continue
        kind = found.get("type", "text").lower()
        if tag.lower() == "select":
            after = page[page.find(attrs) :]
            options = OPTION.findall(after[: after.find("</select>")])
            data[name] = options[-1] if options else HUGE
        elif kind == "number":
            data[name] = HUGE
        elif kind == "date":
            data[name] = "0001-01-01"
        elif kind == "datetime-local":
            data[name] = "9999-12-31T10:00"
        elif kind in ("checkbox", "radio", "hidden", "submit"):
            data.setdefault(name, found.get("value", "y"))
        else:
            data[name] = TEXT
    return data or dict(GENERIC)


def _login(client, phone: str | None) -> None:
    if phone is None:
        return
    response = client.post("/login", data={"identifier": phone, "password": DEMO_PASSWORD})
    assert response.status_code == 303, phone


def _suggestion_number() -> str:
    from app.suggestions.models import Suggestion

    return _db.session.scalar(select(Suggestion.number).limit(1)) or "X"


def _probe_post(app, client, probe, label, url, form, *, no_change: bool) -> None:
    before = _counts()
    response = client.post(url, data=form)
    probe.check(f"POST {label}", response)
    if response.status_code >= 400 and response.status_code != 429 and _counts() != before:
        probe.problems.append(f"POST {label}: refused ({response.status_code}) but saved rows")

    token = client.csrf_token()
    raw = f"csrf_token={token}&text=%FF%FE%00&name=%C3%28".encode()
    before = _counts()
    response = client.post(
        url,
        data=raw,
        content_type="application/x-www-form-urlencoded",
        headers={"X-CSRFToken": token},
    )
    probe.check(f"POST {label} (not UTF-8)", response, expect={400, 404})
    if _counts() != before:
        probe.problems.append(f"POST {label} (not UTF-8): saved rows")

    big = (
        b"csrf_token=" + token.encode() + b"&text=" + b"x" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    )
    before = _counts()
    response = client.post(
        url,
        input_stream=io.BytesIO(big),
        content_type="application/x-www-form-urlencoded",
        # No Content-Length: a streamed body, as a WSGI server that de-chunks passes it on.
        headers={"X-CSRFToken": token, "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
        csrf=False,  # the token is in the body and the header already
    )
    probe.check(f"POST {label} (chunked, too large)", response, expect={413})
    if _counts() != before:
        probe.problems.append(f"POST {label} (chunked, too large): saved rows")


def _walk(app, client, probe: Probe) -> None:
    number = _suggestion_number()
    rules = sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint != "static"), key=lambda r: r.rule
    )
    for rule in rules:
        values = _values(rule, number)
        url = _url(app, rule, values)
        methods = rule.methods or set()
        for name, converter in rule._converters.items():
            if "Integer" in type(converter).__name__:
                wide = _url(app, rule, {**values, name: 2147483647}).replace(
                    "2147483647", "2147483648"
                )
                response = client.get(wide) if "GET" in methods else client.post(wide)
                probe.check(f"{rule.rule} {name}=2^31", response, expect={404, 405})
        page = ""
        if "GET" in methods:
            response = client.get(f"{url}?{BAD_QUERY}")
            probe.check(f"GET {rule.rule}?bad", response)
            response = client.get(url, environ_overrides={"QUERY_STRING": "q=\xff\xfe"})
            probe.check(f"GET {rule.rule}?\\xff", response, expect={400})
            shown = client.get(url)
            probe.check(f"GET {rule.rule}", shown)
            if shown.status_code == 200 and shown.mimetype == "text/html":
                page = shown.get_data(as_text=True)
        if "POST" in methods and rule.endpoint not in SKIP_POST:
            _probe_post(app, client, probe, rule.rule, url, _bad_form(page), no_change=True)


@pytest.fixture
def demo(db):
    load_demo()
    db.session.commit()


@pytest.mark.slow
@pytest.mark.parametrize(
    "phone",
    [None, "13800000001", "13800000110", "13800000100"],
    ids=["visitor", "resident", "secretary", "admin"],
)
def test_bad_input_over_every_route_never_fails_and_saves_nothing(app, client, demo, phone, caplog):
    caplog.set_level(logging.WARNING, logger="app.core.errors")
    limiter.enabled = False
    try:
        _login(client, phone)
        probe = Probe()
        _walk(app, client, probe)
    finally:
        limiter.enabled = True
    assert probe.requests > 400
    assert probe.problems == []
    # The database's own refusal is the last line of defence: no field may need it.
    assert not [r for r in caplog.records if "database refused a value" in r.getMessage()]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _chunked_post(port: int, size: int) -> int:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.putrequest("POST", "/login")
    conn.putheader("Content-Type", "application/x-www-form-urlencoded")
    conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    chunk = b"x" * 65536
    sent = 0
    try:
        while sent < size:
            conn.send(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            sent += len(chunk)
        conn.send(b"0\r\n\r\n")
    except OSError:
        pass  # the server may answer and close before the body ends
    try:
        return conn.getresponse().status
    finally:
        conn.close()


@pytest.mark.slow
def test_gunicorn_refuses_an_oversized_chunked_body_with_413(tmp_path):
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    port = _free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_URL": f"sqlite:///{tmp_path}/g.db",
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    root = Path(__file__).resolve().parent.parent
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                status = _chunked_post(port, 8 * 1024 * 1024)
                break
            except ConnectionRefusedError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start")
        assert status == 413
        # A small chunked form is read whole and reaches the app (refused there: no CSRF token).
        assert _chunked_post(port, 1000) == 400
    finally:
        server.terminate()
        server.wait(timeout=30)
