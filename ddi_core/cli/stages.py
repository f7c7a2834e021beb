"""The upstream stages a training reads, built before it: one line and one bar each.

``ddi train`` (and through it ``ddi prepare`` and the dashboard's jobs) calls
:func:`prepare_stages` first, so a first run shows where its minutes go: the
disease and gene embeddings (node2vec), the drug embedding (InfoGraph epochs),
the drug-target classifier (epochs) and its drugs x genes calls when seeds are
predicted, the walk profiles, the evidence tables. A cached stage loads in under
a second and prints nothing.
"""

from __future__ import annotations

import sys


def _n2v_bar(desc: str):
    """A node2vec ``progress(stage, done, total)`` that drives one tqdm bar (training
    share done, ETA); a cached embedding calls nothing and shows nothing."""
    from tqdm import tqdm

    state: dict = {}

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "train":
            bar = state.get("bar")
            if bar is None:
                bar = state["bar"] = tqdm(
                    total=total, desc=desc, unit="walk", file=sys.stderr, leave=False, disable=None
                )
            bar.update(done - bar.n)
        elif stage == "done" and state.get("bar") is not None:
            state.pop("bar").close()

    return progress


def prepare_stages(cfg=None) -> None:
    """Build the cached stages a run of ``cfg`` (default: the evidence preset) reads, one
    line each with its time (a bar where the stage reports progress), so a first run
    shows where its minutes go; a cached stage loads in under a second and says nothing."""
    import time

    from ddi_core.config.run import preset
    from ddi_core.fitloop import TqdmCallback

    cfg = cfg or preset("evidence")
    predicted = cfg.walk.seed_source != "known"
    uses_infograph = predicted or (
        cfg.model == "evidence" and "infograph" in cfg.evidence.drug_sims
    )

    def mesh():
        from ddi_core.embed.node2vec_stages import mesh_embedding

        mesh_embedding(None, _n2v_bar("node2vec"))

    def genes():
        from ddi_core.embed.node2vec_stages import ppi_embedding

        ppi_embedding(None, _n2v_bar("node2vec"))

    def drugs(bar):
        from ddi_core.embed.infograph import drug_embedding

        drug_embedding(None, [bar])

    def targets(bar):
        from ddi_core.targets.stage import fit_targets
        from ddi_core.walk.profiles import target_config

        fit_targets(target_config(cfg.walk), callbacks=[bar])

    def calls():
        from tqdm import tqdm

        from ddi_core.targets.grid import predicted_targets
        from ddi_core.walk.profiles import target_config

        bar = None

        def on_progress(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                bar = tqdm(
                    total=total,
                    desc="  scoring",
                    unit="drug",
                    file=sys.stderr,
                    leave=False,
                    disable=None,
                )
            bar.update(done - bar.n)

        try:
            predicted_targets(target_config(cfg.walk), on_progress=on_progress)
        finally:
            if bar is not None:
                bar.close()

    def walk():
        from ddi_core.walk.profiles import drug_profiles

        drug_profiles(cfg.walk)

    def tables():
        from ddi_core.models.evidence.tables import evidence_tables, tables_config

        evidence_tables(tables_config(cfg.evidence))

    steps: list[tuple[str, object]] = [("disease embedding (node2vec on MeSH)", mesh)]
    if predicted:
        steps.append(("gene embedding (node2vec on STRING)", genes))
    if uses_infograph:
        steps.append(("drug embedding (InfoGraph)", drugs))
    if predicted:
        steps.append(("drug-target classifier", targets))
        steps.append(("target calls (every drug x every network gene)", calls))
    steps.append(("signed walk profiles", walk))
    if cfg.model == "evidence":
        steps.append(("evidence tables", tables))
    for i, (name, build) in enumerate(steps, 1):
        label = f"[{i}/{len(steps)}] {name}"
        bar = TqdmCallback(label)
        t0 = time.perf_counter()
        try:
            build(bar) if build in (drugs, targets) else build()
        finally:
            bar.close()
        took = time.perf_counter() - t0
        if took > 1.0:
            print(f"{label}: {took:.0f} s", file=sys.stderr, flush=True)
