"""Fused kernels on disk: generated source written once per model, compiled once by numba.

numba's ``cache=True`` needs the function to live in a real file: the kernel source of a
model is written (atomically) to ``<sdmodel cache>/fused/<model hash>_<source hash>.py`` and
imported from there, so numba stores the machine code beside it (``__pycache__``) and later
processes load it instead of compiling. The source hash makes a changed generator or
changed numba flags produce a new file rather than reuse a stale one.

Examples
--------
>>> kernel_path("abc", "def f(): pass").name.startswith("abc_")
True
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path

from .._atomic import write_text_atomic
from ..loading import default_cache_dir

__all__ = ["kernel_path", "load_kernel"]


def kernel_path(model_hash: str, source: str) -> Path:
    """Where the kernel module of ``source`` for the model with ``model_hash`` lives."""
    digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    return default_cache_dir() / "fused" / f"{model_hash[:16]}_{digest}.py"


def load_kernel(model_hash: str, source: str):
    """The ``kernel`` function of ``source``, imported from its file in the cache.

    The file is written if missing (atomically, so concurrent processes never import half a
    file); numba compiles on the first call unless its on-disk cache already holds the code.
    """
    path = kernel_path(model_hash, source)
    if not path.is_file() or path.read_text() != source:
        write_text_atomic(path, source)
    name = f"_sdmodel_fused_{path.stem}"
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return module.kernel
