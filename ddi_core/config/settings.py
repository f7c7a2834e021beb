"""``section.key=value`` settings over a run config: how every way of configuring a run
ends (a preset, a ``config.toml``, the dashboard's form, a command's flags).

A setting names one field of :class:`~ddi_core.config.run.RunConfig`: ``seed``,
``model`` or ``preset`` at the top, or ``walk.*``, ``train.*``, ``evidence.*``. Its value
is text (as typed after ``--set``) or already a Python value; text is read by the
field's type: a whole or finite number, ``true``/``false``, ``none`` for an optional
field, a comma-separated list for a list field, otherwise the text itself. The result is
validated as every config is (:func:`ddi_core.config.checks.check_fields`), so an error
names the setting, the value and what it accepts.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterable, Mapping
from typing import Any

from ddi_core.config.checks import ConfigError
from ddi_core.config.run import RunConfig

SECTIONS = ("walk", "train", "evidence")


def parse_setting(text: str) -> tuple[str, str]:
    """``"train.max_epochs=3"`` -> ``("train.max_epochs", "3")``."""
    key, sep, value = str(text).partition("=")
    key = key.strip()
    if not sep or not key:
        raise ConfigError(
            str(text)[:80], "", "a setting is section.key=value, e.g. train.split=drug"
        )
    return key, value.strip()


def _field(key: str) -> tuple[str | None, dataclasses.Field, Any]:
    """(section, field, type hint) of a setting's key."""
    section, _, name = key.rpartition(".")
    owner: Any = RunConfig
    if section:
        if section not in SECTIONS:
            raise ConfigError(key, "", f"the section must be one of {', '.join(SECTIONS)}")
        owner = typing.get_type_hints(RunConfig)[section]
    hints = typing.get_type_hints(owner)
    for f in dataclasses.fields(owner):
        if f.name == name and (section or f.name not in SECTIONS):
            return section or None, f, hints[f.name]
    known = [f.name for f in dataclasses.fields(owner) if section or f.name not in SECTIONS]
    raise ConfigError(key, "", "no such setting; one of " + ", ".join(sorted(known)))


def _read(text: str, hint: Any) -> Any:
    """The value of ``text`` for a field annotated ``hint`` (left as text when it cannot
    be read: the config's own check then says what the field accepts)."""
    args = typing.get_args(hint)
    if type(None) in args and text.lower() in ("none", "null", ""):
        return None
    optional = typing.get_origin(hint) in (typing.Union, types.UnionType)
    base = next((a for a in args if a is not type(None)), hint) if optional else hint
    if typing.get_origin(base) is tuple:
        item = (typing.get_args(base) or (str,))[0]
        return tuple(_read(x.strip(), item) for x in text.split(",") if x.strip())
    try:
        if base is bool:
            return {"true": True, "false": False}.get(text.lower(), text)
        if base is int:
            return int(text)
        if base is float:
            return float(text)
    except ValueError:
        return text
    return text


def with_settings(cfg: RunConfig, settings: Iterable[str] | Mapping[str, Any]) -> RunConfig:
    """``cfg`` with each setting applied in order (later ones win)."""
    pairs = (
        list(settings.items()) if isinstance(settings, Mapping) else map(parse_setting, settings)
    )
    d = cfg.to_dict()
    for key, value in pairs:
        section, f, hint = _field(key)
        v = _read(value, hint) if isinstance(value, str) else value
        if isinstance(v, list):
            v = tuple(v)
        (d[section] if section else d)[f.name] = list(v) if isinstance(v, tuple) else v
    return RunConfig.from_dict(d)


__all__ = ["SECTIONS", "parse_setting", "with_settings"]
