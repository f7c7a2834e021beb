"""Validation of run configurations: every field's type and allowed range.

:func:`check_fields` runs in ``__post_init__`` of each config dataclass of
:mod:`ddi_core.config.run`, so a configuration cannot exist with a NaN ratio, a
negative count, zero epochs or an unknown preset, whether it comes from a
preset, ``--config-json``, TOML or a stored run. The error names the option
(``train.neg_ratio``), the value and what is allowed.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from collections.abc import Callable
from typing import Any

from ddi_core.errors import DDIError


class ConfigError(DDIError, ValueError):
    """A configuration value of the wrong type or out of range.

    Attributes
    ----------
    option : str
        The option as ``section.field`` (``seed`` and ``preset`` have no section).
    value : object
        The value given.
    allowed : str
        What the option accepts.
    """

    def __init__(self, option: str, value: object, allowed: str):
        self.option, self.value, self.allowed = option, value, allowed
        super().__init__(f"{option} = {value!r}: {allowed}")


def _finite(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _num(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() and abs(x) >= 1 else f"{x:g}"


def _range(
    lo: float | None, hi: float | None, *, lo_open: bool = False, hi_open: bool = False
) -> tuple[Callable[[Any], bool], str]:
    def ok(v: Any) -> bool:
        if not _finite(v):
            return False
        if lo is not None and (v <= lo if lo_open else v < lo):
            return False
        return not (hi is not None and (v >= hi if hi_open else v > hi))

    left = "" if lo is None else f"{'>' if lo_open else '≥'} {_num(lo)}"
    right = "" if hi is None else f"{'<' if hi_open else '≤'} {_num(hi)}"
    return ok, "must be a {kind} " + " and ".join(x for x in (left, right) if x)


#: Allowed ranges, by ``section.field`` (types come from the dataclass annotations).
RANGES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "seed": _range(0, 2**32 - 1),
    "walk.alpha": _range(0, 1),
    "walk.decay": _range(0, 1, lo_open=True),
    "walk.max_steps": _range(1, 1000),
    "walk.phy_sign": (lambda v: v in (-1, 1), "must be -1 (flip, the paper's rule) or 1"),
    "walk.target_top_k": _range(1, 10_000),
    "walk.target_lift_power": _range(0, 4),
    "train.neg_ratio": _range(0, 100, lo_open=True),
    "train.val_fraction": _range(0, 0.5, lo_open=True, hi_open=True),
    "train.test_fraction": _range(0, 0.5, lo_open=True, hi_open=True),
    "train.max_epochs": _range(1, 100_000),
    "train.patience": _range(0, 100_000),
    "train.batch_size": _range(1, 1_000_000),
    "train.lr": _range(0, 1, lo_open=True),
    "train.weight_decay": _range(0, 1, hi_open=True),
    "train.dropout": _range(0, 1, hi_open=True),
    "train.smote_k": _range(1, 1000),
    "train.max_train_pairs": _range(10, None),
    "train.rank_eval_drugs": _range(1, None),
    "evidence.knn_k": _range(1, 10_000),
    "evidence.oof_folds": _range(2, 100),
    "evidence.krr_lambda": _range(0, None, lo_open=True),
    "evidence.train_neg_ratio": _range(0, 100, lo_open=True),
    "evidence.same_drug_neg_fraction": _range(0, 1),
    "evidence.popular_neg_power": _range(0, 5),
    "evidence.n_bags": _range(1, 20),
    "evidence.num_leaves": _range(2, 100_000),
    "evidence.learning_rate": _range(0, 1, lo_open=True),
    "evidence.max_rounds": _range(1, 1_000_000),
    "evidence.early_stopping_rounds": _range(1, 1_000_000),
    "evidence.min_child_samples": _range(1, 1_000_000),
    "evidence.feature_fraction": _range(0, 1, lo_open=True),
    "evidence.reg_lambda": _range(0, None),
}
#: Element ranges of tuple fields.
ELEMENT_RANGES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "train.hidden": _range(1, 1_000_000),
    "evidence.ease_lambdas": _range(0, None, lo_open=True),
}


def _type_problem(value: Any, hint: Any) -> str | None:
    """Why ``value`` does not fit the annotation ``hint`` (``None`` when it fits)."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Literal:
        return None if value in args else "must be one of " + ", ".join(map(repr, args))
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        if value is None and type(None) in args:
            return None
        rest = [a for a in args if a is not type(None)]
        problems = [_type_problem(value, a) for a in rest]
        return None if any(p is None for p in problems) else problems[0]
    if origin is tuple:
        if not isinstance(value, tuple | list):
            return "must be a list"
        inner = args[0] if args else Any
        for x in value:
            p = _type_problem(x, inner)
            if p is not None:
                return f"every element {p[5:] if p.startswith('must ') else p}"
        return None
    if hint is bool:
        return None if isinstance(value, bool) else "must be true or false"
    if hint is int:
        return (
            None
            if isinstance(value, int) and not isinstance(value, bool)
            else "must be a whole number"
        )
    if hint is float:
        return None if _finite(value) else "must be a finite number"
    if hint is str:
        return None if isinstance(value, str) else "must be a string"
    return None


def check_fields(obj: Any, section: str) -> None:
    """Raise :class:`ConfigError` for the first field of the dataclass ``obj`` whose
    value has the wrong type or is out of :data:`RANGES`; nested config dataclasses
    are checked by their own ``__post_init__``."""
    hints = typing.get_type_hints(type(obj))
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if dataclasses.is_dataclass(value):
            continue
        name = f"{section}.{f.name}" if section else f.name
        hint = hints.get(f.name, Any)
        kind = "whole number" if int in (hint, *typing.get_args(hint)) else "finite number"
        rule = RANGES.get(name)
        problem = _type_problem(value, hint)
        if problem is not None:
            if rule is not None and problem.startswith("must be a "):
                problem = rule[1].format(kind=kind)  # the range says the type too
            raise ConfigError(name, value, problem)
        if value is None:
            continue
        if rule is not None and not rule[0](value):
            raise ConfigError(name, value, rule[1].format(kind=kind))
        rule = ELEMENT_RANGES.get(name)
        if rule is not None:
            if len(value) == 0:
                raise ConfigError(name, value, "must not be empty")
            for x in value:
                if not rule[0](x):
                    kind = "whole number" if isinstance(x, int) else "finite number"
                    raise ConfigError(name, value, "every element " + rule[1].format(kind=kind))
    if section == "train":
        total = obj.val_fraction + obj.test_fraction
        if total >= 0.9:
            raise ConfigError(
                "train.val_fraction + train.test_fraction",
                round(total, 6),
                "must be below 0.9 (something must be left to train on)",
            )


__all__ = ["ConfigError", "RANGES", "check_fields"]
