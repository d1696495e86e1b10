"""The :class:`Builder`: write a system-dynamics model from Python, get Vensim text or a Model.

Examples
--------
>>> import sdmodel as sd
>>> b = sd.Builder("decay", initial_time=0, final_time=10, time_step=0.5)
>>> b.constant("decay rate", 0.1, units="1/Year", doc="Fraction lost per year.")
'decay rate'
>>> b.stock("amount", initial=100, outflows=["loss"], units="Widget", doc="What is left.")
'amount'
>>> b.flow("loss", "decay rate * amount", units="Widget/Year", doc="Loss per year.")
'loss'
>>> b.names
['decay rate', 'amount', 'loss']
>>> print(b.to_mdl().splitlines()[1])
decay rate=
>>> model = b.compile(check_units=False)
"""

from __future__ import annotations

import hashlib
import os
import re
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

from .._atomic import write_text_atomic
from ..exceptions import (
    BuilderError,
    DuplicateNameError,
    OutputError,
    SimulationError,
    UnitError,
    suggest,
)
from .elements import (
    Element,
    check_doc,
    check_equation,
    check_limits,
    check_name,
    check_unit_text,
    fold,
    format_number,
    number,
    python_name,
)
from .rendering import render
from .validation import validate

__all__ = ["Builder"]


