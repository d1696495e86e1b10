"""Build system-dynamics models from Python: :class:`Builder` -> Vensim text -> Model.

Modules: :mod:`~sdmodel.builder.elements` (elements and checks of their parts),
:mod:`~sdmodel.builder.rendering` (Vensim text), :mod:`~sdmodel.builder.validation`
(undefined names, flows, algebraic loops on PySD's parse), :mod:`~sdmodel.builder.core`
(the :class:`Builder`).

Examples
--------
>>> import sdmodel as sd
>>> b = sd.Builder("growth", initial_time=0, final_time=10, time_step=0.25)
>>> b.constant("growth rate", 0.02, units="1/Year", doc="Growth per year.")
'growth rate'
>>> model = b.compile()
"""

from .core import Builder

__all__ = ["Builder"]
