"""The house: each stage in its own package, each package saying what it takes and gives, and no
import circle between cotw's modules (counting imports inside functions too)."""
from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "cotw"


def modules() -> dict[str, Path]:
    out = {}
    for f in SRC.rglob("*.py"):
        parts = f.relative_to(SRC).with_suffix("").parts
        parts = parts[:-1] if parts[-1] == "__init__" else parts
        out[".".join(("cotw",) + parts)] = f
    return out


def imports(name: str, file: Path, known: dict[str, Path]) -> set[str]:
    pkg = name if file.name == "__init__.py" else name.rsplit(".", 1)[0]
    deps = set()
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = pkg.split(".")[: len(pkg.split(".")) - node.level + 1]
            target = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                deps.add(sub if sub in known else target)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("cotw"):
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                deps.add(sub if sub in known else node.module)
        elif isinstance(node, ast.Import):
            deps.update(a.name for a in node.names if a.name.startswith("cotw"))
    return {d for d in deps if d in known and d != name}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 visiting, 2 done
    path: list[str] = []

    def visit(n):
        state[n] = 1
        path.append(n)
        for d in sorted(graph[n]):
            if state.get(d) == 1:
                return path[path.index(d):] + [d]
            if d not in state:
                found = visit(d)
                if found:
                    return found
        path.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state:
            found = visit(n)
            if found:
                return found
    return None


def test_no_import_circle_between_cotw_modules():
    known = modules()
    graph = {n: imports(n, f, known) for n, f in known.items()}
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_each_stage_package_says_what_it_takes_and_gives():
    for init in SRC.rglob("__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and len(doc) > 80, f"{init.relative_to(SRC)} needs a docstring saying what the stage takes and gives"


def test_the_check_stages_live_in_the_check_package():
    flat = {f.stem for f in SRC.glob("*.py")}
    assert not flat & {"validation", "derive", "rules", "profile", "provenance", "second_opinion", "reader", "fastread", "loader", "fmt"}


def test_every_cotw_module_the_tests_scripts_and_benchmarks_import_exists():
    """A module moved to its stage's package leaves no import of its old name behind (imports inside
    functions included, which only run in some examples)."""
    import importlib.util

    root = SRC.parents[1]
    missing = []
    for folder in ("tests", "scripts", "benchmarks"):
        for f in (root / folder).glob("*.py"):
            for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").startswith("cotw"):
                    names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
                    names = [n for n in names if n == node.module or importlib.util.find_spec(node.module) is None]
                elif isinstance(node, ast.Import):
                    names = [a.name for a in node.names if a.name.startswith("cotw")]
                for name in names:
                    if importlib.util.find_spec(name) is None:
                        missing.append(f"{f.relative_to(root)}:{node.lineno} imports {name}")
    assert not missing, missing
