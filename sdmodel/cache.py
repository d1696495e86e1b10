"""A private, verified on-disk cache: entries sdmodel wrote itself, checked before every use.

The cache holds translated models (:mod:`sdmodel.loading`) and may hold other generated code
(the batch backend's kernels). Generated code is imported, so the cache trusts nothing it did
not write:

* the cache directory is created with mode ``0700`` and must belong to the current user and
  not be writable by others (:class:`~sdmodel.exceptions.CacheError` otherwise);
* an entry is a folder published in one ``rename`` from a staging folder, with a
  ``manifest.json`` giving the SHA-256 of every file in it;
* before an entry is used, every file and folder in it must be a regular file or folder (no
  symbolic link) owned by the current user and not writable by group or others, every file in
  the manifest must be present with its recorded hash, and no unlisted file may exist outside
  ``__pycache__``. Anything wrong: the entry is discarded with a
  :class:`~sdmodel.exceptions.CacheWarning` and the caller rebuilds it.

Staging folders left by a killed process are removed by the next writer (same host, process
gone, or older than a day).

Examples
--------
>>> import tempfile
>>> from sdmodel import cache
>>> root = tempfile.mkdtemp()
>>> _ = cache.write_files("kernel-0123abcd", {"kernel.py": "x = 1\\n"}, cache_dir=root)
>>> cache.read_files("kernel-0123abcd", cache_dir=root)
{'kernel.py': b'x = 1\\n'}
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
import stat
import tempfile
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from ._atomic import clean_stale
from .exceptions import CacheError, CacheWarning

__all__ = [
    "cache_root",
    "default_dir",
    "entry_path",
    "new_entry",
    "open_entry",
    "discard_entry",
    "write_files",
    "read_files",
    "MANIFEST",
]

#: The file in every entry listing the SHA-256 of the others.
MANIFEST = "manifest.json"
_MANIFEST_FORMAT = 1
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,199}")
_STAGING = ".staging"


def default_dir() -> Path:
    """``$SDMODEL_CACHE_DIR``, else ``$XDG_CACHE_HOME/sdmodel`` (``~/.cache/sdmodel``); not checked."""
    if os.environ.get("SDMODEL_CACHE_DIR"):
        return Path(os.environ["SDMODEL_CACHE_DIR"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "sdmodel"


def _mode(st: os.stat_result) -> str:
    return oct(stat.S_IMODE(st.st_mode))


def cache_root(cache_dir: str | os.PathLike | None = None, *, create: bool = True) -> Path:
    """Return the cache directory after checking that only the current user can write it.

    Parameters
    ----------
    cache_dir : path-like, optional
        The directory; ``$SDMODEL_CACHE_DIR``, else ``$XDG_CACHE_HOME/sdmodel``
        (``~/.cache/sdmodel``) when omitted.
    create : bool, optional
        Create it (mode ``0700``) when missing (default True).

    Raises
    ------
    CacheError
        It cannot be created, is not a directory, belongs to another user or is writable by
        group or others.

    Examples
    --------
    >>> import tempfile
    >>> cache_root(tempfile.mkdtemp()).is_dir()
    True
    """
    root = Path(cache_dir).expanduser() if cache_dir is not None else default_dir()
    if create and not root.exists():
        try:
            root.parent.mkdir(parents=True, exist_ok=True)
            root.mkdir(mode=0o700, exist_ok=True)
            os.chmod(root, 0o700)
        except OSError as err:
            raise CacheError(f"cannot create the sdmodel cache directory {str(root)!r}: {err}") from err
    try:
        st = root.stat()  # follows a symbolic link to the real directory, which is checked
    except OSError as err:
        raise CacheError(f"cannot use the sdmodel cache directory {str(root)!r}: {err}") from err
    if not stat.S_ISDIR(st.st_mode):
        raise CacheError(f"the sdmodel cache path {str(root)!r} is not a directory")
    if st.st_uid != os.geteuid():
        raise CacheError(
            f"the sdmodel cache directory {str(root)!r} belongs to user id {st.st_uid}, not to "
            f"you ({os.geteuid()}); its code is imported, so it must be your own. Set "
            "SDMODEL_CACHE_DIR to a directory of yours"
        )
    if st.st_mode & 0o022:
        raise CacheError(
            f"the sdmodel cache directory {str(root)!r} is writable by other users (mode "
            f"{_mode(st)}); its code is imported, so run 'chmod 700' on it or set "
            "SDMODEL_CACHE_DIR to a private directory"
        )
    return root


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise CacheError(
            f"cache entry name {name!r} is not allowed; expected letters, digits, '.', '_', "
            "'+' or '-', starting with a letter or digit"
        )
    return name


def entry_path(name: str, *, cache_dir: str | os.PathLike | None = None) -> Path:
    """The folder an entry named ``name`` occupies (whether or not it exists)."""
    return cache_root(cache_dir) / _check_name(name)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _walk(folder: Path) -> Iterator[tuple[Path, os.stat_result]]:
    """Every path under ``folder`` (not following links) with its ``lstat``."""
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            yield path, path.lstat()


def _problem(entry: Path) -> str | None:
    """Why ``entry`` cannot be trusted, or None when it can."""
    me = os.geteuid()
    try:
        st = entry.lstat()
    except FileNotFoundError:
        return "missing"
    except OSError as err:
        return f"unreadable ({err})"
    if not stat.S_ISDIR(st.st_mode):
        return "not a directory"
    items = [(entry, st)]
    try:
        items += list(_walk(entry))
    except OSError as err:
        return f"unreadable ({err})"
    for path, pst in items:
        rel = path.relative_to(entry)
        if stat.S_ISLNK(pst.st_mode):
            return f"{str(rel)!r} is a symbolic link"
        if not (stat.S_ISDIR(pst.st_mode) or stat.S_ISREG(pst.st_mode)):
            return f"{str(rel)!r} is not a regular file"
        if pst.st_uid != me:
            return f"{str(rel)!r} belongs to user id {pst.st_uid}, not {me}"
        if pst.st_mode & 0o022:
            return f"{str(rel)!r} is writable by group or others (mode {_mode(pst)})"
    try:
        manifest = json.loads((entry / MANIFEST).read_text(encoding="utf-8"))
        files = manifest["files"]
        if manifest.get("format") != _MANIFEST_FORMAT or not isinstance(files, dict):
            return "its manifest has an unknown format"
    except (OSError, ValueError, KeyError, TypeError) as err:
        return f"its manifest is missing or unreadable ({type(err).__name__})"
    present = {
        str(path.relative_to(entry)) for path, pst in items[1:]
        if stat.S_ISREG(pst.st_mode) and "__pycache__" not in path.relative_to(entry).parts
    }
    present.discard(MANIFEST)
    if present - set(files):
        return f"it holds files its manifest does not list: {sorted(present - set(files))}"
    for rel, digest in files.items():
        if rel not in present:
            return f"{rel!r} is missing"
        if _sha256(entry / rel) != digest:
            return f"{rel!r} does not match its recorded SHA-256"
    return None


def discard_entry(name: str, reason: str, *, cache_dir: str | os.PathLike | None = None) -> None:
    """Warn that entry ``name`` is untrusted for ``reason`` and remove it from the cache."""
    entry = entry_path(name, cache_dir=cache_dir)
    warnings.warn(
        f"discarding the sdmodel cache entry {str(entry)!r}: {reason}; it will be rebuilt",
        CacheWarning,
        stacklevel=3,
    )
    trash = entry.parent / f"{_STAGING}.{socket.gethostname()}.{os.getpid()}.discard-{os.urandom(4).hex()}"
    try:
        os.replace(entry, trash)
    except FileNotFoundError:
        return
    except OSError as err:
        raise CacheError(f"cannot remove the untrusted cache entry {str(entry)!r}: {err}") from err
    shutil.rmtree(trash, ignore_errors=True)


def open_entry(name: str, *, cache_dir: str | os.PathLike | None = None) -> Path | None:
    """Return the verified folder of entry ``name``, or None when there is none to trust.

    A present but untrusted entry (wrong owner or mode, a symbolic link, a file that does not
    match the manifest, a missing or extra file) is discarded with a :class:`CacheWarning`.

    Examples
    --------
    >>> import tempfile
    >>> open_entry("never-written", cache_dir=tempfile.mkdtemp()) is None
    True
    """
    entry = entry_path(name, cache_dir=cache_dir)
    reason = _problem(entry)
    if reason is None:
        return entry
    if reason != "missing":
        discard_entry(name, reason, cache_dir=cache_dir)
    return None


def _seal(staging: Path) -> None:
    """Write the manifest of ``staging`` and make everything in it private (0600/0700)."""
    files = {}
    for path, pst in sorted(_walk(staging)):
        rel = path.relative_to(staging)
        if stat.S_ISLNK(pst.st_mode):
            raise CacheError(f"the cache entry being written contains a symbolic link {str(rel)!r}")
        if stat.S_ISDIR(pst.st_mode):
            os.chmod(path, 0o700)
        elif "__pycache__" not in rel.parts:
            os.chmod(path, 0o600)
            files[str(rel)] = _sha256(path)
    manifest = staging / MANIFEST
    manifest.write_text(json.dumps({"format": _MANIFEST_FORMAT, "files": files}, indent=1),
                        encoding="utf-8")
    os.chmod(manifest, 0o600)
    os.chmod(staging, 0o700)


@contextmanager
def new_entry(name: str, *, cache_dir: str | os.PathLike | None = None) -> Iterator[Path]:
    """Yield an empty staging folder; when the block succeeds, publish it as entry ``name``.

    Everything the block writes into the folder is hashed into the manifest, made private and
    published with one ``rename``. An existing entry of that name is replaced; when another
    process publishes the same entry first, its (verified) entry is kept. The staging folder is
    removed in every case.

    Examples
    --------
    >>> import tempfile
    >>> root = tempfile.mkdtemp()
    >>> with new_entry("demo", cache_dir=root) as folder:
    ...     _ = (folder / "a.txt").write_text("hello")
    >>> sorted(p.name for p in open_entry("demo", cache_dir=root).iterdir())
    ['a.txt', 'manifest.json']
    """
    root = cache_root(cache_dir)
    entry = root / _check_name(name)
    clean_stale(root, _STAGING)
    try:
        staging = Path(tempfile.mkdtemp(
            prefix=f"{_STAGING}.{socket.gethostname()}.{os.getpid()}.", dir=root))
    except OSError as err:
        raise CacheError(f"cannot write the sdmodel cache {str(root)!r}: {err}") from err
    try:
        yield staging
        _seal(staging)
        if (entry.exists() or entry.is_symlink()) and _problem(entry) is not None:
            discard_entry(name, "it is being rewritten", cache_dir=root)
        try:
            os.replace(staging, entry)
        except OSError:
            if _problem(entry) is not None:  # not a concurrent writer that got there first
                raise
    except OSError as err:
        raise CacheError(f"cannot write the cache entry {str(entry)!r}: {err}") from err
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_files(name: str, files: Mapping[str, bytes | str], *,
                cache_dir: str | os.PathLike | None = None) -> Path:
    """Store ``{relative path: content}`` as entry ``name`` and return its folder.

    The helper for generated code other than model translations (for instance compiled kernel
    source keyed by a model hash). Text is written as UTF-8.

    Raises
    ------
    CacheError
        A bad entry or file name, or the cache cannot be written.
    """
    with new_entry(name, cache_dir=cache_dir) as folder:
        for rel, content in files.items():
            target = folder / rel
            if Path(rel).is_absolute() or ".." in Path(rel).parts or rel == MANIFEST:
                raise CacheError(f"cache file name {rel!r} must be a relative path inside the entry")
            target.parent.mkdir(parents=True, exist_ok=True)
            data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
            target.write_bytes(data)
    return entry_path(name, cache_dir=cache_dir)


def read_files(name: str, *, cache_dir: str | os.PathLike | None = None,
               verify: Callable[[dict[str, bytes]], bool] | None = None) -> dict[str, bytes] | None:
    """Return the verified files of entry ``name`` (manifest excluded), or None.

    ``verify``, when given, is called on the contents; False discards the entry (with a
    :class:`CacheWarning`) and returns None.
    """
    folder = open_entry(name, cache_dir=cache_dir)
    if folder is None:
        return None
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    contents = {rel: (folder / rel).read_bytes() for rel in manifest["files"]}
    if verify is not None and not verify(contents):
        discard_entry(name, "its contents failed the caller's check", cache_dir=cache_dir)
        return None
    return contents
