"""The house's structural counts, measured from the code (issue 25's before → after table).

Prints, for ``ddi_core``, ``ui``, ``pages``, ``app.py`` and ``scripts``:

* model-kind string comparisons: a comparison (``==``, ``!=``, ``in``) with the literal
  name of a model kind (``"mlp"``, ``"evidence"``, ``"popularity"``) on a line that
  speaks of a ``kind`` or ``model`` (so a preset, a drug population or a baseline of the
  same name is not counted), and
  ``getattr(..., "kind", ...)``, outside the model registry
  (``ddi_core/models/registry.py``); asking the registry for a kind by name is the way
  in, not a comparison;
* raw ``run.json`` reads: ``info.get(...)`` / ``info[...]`` (any object's ``.info``),
  outside the run record: the result that every reader goes through
  (``ddi_core/runs/result.py``) and the store that writes and loads the file
  (``ddi_core/runs/registry.py``);
* imports of ``ddi_core`` inside functions, and of those how many are marked as optional
  (a comment ``# optional:`` on the line above or on the line);
* package cycles among ``ddi_core``'s packages, counting imports inside functions;
* modules over 500 lines;
* wall-clock assertions in ``tests/`` (an ``assert`` on ``time.*``/``perf_counter``
  arithmetic).

Usage: ``python scripts/house_counts.py [--list] [ROOT]`` (one JSON line last).
"""

from __future__ import annotations

import ast
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

KINDS = ("mlp", "evidence", "popularity")
KIND_RE = re.compile(
    r"""(==|!=)\s*["'](?:%s)["']|["'](?:%s)["']\s*(==|!=)|\bin\s*[\(\[{]\s*["'](?:%s)["']"""
    r"""|getattr\([^)]*["']kind["']""" % (("|".join(KINDS),) * 3)
)
KIND_SUBJECT = re.compile(r"""\b(kind|model)\b|model_kind|getattr""")
INFO_RE = re.compile(r"\binfo\.get\(|\binfo\[")
TIMED_RE = re.compile(r"^\s*assert\b.*(perf_counter|time\.time|monotonic)\(")
CODE_DIRS = ("ddi_core", "ui", "pages", "scripts")


def _files(root: Path) -> list[Path]:
    out = [root / "app.py"] if (root / "app.py").is_file() else []
    for d in CODE_DIRS:
        out += sorted((root / d).rglob("*.py"))
    return [p for p in out if "__pycache__" not in p.parts]


def _module(root: Path, p: Path) -> str:
    parts = list(p.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _target(node: ast.ImportFrom, mod: str, is_init: bool) -> str:
    base = node.module or ""
    if node.level:
        pkg = mod if is_init else mod.rsplit(".", 1)[0]
        parts = pkg.split(".")[: len(pkg.split(".")) - node.level + 1]
        base = ".".join(parts + ([base] if base else []))
    return base


def _package(mod: str) -> str:
    parts = mod.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def imports(root: Path) -> tuple[int, list[tuple[str, int, str, bool]], dict[str, set[str]]]:
    """(internal imports, function-local ones as (file, line, target, optional), package graph)."""
    total, local = 0, []
    graph: dict[str, set[str]] = defaultdict(set)
    for p in sorted((root / "ddi_core").rglob("*.py")):
        mod = _module(root, p)
        text = p.read_text()
        lines = text.splitlines()
        tree = ast.parse(text)
        parent = {c: n for n in ast.walk(tree) for c in ast.iter_child_nodes(n)}
        for n in ast.walk(tree):
            if isinstance(n, ast.ImportFrom):
                targets = [_target(n, mod, p.name == "__init__.py")]
            elif isinstance(n, ast.Import):
                targets = [a.name for a in n.names]
            else:
                continue
            targets = [t for t in targets if t.startswith("ddi_core")]
            if not targets:
                continue
            total += 1
            q, inside = n, False
            while q in parent:
                q = parent[q]
                if isinstance(q, ast.FunctionDef | ast.AsyncFunctionDef):
                    inside = True
                    break
            if inside:
                near = " ".join(lines[max(0, n.lineno - 2) : n.lineno])
                local.append(
                    (str(p.relative_to(root)), n.lineno, targets[0], "# optional:" in near)
                )
            for t in targets:
                a, b = _package(mod), _package(t)
                if a != b and a != "ddi_core" and b != "ddi_core":
                    graph[a].add(b)
    return total, local, graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main(argv: list[str]) -> int:
    show = "--list" in argv
    args = [a for a in argv if not a.startswith("--")]
    root = Path(args[0] if args else Path(__file__).resolve().parent.parent)
    kind, raw, big = [], [], []
    for p in _files(root):
        rel = str(p.relative_to(root))
        if rel == "scripts/house_counts.py":  # its own patterns
            continue
        lines = p.read_text().splitlines()
        if len(lines) > 500 and not rel.startswith("scripts/"):
            big.append(f"{rel} ({len(lines)})")
        for i, line in enumerate(lines, 1):
            code = line.split("#", 1)[0]
            # a comparison with a kind's name where a model kind is meant (not a preset,
            # a drug population or a baseline called the same)
            if (
                rel != "ddi_core/models/registry.py"
                and KIND_RE.search(code)
                and KIND_SUBJECT.search(code)
            ):
                kind.append(f"{rel}:{i}")
            if rel not in ("ddi_core/runs/result.py", "ddi_core/runs/registry.py"):
                raw += [f"{rel}:{i}"] * len(INFO_RE.findall(code))
    timed = [
        f"{p.relative_to(root)}:{i}"
        for p in sorted((root / "tests").rglob("*.py"))
        for i, line in enumerate(p.read_text().splitlines(), 1)
        if TIMED_RE.search(line)
    ]
    total, local, graph = imports(root)
    cyc = cycles(graph)
    pairs = sorted(
        {tuple(sorted((a, b))) for a in graph for b in graph[a] if a in graph.get(b, ())}
    )
    res = {
        "model_kind_comparisons": len(kind),
        "raw_run_json_reads": len(raw),
        "internal_imports": total,
        "function_local_internal_imports": len(local),
        "function_local_not_marked_optional": sum(not o for *_, o in local),
        "package_pairs_importing_each_other": len(pairs),
        "package_cycles": len(cyc),
        "modules_over_500_lines": len(big),
        "timed_test_assertions": len(timed),
    }
    for k, v in res.items():
        print(f"{k:40s} {v}")
    print(
        "package pairs importing each other:", ", ".join(f"{a} <-> {b}" for a, b in pairs) or "none"
    )
    print("modules over 500 lines:", ", ".join(big) or "none")
    if show:
        for title, rows in (("kind comparisons", kind), ("raw reads", raw), ("timed", timed)):
            print(f"\n{title}:\n  " + "\n  ".join(rows))
        print("\nfunction-local imports:\n  " + "\n  ".join(f"{f}:{n} {t}" for f, n, t, _ in local))
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
