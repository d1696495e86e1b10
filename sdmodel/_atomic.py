"""Outputs complete or absent: atomic single files and staged multi-file outputs.

* :func:`atomic_path` writes one file through a temporary file beside the target, renamed
  over it when the block succeeds.
* :func:`staged_outputs` writes every file of a multi-file output (a calibration's five files,
  a comparison's figure and table, an ensemble's store) into one staging folder beside them
  and publishes them together: the folder is marked complete, then each file is renamed into
  place with SIGINT and SIGTERM held back, so Ctrl-C leaves either the previous outputs or the
  new complete set. A ``kill -9`` during the renames leaves a complete, marked staging folder;
  the next staged write into that folder finishes publishing it (roll forward) before it
  starts, and removes unmarked staging folders and temporary files of writers that are gone.

Targets that exist but are not regular files (``/dev/null``, a directory where a file is
expected, a FIFO) are refused, and path components taken from user input (country codes,
config names) are checked by :func:`safe_component`.

Temporary and staging names are ``.sdmodel-tmp.<host>.<pid>.*`` and
``.sdmodel-stage.<host>.<pid>.*``: a leftover is stale when its process is gone (same host) or
it is older than a day.

Examples
--------
>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> with staged_outputs(out) as stage:
...     _ = stage.path("a.txt").write_text("1")
...     _ = stage.path("b.txt").write_text("2")
>>> sorted(p.name for p in out.iterdir())
['a.txt', 'b.txt']
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import stat
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .exceptions import OutputError, SDModelError

__all__ = ["atomic_path", "write_text_atomic", "default_file_mode", "staged_outputs",
           "Stage", "safe_component", "clean_stale", "recover_outputs", "check_target"]

TMP_PREFIX = ".sdmodel-tmp"
STAGE_PREFIX = ".sdmodel-stage"
_COMPLETE = ".complete"
_STALE_SECONDS = 24 * 3600
_COMPONENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,127}")


def default_file_mode() -> int:
    """``0o666`` less the process umask: the mode ``open(path, "w")`` would give."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def safe_component(text: str, what: str, *, error: type[SDModelError] = OutputError) -> str:
    """Return ``text`` if it is a safe single path component, else raise ``error``.

    Letters, digits, ``.``, ``_``, ``+`` and ``-``, starting with a letter or digit, at most
    128 characters: no ``/``, no ``..``, nothing hidden.

    Examples
    --------
    >>> safe_component("venezuela-1990", "config name")
    'venezuela-1990'
    >>> safe_component("../../etc", "config name")
    Traceback (most recent call last):
    ...
    sdmodel.exceptions.OutputError: config name '../../etc' is not a safe file name; expected letters, digits, '.', '_', '+' or '-', starting with a letter or digit
    """
    if not isinstance(text, str) or not _COMPONENT.fullmatch(text) or text.endswith("."):
        raise error(
            f"{what} {text!r} is not a safe file name; expected letters, digits, '.', '_', "
            "'+' or '-', starting with a letter or digit"
        )
    return text


def _plain_name(name: str) -> str:
    if (not isinstance(name, str) or not name or name in (".", "..") or "/" in name
            or "\0" in name or name.startswith((TMP_PREFIX, STAGE_PREFIX))):
        raise OutputError(f"output name {name!r} must be a plain file name inside the folder")
    return name


def check_target(path: str | os.PathLike, *, directory: bool = False) -> Path:
    """Refuse an existing target that is not a regular file (or a directory when ``directory``)."""
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        return path
    except OSError as err:
        raise OutputError(f"cannot use the output path {str(path)!r}: {err}") from err
    ok = stat.S_ISDIR(st.st_mode) if directory else stat.S_ISREG(st.st_mode)
    if not ok:
        kind = "directory" if directory else "regular file"
        raise OutputError(
            f"output path {str(path)!r} exists and is not a {kind}; refusing to replace it"
        )
    return path


def _tag() -> str:
    return f"{socket.gethostname()}.{os.getpid()}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _writer_gone(path: Path, prefix: str, max_age: float) -> bool:
    parts = path.name[len(prefix) + 1:].split(".")
    try:
        host, pid = parts[0], int(parts[1])
        age = time.time() - path.lstat().st_mtime
    except (IndexError, ValueError, OSError):
        return False
    if host == socket.gethostname() and pid == os.getpid():
        return False
    return (host == socket.gethostname() and not _pid_alive(pid)) or age > max_age


