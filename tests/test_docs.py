"""The API reference covers every public name, and the tutorials are all in the gallery.

The reference pages are ``::: module`` directives of mkdocstrings, which render a module's
docstring and every name in its ``__all__`` (``show_if_no_docstring`` keeps undocumented ones).
A name counts as documented when a directive renders it: its own module's directive, a
directive ``::: module.name``, or the directive of a module that re-exports the same object
under the same name. One case griffe resolves differently from Python: a package's ``__all__``
name that is also one of its submodules (``sdmodel.perez.sectors.human_capital``) renders as
the submodule, so such a name needs its defining module's directive.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import sdmodel
from conftest import REPO

API = REPO / "docs" / "api"
_DIRECTIVE = re.compile(r"^::: *([\w.]+)[ \t]*\n((?:[ \t]+.*\n)*)", re.M)


def _public_modules() -> dict[str, object]:
    """``{name: module}`` of every module of sdmodel outside ``_private`` parts, with ``__all__``."""
    found = {"sdmodel": sdmodel}
    for info in pkgutil.walk_packages(sdmodel.__path__, "sdmodel."):
        if any(part.startswith("_") for part in info.name.split(".")[1:]):
            continue
        module = importlib.import_module(info.name)
        if getattr(module, "__all__", None) is not None:
            found[info.name] = module
    return found


def _directives() -> dict[str, str]:
    """``{dotted path: options text}`` of every ``:::`` directive in the API pages."""
    out: dict[str, str] = {}
    for page in sorted(API.glob("*.md")):
        for path, options in _DIRECTIVE.findall(page.read_text(encoding="utf-8")):
            out[path] = options
    return out


def _is_submodule(package: str, name: str) -> bool:
    module = importlib.import_module(package)
    paths = getattr(module, "__path__", None)
    return paths is not None and any(info.name == name for info in pkgutil.iter_modules(paths))


def _rendered(modules: dict[str, object], directives: dict[str, str]) -> set[tuple[str, str]]:
    """``(module, name)`` pairs of the objects the directives render, by identity of object."""
    rendered_ids: dict[int, set[str]] = {}
    for path, options in directives.items():
        module = modules.get(path)
        if module is not None and "members: false" not in options:
            for name in module.__all__:
                if not _is_submodule(path, name):
                    rendered_ids.setdefault(id(getattr(module, name)), set()).add(name)
        elif module is None:  # ::: package.module.name
            parent, _, name = path.rpartition(".")
            if parent in modules:
                rendered_ids.setdefault(id(getattr(modules[parent], name)), set()).add(name)
    covered = set()
    for mod_name, module in modules.items():
        for name in module.__all__:
            value = getattr(module, name)
            if name in rendered_ids.get(id(value), set()) or (
                    getattr(value, "__name__", None) in modules and value.__name__ in directives):
                covered.add((mod_name, name))
    return covered


def test_every_public_name_is_in_the_api_reference():
    modules = _public_modules()
    directives = _directives()
    covered = _rendered(modules, directives)
    missing = sorted(f"{m}.{n}" for m, module in modules.items() for n in module.__all__
                     if (m, n) not in covered and not (n.startswith("__") and n.endswith("__")))
    assert not missing, f"public names no API page renders: {missing}"
    unknown = [p for p in directives if p not in modules
               and p.rpartition(".")[0] not in modules]
    assert not unknown, f"API directives naming no public module or name: {unknown}"


def test_every_api_page_is_in_the_nav():
    nav = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    pages = sorted(f"api/{p.name}" for p in API.glob("*.md"))
    assert pages and all(p in nav for p in pages), [p for p in pages if p not in nav]


@pytest.mark.parametrize("number", ["01", "02", "03", "04", "05", "06", "07", "08"])
def test_tutorial_exists_and_ends_in_a_figure(number):
    (script,) = (REPO / "docs" / "examples").glob(f"tutorial_{number}_*.py")
    text = script.read_text(encoding="utf-8")
    assert text.startswith('"""\n# '), f"{script.name}: gallery scripts open with a titled docstring"
    assert re.search(r"\bfig\w*\s*=|plt\.(subplots|figure)\(", text), f"{script.name} draws no figure"
