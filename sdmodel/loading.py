"""Translate model files with PySD, caching the result by the file's content hash.

The pipeline is PySD's: a translator parses the file into an ``AbstractModel`` (the syntax tree
both engines consume) and PySD's Python builder writes a runnable module from it. sdmodel never
writes beside the model file: the module and the syntax tree (as JSON, see
:mod:`sdmodel._syntax_json`) live only in a private, verified cache (:mod:`sdmodel.cache`), one
entry per (file content, PySD version) pair.

Loading a model file never runs code from it: text PySD would paste into Python source is
neutralised before the build and the generated module is audited before it is imported
(:mod:`sdmodel._generated_code`).

Examples
--------
>>> import sdmodel as sd
>>> model = sd.load("models/validation/nelson_phelps.mdl")
>>> model.params["catch_up_rate"]
0.1
"""

from __future__ import annotations

from typing import Any

import hashlib
import json
import math
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pysd

from . import _syntax_json, cache, pretranslate
from ._generated_code import audit_folder, neutralise
from ._progress import step
from .exceptions import LimitError, ModelFileError, ModelWarning, SDModelError, TranslationError
from .limits import max_model_bytes

__all__ = ["load", "translate", "Translation", "default_cache_dir", "file_hash", "SUPPORTED",
           "max_model_bytes"]

#: Model file suffixes and the PySD translator for each.
SUPPORTED = {".mdl": "vensim", ".xmile": "xmile", ".xml": "xmile", ".stmx": "xmile"}

# Bump when the cache layout or the translation steps change, so old entries are not reused.
_CACHE_FORMAT = 3
_SYNTAX = "abstract_model.json"
_CHANGES = "pretranslate.json"
_ROOT_LINE = "_root = Path(__file__).parent"


@dataclass(frozen=True)
class Translation:
    """The cached products of translating one model file.

    Attributes
    ----------
    source : Path
        The model file that was translated.
    file_hash : str
        SHA-256 of the model file's bytes.
    module : Path
        The PySD Python module, inside the cache.
    abstract_model : pysd.translators.structures.abstract_model.AbstractModel
        PySD's syntax tree of the model (section paths point at the original file).
    from_cache : bool
        True when nothing was translated because the cache already held this file.
    changes : tuple of str
        What the pre-translation pass (:mod:`sdmodel.pretranslate`) rewrote.
    """

    source: Path
    file_hash: str
    module: Path
    abstract_model: Any
    from_cache: bool
    changes: tuple = field(default=())


def default_cache_dir() -> Path:
    """Return the translation cache directory.

    ``$SDMODEL_CACHE_DIR`` when set, else ``$XDG_CACHE_HOME/sdmodel`` (``~/.cache/sdmodel``).
    It is created with mode 0700 and must be the user's own (see :func:`sdmodel.cache.cache_root`).

    Examples
    --------
    >>> default_cache_dir().name in {"sdmodel", os.environ.get("SDMODEL_CACHE_DIR", "sdmodel")}
    True
    """
    return cache.default_dir()


def file_hash(path: str | os.PathLike) -> str:
    """SHA-256 hex digest of a file's bytes.

    Examples
    --------
    >>> len(file_hash(__file__))
    64
    """
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError as err:
        raise ModelFileError(f"cannot read the model file {str(path)!r}: {err}") from err


def _check_model_file(path: str | os.PathLike) -> Path:
    path = Path(path)
    if path.suffix.lower() not in SUPPORTED:
        raise ModelFileError(
            f"model file {str(path)!r} has the unsupported extension {path.suffix!r}; "
            f"expected one of {', '.join(sorted(SUPPORTED))}"
        )
    if not path.is_file():
        raise ModelFileError(f"model file {str(path)!r} does not exist or is not a file")
    size, limit = path.stat().st_size, max_model_bytes()
    if size > limit:
        raise LimitError(
            f"model file {str(path)!r} is {size:,} bytes, over the limit of {limit:,} "
            "(set SDMODEL_MAX_MODEL_BYTES to raise it)"
        )
    if not os.access(path, os.R_OK):
        raise ModelFileError(f"model file {str(path)!r} is not readable (permission denied)")
    return path.resolve()


def _parse(path: Path) -> tuple[object, list]:
    """Parse a model file into PySD's AbstractModel, after the pre-translation text pass."""
    kind = SUPPORTED[path.suffix.lower()]
    try:
        if kind == "vensim":
            from pysd.translators.vensim.vensim_file import VensimFile

            parsed = VensimFile(path)
            text, changes = pretranslate.rewrite_text(parsed._read(None), kind)
            if changes:
                parsed.model_text = text
                parsed._split_sketch()
        else:
            from lxml import etree
            from pysd.translators.xmile.xmile_file import XmileFile

            _check_xml(path)
            parsed = XmileFile(path)
            text = path.read_text(encoding="utf-8", errors="replace")
            text, changes = pretranslate.rewrite_text(text, kind)
            if changes:
                parsed.xmile_root = etree.fromstring(
                    text.encode("utf-8"), parser=etree.XMLParser(encoding="utf-8", recover=True))
        parsed.parse()
        return parsed.get_abstract_model(), changes
    except TranslationError:
        raise
    except Exception as err:  # PySD raises many kinds; keep its reason
        raise TranslationError(
            f"PySD could not parse {str(path)!r} as a {kind} model: "
            f"{type(err).__name__}: {err}"
        ) from err


