"""The domain core stays importable without Flask, the extensions or the models."""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "literacy"
PURE = ["content", "engine.py", "metrics.py", "track.py"]
FORBIDDEN = ("flask", "flask_sqlalchemy", "flask_login", "flask_wtf", "sqlalchemy", "literacy.models", "literacy.extensions")


def imports_of(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # resolve relative imports inside the package
                base = path.relative_to(PACKAGE.parent).with_suffix("").parts[: -node.level]
                module = ".".join(base + ((module,) if module else ()))
            names.add(module)
    return names


def test_pure_modules_import_no_web_or_database_code():
    files = [f for entry in PURE for f in ((PACKAGE / entry).rglob("*.py") if (PACKAGE / entry).is_dir() else [PACKAGE / entry])]
    assert len(files) > 5
    for file in files:
        for name in imports_of(file):
            assert not name.startswith(FORBIDDEN), f"{file.name} imports {name}"
