"""Every ``st.session_state`` key the dashboard uses, in one place.

Pages and widgets refer to these constants, never to string literals, so two
pages cannot collide on a key by accident. Keys are prefixed by the page (or
shared widget) that owns them. Add yours below, in a section of its own.
"""

from __future__ import annotations

# --------------------------------------------------------------- Signed walk
#: Selected drug in the picker's select box (its chemical id).
WALK_DRUG = "signed_walk.drug"
#: Free-text drug query (name, synonym or MeSH id); overrides the select box.
WALK_QUERY = "signed_walk.query"
#: Signaling network name ("hsn", "signor", "omnipath").
WALK_NETWORK = "signed_walk.network"
#: Restart probability alpha.
WALK_ALPHA = "signed_walk.alpha"
#: Decay per step.
WALK_DECAY = "signed_walk.decay"
#: Maximum walk length L.
WALK_STEPS = "signed_walk.steps"
#: Most nodes drawn in the network view.
WALK_CAP = "signed_walk.cap"
#: Step t shown first in the animation and in the top-genes table.
WALK_STEP = "signed_walk.step"
#: Query parameters of a link to the page (``?drug=<chemical id>&gene=<Entrez>``).
WALK_DRUG_PARAM = "drug"
WALK_GENE_PARAM = "gene"
#: The focused gene (an Entrez id, or None): set by a link, cleared with the drug.
WALK_FOCUS = "signed_walk.focus"
#: The ``(drug, gene)`` query parameters last applied (a link is applied once, so the
#: picker can move away from it).
WALK_LINK = "signed_walk.link"

# --------------------------------------------------------------------- Train
#: Preset of a new run ("quick", "paper" or "evidence").
TRAIN_PRESET = "train.preset"
#: Split kind of a new run ("random", "drug", "disease").
TRAIN_SPLIT = "train.split"
#: Negatives per positive of a new run.
TRAIN_NEG_RATIO = "train.neg_ratio"
#: Root seed of a new run.
TRAIN_SEED = "train.seed"
#: Most epochs of a new run (reset to the preset's value when the preset changes).
TRAIN_MAX_EPOCHS = "train.max_epochs"
#: Drug population of a new evidence run ("evidence" or "paper").
TRAIN_POPULATION = "train.population"
#: Run whose details (provenance, log, links) are shown under the runs table.
TRAIN_DETAIL_RUN = "train.detail_run"

# ------------------------------------------------------------------ Evaluate
#: Query parameter that preselects the evaluated run (``?run=<id>``).
EVAL_RUN_PARAM = "run"
#: The evaluated run (a done run's id).
EVAL_RUN = "evaluate.run"
#: Split kind of the "Models on one split" section ("random", "drug", "disease").
EVAL_SPLIT = "evaluate.split"
#: The run whose split :data:`EVAL_SPLIT` was last reset to (a new run resets it).
EVAL_SPLIT_FOR = "evaluate.split_for"
#: Runs overlaid on the comparison charts.
EVAL_COMPARE = "evaluate.compare"
#: Decision threshold of the confusion matrix.
EVAL_THRESHOLD = "evaluate.threshold"
#: Uploaded CSV of (drug, disease) pairs to score.
EVAL_UPLOAD = "evaluate.upload"
#: The open tab of the Evaluate page (its label; only the open tab is computed and drawn).
EVAL_TAB = "evaluate.tab"

# --------------------------------------------------------------- Predictions
#: Ranking direction: "drug" (every disease for a drug) or "disease" (every drug for a disease).
PRED_MODE = "predictions.mode"
#: The run whose model ranks (a done run's id).
PRED_RUN = "predictions.run"
#: Query parameter that preselects the ranking run (``?run=<id>``).
PRED_RUN_PARAM = "run"
#: Selected drug in the drug picker's select box (its chemical id).
PRED_DRUG = "predictions.drug"
#: Free-text drug query; overrides the select box.
PRED_DRUG_QUERY = "predictions.drug_query"
#: Selected disease in the disease picker's select box (its MeSH id).
PRED_DISEASE = "predictions.disease"
#: Free-text disease query; overrides the select box.
PRED_DISEASE_QUERY = "predictions.disease_query"
#: MeSH top-level branches kept in the table (empty: all).
PRED_BRANCHES = "predictions.branches"
#: Pairs shown: "all", "unknown" (known pairs dropped before ranking) or "known" (only them).
PRED_PAIRS = "predictions.pairs"
#: Rows shown (the best N after the filters).
PRED_TOP = "predictions.top"
#: The last row count chosen (a widget's own key is dropped when a rerun stops before
#: drawing it; this one is not, so the count survives an unknown name).
PRED_TOP_KEEP = "predictions.top_keep"
#: Prefix of the view control per mode ("clinical" / "all" terms for a drug, "approved" /
#: "all" drugs for a disease); ``<prefix>.<mode>.keep`` keeps the last choice.
PRED_VIEW = "predictions.view"
#: Query parameters of a shared link (``?drug=<name or id>`` or ``?disease=…``).
PRED_DRUG_PARAM = "drug"
PRED_DISEASE_PARAM = "disease"
#: The ``(parameter, value)`` last applied, so a link is applied once.
PRED_LINK = "predictions.link"
#: The ranked table (its row selection picks the explained pair).
PRED_TABLE = "predictions.table"

# ------------------------------------------------------------------ Overview
#: The "Train a quick model" button (Overview and Predictions share the widget, not the key).
OVERVIEW_QUICK_TRAIN = "overview.quick_train"
#: Set once the "Count the coverage by model" button was clicked (no evidence run yet).
OVERVIEW_COVERAGE = "overview.coverage"
#: The same button on the Predictions page.
PRED_QUICK_TRAIN = "predictions.quick_train"
#: Prefix of the Overview's detail expanders (one per nested table of the coverage report).
OVERVIEW_DETAIL = "overview.detail"
#: The Overview's calibration details expander (open or not; drawn only when open).
OVERVIEW_CALIBRATION = "overview.calibration"
#: Prefix of the Train page's delete confirmation (the typed run id) and its button.
TRAIN_DELETE_CONFIRM = "train.delete_confirm"