def _check_xml(path: Path) -> None:
    """Refuse XML that is not well-formed (undeclared namespace prefixes aside, which vendors
    write) or declares entities.

    PySD parses XMILE with lxml in recovery mode, which drops what it cannot read (a misnamed
    closing tag, an entity bomb's text) instead of saying so.
    """
    from lxml import etree

    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True,
                             load_dtd=False)
    try:
        tree = etree.parse(str(path), parser)
    except etree.XMLSyntaxError as err:
        raise TranslationError(f"{str(path)!r} is not well-formed XML: {err}") from None
    errors = [e for e in parser.error_log if e.level >= etree.ErrorLevels.ERROR
              and e.domain != etree.ErrorDomains.NAMESPACE]
    if errors or tree.getroot() is None:
        first = errors[0] if errors else None
        where = f": {first.message.strip()}, line {first.line}" if first else ": no root element"
        raise TranslationError(f"{str(path)!r} is not well-formed XML{where}")
    dtd = tree.docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise TranslationError(
            f"{str(path)!r} declares XML entities (<!ENTITY ...>); XMILE files need none, and "
            "entities can expand to huge text or name other files"
        )


def _fold(name: str) -> str:
    """A Vensim name as Vensim compares names: case, spaces and underscores folded."""
    return re.sub(r"[\s_]+", " ", name.strip().strip('"')).lower()


def _check_tree(abstract_model, path: Path) -> None:
    """Refuse what PySD would build into a module that fails at import or silently misreads."""
    for section in abstract_model.sections:
        seen: dict[str, str] = {}
        for element in section.elements:
            key = _fold(element.name)
            if key in seen and seen[key] != element.name:
                raise TranslationError(
                    f"{str(path)!r}: the variable {element.name!r} is also defined as "
                    f"{seen[key]!r}; Vensim treats them as one name, so one definition would "
                    "silently replace the other"
                )
            if key in seen:
                raise TranslationError(
                    f"{str(path)!r}: the variable {element.name!r} is defined twice"
                )
            seen[key] = element.name
            subscripts = [repr(getattr(c, "subscripts", None)) for c in element.components
                          if type(c).__name__ not in ("AbstractConstraint", "AbstractTestInput")]
            if len(subscripts) != len(set(subscripts)):
                raise TranslationError(
                    f"{str(path)!r}: the variable {element.name!r} is defined "
                    f"{len(subscripts)} times for the same subscripts (Vensim compares names "
                    "with case, spaces and underscores folded); expected one definition"
                )
            for number in _numbers(element.components):
                if math.isinf(number):
                    raise TranslationError(
                        f"{str(path)!r}: the variable {element.name!r} holds the number "
                        f"{float(number)!r} (a literal beyond the range of a 64-bit float, about 1.8e308)"
                    )


def _numbers(obj) -> list[float]:
    found: list[float] = []
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, float):
            found.append(item)
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif hasattr(item, "__dataclass_fields__"):
            stack.extend(vars(item).values())
        elif hasattr(item, "dtype") and getattr(item.dtype, "kind", "") == "f":
            found.extend(float(x) for x in item.ravel())
    return found


def _build(abstract_model, folder: Path, stem: str, source: Path) -> Path:
    """Run PySD's Python builder with every section redirected into ``folder``."""
    from pysd.builders.python.python_model_builder import ModelBuilder

    originals = [section.path for section in abstract_model.sections]
    try:
        for section in abstract_model.sections:
            name = stem if section.path == originals[0] else section.path.stem
            section.path = folder / f"{name}.py"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            module = Path(ModelBuilder(abstract_model).build_model())
        for warning in caught:
            match = _NOT_IMPLEMENTED.search(str(warning.message))
            if match:  # a warning: the model may still be loaded to check units
                warnings.warn(str(_unimplemented(abstract_model, match.group(1), source)),
                              ModelWarning, stacklevel=4)
                continue
            warnings.warn_explicit(warning.message, warning.category, warning.filename,
                                   warning.lineno)
        return module
    except SDModelError:
        raise
    except Exception as err:
        raise TranslationError(
            f"PySD could not build a Python module for {str(source)!r}: "
            f"{type(err).__name__}: {err}"
        ) from err
    finally:
        for section, original in zip(abstract_model.sections, originals):
            section.path = original


