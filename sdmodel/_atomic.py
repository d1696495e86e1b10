"""Atomic file output: write to a temporary file beside the target, then rename over it.

An interrupted or failed write never leaves a half-written file at the target, and the file
that appears has the permissions of an ordinary new file (the process umask applied).

Examples
--------
>>> from sdmodel._atomic import atomic_path
>>> with atomic_path(tmp_path / "table.csv") as tmp:        # doctest: +SKIP
...     frame.to_csv(tmp)
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .exceptions import OutputError

__all__ = ["atomic_path", "write_text_atomic", "default_file_mode"]


def default_file_mode() -> int:
    """``0o666`` less the process umask: the mode ``open(path, "w")`` would give."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextmanager
def atomic_path(path: str | os.PathLike, *, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it onto ``path`` when the block succeeds.

    Parameters
    ----------
    path : path-like
        The final file. Its folder is created if needed.
    overwrite : bool, optional
        When False, refuse (``OutputError``) if ``path`` already exists.

    Raises
    ------
    OutputError
        The folder cannot be created or written, the target exists and ``overwrite`` is False,
        or the block raised an ``OSError``. The temporary file is removed in every failure.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise OutputError(f"output file {str(path)!r} exists; pass overwrite=True to replace it")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
    except OSError as err:
        raise OutputError(f"cannot write {str(path)!r}: {err}") from err
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, default_file_mode())
        os.replace(tmp, path)
    except OSError as err:
        raise OutputError(f"cannot write {str(path)!r}: {err}") from err
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write UTF-8 text (``\\n`` line ends) to ``path`` atomically and return the path."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")
    return Path(path)
