""" "No trained model yet" guidance with a button that starts a quick training job.

Shared by the Overview and Predictions pages. The job runs in a separate
process (:func:`ddi_core.training.runner.start_training_job`); the Train page follows
its progress. A busy data home is refused with the running job's name.
"""

from __future__ import annotations

import streamlit as st

from ddi_core.config.run import preset
from ddi_core.errors import DDIError
from ddi_core.training import jobs
from ddi_core.training.jobs import JobBusyError

TRAIN_PAGE = "pages/train.py"


def running_job() -> dict | None:
    """The data home's running job record (``None`` when idle or unreadable)."""
    try:
        return jobs.current()
    except (OSError, DDIError):
        return None


def start_quick_training() -> tuple[bool, str]:
    """Start the ``quick`` preset in a job process; ``(started, message)``."""
    from ddi_core.training.runner import start_training_job  # torch: only when starting

    try:
        job = start_training_job(preset("quick"))
    except JobBusyError as exc:
        return False, f"Not started: {exc}. Follow or cancel it on the Train page."
    except DDIError as exc:
        return False, f"Could not start the training job: {exc}"
    return True, (
        f"Started the quick training as run `{job.run_id}` (process {job.pid}). "
        "It takes a few minutes on a CPU; follow it on the Train page."
    )


def quick_train_panel(*, key: str) -> None:
    """A *Train a quick model* button (or the running job's name) and a link to Train."""
    job = running_job()
    if job is not None:
        st.info(
            f"A job is running in this data home: {job.get('label') or job.get('kind')} "
            f"(run `{job.get('run_id', '?')}`). Its model appears here when it is done."
        )
    else:
        cfg = preset("quick").train
        pairs = (
            f"at most {cfg.max_train_pairs:,} training pairs"
            if cfg.max_train_pairs
            else "every training pair"
        )
        st.caption(
            f"The quick preset trains the paper's network for at most {cfg.max_epochs} "
            f"epochs on {pairs}: a few minutes on a CPU."
        )
        if st.button("Train a quick model", type="primary", key=key, icon="🏋️"):
            ok, msg = start_quick_training()
            (st.success if ok else st.error)(msg)
    st.page_link(TRAIN_PAGE, label="Open the Train page", icon="➡️")