_NOT_IMPLEMENTED = re.compile(r"Trying to translate '([^']+)' which it is not implemented")


def _unimplemented(abstract_model, function: str, path: Path) -> TranslationError:
    """The error for a Vensim function PySD cannot run, naming the variables that call it."""
    wanted = re.sub(r"[\s_]+", "_", function.strip()).lower()
    users = []
    for element in abstract_model.sections[0].elements:
        stack = [c.ast for c in element.components]
        while stack:
            node = stack.pop()
            if type(node).__name__ == "CallStructure" and \
                    getattr(node.function, "reference", None) == wanted:
                users.append(element.name)
                break
            if hasattr(node, "__dataclass_fields__"):
                stack.extend(vars(node).values())
            elif isinstance(node, (list, tuple)):
                stack.extend(node)
    where = f"the variable {users[0]!r}" if users else "a macro or lookup"
    return TranslationError(
        f"{str(path)!r}: {where} uses {function}, which PySD does not implement (a run "
        "fails); expected a function PySD supports, see docs/pysd-limitations.md"
    )


def _check_calls(abstract_model, path: Path) -> None:
    """Refuse calls PySD translates but cannot evaluate (found by argument values)."""
    for element in abstract_model.sections[0].elements:
        stack = [c.ast for c in element.components]
        while stack:
            node = stack.pop()
            if type(node).__name__ == "CallStructure" and \
                    getattr(node.function, "reference", None) == "get_time_value" and \
                    node.arguments and node.arguments[0] == 1:
                raise TranslationError(
                    f"{str(path)!r}: the variable {element.name!r} uses GET TIME VALUE with "
                    "relativeto = 1 (time since the initial time), which PySD does not "
                    "implement; expected relativeto 0 (model time) or 2 (clock time)"
                )
            if hasattr(node, "__dataclass_fields__"):
                stack.extend(vars(node).values())
            elif isinstance(node, (list, tuple)):
                stack.extend(node)


def _entry_name(source: Path, digest: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._+-]+", "_", source.stem).lstrip("._+-")[:80] or "model"
    return f"{stem}-{digest[:20]}-pysd{pysd.__version__}-f{_CACHE_FORMAT}"


def _from_cache(name: str, root: Path):
    """The syntax tree of a verified entry, or None (the entry discarded when damaged)."""
    folder = cache.open_entry(name, cache_dir=root)
    if folder is None:
        return None
    try:
        return _syntax_json.loads((folder / _SYNTAX).read_bytes())
    except (OSError, ValueError, KeyError, TypeError) as err:
        cache.discard_entry(name, f"its syntax tree cannot be read ({type(err).__name__})",
                            cache_dir=root)
        return None


def translate(path: str | os.PathLike, *, cache_dir: str | os.PathLike | None = None,
              progress: bool = False) -> Translation:
    """Translate a model file through PySD, or fetch its translation from the cache.

    Text the file could use to inject code (documentation, quoted names) is neutralised
    before PySD builds the module, and the module is audited before it is cached. A cache
    entry is used only after its owner, permissions and SHA-256 hashes are verified; a damaged
    or foreign entry is discarded with a :class:`~sdmodel.exceptions.CacheWarning` and the file
    translated again.

    Parameters
    ----------
    path : path-like
        A ``.mdl`` (Vensim), ``.xmile``/``.xml`` or ``.stmx`` (XMILE) model file, at most
        :func:`max_model_bytes` long.
    cache_dir : path-like, optional
        Where translations are kept; :func:`default_cache_dir` when omitted.
    progress : bool, optional
        Show the translation's progress on stderr (a first translation takes seconds).

    Returns
    -------
    Translation

    Raises
    ------
    ModelFileError
        The file is missing, unreadable, too large or its extension is not supported.
    CacheError
        The cache directory is not private to the user or cannot be written.
    TranslationError
        PySD cannot parse or build it (PySD's reason is in the message), or the model holds
        text that would become code, a variable defined twice or a number beyond float range.

    Examples
    --------
    >>> tr = translate("models/validation/nelson_phelps.mdl")
    >>> tr.module.suffix
    '.py'
    """
    source = _check_model_file(path)
    digest = file_hash(source)
    root = cache.cache_root(cache_dir)
    name = _entry_name(source, digest)
    stem = "model"
    reads_files = _reads_files(source)
    if reads_files:
        # external data are read beside the model: the module names its folder
        name += "-d" + hashlib.sha256(str(source.parent).encode()).hexdigest()[:12]
    abstract_model = _from_cache(name, root)
    if abstract_model is not None:
        changes = _cached_changes(root / name)
        pretranslate.warn_changes(changes, source)
        _warn_if_empty(abstract_model, source)
        return Translation(source, digest, root / name / f"{stem}.py", abstract_model,
                           from_cache=True, changes=tuple(changes))

    with step(f"translating {source.name} with PySD", progress=progress):
        return _translate_new(source, digest, root, name, stem, reads_files)


