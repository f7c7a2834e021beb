"""The house plan, checked: the package order of ``ddi_core`` (imports inside functions
counted), no import of ``ddi_core`` inside a function, no import cycle, no module over
500 lines, and every module importable with streamlit blocked.

Each checker takes the root of a tree, so the tests at the bottom can show that each
one fails on a tree made to break it.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_LINES = 500
#: ``ddi_core``'s layers, lowest first: a module may import its own package and those
#: listed before it, never one after it (docs/ARCHITECTURE.md draws the same order).
#: The single modules at the top of the package come first, then the stages.
LAYERS: tuple[str, ...] = (
    "__init__",
    "errors",
    "paths",
    "device",
    "seeds",
    "progress",
    "linear",
    "cache",
    "fitloop",
    "data",
    "facts",
    "graphs",
    "embed",
    "config",
    "targets",
    "walk",
    "pairs",
    "models",
    "runs",
    "rank",
    "validation",
    "training",
    "cli",
)


def _modules(root: Path) -> dict[str, Path]:
    out = {}
    for p in sorted((root / "ddi_core").rglob("*.py")):
        parts = list(p.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = p
    return out


def _layer(module: str) -> str:
    """``ddi_core.rank.session`` -> ``rank``; ``ddi_core`` -> ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _internal_imports(path: Path, module: str) -> list[tuple[int, str, bool]]:
    """Every import of ``ddi_core`` in ``path``: (line, target module, inside a function)."""
    tree = ast.parse(path.read_text())
    parent = {c: n for n in ast.walk(tree) for c in ast.iter_child_nodes(n)}
    pkg = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    out = []
    for n in ast.walk(tree):
        if isinstance(n, ast.ImportFrom):
            base = n.module or ""
            if n.level:
                keep = pkg.split(".")[: len(pkg.split(".")) - n.level + 1]
                base = ".".join(keep + ([base] if base else []))
            # from p import x: the module p.x, or a name of p (the callers trim to a module)
            targets = [f"{base}.{a.name}" for a in n.names] if base.startswith("ddi_core") else []
        elif isinstance(n, ast.Import):
            targets = [a.name for a in n.names if a.name.startswith("ddi_core")]
        else:
            continue
        q, inside = n, False
        while q in parent:
            q = parent[q]
            if isinstance(q, ast.FunctionDef | ast.AsyncFunctionDef):
                inside = True
                break
        out += [(n.lineno, t, inside) for t in targets]
    return out


def _trim(target: str, mods: dict[str, Path]) -> str:
    """The module an import target names (``ddi_core.rank.b.f`` -> ``ddi_core.rank.b``)."""
    while target and target not in mods:
        target = target.rpartition(".")[0]
    return target


def layer_violations(root: Path) -> list[str]:
    """``file:line: a -> b`` for every import of a later layer (or of no layer)."""
    out = []
    mods = _modules(root)
    for mod, path in mods.items():
        a = _layer(mod)
        for line, target, _ in _internal_imports(path, mod):
            b = _layer(_trim(target, mods) or target)
            if a not in LAYERS or b not in LAYERS:
                out.append(f"{path.relative_to(root)}:{line}: {a} -> {b} (a package of no layer)")
            elif LAYERS.index(b) > LAYERS.index(a):
                out.append(f"{path.relative_to(root)}:{line}: {a} imports the later {target}")
    return out


def function_local_imports(root: Path) -> list[str]:
    """``file:line: target`` for every import of ``ddi_core`` inside a function (only an
    optional third-party dependency may be imported there)."""
    return [
        f"{path.relative_to(root)}:{line}: {target}"
        for mod, path in _modules(root).items()
        for line, target, inside in _internal_imports(path, mod)
        if inside
    ]


def module_cycles(root: Path) -> list[list[str]]:
    """Import cycles between modules (a package's ``__init__`` importing its own
    submodules is not one)."""
    mods = _modules(root)
    graph: dict[str, set[str]] = {}
    for m, p in mods.items():
        deps = set()
        for _, t, _ in _internal_imports(p, m):
            t = _trim(t, mods)
            if t and t != m and not t.startswith(m + "."):
                deps.add(t)
        graph[m] = deps
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for d in sorted(graph[m]):
            if state.get(d) == 1:
                cycles.append(stack[stack.index(d) :] + [d])
            elif d not in state:
                visit(d)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)
    return cycles


def oversized(root: Path) -> list[str]:
    """Modules of ``ddi_core``, ``ui`` and ``pages`` (and ``app.py``) over 500 lines."""
    files = [root / "app.py"] + [
        p for d in ("ddi_core", "ui", "pages") for p in (root / d).rglob("*.py")
    ]
    return sorted(
        f"{p.relative_to(root)} ({n})"
        for p in files
        if p.is_file() and (n := len(p.read_text().splitlines())) > MAX_LINES
    )


# ------------------------------------------------------------------ the real tree
def test_every_package_imports_only_earlier_layers():
    assert not layer_violations(ROOT), "\n".join(layer_violations(ROOT))


def test_no_import_of_ddi_core_inside_a_function():
    local = function_local_imports(ROOT)
    assert not local, "imports of ddi_core inside functions:\n" + "\n".join(local)


def test_no_import_cycles():
    cycles = module_cycles(ROOT)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_no_module_over_500_lines():
    assert not oversized(ROOT), oversized(ROOT)


def test_every_module_imports_with_streamlit_blocked():
    mods = [m for m in _modules(ROOT) if m != "ddi_core" and not m.endswith("__main__")]
    code = (
        "import importlib, sys\nsys.modules['streamlit'] = None\n"
        f"for m in {mods!r}:\n    importlib.import_module(m)\nprint(len({mods!r}))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    assert int(r.stdout.strip()) == len(mods) > 60


def test_every_layer_of_the_tree_is_declared():
    on_disk = {_layer(m) for m in _modules(ROOT)}
    assert on_disk <= set(LAYERS), sorted(on_disk - set(LAYERS))


# ------------------------------------------------------- the checkers can fail
def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in {"ddi_core/__init__.py": "", **files}.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return tmp_path


def test_the_checkers_fail_on_a_tree_made_to_break_them(tmp_path):
    root = _tree(
        tmp_path,
        {
            "ddi_core/data/__init__.py": "",
            "ddi_core/data/a.py": "def f():\n    from ddi_core.rank import b\n",
            "ddi_core/rank/__init__.py": "",
            "ddi_core/rank/b.py": "from ddi_core.data import a\n" + "x = 1\n" * 501,
            "ddi_core/shed/__init__.py": "",
            "ui/page.py": "",
        },
    )
    layers = layer_violations(root)
    assert any("data/a.py:2: data imports the later ddi_core.rank" in v for v in layers), layers
    assert any("shed" in v and "no layer" in v for v in layer_violations(
        _tree(tmp_path, {"ddi_core/shed/c.py": "from ddi_core.data import a\n"})
    ))  # fmt: skip
    assert function_local_imports(root) == ["ddi_core/data/a.py:2: ddi_core.rank.b"]
    assert ["ddi_core.data.a", "ddi_core.rank.b", "ddi_core.data.a"] in module_cycles(root)
    assert oversized(root) == ["ddi_core/rank/b.py (502)"]
