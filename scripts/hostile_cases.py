"""Run the hostile-input cases of issue 13 through the real ``ddi`` command, each in
a fresh temporary data home (the real bundle fetched into it), and record per case:
the exit status, the message, and whether anything outside the run in question
changed (every file of the home and of the outside targets hashed before and
after). Writes ``docs/bench/hostile.json`` for ``scripts/make_results.py``.

Usage: python scripts/hostile_cases.py [--bundle ../shared/ddi-data]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "bench" / "hostile.json"


def tree(root: Path) -> dict[str, str]:
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".stamps" not in p.name
    }


def ddi(home: Path, *argv: str, cwd: Path | None = None, pick: str = "") -> tuple[int, str]:
    env = dict(os.environ, DDI_HOME=str(home))
    p = subprocess.run(
        [sys.executable, "-m", "ddi_core.cli.main", *argv],
        env=env,
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=600,
    )
    lines = [
        ln
        for ln in (p.stderr + p.stdout).splitlines()
        if ln.strip()
        and " INFO " not in ln
        and not ln.startswith("usage:")
        and not ln.startswith("  ")
    ]
    msg = next((ln for ln in lines if (pick or "error") in ln.lower()), lines[-1] if lines else "")
    return p.returncode, msg.strip()[:300]


def run_json(home: Path, rid: str, record: str | None = None) -> Path:
    d = home / "runs" / rid
    d.mkdir(parents=True)
    (d / "run.json").write_text(
        record
        if record is not None
        else json.dumps(
            {
                "id": rid,
                "status": "done",
                "created": "2026-12-01T00:00:00+0000",
                "config": {"preset": "quick"},
                "headline": {"auroc": 0.8, "val_mrr": 0.1},
            }
        )
    )
    return d


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bundle", default=str(ROOT.parent / "shared" / "ddi-data"))
    a = ap.parse_args()
    base = Path(tempfile.mkdtemp(prefix="ddi-hostile-"))
    template = base / "template"
    rc, msg = ddi(template, "data", "fetch", "--from", a.bundle, "-q")
    if rc != 0:
        print(f"fetch failed: {msg}", file=sys.stderr)
        return 1
    cases: list[dict] = []

    def case(
        name: str,
        setup: Callable[[Path, Path], tuple[list[str], list[Path]]],
        expect_rc: int,
        own: str | None = None,
        pick: str = "",
    ) -> None:
        home, outside = base / "home", base / "outside"
        for p in (home, outside):
            shutil.rmtree(p, ignore_errors=True)
        shutil.copytree(template, home, symlinks=True)
        outside.mkdir()
        argv, watched = setup(home, outside)
        before = {str(w): tree(w) for w in [home, outside, *watched]}
        t = time.perf_counter()
        rc, msg = ddi(home, *argv, cwd=outside, pick=pick)
        after = {str(w): tree(w) for w in [home, outside, *watched]}
        if own:  # the run in question may change (deleted): compare the rest
            for d in (before, after):
                d[str(home)] = {
                    k: v for k, v in d[str(home)].items() if not k.startswith(f"runs/{own}/")
                }
        cases.append(
            {
                "case": name,
                "command": "ddi " + " ".join(argv),
                "exit": rc,
                "expected_exit": expect_rc,
                "message": msg,
                "nothing_else_changed": before == after,
                "seconds": round(time.perf_counter() - t, 1),
            }
        )
        print(f"{rc} {name}: {msg}", flush=True)

    def outside_run(home, outside):
        d = run_json(outside, "x")
        return ["runs", "delete", str(d)], []

    def other_home(home, outside):
        d = run_json(outside / "other-home", "RUN")
        return ["runs", "delete", f"../../{outside.name}/other-home/runs/RUN"], [d]

    def malformed(record, *argv):
        def setup(home, outside):
            run_json(home, "quick-good")
            run_json(home, "quick-bad", record)
            return list(argv), []

        return setup

    def malformed_delete(home, outside):
        run_json(home, "quick-good")
        run_json(home, "quick-bad", "[]")
        return ["runs", "delete", "quick-bad"], []

    def truncated_metrics(home, outside):
        d = run_json(home, "quick-t")
        (d / "metrics.json").write_text('{"test": {"auroc": 0.')
        return ["runs", "show", "quick-t"], []

    def flipped(home, outside):
        rel = "ctd/2_C_D.csv"
        p = home / "raw" / rel
        if not p.is_file():
            rel = sorted(str(q.relative_to(home / "raw")) for q in (home / "raw").rglob("*.csv"))[0]
            p = home / "raw" / rel
        st = p.stat()
        data = bytearray(p.read_bytes())
        data[len(data) // 2] ^= 1
        p.write_bytes(bytes(data))
        os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
        return ["train", "--preset", "quick"], []

    def opt(*argv):
        return lambda home, outside: (list(argv), [])

    def exdir(home, outside):
        (outside / "adir").mkdir()
        return ["train", "--preset", "quick", "--exclude-pairs", "adir"], []

    case("delete a path outside the home", outside_run, 2)
    case("delete another home's run by ../", other_home, 2)
    case("run.json is [] (list)", malformed("[]", "runs", "list"), 0, pick="unreadable")
    case("run.json is [] (show)", malformed("[]", "runs", "show", "quick-bad"), 0, pick="error")
    case(
        "run.json without config (show)",
        malformed('{"status": "done"}', "runs", "show", "quick-bad"),
        0,
        pick="error",
    )
    case("delete the malformed run", malformed_delete, 0, own="quick-bad")
    case("truncated metrics.json (show)", truncated_metrics, 2)
    case("a byte flipped, mtime restored (train)", flipped, 2)
    for argv in (
        ["--neg-ratio", "nan"],
        ["--neg-ratio", "-1"],
        ["--max-train-pairs", "-5"],
        ["--max-epochs", "0"],
        ["--device", "foo"],
        ["--device", "cuda"],
        ["--config-json", "{bad"],
        ["--config-json", '{"preset": "zzz"}'],
        ["--config-json", '{"train": {"nope": 1}}'],
    ):
        case(f"train {' '.join(argv)}", opt("train", "--preset", "quick", *argv), 2)
    case("train --exclude-pairs DIRECTORY", exdir, 2)
    case("rank --top -5", opt("rank", "aspirin", "--top", "-5"), 2)
    shutil.rmtree(base, ignore_errors=True)
    ok = all(c["exit"] == c["expected_exit"] and c["nothing_else_changed"] for c in cases)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        json.dumps(
            {
                "bench": "hostile",
                "command": "python scripts/hostile_cases.py",
                "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
                "all_as_expected": ok,
                "cases": cases,
            },
            indent=1,
        )
        + "\n"
    )
    print(f"{len(cases)} cases, all as expected: {ok}; wrote {OUT}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
