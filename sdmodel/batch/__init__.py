"""The vectorized batch engine: many runs of one model at once, with PySD's semantics.

:func:`compile_model` turns PySD's ``AbstractModel`` into a numpy module whose arrays carry a
leading run axis; :func:`run_batch` integrates it (Euler, as PySD) for N parameter sets and
returns an :class:`xarray.Dataset` with dimensions ``("run", "time", *subscripts)``.

Supported: constants, auxiliaries, stocks (INTEG, non-negative stocks), arithmetic and logic,
IF THEN ELSE, MIN/MAX, ABS, EXP, LN, LOG, SQRT, trigonometric functions, INTEGER, MODULO,
QUANTUM, POWER, XIDZ/ZIDZ, STEP, RAMP, PULSE, PULSE TRAIN, lookups (tables, WITH LOOKUP,
subscripted tables; interpolate, hold backward and extrapolate), SMOOTH/SMOOTHI/SMOOTH3/
SMOOTH3I/SMOOTH N, DELAY1/1I/3/3I/DELAY N, DELAY FIXED, TREND, FORECAST, INITIAL, ACTIVE
INITIAL, SAMPLE IF TRUE, GAME, macros, subscripts (ranges, subranges, mappings, EXCEPT,
multi-component definitions, subscripts used as numbers), SUM/PROD/VMIN/VMAX, VECTOR SELECT,
INVERT MATRIX, ALLOCATE AVAILABLE, ALLOCATE BY PRIORITY.

Refused with :class:`~sdmodel.exceptions.UnsupportedConstructError` (before anything runs):
random functions, data and external inputs (GET XLS..., DATA), time settings computed from
model variables, macros with several outputs, and other functions PySD names but the batch
engine lacks.

Examples
--------
>>> import numpy as np, sdmodel as sd
>>> model = sd.load("models/validation/nelson_phelps.mdl")
>>> ds = model.run_batch({"catch_up_rate": np.linspace(0.05, 0.3, 50)})
"""

from .compiler import CompiledModel, compile_model
from .engine import get_compiled, run_batch

__all__ = ["run_batch", "compile_model", "get_compiled", "CompiledModel"]
