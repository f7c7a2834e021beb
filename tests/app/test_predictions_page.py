"""The Predictions page on the real bundle with a trained run: ranked tables, filters,
explanations, bad input and the no-run guidance; the Overview's runs table and its
"what to do first" guidance (the shared quick-training widget)."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO
from ui import state
from ui.predictions import (
    CHECK,
    csv_name,
    data_digest,
    display_table,
    filter_table,
    provenance_line,
)

APP = str(REPO / "app.py")
PAGE = "pages/predictions.py"
METFORMIN = "D008687"
ALL_ROWS = 10_000


def _open(run_id: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=240).run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    if run_id is not None and at.selectbox(key=state.PRED_RUN).value != run_id:
        at.selectbox(key=state.PRED_RUN).set_value(run_id).run()
        assert not at.exception, at.exception
    return at


def _ranked(at: AppTest) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if "percentile" in df.value.columns)


def _metformin_ctd_diseases() -> set[str]:
    from ddi_core.data import loaders

    ctd = loaders.load_ctd_chemical_disease()
    return set(ctd.loc[ctd["chemical_id"] == METFORMIN, "disease_id"])


@pytest.mark.integration
def test_metformin_ranks_every_disease_with_known_pairs_marked(trained_run):
    from ddi_core.rank.queries import rank_diseases

    at = _open(trained_run.id)
    assert at.radio(key=state.PRED_MODE).value == "drug"
    assert at.selectbox(key=state.PRED_DRUG).value == METFORMIN
    assert any(h.value == "Metformin (D008687)" for h in at.subheader)
    assert any(f"run `{trained_run.id}`" in c.value and "seed 0" in c.value for c in at.caption)

    table = _ranked(at)
    assert table["rank"].tolist() == list(range(1, 51))  # the default top 50

    at.number_input(key=state.PRED_TOP).set_value(ALL_ROWS).run()
    assert not at.exception, at.exception
    table = _ranked(at)
    res = rank_diseases(METFORMIN, run_id=trained_run.id)  # the clinical view, as the page
    core = res.table
    n = len(core)
    assert n > 2000 and table["rank"].tolist() == list(range(1, n + 1))
    assert table["MeSH id"].tolist() == core["disease_id"].tolist()
    # the clinical view: experimental models and chemically induced terms are hidden
    assert at.segmented_control(key=f"{state.PRED_VIEW}.drug").value == "clinical"
    assert res.n_hidden > 50 and n + res.n_hidden == res.n_candidates
    assert not set(table["class"]) & {"experimental model", "chemically induced"}
    assert {"sign or symptom", "pathological process", ""} <= set(table["class"])
    assert any(f"{res.n_hidden:,} experimental-model" in c.value for c in at.caption)
    # the literature mark is exactly metformin's CTD diseases among the candidates
    marked = set(table.loc[table["literature"] == "CTD", "MeSH id"])
    assert len(marked) >= 1
    assert marked == _metformin_ctd_diseases() & set(table["MeSH id"])
    assert set(table["literature"]) <= {"CTD", ""}
    # type 2 diabetes is on metformin's label and a PharmacotherapyDB indication
    t2d = table.set_index("MeSH id").loc["D003924"]
    assert t2d["indication"] == "DrugCentral; PTDB DM"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["literature pairs (CTD)"] == f"{len(marked):,}"
    assert metrics["candidate diseases"] == f"{n:,}"
    assert metrics["approved / labelled indications"] == f"{res.n_indications:,}"

    # all terms: one click shows the hidden ones again
    at.segmented_control(key=f"{state.PRED_VIEW}.drug").set_value("all").run()
    assert not at.exception, at.exception
    every = _ranked(at)
    assert len(every) == res.n_candidates
    assert {"experimental model", "chemically induced"} <= set(every["class"])
    at.segmented_control(key=f"{state.PRED_VIEW}.drug").set_value("clinical").run()

    # the explanation panel explains the top row
    top = core.iloc[0]
    assert any(h.value == f"Why Metformin → {top['disease_name']}?" for h in at.subheader)
    drivers = next(df.value for df in at.dataframe if "attribution" in df.value.columns)
    from ddi_core.rank.explain import explain_pair

    ex = explain_pair(METFORMIN, top["disease_id"], run_id=trained_run.id)
    assert drivers["gene"].tolist() == [g["symbol"] for g in ex["driver_genes"]]
    flagged = drivers.loc[drivers["CTD gene"] == CHECK, "gene"].tolist()
    assert flagged == [g["symbol"] for g in ex["driver_genes"] if g["disease_gene"]]
    targets = next(df.value for df in at.dataframe if "in network" in df.value.columns)
    assert "NDUFS1" in set(targets["gene"])


@pytest.mark.integration
def test_hide_known_and_branch_filter(trained_run):
    at = _open(trained_run.id)
    at.number_input(key=state.PRED_TOP).set_value(ALL_ROWS).run()
    full = _ranked(at)
    is_known = (full["literature"] != "") | (full["indication"] != "")
    known = set(full.loc[is_known, "MeSH id"])
    assert known

    at.segmented_control(key=state.PRED_PAIRS).set_value("known").run()
    assert not at.exception, at.exception
    only_known = _ranked(at)
    assert set(only_known["MeSH id"]) == known
    assert only_known["rank"].tolist() == full.loc[is_known, "rank"].tolist()

    at.segmented_control(key=state.PRED_PAIRS).set_value("unknown").run()
    assert not at.exception, at.exception
    hidden = _ranked(at)
    assert (hidden["literature"] == "").all() and (hidden["indication"] == "").all()
    assert not known & set(hidden["MeSH id"])
    assert len(hidden) == len(full) - len(known)
    assert hidden["rank"].tolist() == list(range(1, len(hidden) + 1))  # re-ranked among unknown
    # the unknown pairs keep their relative order
    assert hidden["MeSH id"].tolist() == [d for d in full["MeSH id"] if d not in known]

    branch = next(
        b for b in at.multiselect(key=state.PRED_BRANCHES).options if b.startswith("C04")
    )  # neoplasms
    at.multiselect(key=state.PRED_BRANCHES).set_value([branch]).run()
    assert not at.exception, at.exception
    only = _ranked(at)
    assert len(only) > 10 and only["MeSH branch"].map(lambda c: branch in c.split("; ")).all()
    assert only["rank"].is_monotonic_increasing and len(only) < len(hidden)


@pytest.mark.integration
def test_by_disease_ranks_drugs(trained_run):
    from ddi_core.rank.queries import rank_drugs

    at = _open(trained_run.id)
    at.radio(key=state.PRED_MODE).set_value("disease").run()
    assert not at.exception, at.exception
    assert at.selectbox(key=state.PRED_DISEASE).value == "D003924"
    table = _ranked(at)
    core = rank_drugs("D003924", run_id=trained_run.id, top=50).table
    assert "drug" in table.columns and "MeSH branch" not in table.columns
    assert table["MeSH id"].tolist() == core["drug_id"].tolist()
    assert table["rank"].tolist() == list(range(1, 51))


@pytest.mark.integration
def test_bad_names_show_messages_not_tracebacks(trained_run):
    at = _open(trained_run.id)
    at.text_input(key=state.PRED_DRUG_QUERY).set_value("metforminn").run()
    assert not at.exception, at.exception
    assert any("metforminn" in e.value for e in at.error)
    labels = [b.label for b in at.button]
    assert "Metformin" in labels
    assert not any("percentile" in df.value.columns for df in at.dataframe)
    next(b for b in at.button if b.label == "Metformin").click().run()
    assert at.text_input(key=state.PRED_DRUG_QUERY).value == "Metformin"
    # the select box follows the typed name
    assert at.text_input(key=state.PRED_DRUG_QUERY).value == "Metformin"
    assert at.selectbox(key=state.PRED_DRUG).value == METFORMIN
    assert any(h.value == "Metformin (D008687)" for h in at.subheader)
    # the row count survived the unknown name (the page stopped before drawing it)
    assert at.number_input(key=state.PRED_TOP).value == 50

    # a brand name: the picker follows it and says how it was found
    at.text_input(key=state.PRED_DRUG_QUERY).set_value("Glucophage").run()
    assert not at.exception, at.exception
    assert at.selectbox(key=state.PRED_DRUG).value == METFORMIN
    assert any("“Glucophage” → Metformin (D008687), brand name" in c.value for c in at.caption)
    at.text_input(key=state.PRED_DRUG_QUERY).set_value("prozac").run()
    assert at.selectbox(key=state.PRED_DRUG).value == "D005473"
    assert any(h.value.startswith("Fluoxetine") for h in at.subheader)

    # a real CTD chemical without a walk profile: the core's reason, as a warning
    at.text_input(key=state.PRED_DRUG_QUERY).set_value("water").run()
    assert not at.exception, at.exception
    assert any("Water (D014867)" in w.value and "no drug profile" in w.value for w in at.warning)

    at.radio(key=state.PRED_MODE).set_value("disease").run()
    at.text_input(key=state.PRED_DISEASE_QUERY).set_value("diabetis mellitis").run()
    assert not at.exception, at.exception
    assert any("diabetis mellitis" in e.value for e in at.error)
    assert any(b.label.startswith("Diabet") for b in at.button)


@pytest.mark.integration
def test_a_shared_link_by_brand_name_and_a_hostile_link(trained_run):
    at = AppTest.from_file(APP, default_timeout=240).run()
    at.query_params.update({state.PRED_RUN_PARAM: trained_run.id, "drug": "glucophage"})
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert at.selectbox(key=state.PRED_DRUG).value == METFORMIN
    assert any(h.value == "Metformin (D008687)" for h in at.subheader)
    assert at.query_params["drug"] == METFORMIN  # the link now names the id
    # a disease link switches the mode
    at2 = AppTest.from_file(APP, default_timeout=240).run()
    at2.query_params.update({state.PRED_RUN_PARAM: trained_run.id, "disease": "T2D"})
    at2.switch_page(PAGE).run()
    assert not at2.exception, at2.exception
    assert at2.radio(key=state.PRED_MODE).value == "disease"
    assert at2.selectbox(key=state.PRED_DISEASE).value == "D003924"
    assert at2.segmented_control(key=f"{state.PRED_VIEW}.disease").value == "approved"
    table = _ranked(at2)
    assert (table["FDA-approved"] == CHECK).all()
    # a hostile link: shown as plain text, no link, no image
    evil = (
        "![x](https://evil.example/p.png) :red[**Session expired: [log in](https://evil.example)**]"
    )
    at3 = AppTest.from_file(APP, default_timeout=240).run()
    at3.query_params.update({state.PRED_RUN_PARAM: trained_run.id, "drug": evil})
    at3.switch_page(PAGE).run()
    assert not at3.exception, at3.exception
    errors = [e.value for e in at3.error]
    shown = [e for e in errors if "evil" in e]
    # every bracket escaped: no Markdown link, image or colour can form
    assert shown and all(not re.search(r"(?<!\\)[\[\]]", e) for e in shown), shown
    assert not any("percentile" in df.value.columns for df in at3.dataframe)


def test_no_finished_run_offers_quick_training(tmp_home, monkeypatch):
    from ddi_core.runs import registry as runs
    from ddi_core.training import jobs, runner
    from ddi_core.training.jobs import JobBusyError

    monkeypatch.setattr(runs, "list_runs", lambda: [])
    monkeypatch.setattr(jobs, "current", lambda: None)
    started = []

    def busy(cfg):
        started.append(cfg)
        raise JobBusyError(
            {
                "label": "paper training (random split, seed 0)",
                "run_id": "r-1",
                "pid": 4242,
                "started": "now",
            }
        )

    monkeypatch.setattr(runner, "start_training_job", busy)
    at = _open()
    assert any("no finished model run" in w.value for w in at.warning)
    assert not any("percentile" in df.value.columns for df in at.dataframe)
    (button,) = [b for b in at.button if b.label == "Train a quick model"]
    button.click().run()
    assert not at.exception, at.exception
    assert len(started) == 1 and started[0].preset == "quick"
    assert any(
        "paper training (random split, seed 0)" in e.value and "r-1" in e.value for e in at.error
    )


@pytest.mark.integration
def test_overview_guides_first_steps_without_a_run(real_home, monkeypatch):
    from ddi_core.data.report import coverage_report
    from ddi_core.runs import registry as runs
    from ddi_core.training import jobs

    monkeypatch.setattr(runs, "list_runs", lambda: [])
    monkeypatch.setattr(
        jobs,
        "current",
        lambda: {"label": "quick training (random split, seed 0)", "run_id": "quick-x", "pid": 1},
    )
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, at.exception
    assert any(h.value == "What to do first" for h in at.subheader)
    # a running job replaces the button with its name
    assert not any(b.label == "Train a quick model" for b in at.button)
    assert any(
        "quick training (random split, seed 0)" in i.value and "quick-x" in i.value for i in at.info
    )
    assert any("No run yet" in i.value for i in at.info)
    rep = coverage_report()
    assert {m.label: m.value for m in at.metric}["CTD chemicals"] == f"{rep['ctd_chemicals']:,}"


@pytest.mark.integration
def test_overview_lists_runs_and_hides_guidance(trained_run):
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, at.exception
    assert not any(h.value == "What to do first" for h in at.subheader)
    table = next(df.value for df in at.dataframe if "AUROC (1:1)" in df.value.columns)
    row = table.set_index("run").loc[trained_run.id]
    assert row["status"] == "done" and row["preset"] == "quick" and row["split"] == "random"
    assert row["AUROC (1:1)"] == pytest.approx(trained_run.info["headline"]["auroc"])


# ------------------------------------------------------------ pure helpers
def _table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rank": [1, 2, 3, 4],
            "score": [0.9, 0.8, 0.7, 0.6],
            "percentile": [100, 66.7, 33.3, 0],
            "disease_name": ["a", "b", "c", "d"],
            "disease_id": ["D1", "D2", "D3", "D4"],
            "mesh_branch": [
                "C04 Neoplasms",
                "C04 Neoplasms; C14 Cardiovascular Diseases",
                "C14 Cardiovascular Diseases",
                "",
            ],
            "known": [False, True, False, False],
            "in_training": [False, True, False, False],
            "logit": [2.0, 1.0, 0.5, 0.1],
        }
    )


def test_filter_table_keeps_ranks_and_cuts_after_filtering():
    t = _table()
    out = filter_table(t, branches=["C14 Cardiovascular Diseases"], top=1)
    assert out["disease_id"].tolist() == ["D2"] and out["rank"].tolist() == [2]
    assert filter_table(t, branches=[], top=None)["disease_id"].tolist() == ["D1", "D2", "D3", "D4"]
    assert filter_table(t, known_only=True)["disease_id"].tolist() == ["D2"]
    assert filter_table(t, branches=["C14 Cardiovascular Diseases", "C04 Neoplasms"])[
        "disease_id"
    ].tolist() == ["D1", "D2", "D3"]
    shown = display_table(t, "drug")
    assert shown["in training"].tolist() == ["", CHECK, "", ""]
    assert list(shown.columns)[:2] == ["rank", "disease"] and "MeSH id" in shown.columns
    marked = t.assign(
        indication=["", "", "DrugCentral", ""],
        literature=["", "CTD", "", ""],
        non_indication=["", "", "", "PTDB NOT"],
        known=[False, True, False, False],
    )
    # known: an indication or the literature; a curated non-indication is not "known"
    assert filter_table(marked, known_only=True)["disease_id"].tolist() == ["D2", "D3"]
    shown = display_table(
        marked.assign(disease_class=["disease", "sign or symptom", "", ""]), "drug"
    )
    assert shown["indication"].tolist() == ["", "", "DrugCentral", ""]
    assert shown["non-indication"].tolist() == ["", "", "", "PTDB NOT"]
    assert shown["class"].tolist()[:2] == ["", "sign or symptom"]


def test_funnel_counts_follow_the_stages():
    from ui.overview import FUNNEL, funnel_counts

    rep = {"ctd_chemicals": 10, "chemicals_with_smiles": 6, "chemicals_with_signed_targets": 4}
    assert funnel_counts(rep, {"drugs_with_seed_in_network": 3}) == [10, 6, 4, 3]
    assert funnel_counts(rep, {}) == [10, 6, 4, 0]
    assert [label for label, _ in FUNNEL][-1] == "with a walk profile"


def test_provenance_and_names():
    files = {"b.csv": "2" * 64, "a.csv": "1" * 64}
    assert data_digest(files) == data_digest(dict(reversed(list(files.items()))))
    assert data_digest(files) != data_digest({**files, "a.csv": "3" * 64})
    assert data_digest({}) == ""
    line = provenance_line(
        {
            "id": "quick-1",
            "preset": "quick",
            "split": "drug",
            "config": {"seed": 7},
            "code_version": "0.1.0+gabc",
            "data_sha256": files,
        }
    )
    assert line == (
        f"run `quick-1` · preset quick · drug split · seed 7 · code 0.1.0+gabc · "
        f"data sha256 {data_digest(files)} (2 files)"
    )
    assert (
        csv_name("drug", "Metformin Hydrochloride", "quick-1")
        == "metformin_hydrochloride_diseases_quick-1.csv"
    )
