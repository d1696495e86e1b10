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

import hashlib
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pysd

from . import _syntax_json, cache
from ._generated_code import audit_folder, neutralise
from ._progress import step
from .exceptions import LimitError, ModelFileError, SDModelError, TranslationError
from .limits import max_model_bytes

__all__ = ["load", "translate", "Translation", "default_cache_dir", "file_hash", "SUPPORTED",
           "max_model_bytes"]

#: Model file suffixes and the PySD translator for each.
SUPPORTED = {".mdl": "vensim", ".xmile": "xmile", ".xml": "xmile", ".stmx": "xmile"}

# Bump when the cache layout or the translation steps change, so old entries are not reused.
_CACHE_FORMAT = 2
_SYNTAX = "abstract_model.json"


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
    """

    source: Path
    file_hash: str
    module: Path
    abstract_model: object
    from_cache: bool


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


def _parse(path: Path) -> object:
    """Parse a model file into PySD's AbstractModel."""
    kind = SUPPORTED[path.suffix.lower()]
    try:
        if kind == "vensim":
            from pysd.translators.vensim.vensim_file import VensimFile

            parsed = VensimFile(path)
        else:
            from pysd.translators.xmile.xmile_file import XmileFile

            _check_xml(path)
            parsed = XmileFile(path)
        parsed.parse()
        return parsed.get_abstract_model()
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


def _build(abstract_model, folder: Path, stem: str) -> Path:
    """Run PySD's Python builder with every section redirected into ``folder``."""
    from pysd.builders.python.python_model_builder import ModelBuilder

    originals = [section.path for section in abstract_model.sections]
    try:
        for section in abstract_model.sections:
            name = stem if section.path == originals[0] else section.path.stem
            section.path = folder / f"{name}.py"
        return Path(ModelBuilder(abstract_model).build_model())
    except Exception as err:
        raise TranslationError(
            f"PySD could not build a Python module for {str(originals[0])!r}: "
            f"{type(err).__name__}: {err}"
        ) from err
    finally:
        for section, original in zip(abstract_model.sections, originals):
            section.path = original


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
    abstract_model = _from_cache(name, root)
    if abstract_model is not None:
        return Translation(source, digest, root / name / f"{stem}.py", abstract_model,
                           from_cache=True)

    with step(f"translating {source.name} with PySD", progress=progress):
        return _translate_new(source, digest, root, name, stem)


def _translate_new(source: Path, digest: str, root: Path, name: str, stem: str) -> Translation:
    abstract_model = _parse(source)
    _check_tree(abstract_model, source)
    neutralise(abstract_model)
    with cache.new_entry(name, cache_dir=root) as staging:
        _build(abstract_model, staging, stem)
        audit_folder(staging)
        (staging / "__pycache__").mkdir(mode=0o700)  # so Python's bytecode stays private
        (staging / _SYNTAX).write_text(_syntax_json.dumps(abstract_model), encoding="utf-8")
    return Translation(source, digest, root / name / f"{stem}.py", abstract_model,
                       from_cache=False)


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
        raise TranslationError(
            f"the PySD module translated from {str(translation.source)!r} failed to load: "
            f"{type(err).__name__}: {err}"
        ) from err
