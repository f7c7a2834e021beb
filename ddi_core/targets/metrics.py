"""Three-class metrics of the target classifier and its baselines on the same splits."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from ddi_core.targets.decision import (
    CLASSES,
    DEFAULT_ACTIVATION_THRESHOLD,
    DEFAULT_INHIBITION_THRESHOLD,
    decide,
)


def classification_summary(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, Any]:
    """Per-class precision/recall/F1/support, macro-F1, accuracy, confusion.

    ``confusion[i][j]`` counts rows of true class ``i`` predicted ``j``, both in
    :data:`CLASSES` order.
    """
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    labels = [0, 1, 2]
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    return {
        "macro_f1": float(np.mean(f)),
        "accuracy": float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))
        if len(y_true)
        else 0.0,
        "per_class": {
            c: {
                "precision": float(p[i]),
                "recall": float(r[i]),
                "f1": float(f[i]),
                "support": int(s[i]),
            }
            for i, c in enumerate(CLASSES)
        },
        "confusion": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    }


def evaluate_proba(
    proba: np.ndarray,
    y_true: np.ndarray,
    inhibition_threshold: float = DEFAULT_INHIBITION_THRESHOLD,
    activation_threshold: float = DEFAULT_ACTIVATION_THRESHOLD,
) -> dict[str, Any]:
    """:func:`classification_summary` of the decision rule and of argmax."""
    return {
        "rule": classification_summary(
            y_true, decide(proba, inhibition_threshold, activation_threshold)
        ),
        "argmax": classification_summary(y_true, np.asarray(proba).argmax(axis=1)),
    }


def baseline_probas(
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray,
    *,
    X_val: np.ndarray | None = None,
    y_val: np.ndarray | None = None,
    Cs: Sequence[float] = (0.01, 0.1, 1.0),
    random_state: int = 0,
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Test-set probabilities of a majority-class and a logistic-regression baseline.

    Both are fitted on the training rows only. Logistic regression runs on
    standardized features (multinomial, L2); its ``C`` is chosen among ``Cs``
    by validation macro-F1 (argmax) when validation rows are given, else the
    last of ``Cs``.

    Returns
    -------
    probas : dict
        ``{"majority": (n, 3), "logistic": (n, 3)}``.
    info : dict
        Chosen ``C``, validation macro-F1 per ``C``, seconds.
    """
    from sklearn.dummy import DummyClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.preprocessing import StandardScaler

    def full(model, X) -> np.ndarray:
        p = model.predict_proba(X)
        out = np.zeros((len(X), 3), np.float64)
        out[:, np.asarray(model.classes_, int)] = p
        return out

    t0 = time.perf_counter()
    maj = DummyClassifier(strategy="most_frequent").fit(X_train, y_train)
    scaler = StandardScaler().fit(X_train)
    Xt = scaler.transform(X_train)
    fits: dict[float, Any] = {}
    val_f1: dict[str, float] = {}
    for C in Cs:
        m = LogisticRegression(C=C, max_iter=1000, random_state=random_state).fit(Xt, y_train)
        fits[C] = m
        if X_val is not None and y_val is not None and len(y_val):
            pred = m.predict(scaler.transform(X_val))
            val_f1[str(C)] = float(
                f1_score(y_val, pred, labels=[0, 1, 2], average="macro", zero_division=0)
            )
    best = max(Cs, key=lambda c: (val_f1.get(str(c), 0.0), c)) if val_f1 else Cs[-1]
    probas = {
        "majority": full(maj, X_test),
        "logistic": full(fits[best], scaler.transform(X_test)),
    }
    info = {
        "logistic_C": best,
        "logistic_val_macro_f1": val_f1,
        "logistic_iterations": int(np.max(fits[best].n_iter_)),
        "seconds": round(time.perf_counter() - t0, 3),
    }
    return probas, info
