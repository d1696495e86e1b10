"""PySD's syntax tree (``AbstractModel``) to and from JSON, without pickle.

The tree is made of the dataclasses in ``pysd.translators.structures`` holding strings,
numbers, ``None``, tuples, lists, dicts, paths and small numpy arrays. Each dataclass is
written as ``{"@": class name, field: value, ...}``; reading builds only those dataclasses
(looked up by name in the two PySD modules) and plain values, so a cache file can never make
Python run code the way an unpickled object can.

Examples
--------
>>> from pysd.translators.structures.abstract_expressions import ReferenceStructure
>>> tree = ReferenceStructure("catch_up_rate", None)
>>> loads(dumps(tree)) == tree
True
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
from pysd.translators.structures import abstract_expressions, abstract_model

__all__ = ["dumps", "loads"]

_CLASSES: dict[str, type] = {
    name: obj
    for module in (abstract_model, abstract_expressions)
    for name, obj in vars(module).items()
    if isinstance(obj, type) and dataclasses.is_dataclass(obj) and obj.__module__ == module.__name__
}
_DTYPES = {"float64", "int64", "bool", "float32", "int32"}


def _encode(obj: Any) -> Any:
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, np.generic):
        return {"@np": type(obj).__name__, "v": obj.item()} if obj.dtype.name in _DTYPES \
            else _refuse(obj)
    if isinstance(obj, (int, float)):
        return obj
    if isinstance(obj, np.ndarray):
        if obj.dtype.name not in _DTYPES:
            _refuse(obj)
        return {"@a": obj.tolist(), "dtype": obj.dtype.name}
    if isinstance(obj, tuple):
        return {"@t": [_encode(x) for x in obj]}
    if isinstance(obj, list):
        return [_encode(x) for x in obj]
    if isinstance(obj, dict):
        return {"@d": [[_encode(k), _encode(v)] for k, v in obj.items()]}
    if isinstance(obj, Path):
        return {"@p": obj.as_posix()}
    cls = type(obj)
    if dataclasses.is_dataclass(obj) and _CLASSES.get(cls.__name__) is cls:
        out: dict[str, Any] = {"@": cls.__name__}
        for key, value in vars(obj).items():  # instance attributes: PySD sets some itself
            out[key] = _encode(value)
        return out
    return _refuse(obj)


def _refuse(obj: Any) -> Any:
    raise TypeError(f"cannot serialise a {type(obj).__module__}.{type(obj).__qualname__} in a syntax tree")


def _decode(obj: Any) -> Any:
    if isinstance(obj, list):
        return [_decode(x) for x in obj]
    if not isinstance(obj, dict):
        return obj
    if "@" in obj:
        cls = _CLASSES[obj["@"]]  # KeyError for anything else
        made: Any = object.__new__(cls)  # no __init__/__post_init__: only attributes are set
        for key, value in obj.items():
            if key != "@":
                if not isinstance(key, str) or not key.isidentifier() or key.startswith("__"):
                    raise ValueError(f"attribute name {key!r} is not allowed")
                made.__dict__[key] = _decode(value)
        return made
    if "@t" in obj:
        return tuple(_decode(x) for x in obj["@t"])
    if "@d" in obj:
        return {_decode(k): _decode(v) for k, v in obj["@d"]}
    if "@p" in obj:
        return Path(PurePosixPath(obj["@p"]))
    if "@a" in obj:
        if obj["dtype"] not in _DTYPES:
            raise ValueError(f"array dtype {obj['dtype']!r} is not allowed")
        return np.array(obj["@a"], dtype=obj["dtype"])
    if "@np" in obj:
        if obj["@np"] not in _DTYPES:
            raise ValueError(f"numpy scalar type {obj['@np']!r} is not allowed")
        return getattr(np, obj["@np"])(obj["v"])
    raise ValueError(f"unknown JSON node with keys {sorted(obj)}")


def dumps(tree: Any) -> str:
    """Serialise a PySD syntax tree to JSON text (``TypeError`` on a foreign object)."""
    return json.dumps(_encode(tree), separators=(",", ":"))


def loads(text: str | bytes) -> Any:
    """Rebuild a syntax tree from :func:`dumps` output (``ValueError``/``KeyError`` when malformed)."""
    return _decode(json.loads(text))