class Builder:
    """Assemble a stock-flow model element by element; render it to Vensim or compile it.

    Parameters
    ----------
    name : str
        Model name (used for the compiled file's name and in error messages).
    initial_time, final_time, time_step : float
        Simulation control values, in ``time_units``.
    time_units : str, optional
        The model's time unit (default ``"Year"``).
    saveper : float, optional
        Output interval; default 1 time unit when ``time_step`` divides 1, else ``time_step``.

    Notes
    -----
    Names are Vensim names (``"reinvestment share"``); they compare case-insensitively with
    spaces and underscores folded, and PySD's python name is the folded form
    (``"reinvestment_share"``, accents dropped). Equations are Vensim expressions and may use Vensim functions
    (SMOOTH, DELAY3, STEP, IF THEN ELSE, ...). Each method returns the element's name, so
    sectors can wire elements together. Duplicate and invalid names and bad arguments fail at
    once; references, flows and loops are checked by :meth:`to_mdl` and :meth:`compile`.

    Examples
    --------
    >>> b = Builder("m", initial_time=2000, final_time=2010, time_step=0.25)
    >>> b.aux("doubled", "2 * Time", units="Year", doc="Twice the clock.")
    'doubled'
    """

    def __init__(
        self,
        name: str,
        *,
        initial_time: float = 0.0,
        final_time: float = 100.0,
        time_step: float = 1.0,
        time_units: str = "Year",
        saveper: float | None = None,
    ):
        if not isinstance(name, str) or not name.strip():
            raise BuilderError(f"model name {name!r} is not a non-empty string")
        self._name = name.strip()
        self._time_units = check_unit_text(time_units, owner="time_units")
        start = number(initial_time, what="initial_time", owner=self._name)
        stop = number(final_time, what="final_time", owner=self._name)
        step = number(time_step, what="time_step", owner=self._name)
        if step <= 0:
            raise SimulationError(f"time_step of model {self._name!r} is {step}; expected > 0")
        if stop <= start:
            raise SimulationError(
                f"final_time {stop} of model {self._name!r} is not after initial_time {start}"
            )
        if saveper is None:
            ratio = 1.0 / step
            saveper = 1.0 if step <= 1 and abs(ratio - round(ratio)) < 1e-9 else step
        save = number(saveper, what="saveper", owner=self._name)
        if save < step:
            raise SimulationError(
                f"saveper {save} of model {self._name!r} is below time_step {step}; "
                "expected saveper >= time_step"
            )
        self._settings = {
            "INITIAL TIME": start,
            "FINAL TIME": stop,
            "TIME STEP": step,
            "SAVEPER": save,
        }
        self._elements: dict[str, Element] = {}  # by folded name, in insertion order
        self._python: dict[str, str] = {}  # PySD python name -> folded name
        self._validated: str | None = None  # hash of the last text that passed validation

    # ------------------------------------------------------------------ adding elements
    @property
    def name(self) -> str:
        """The model name."""
        return self._name

    @property
    def names(self) -> list[str]:
        """Defined element names (original spelling), in the order they were added."""
        return [e.name for e in self._elements.values()]

    @property
    def time_settings(self):
        """The simulation control values, as :attr:`sdmodel.Model.time_settings` reports them.

        Examples
        --------
        >>> Builder("m", initial_time=0, final_time=10, time_step=0.5).time_settings
        TimeSettings(initial_time=0.0, final_time=10.0, time_step=0.5, saveper=1.0)
        """
        from ..model import TimeSettings

        s = self._settings
        return TimeSettings(s["INITIAL TIME"], s["FINAL TIME"], s["TIME STEP"], s["SAVEPER"])

    @property
    def time_units(self) -> str:
        """The model's time unit."""
        return self._time_units

    def element(self, name: str) -> Element:
        """The element called ``name`` (compared as Vensim does).

        Raises
        ------
        BuilderError
            No element has that name.
        """
        try:
            return self._elements[fold(name)]
        except KeyError:
            raise BuilderError(
                f"model {self._name!r} has no element {name!r}.{suggest(name, self.names)}"
            ) from None

    def _add(self, element: Element) -> str:
        key = element.key
        if key in self._elements:
            old = self._elements[key]
            raise DuplicateNameError(
                f"{element.kind} {element.name!r} duplicates the {old.kind} {old.name!r} in "
                f"model {self._name!r} (Vensim folds case, spaces and underscores); expected "
                "a new name"
            )
        py = python_name(element.name)
        if py in self._python:
            old = self._elements[self._python[py]]
            raise DuplicateNameError(
                f"{element.kind} {element.name!r} and the {old.kind} {old.name!r} in model "
                f"{self._name!r} would both be PySD's python name {py!r}; expected names "
                "that differ in more than accents and punctuation"
            )
        self._elements[key] = element
        self._python[py] = key
        return element.name

    def _common(self, kind: str, name, units, doc, limits):
        clean = check_name(name, what=kind)
        return dict(
            name=clean,
            kind=kind,
            units=check_unit_text(units, owner=clean),
            doc=check_doc(doc, owner=clean),
            limits=check_limits(limits, owner=clean),
        )

    def constant(self, name: str, value: float, *, units: str, doc: str,
                 limits: Sequence[float | None] | None = None) -> str:
        """Add a constant (a model parameter).

        Parameters
        ----------
        name : str
            Vensim name.
        value : float
            Its default value.
        units, doc : str
            Unit string (``"Dmnl"`` for dimensionless) and documentation.
        limits : (min, max) or (min, max, step), optional
            Documented range; ``None`` entries are unbounded.

        Returns
        -------
        str
            The name.

        Examples
        --------
        >>> b = Builder("m", initial_time=0, final_time=1, time_step=1)
        >>> b.constant("savings rate", 0.2, units="Dmnl", doc="Share saved.", limits=(0, 1))
        'savings rate'
        """
        fields = self._common("constant", name, units, doc, limits)
        value = number(value, what="value", owner=fields["name"])
        return self._add(Element(equation=format_number(value), **fields))

    def stock(self, name: str, *, initial: float | str | None = None,
              inflows: Iterable[str] = (), outflows: Iterable[str] = (), units: str,
              doc: str, non_negative: bool = False,
              limits: Sequence[float | None] | None = None) -> str:
        """Add a stock: ``INTEG(sum(inflows) - sum(outflows), initial)``.

        Parameters
        ----------
        name : str
            Vensim name.
        initial : float or str
            Initial value: a number or a Vensim expression (evaluated at the initial time).
        inflows, outflows : iterable of str
            Names of flows (declared with :meth:`flow`, before or after the stock).
        units, doc : str
            Unit string and documentation.
        non_negative : bool, optional
            Keep the stock from going below zero: the net flow is limited to ``-stock /
            TIME STEP`` (see :mod:`sdmodel.builder.rendering`); the default limits become
            ``(0, None)``.
        limits : (min, max) or (min, max, step), optional
            Documented range.

        Raises
        ------
        BuilderError
            No initial value, a flow listed twice, or a bad name/units/doc.

        Examples
        --------
        >>> b = Builder("m", initial_time=0, final_time=1, time_step=1)
        >>> b.stock("capital", initial="initial capital", inflows=["investment"],
        ...         units="$", doc="Produced capital.")
        'capital'
        """
        fields = self._common("stock", name, units, doc, limits)
        owner = fields["name"]
        if initial is None or (isinstance(initial, str) and not initial.strip()):
            raise BuilderError(
                f"stock {owner!r} has no initial value; expected initial= a number or an "
                "equation (e.g. initial=0 or initial='initial capital')"
            )
        if isinstance(non_negative, bool) is False:
            raise BuilderError(f"non_negative of stock {owner!r} is {non_negative!r}; "
                               "expected True or False")
        flows: dict[str, str] = {}
        for role, given in (("inflow", inflows), ("outflow", outflows)):
            if isinstance(given, str):
                raise BuilderError(
                    f"{role}s of stock {owner!r} is the string {given!r}; expected a list of "
                    f"names, e.g. {role}s=[{given!r}]"
                )
            names = []
            for flow in given:
                clean = check_name(flow, what=f"{role} of stock {owner!r}")
                if fold(clean) in flows:
                    raise DuplicateNameError(
                        f"stock {owner!r} lists the flow {clean!r} twice (as "
                        f"{flows[fold(clean)]} and {role}); expected each flow once"
                    )
                flows[fold(clean)] = role
                names.append(clean)
            fields[f"{role}s"] = tuple(names)
        if non_negative and fields["limits"] is None:
            fields["limits"] = (0.0, None)
        return self._add(Element(
            equation=check_equation(initial, owner=owner), non_negative=non_negative, **fields
        ))

    def flow(self, name: str, equation: str, *, units: str, doc: str,
             limits: Sequence[float | None] | None = None) -> str:
        """Add a flow (a rate into or out of a stock, listed in that stock's in/outflows).

        Examples
        --------
        >>> b = Builder("m", initial_time=0, final_time=1, time_step=1)
        >>> b.flow("investment", "savings rate * output", units="$/Year", doc="Gross investment.")
        'investment'
        """
        fields = self._common("flow", name, units, doc, limits)
        return self._add(Element(equation=check_equation(equation, owner=fields["name"]),
                                 **fields))

    def aux(self, name: str, equation: str, *, units: str, doc: str,
            limits: Sequence[float | None] | None = None) -> str:
        """Add an auxiliary variable (Vensim functions allowed: SMOOTH, DELAY3, STEP, ...).

        Examples
        --------
        >>> b = Builder("m", initial_time=0, final_time=1, time_step=1)
        >>> b.aux("smoothed price", "SMOOTH(price, 2)", units="$/Barrel", doc="Expected price.")
        'smoothed price'
        """
        fields = self._common("aux", name, units, doc, limits)
        return self._add(Element(equation=check_equation(equation, owner=fields["name"]),
                                 **fields))

    def lookup(self, name: str, points: Iterable[tuple[float, float]], *, units: str,
               input_units: str = "Dmnl", doc: str) -> str:
        """Add a graphical function; use it in equations as ``name(x)``.

        Parameters
        ----------
        name : str
            Vensim name.
        points : iterable of (x, y)
            At least two points with strictly increasing x. Between points the value is
            interpolated linearly; outside them it is held at the end values (Vensim, PySD).
        units : str
            Units of the output y.
        input_units : str, optional
            Units of the input x (default ``"Dmnl"``); checked by :meth:`compile`, and recorded
            in the documentation as ``"Input units: ..."`` since Vensim has no field for them.
        doc : str
            Documentation.

        Examples
        --------
        >>> b = Builder("m", initial_time=0, final_time=1, time_step=1)
        >>> b.lookup("effect of gap", [(0, 1), (1, 0.5), (2, 0)], units="Dmnl", doc="Effect.")
        'effect of gap'
        """
        fields = self._common("lookup", name, units, doc, None)
        owner = fields["name"]
        in_units = check_unit_text(input_units, owner=owner)
        if isinstance(points, (str, bytes)):
            raise BuilderError(f"points of lookup {owner!r} are a string; expected (x, y) pairs")
        try:
            pts = tuple(
                (number(x, what="an x point", owner=owner), number(y, what="a y point",
                                                                  owner=owner))
                for x, y in points
            )
        except (TypeError, ValueError) as err:
            if isinstance(err, BuilderError):
                raise
            raise BuilderError(
                f"points of lookup {owner!r} are not (x, y) pairs; expected e.g. "
                "[(0, 1), (1, 0.5)]"
            ) from err
        if len(pts) < 2:
            raise BuilderError(f"lookup {owner!r} has {len(pts)} point(s); expected at least 2")
        xs = [x for x, _ in pts]
        if any(b <= a for a, b in zip(xs, xs[1:])):
            raise BuilderError(
                f"the x values of lookup {owner!r} are {xs}; expected them strictly increasing"
            )
        fields["doc"] = f"{fields['doc'].rstrip()} Input units: {in_units}."
        return self._add(Element(equation="", points=pts, input_units=in_units, **fields))

    # ------------------------------------------------------------------ output
    def to_mdl(self) -> str:
        """Validate the model and return its Vensim text (deterministic).

        Raises
        ------
        UndefinedNameError, DuplicateNameError, AlgebraicLoopError, BuilderError
            See :mod:`sdmodel.builder.validation`.

        Examples
        --------
        >>> b = Builder("m", initial_time=0, final_time=1, time_step=1)
        >>> b.constant("a", 1, units="Dmnl", doc="A.")
        'a'
        >>> b.to_mdl().startswith("{UTF-8}")
        True
        """
        if not self._elements:
            raise BuilderError(f"model {self._name!r} has no elements; add some first")
        text = render(list(self._elements.values()), time_units=self._time_units,
                      settings=self._settings)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if digest != self._validated:
            validate(self._name, list(self._elements.values()), text,
                     render_one=self._render_one)
            self._validated = digest
        return text

    def _render_one(self, element: Element) -> str:
        """A model holding only ``element`` (to locate a syntax error)."""
        return render([element], time_units=self._time_units, settings=self._settings)

    def write(self, path: str | os.PathLike) -> Path:
        """Write :meth:`to_mdl` to ``path`` atomically; returns the path.

        Examples
        --------
        >>> b = Builder("m", initial_time=0, final_time=1, time_step=1)
        >>> b.constant("a", 1, units="Dmnl", doc="A.")
        'a'
        >>> b.write("out/m.mdl")
        PosixPath('out/m.mdl')
        """
        path = Path(path)
        if path.suffix.lower() != ".mdl":
            raise OutputError(f"output path {str(path)!r} must end in .mdl (Vensim text)")
        write_text_atomic(path, self.to_mdl())
        return path

    def compile(self, *, check_units: bool = True, cache_dir: str | os.PathLike | None = None):
        """Render, write into the translation cache and load with PySD, as :func:`sd.load`.

        The text goes to ``<cache>/builder/<name>-<hash>/<name>.mdl`` (content-addressed, never
        beside a user file) and is loaded by :func:`sdmodel.load`.

        Parameters
        ----------
        check_units : bool, optional
            Run :func:`sdmodel.check_units` (with each lookup's ``input_units``) and raise
            :class:`UnitError` listing the problems (default True). Problems of kind ``"unchecked"``/``"undeclared"`` (units that
            cannot be determined) only warn.
        cache_dir : path-like, optional
            Translation cache; default :func:`sdmodel.loading.default_cache_dir`.

        Returns
        -------
        sdmodel.Model

        Examples
        --------
        >>> b = Builder("decay", initial_time=0, final_time=10, time_step=0.5)
        >>> b.constant("decay rate", 0.1, units="1/Year", doc="Share lost a year.")
        'decay rate'
        >>> model = b.compile()
        >>> ds = model.run()
        """
        from ..cache import cache_root
        from ..loading import load

        text = self.to_mdl()
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        root = cache_root(cache_dir)  # private to the user: a planted .mdl cannot be there
        stem = re.sub(r"[^\w.-]+", "_", self._name).strip("._") or "model"
        path = root / "builder" / f"{stem}-{digest[:20]}" / f"{stem}.mdl"
        if not path.is_file():
            write_text_atomic(path, text)
        model = load(path, cache_dir=cache_dir)
        if check_units:
            self._check_units(model)
        return model

    def _check_units(self, model) -> None:
        from ..units import check_units as run_check

        lookup_inputs = {e.name: e.input_units for e in self._elements.values()
                         if e.kind == "lookup"}
        found = list(run_check(model, lookup_inputs=lookup_inputs))
        # "unchecked" (units that cannot be determined) and "undeclared" are not evidence of
        # inconsistency: warn about them, refuse only real conflicts.
        soft = [p for p in found if p.kind in ("unchecked", "undeclared")]
        problems = [p for p in found if p not in soft]
        if soft:
            warnings.warn(
                f"model {self._name!r}: the units of {len(soft)} expression"
                f"{'s' if len(soft) > 1 else ''} could not be checked, in "
                + ", ".join(repr(v) for v in sorted({p.variable for p in soft})),
                RuntimeWarning,
                stacklevel=3,
            )
        if problems:
            lines = "\n".join("  - " + str(p).replace("\n", "\n    ") for p in problems)
            raise UnitError(
                f"model {self._name!r} has {len(problems)} unit problem"
                f"{'s' if len(problems) > 1 else ''}:\n{lines}\n"
                "Fix the units, or pass check_units=False to compile anyway"
            )

    def __repr__(self) -> str:
        counts: dict[str, int] = {}
        for e in self._elements.values():
            counts[e.kind] = counts.get(e.kind, 0) + 1
        summary = ", ".join(f"{n} {k}{'s' if n > 1 else ''}" for k, n in counts.items())
        return f"<sdmodel.Builder {self._name!r}: {summary or 'empty'}>"
