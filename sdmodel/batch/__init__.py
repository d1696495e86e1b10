"""The vectorized batch engine: many runs of one model at once, with PySD's semantics.

:func:`compile_model` turns PySD's ``AbstractModel`` into a numpy module whose arrays carry a
leading run axis; :func:`run_batch` integrates it (Euler, as PySD) for N parameter sets and
returns an :class:`xarray.Dataset` with dimensions ``("run", "time", *subscripts)``.

Examples
--------
>>> import numpy as np, sdmodel as sd
>>> model = sd.load("models/validation/nelson_phelps.mdl")             # doctest: +SKIP
>>> ds = model.run_batch({"catch_up_rate": np.linspace(0.05, 0.3, 50)})  # doctest: +SKIP
"""

from .compiler import CompiledModel, compile_model
from .engine import get_compiled, run_batch

__all__ = ["run_batch", "compile_model", "get_compiled", "CompiledModel"]