def clean_stale(folder: str | os.PathLike, prefix: str, *,
                max_age: float = _STALE_SECONDS) -> list[Path]:
    """Remove ``prefix.<host>.<pid>.*`` leftovers in ``folder`` whose writer is gone.

    A leftover is stale when it was made on this host by a process that no longer runs, or is
    older than ``max_age`` seconds. Returns the paths removed.
    """
    removed: list[Path] = []
    try:
        candidates = [p for p in Path(folder).iterdir() if p.name.startswith(prefix + ".")]
    except OSError:
        return removed
    for path in candidates:
        if _writer_gone(path, prefix, max_age):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path)
    return removed


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
        The folder cannot be created or written, the target exists and ``overwrite`` is False
        or is not a regular file, or the block raised an ``OSError``. The temporary file is
        removed in every failure; those of killed writers are removed by the next write.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise OutputError(f"output file {str(path)!r} exists; pass overwrite=True to replace it")
    check_target(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        clean_stale(path.parent, TMP_PREFIX)
        fd, name = tempfile.mkstemp(prefix=f"{TMP_PREFIX}.{_tag()}.", suffix=f".{path.name[:60]}",
                                    dir=path.parent)
        os.close(fd)
    except OSError as err:
        raise OutputError(f"cannot write {str(path)!r}: {err}") from err
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, default_file_mode())
        os.replace(tmp, path)
    except SDModelError:
        raise
    except OSError as err:
        raise OutputError(f"cannot write {str(path)!r}: {err}") from err
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write UTF-8 text (``\\n`` line ends) to ``path`` atomically and return the path."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")
    return Path(path)


class Stage:
    """The staging folder of one multi-file output; see :func:`staged_outputs`."""

    def __init__(self, folder: Path, staging: Path):
        self.folder = folder
        self.staging = staging
        self.names: list[str] = []

    def path(self, name: str) -> Path:
        """Where to write the output ``name`` (a file or folder directly in the target folder)."""
        _plain_name(name)
        target = self.folder / name
        check_target(target, directory=target.is_dir() and not target.is_symlink())
        if name not in self.names:
            self.names.append(name)
        return self.staging / name

    def target(self, name: str) -> Path:
        """The published path of output ``name``."""
        return self.folder / name


def _publish(staging: Path, folder: Path, names: list[str]) -> None:
    """Rename every staged output into ``folder``; safe to repeat after an interruption."""
    old = staging / ".old"
    for name in names:
        source, target = staging / name, folder / name
        if not source.exists() and not source.is_symlink():
            continue  # published before an interruption
        if source.is_dir() and target.is_dir() and not target.is_symlink():
            old.mkdir(exist_ok=True)
            os.replace(target, old / name)
        os.replace(source, target)


@contextmanager
def _signals_held() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def recover_outputs(folder: str | os.PathLike) -> list[Path]:
    """Finish or remove what killed writers left in ``folder``; return what was touched.

    A staging folder marked complete is published (its files were all written); an unmarked one
    and temporary files of gone writers are removed.
    """
    folder = Path(folder)
    touched: list[Path] = []
    try:
        stages = [p for p in folder.iterdir() if p.name.startswith(STAGE_PREFIX + ".")]
    except OSError:
        return touched
    for staging in stages:
        if not _writer_gone(staging, STAGE_PREFIX, _STALE_SECONDS):
            continue
        marker = staging / _COMPLETE
        if marker.is_file():
            try:
                names = json.loads(marker.read_text(encoding="utf-8"))["names"]
                _publish(staging, folder, [_plain_name(n) for n in names])
            except (OSError, ValueError, KeyError, TypeError, SDModelError):
                pass  # unreadable: drop it, the previous outputs stay
        shutil.rmtree(staging, ignore_errors=True)
        touched.append(staging)
    touched += clean_stale(folder, TMP_PREFIX)
    return touched


@contextmanager
def staged_outputs(folder: str | os.PathLike) -> Iterator[Stage]:
    """Stage a multi-file output in one folder beside the targets; publish all on success.

    Parameters
    ----------
    folder : path-like
        Where the outputs go (created if needed). Leftovers of killed writers in it are
        recovered first (:func:`recover_outputs`).

    Yields
    ------
    Stage
        ``stage.path(name)`` gives the path to write output ``name`` to.

    Raises
    ------
    OutputError
        The folder cannot be created or written, or a target is not a regular file.
        When the block raises (or is interrupted), nothing is published and the staging
        folder is removed.
    """
    folder = Path(folder)
    check_target(folder, directory=True)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        recover_outputs(folder)
        staging = Path(tempfile.mkdtemp(prefix=f"{STAGE_PREFIX}.{_tag()}.", dir=folder))
    except OSError as err:
        raise OutputError(f"cannot write outputs into {str(folder)!r}: {err}") from err
    stage = Stage(folder, staging)
    try:
        yield stage
        mode = default_file_mode()
        for name in stage.names:
            staged = staging / name
            if not staged.exists():
                raise OutputError(f"output {name!r} was announced but not written")
            if staged.is_file():
                os.chmod(staged, mode)
        marker = staging / _COMPLETE
        with open(marker, "w", encoding="utf-8") as fh:
            json.dump({"names": stage.names}, fh)
            fh.flush()
            os.fsync(fh.fileno())
        with _signals_held():
            _publish(staging, folder, stage.names)
            shutil.rmtree(staging, ignore_errors=True)
    except SDModelError:
        raise
    except OSError as err:
        raise OutputError(f"cannot write outputs into {str(folder)!r}: {err}") from err
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
