"""Translate model files with PySD, caching the result by the file's content hash.

The pipeline is PySD's: a translator parses the file into an ``AbstractModel`` (the syntax tree
both engines consume) and PySD's Python builder writes a runnable module from it. sdmodel never
writes beside the model file: the module and a pickle of the ``AbstractModel`` live only in a
cache directory, one folder per (file content, PySD version) pair.

Examples
--------
>>> import sdmodel as sd
>>> model = sd.load("models/validation/nelson_phelps.mdl")     # doctest: +SKIP
>>> model.params["catch_up_rate"]                                # doctest: +SKIP
0.1
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pysd

from .exceptions import ModelFileError, TranslationError

__all__ = ["load", "translate", "Translation", "default_cache_dir", "file_hash", "SUPPORTED"]

#: Model file suffixes and the PySD translator for each.
SUPPORTED = {".mdl": "vensim", ".xmile": "xmile", ".xml": "xmile", ".stmx": "xmile"}

# Bump when the cache layout or the translation steps change, so old entries are not reused.
_CACHE_FORMAT = 1
_ABSTRACT = "abstract_model.pkl"


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

    Examples
    --------
    >>> default_cache_dir().name in {"sdmodel", os.environ.get("SDMODEL_CACHE_DIR", "sdmodel")}
    True
    """
    if os.environ.get("SDMODEL_CACHE_DIR"):
        return Path(os.environ["SDMODEL_CACHE_DIR"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "sdmodel"


def file_hash(path: str | os.PathLike) -> str:
    """SHA-256 hex digest of a file's bytes.

    Examples
    --------
    >>> len(file_hash(__file__))
    64
    """
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _check_model_file(path: str | os.PathLike) -> Path:
    path = Path(path)
    if path.suffix.lower() not in SUPPORTED:
        raise ModelFileError(
            f"model file {str(path)!r} has the unsupported extension {path.suffix!r}; "
            f"expected one of {', '.join(sorted(SUPPORTED))}"
        )
    if not path.is_file():
        raise ModelFileError(f"model file {str(path)!r} does not exist or is not a file")
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

            parsed = XmileFile(path)
        parsed.parse()
        return parsed.get_abstract_model()
    except Exception as err:  # PySD raises many kinds; keep its reason
        raise TranslationError(
            f"PySD could not parse {str(path)!r} as a {kind} model: "
            f"{type(err).__name__}: {err}"
        ) from err


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


def translate(path: str | os.PathLike, *, cache_dir: str | os.PathLike | None = None) -> Translation:
    """Translate a model file through PySD, or fetch its translation from the cache.

    Parameters
    ----------
    path : path-like
        A ``.mdl`` (Vensim), ``.xmile``/``.xml`` or ``.stmx`` (XMILE) model file.
    cache_dir : path-like, optional
        Where translations are kept; :func:`default_cache_dir` when omitted.

    Returns
    -------
    Translation

    Raises
    ------
    ModelFileError
        The file is missing or its extension is not supported.
    TranslationError
        PySD cannot parse or build it (PySD's reason is in the message).

    Examples
    --------
    >>> tr = translate("models/validation/nelson_phelps.mdl")   # doctest: +SKIP
    >>> tr.module.suffix                                          # doctest: +SKIP
    '.py'
    """
    source = _check_model_file(path)
    digest = file_hash(source)
    root = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
    key = f"{source.stem}-{digest[:20]}-pysd{pysd.__version__}-f{_CACHE_FORMAT}"
    entry = root / key
    stem = "model"
    module = entry / f"{stem}.py"
    if module.is_file() and (entry / _ABSTRACT).is_file():
        with open(entry / _ABSTRACT, "rb") as fh:
            abstract_model = pickle.load(fh)
        return Translation(source, digest, module, abstract_model, from_cache=True)

    abstract_model = _parse(source)
    try:
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=root))
    except OSError as err:
        raise ModelFileError(f"cannot write the translation cache {str(root)!r}: {err}") from err
    try:
        _build(abstract_model, staging, stem)
        with open(staging / _ABSTRACT, "wb") as fh:
            pickle.dump(abstract_model, fh)
        try:
            os.replace(staging, entry)  # atomic publish of the whole entry
        except OSError:
            if not module.is_file():  # not a concurrent writer that got there first
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Translation(source, digest, module, abstract_model, from_cache=False)


def load(path: str | os.PathLike, *, cache_dir: str | os.PathLike | None = None):
    """Load a Vensim or XMILE model file as an :class:`sdmodel.Model`.

    Parameters
    ----------
    path : path-like
        A ``.mdl``, ``.xmile``/``.xml`` or ``.stmx`` file. It is translated by PySD once; later
        loads of the same content come from the cache (see :func:`translate`).
    cache_dir : path-like, optional
        Translation cache; default :func:`default_cache_dir`.

    Returns
    -------
    sdmodel.Model

    Examples
    --------
    >>> import sdmodel as sd
    >>> model = sd.load("models/validation/nelson_phelps.mdl")   # doctest: +SKIP
    >>> ds = model.run(final_time=50)                             # doctest: +SKIP
    """
    from .model import Model

    translation = translate(path, cache_dir=cache_dir)
    try:
        pysd_model = pysd.load(str(translation.module))
    except Exception as err:
        raise TranslationError(
            f"the PySD module translated from {str(translation.source)!r} failed to load: "
            f"{type(err).__name__}: {err}"
        ) from err
    return Model(pysd_model, translation)
