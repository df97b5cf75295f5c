"""The shape every domain keeps (issue 8): one commit point, small files, imports one way.

These read the source as text and syntax trees; they fail with the file and line to fix.
"""

import ast
import re
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[1] / "app"

#: Each domain and the domains it may import. Dependencies go one way, so no cycle is possible.
ALLOWED = {
    "core": set(),
    "org": {"core"},
    "accounts": {"core", "org"},
    "projects": {"core", "org", "accounts"},
    "votes": {"core", "org", "accounts", "projects"},
    "suggestions": {"core", "org", "accounts", "projects"},
    "hearings": {"core", "org", "accounts", "projects", "suggestions"},
    "pacts": {"core", "org", "accounts", "projects", "votes"},
    "reports": {"core", "org", "accounts", "projects", "votes", "suggestions", "hearings", "pacts"},
}
DOMAIN_FILES = {"__init__.py", "models.py", "forms.py", "operations.py", "queries.py"}
MAX_LINES = 500


def _sources():
    return sorted(p for p in APP.rglob("*.py") if "translations" not in p.parts)


def _domain_of(path: Path) -> str | None:
    parts = path.relative_to(APP).parts
    return parts[0] if len(parts) > 1 and parts[0] in ALLOWED else None


def _imports(path: Path):
    """Every `app.<domain>` imported by `path`, at any depth, outside `if TYPE_CHECKING:`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_checking = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            type_checking.update(id(n) for n in ast.walk(node))
    for node in ast.walk(tree):
        if id(node) in type_checking:
            continue
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            if len(parts) >= 2 and parts[0] == "app" and parts[1] in ALLOWED:
                yield node.lineno, parts[1]


def test_only_the_request_lifecycle_and_cli_commands_commit():
    allowed = {APP / "core" / "lifecycle.py"}
    offenders = []
    for path in _sources():
        if path in allowed or path.name in ("cli.py", "demo.py"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "session.commit()" in line:
                offenders.append(f"{path.relative_to(APP.parent)}:{number}")
    assert offenders == [], "views and operations must not commit: " + ", ".join(offenders)


def test_no_file_in_app_is_over_500_lines():
    long = [
        f"{p.relative_to(APP.parent)} ({n} lines)"
        for p in _sources()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    ]
    assert long == []


def test_domains_import_only_the_domains_below_them():
    wrong = []
    for path in _sources():
        domain = _domain_of(path)
        if domain is None:
            continue
        for line, target in _imports(path):
            if target != domain and target not in ALLOWED[domain]:
                wrong.append(f"{path.relative_to(APP.parent)}:{line} imports app.{target}")
    assert wrong == []


def test_core_imports_no_domain():
    wrong = [
        f"{path.relative_to(APP.parent)}:{line} imports app.{target}"
        for path in (APP / "core").rglob("*.py")
        for line, target in _imports(path)
        if target != "core"
    ]
    assert wrong == []


@pytest.mark.parametrize("domain", sorted(d for d in ALLOWED if d != "core" and (APP / d).is_dir()))
def test_every_domain_has_the_same_file_set(domain):
    folder = APP / domain
    present = {p.name for p in folder.iterdir()}
    missing = {name for name in DOMAIN_FILES | {"permissions.py"} if name not in present}
    for package in ("routes", "operations"):  # a module, or a package split by topic
        missing.discard(f"{package}.py")
        if f"{package}.py" not in present and not (folder / package).is_dir():
            missing.add(f"{package}.py or {package}/")
    if not (folder / "templates" / domain).is_dir():
        missing.add(f"templates/{domain}/")
    assert missing == set(), f"app/{domain} lacks {sorted(missing)}"
    init = (folder / "__init__.py").read_text(encoding="utf-8")
    assert "def init_app(app" in init, f"app/{domain}/__init__.py has no init_app(app)"


def test_templates_never_compare_status_strings():
    pattern = re.compile(r"status\.value\s*(==|!=|in\b)|\.value\s*==\s*['\"]")
    wrong = [
        f"{p.relative_to(APP.parent)}:{n}"
        for p in sorted(APP.rglob("*.html"))
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert wrong == [], "ask the model (a property or can_* predicate) instead: " + ", ".join(wrong)
