"""The drug-target classifier's report for RESULTS: ``docs/results_extra/20_targets.json``.

The classifier is the one whose calls seed the ``paper`` preset's walk (cached stage
``targets``; fitted here when absent). Its calibration and call rules are in the
paper_faithful section (``scripts/paper_faithful.py``).

    python scripts/targets_report.py && python scripts/make_results.py --update targets
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

TITLE = (
    "Drug-target classifier (ddi targets report --json; drug-disjoint test split, "
    "paper architecture, seed 0)"
)


def main() -> int:
    logging.basicConfig(level=logging.WARNING)
    from ddi_core.config.run import preset
    from ddi_core.runs.provenance import code_version
    from ddi_core.targets.report import target_report
    from ddi_core.walk.profiles import target_config

    cfg = target_config(preset("paper").walk)
    rep = target_report(cfg, calibration=False)
    out = REPO / "docs" / "results_extra" / "20_targets.json"
    rec = {
        "title": TITLE,
        "measured_at": time.strftime("%Y-%m-%d %H:%M"),
        "command": "python scripts/targets_report.py",
        "code_version": code_version(),
        "result": rep,
    }
    out.write_text(json.dumps(rec, indent=1, default=str) + "\n")
    print(
        f"wrote {out}: macro-F1 {rep['macro_f1']:.3f} (rule), "
        f"{rep['argmax']['macro_f1']:.3f} (argmax)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
