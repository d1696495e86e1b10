"""Unit checking of system-dynamics models with pint.

- :mod:`~sdmodel.units.registry`: a pint registry that reads Vensim unit strings
  (``Person/Year``, ``$``, ``Dmnl``, plurals and case variants, unknown words as new units);
- :mod:`~sdmodel.units.checker`: :func:`check_units`, a walk over PySD's ``AbstractModel``
  with one ``{syntax node type: handler}`` dispatch table (the rules, and how bare numbers are
  treated, are in its docstring);
- :mod:`~sdmodel.units.functions`: the unit rules of built-in functions;
- :mod:`~sdmodel.units.problems`: :class:`UnitProblem`;
- :mod:`~sdmodel.units.render`: syntax trees back to equation text, for messages.

Examples
--------
>>> import sdmodel as sd
>>> for problem in sd.check_units("models/validation/nelson_phelps.mdl"):
...     print(problem)
"""

from .checker import check_units
from .problems import KINDS, UnitProblem
from .registry import UnitRegistry

__all__ = ["check_units", "UnitProblem", "UnitRegistry", "KINDS"]
