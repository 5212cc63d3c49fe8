"""Parameter declarations: a layer kind's parameters with their type, range, default and help.

``Param.validate`` is the single place a value is checked; files, the inspector and the CLI all
go through it, so they refuse the same values with the same words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import ParamError


@dataclass(frozen=True)
class Param:
    """One parameter of a layer kind.

    ``type`` is one of ``int``, ``float``, ``bool``, ``choice`` (one of ``choices``) and ``shape``
    (a list of positive ints, ``-1`` allowed once where ``allow_infer``).
    """

    name: str
    type: str
    default: Any
    help: str
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = field(default_factory=tuple)
    allow_infer: bool = False
    key: bool = True  # shown on the canvas node

    def validate(self, value: Any, owner: str = "") -> Any:
        """Return ``value`` in canonical form, or raise :class:`ParamError` saying why not."""
        who = f"{owner}: " if owner else ""
        if self.type == "bool":
            if isinstance(value, bool):
                return value
            raise ParamError(f"{who}'{self.name}' must be true or false, not {value!r}", owner or None)
        if self.type == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                else:
                    raise ParamError(f"{who}'{self.name}' must be a whole number, not {value!r}", owner or None)
            self._check_range(value, who, owner)
            return value
        if self.type == "float":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ParamError(f"{who}'{self.name}' must be a number, not {value!r}", owner or None)
            value = float(value)
            if value != value:
                raise ParamError(f"{who}'{self.name}' must be a number, not NaN", owner or None)
            self._check_range(value, who, owner)
            return value
        if self.type == "choice":
            if value not in self.choices:
                options = ", ".join(self.choices)
                raise ParamError(f"{who}'{self.name}' must be one of {options}, not {value!r}", owner or None)
            return value
        if self.type == "shape":
            if not isinstance(value, (list, tuple)) or not value:
                raise ParamError(f"{who}'{self.name}' must be a list of sizes such as [1, 28, 28], not {value!r}",
                                 owner or None)
            out = []
            for v in value:
                if isinstance(v, bool) or not isinstance(v, int) or not (v > 0 or (v == -1 and self.allow_infer)):
                    raise ParamError(f"{who}'{self.name}' sizes must be positive whole numbers, not {v!r}",
                                     owner or None)
                out.append(v)
            if out.count(-1) > 1:
                raise ParamError(f"{who}'{self.name}' may leave only one size as -1", owner or None)
            if len(out) > 4:
                raise ParamError(f"{who}'{self.name}' has {len(out)} dimensions; at most 4 are supported",
                                 owner or None)
            return out
        raise AssertionError(f"unknown parameter type {self.type}")

    def _check_range(self, value: float, who: str, owner: str) -> None:
        if self.min is not None and value < self.min:
            raise ParamError(f"{who}'{self.name}' must be at least {_fmt(self.min)}, not {_fmt(value)}", owner or None)
        if self.max is not None and value > self.max:
            raise ParamError(f"{who}'{self.name}' must be at most {_fmt(self.max)}, not {_fmt(value)}", owner or None)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"
