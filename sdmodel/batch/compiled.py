"""The product of the batch compiler: generated source, its functions and run metadata.

Examples
--------
>>> node = Node("x", init=["x = 1.0"], step=["x = 1.0"])
>>> node.init == node.step
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Node", "CompiledModel"]


@dataclass
class Node:
    """One computed quantity: its source lines per phase and the nodes it reads."""

    name: str
    init: list | None = None
    step: list | None = None
    init_deps: set = field(default_factory=set)
    step_deps: set = field(default_factory=set)

    def lines(self, phase: str) -> list:
        """The source lines of ``phase`` (``"init"`` or ``"step"``); they must exist."""
        found = self.init if phase == "init" else self.step
        if found is None:
            raise ValueError(f"node {self.name!r} has no {phase} code")
        return found


@dataclass
class CompiledModel:
    """A compiled batch module and what the engine needs to run it."""

    source: str
    namespace: dict
    dims: dict  # python name -> ((dim, coords), ...)
    outputs: list  # python names the evaluate() result carries (non-lookup variables)
    constants: dict  # python name -> default array (1, *shape)
    statefuls: list  # state keys
    invariant: list  # outputs constant during a run (parameters, values derived from them)
    steps: list = field(default_factory=list)  # (name, source lines, deps) in evaluation order
    header: list = field(default_factory=list)  # lines loading constants into locals
    step_vals: list = field(default_factory=list)  # values the update function reads
    _evaluators: dict = field(default_factory=dict)
    memo: dict = field(default_factory=dict)  # per-model results metadata (attrs), built once

    def evaluator(self, names):
        """An ``evaluate(C, _S, time)`` computing only ``names`` and what the update needs.

        Compiled once per set of names: steps that are neither saved nor asked for skip every
        variable nothing depends on.
        """
        key = tuple(sorted(names))
        if key not in self._evaluators:
            lines_of = {n: (lines, deps) for n, lines, deps in self.steps}
            needed, todo = set(), list(key) + list(self.step_vals)
            while todo:
                n = todo.pop()
                if n in needed or n not in lines_of:
                    continue
                needed.add(n)
                todo.extend(lines_of[n][1])
            body = [ln for n, lines, _ in self.steps if n in needed for ln in lines]
            ret = [n for n in key + tuple(self.step_vals)]
            source = "\n".join(
                ["def evaluate(C, _S, time):", "    _N = C['_N']", "    _init = False",
                 *self.header, *("    " + ln for ln in body),
                 "    return {" + ", ".join(f"{n!r}: {n}" for n in ret) + "}", ""])
            scope = dict(self.namespace)
            exec(compile(source, "<batch evaluator>", "exec"), scope)  # noqa: S102
            self._evaluators[key] = scope["evaluate"]
        return self._evaluators[key]

    @property
    def statics(self):
        return self.namespace["statics"]

    @property
    def initialize(self):
        return self.namespace["initialize"]

    @property
    def evaluate(self):
        return self.namespace["evaluate"]

    @property
    def update(self):
        return self.namespace["update"]
