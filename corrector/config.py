"""One frozen configuration for a Corrector; CLI flags and ``Corrector.load(**overrides)`` use ``replace``.

Its fields, types, defaults and validation come from the settings table (:mod:`corrector.settings`),
so a setting is declared once.
"""

from __future__ import annotations

from dataclasses import asdict, field, fields, make_dataclass, replace
from typing import Any

from corrector.settings import SETTINGS, validate


def _post_init(self: Any) -> None:
    # Every construction path (the constructor, replace, with_overrides) goes through here, so an
    # out-of-range value never reaches a Corrector; ints become floats for float settings.
    for setting in SETTINGS:
        object.__setattr__(self, setting.name, validate(setting.name, getattr(self, setting.name)))


def _with_overrides(self: Any, **overrides: Any) -> Any:
    """This config with ``overrides`` (None values are ignored: "not set")."""
    known = {f.name for f in fields(self)}
    unknown = set(overrides) - known
    if unknown:
        raise ValueError(f"unknown Corrector settings: {', '.join(sorted(unknown))}")
    return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def _to_dict(self: Any) -> dict[str, Any]:
    return asdict(self)


def _docstring() -> str:
    lines = ["Everything that determines a Corrector's output (one field per setting).", ""]
    lines += [f"{s.name}: {s.help} (default: {s.default_text})." for s in SETTINGS]
    return "\n".join(lines)


CorrectorConfig = make_dataclass(
    "CorrectorConfig",
    [(s.name, s.annotation, field(default=s.default)) for s in SETTINGS],
    namespace={
        "__module__": __name__,  # for pickle (workers get configs); make_dataclass's module= is 3.12+
        "__post_init__": _post_init,
        "with_overrides": _with_overrides,
        "to_dict": _to_dict,
    },
    frozen=True,
    slots=True,
)
CorrectorConfig.__doc__ = _docstring()
