"""Browser tests: Playwright drives Debian's chromium against a live server in a thread.

Without /usr/bin/chromium the tests are skipped with a reason, unless E2E_REQUIRED=1
(as in CI), when a missing browser fails the run.
"""

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).with_name("vendor") / "axe.min.js"


def pytest_collection_modifyitems(config, items):
    have_browser = Path(CHROMIUM).exists()
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)
            if not have_browser:
                if os.environ.get("E2E_REQUIRED") == "1":
                    item.add_marker(pytest.mark.usefixtures("_browser_required"))
                else:
                    item.add_marker(
                        pytest.mark.skip(
                            reason="chromium not installed (apt-get install -y chromium); set E2E_REQUIRED=1 to fail instead"
                        )
                    )


@pytest.fixture
def _browser_required():
    pytest.fail(f"E2E_REQUIRED=1 but no browser at {CHROMIUM}")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM}


def _read_whole(app):
    """`app` with each response read to its end and closed before it is sent. The browser
    drops connections it no longer needs (a favicon when the page moves on); Werkzeug's
    development server can then leave the response's file open, and the ResourceWarning fails
    whichever test happens to be running."""

    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return wsgi


@pytest.fixture(scope="session")
def live_server(app):
    """The session's app served on 127.0.0.1 at a free port, in a daemon thread."""
    server = make_server("127.0.0.1", 0, _read_whole(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def axe_page(browser, base_url):
    """A page whose context bypasses the CSP, so that axe-core can be injected into it."""
    context = browser.new_context(
        base_url=base_url, bypass_csp=True, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def commit(db):
    """Call `commit()` after making data in a test so that the live server sees it."""
    return db.session.commit


def login_in_browser(page, phone: str, password: str) -> None:
    """Log in through the real form."""
    page.goto("/login")
    page.locator("#identifier").fill(phone)
    page.locator("#password").fill(password)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(lambda url: "/login" not in url)


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core in the page; return the violations of the given impacts."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in impacts
    ]
