"""The house plan, checked: every module imports without streamlit, no import cycles,
no module over 500 lines (a shrinking list of known exceptions aside)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PKG = Path(__file__).resolve().parents[2] / "ddi_core"
MAX_LINES = 500
#: the walk algorithm stays whole by design; the rest are still to be split (issue 12)
OVERSIZED = {"walk/algorithm.py"}
#: import cycles (through imports inside functions) still to be broken (issue 12)
KNOWN_CYCLES: set[frozenset[str]] = set()


def _modules() -> dict[str, Path]:
    out = {}
    for p in sorted(PKG.rglob("*.py")):
        rel = p.relative_to(PKG.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts[-1] != "__main__":
            out[".".join(parts)] = p
    return out


def _imports(path: Path, mod: str, known: set[str]) -> set[str]:
    """ddi_core modules imported anywhere in ``path`` (module level and inside functions)."""
    out = set()
    pkg = mod if path.name == "__init__.py" else mod.rsplit(".", 1)[0]
    for n in ast.walk(ast.parse(path.read_text())):
        if isinstance(n, ast.ImportFrom):
            base = n.module or ""
            if n.level:
                base = ".".join(
                    pkg.split(".")[: len(pkg.split(".")) - n.level + 1] + ([base] if base else [])
                )
            if not base.startswith("ddi_core"):
                continue
            for a in n.names:
                full = f"{base}.{a.name}"
                out.add(full if full in known else base)
        elif isinstance(n, ast.Import):
            out |= {a.name for a in n.names if a.name.startswith("ddi_core")}
    return {m for m in out if m in known and m != mod}


def test_every_module_imports_with_streamlit_blocked():
    mods = [m for m in _modules() if m != "ddi_core"]
    code = (
        "import importlib, sys\nsys.modules['streamlit'] = None\n"
        f"for m in {mods!r}:\n    importlib.import_module(m)\nprint(len({mods!r}))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    assert int(r.stdout.strip()) == len(mods) > 60


def test_no_import_cycles():
    mods = _modules()
    known = set(mods)
    graph = {m: _imports(p, m, known) for m, p in mods.items()}
    # a package's __init__ importing its own submodules is not a cycle of stages
    graph = {m: {d for d in deps if not d.startswith(m + ".")} for m, deps in graph.items()}
    cycles = []
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
    found = {frozenset(c) for c in cycles}
    new = [c for c in cycles if frozenset(c) not in KNOWN_CYCLES]
    assert not new, "import cycles:\n" + "\n".join(" -> ".join(c) for c in new)
    assert KNOWN_CYCLES <= found, f"broken cycles still listed: {KNOWN_CYCLES - found}"


def test_the_cycle_finder_finds_a_cycle(tmp_path):
    a = tmp_path / "a.py"
    a.write_text("from ddi_core.x import b\n")
    assert _imports(a, "ddi_core.y", {"ddi_core.x", "ddi_core.x.b", "ddi_core.y"}) == {
        "ddi_core.x.b"
    }


def test_no_module_over_500_lines_but_the_known_ones():
    sizes = {str(p.relative_to(PKG)): len(p.read_text().splitlines()) for p in PKG.rglob("*.py")}
    over = {k for k, v in sizes.items() if v > MAX_LINES}
    assert over <= OVERSIZED, f"new modules over {MAX_LINES} lines: {sorted(over - OVERSIZED)}"
    # the exception list shrinks as modules are split: no stale entries
    assert OVERSIZED <= over | {"walk/algorithm.py"}, sorted(OVERSIZED - over)
