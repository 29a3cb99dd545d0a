"""The house rules of docs/architecture.md, checked on the import graph so they stay true."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "literacy"

# Modules that claim to be pure: plain functions on plain values, importable without Flask, the
# database or the tables. Every module they import from the package must be pure too.
PURE = [
    "content",
    "learning/engine.py",
    "learning/track.py",
    "insights/metrics.py",
    "cohorts/roster.py",
    "cohorts/assignments.py",
    "cohorts/status.py",
    "people/passwords.py",
    "people/affiliation.py",
    "platform/clock.py",
    "platform/csvsafe.py",
    "platform/paging.py",
    "platform/retry.py",
    "platform/text.py",
    "xapi/statements.py",
    "xapi/validate.py",
    "workflows/readiness.py",
    "evidence/chain.py",
    "evidence/certification.py",
    "identity/sso_rules.py",
    "identity/scim_schema.py",
    "identity/scim_rules.py",
]
FRAMEWORKS = ("flask", "flask_sqlalchemy", "flask_login", "flask_wtf", "flask_migrate", "sqlalchemy", "werkzeug")
DATABASE = ("sqlalchemy", "flask_sqlalchemy", "literacy.platform.extensions")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports, relative imports resolved; ``from x import y`` counts x and x.y."""
    names = set()
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def files(entry: str) -> list[Path]:
    target = PACKAGE / entry
    return sorted(target.rglob("*.py")) if target.is_dir() else [target]


def pure_files() -> list[Path]:
    return [f for entry in PURE for f in files(entry)]


def is_tables(name: str) -> bool:
    return name.startswith("literacy.") and name.split(".")[-1] == "tables"


def test_every_listed_pure_module_exists():
    for entry in PURE:
        assert (PACKAGE / entry).exists(), entry
    assert len(pure_files()) > 15


def test_pure_modules_import_no_framework_database_or_tables():
    for file in pure_files():
        for name in imports_of(file):
            assert not name.startswith(FRAMEWORKS), f"{module_name(file)} imports {name}"
            assert not is_tables(name), f"{module_name(file)} imports {name}"
            assert name != "literacy.platform.extensions", f"{module_name(file)} imports the extensions"


def test_pure_modules_import_only_pure_modules_of_the_package():
    pure = {module_name(f) for f in pure_files()}
    packages = {module_name(f).rsplit(".", 1)[0] for f in pure_files()} | {"literacy"}
    for file in pure_files():
        for name in imports_of(file):
            if name.startswith("literacy") and name not in packages:
                assert name in pure or name.rsplit(".", 1)[0] in pure, f"{module_name(file)} imports impure {name}"


def test_no_feature_imports_the_web_layer():
    web_users = [
        f for f in PACKAGE.rglob("*.py") if "web" not in f.relative_to(PACKAGE).parts and f != PACKAGE / "__init__.py"
    ]
    for file in web_users:
        for name in imports_of(file):
            assert not name.startswith("literacy.web"), f"{module_name(file)} imports {name}"


def test_views_reach_the_database_only_through_queries_and_services():
    for file in files("web"):
        for name in imports_of(file):
            assert not name.startswith(DATABASE), f"{module_name(file)} imports {name}"


def test_only_the_transaction_owner_commits():
    """Services flush; the request (platform.transactions) or the CLI command commits."""
    # the forwarder and the mail sender commit after each batch or message the server accepted, so a
    # later failure cannot undo the record of what was sent; the demo is a bulk loader run as a command;
    # an evidence pack's background build owns its own thread's transactions (progress, then the file);
    # the SQLite writers' queue is the driver's connection class, whose commit it extends
    allowed = {
        "literacy.platform.writer_queue",
        "literacy.evidence.packs",
        "literacy.platform.transactions",
        "literacy.cli",
        "literacy.demo",
        "literacy.xapi.forward",
        "literacy.mail.sender",
    }
    for file in PACKAGE.rglob("*.py"):
        if module_name(file) in allowed:
            continue
        for node in ast.walk(ast.parse(file.read_text())):
            if isinstance(node, ast.Attribute) and node.attr == "commit":
                raise AssertionError(f"{module_name(file)}:{node.lineno} commits; let the request or command own it")


HISTORY = ("LessonCompletion", "CheckAnswer", "Attempt", "AttemptStep", "SkillScore")


def test_only_the_learning_path_writes_history():
    """learning.record writes every history row (the demo imports history in bulk, then calls
    record.history_imported), so no event can skip what follows from it."""
    allowed = {"literacy.learning.record", "literacy.demo"}
    for file in PACKAGE.rglob("*.py"):
        if module_name(file) in allowed:
            continue
        for node in ast.walk(ast.parse(file.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in HISTORY:
                raise AssertionError(f"{module_name(file)}:{node.lineno} creates a {node.func.id} row")


def test_the_resolver_sees_relative_and_absolute_imports():
    """So that the rules above can fail: a module's imports are found however they are written."""
    assert "literacy.content.types" in imports_of(PACKAGE / "learning" / "engine.py")
    assert "literacy.content.errors" in imports_of(PACKAGE / "content" / "graph.py")
    assert "sqlalchemy" in imports_of(PACKAGE / "learning" / "queries.py")