def _translate_new(source: Path, digest: str, root: Path, name: str, stem: str,
                   reads_files: bool) -> Translation:
    abstract_model, text_changes = _parse(source)
    _check_tree(abstract_model, source)
    _check_calls(abstract_model, source)
    neutralise(abstract_model)
    changes = [str(c) for c in text_changes + pretranslate.fix_tree(abstract_model)]
    pretranslate.warn_changes(changes, source)
    _warn_if_empty(abstract_model, source)
    with cache.new_entry(name, cache_dir=root) as staging:
        _build(abstract_model, staging, stem, source)
        if reads_files:
            _point_at_folder(staging, source.parent)
        audit_folder(staging)
        (staging / "__pycache__").mkdir(mode=0o700)  # so Python's bytecode stays private
        (staging / _SYNTAX).write_text(_syntax_json.dumps(abstract_model), encoding="utf-8")
        (staging / _CHANGES).write_text(json.dumps(changes), encoding="utf-8")
    return Translation(source, digest, root / name / f"{stem}.py", abstract_model,
                       from_cache=False, changes=tuple(changes))


_FILE_FUNCTIONS = re.compile(r"GET[\s_]+(DIRECT|XLS|123)[\s_]+(DATA|CONSTANTS|LOOKUPS|SUBSCRIPT)",
                             re.I)


def _reads_files(source: Path) -> bool:
    """Whether the model calls a function reading an external file (GET DIRECT DATA, ...)."""
    return bool(_FILE_FUNCTIONS.search(source.read_text(encoding="utf-8", errors="replace")))


def _point_at_folder(staging: Path, folder: Path) -> None:
    """Make the built modules resolve external files in ``folder`` (the model's own)."""
    for module in staging.glob("*.py"):
        text = module.read_text(encoding="utf-8")
        if _ROOT_LINE in text:
            module.write_text(text.replace(_ROOT_LINE, f"_root = Path({str(folder)!r})"),
                              encoding="utf-8")


def _cached_changes(folder: Path) -> list[str]:
    try:
        return [str(c) for c in json.loads((folder / _CHANGES).read_text(encoding="utf-8"))]
    except (OSError, ValueError, TypeError):
        return []


def _warn_if_empty(abstract_model, source: Path) -> None:
    """A model PySD reads as nothing but its time settings is almost surely misread."""
    control = {"initial time", "final time", "time step", "saveper"}
    names = [e.name for e in abstract_model.sections[0].elements
             if _fold(e.name) not in control]
    if not names:
        warnings.warn(
            f"{str(source)!r}: PySD found no model variable in the file (only the time "
            "settings); the file may use a construct or layout PySD does not read",
            ModelWarning, stacklevel=3)


def load(path: str | os.PathLike, *, cache_dir: str | os.PathLike | None = None,
         progress: bool = False):
    """Load a Vensim or XMILE model file as an :class:`sdmodel.Model`.

    Parameters
    ----------
    path : path-like
        A ``.mdl``, ``.xmile``/``.xml`` or ``.stmx`` file. It is translated by PySD once; later
        loads of the same content come from the cache (see :func:`translate`).
    cache_dir : path-like, optional
        Translation cache; default :func:`default_cache_dir`.
    progress : bool, optional
        Show a first translation's progress on stderr.

    Returns
    -------
    sdmodel.Model

    Examples
    --------
    >>> import sdmodel as sd
    >>> model = sd.load("models/validation/nelson_phelps.mdl")
    >>> ds = model.run(final_time=50)
    """
    from .model import Model

    translation = translate(path, cache_dir=cache_dir, progress=progress)
    try:
        pysd_model = pysd.load(str(translation.module))
        return Model(pysd_model, translation)  # evaluates the constants
    except SDModelError:
        raise
    except Exception as err:
        culprit = _failing_variable(err, translation)
        raise TranslationError(
            f"the PySD module translated from {str(translation.source)!r} failed to load"
            f"{culprit}: {type(err).__name__}: {err}"
        ) from err


def _failing_variable(err: BaseException, translation: Translation) -> str:
    """`` while evaluating 'name'`` for the innermost model variable in the traceback."""
    folder = translation.module.parent
    function = None
    tb = err.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if Path(code.co_filename).parent == folder and not code.co_name.startswith("<"):
            function = code.co_name
        tb = tb.tb_next
    if function is None:
        return ""
    for section in translation.abstract_model.sections:
        for element in section.elements:
            if _fold(element.name).replace(" ", "_") == function.lower().strip("_"):
                return f" while evaluating the variable {element.name!r}"
    return f" while evaluating {function!r}"
