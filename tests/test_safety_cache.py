"""The translation cache trusts nothing it did not write: foreign, loose, tampered or damaged
entries are discarded with a warning and the model translated again."""

from __future__ import annotations

import json
import os
import shutil
import socket
import warnings

import pytest

import sdmodel as sd
from sdmodel import cache
from sdmodel.exceptions import CacheError, CacheWarning

from conftest import MODELS

NELSON_PHELPS = MODELS / "validation" / "nelson_phelps.mdl"
OTHER_UID = 54321

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="chown to another user needs root")


@pytest.fixture
def cached(tmp_path):
    """A model copy translated once into a fresh cache: (model path, cache dir, entry folder)."""
    model = shutil.copy(NELSON_PHELPS, tmp_path / "np.mdl")
    root = tmp_path / "cache"
    first = sd.translate(model, cache_dir=root)
    assert not first.from_cache
    return model, root, first.module.parent


def _retranslates(model, root, match):
    with pytest.warns(CacheWarning, match=match):
        again = sd.translate(model, cache_dir=root)
    assert not again.from_cache
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        third = sd.translate(model, cache_dir=root)  # the rebuilt entry is trusted
    assert third.from_cache
    loaded = sd.load(model, cache_dir=root)
    assert loaded.run(final_time=5)["technological_capability"].values[0] > 0
    return again


def test_clean_entry_is_reused_silently(cached):
    model, root, _ = cached
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        assert sd.translate(model, cache_dir=root).from_cache


def test_cache_directory_is_created_private(tmp_path):
    root = cache.cache_root(tmp_path / "a" / "b")
    assert oct(root.stat().st_mode & 0o777) == "0o700"


@needs_root
def test_entry_planted_by_another_user_is_discarded(cached, tmp_path):
    model, root, entry = cached
    marker = tmp_path / "MARKER"
    module = entry / "model.py"
    module.write_text(module.read_text() + f"\n__import__('os').system('touch {marker}')\n")
    manifest = json.loads((entry / cache.MANIFEST).read_text())
    manifest["files"]["model.py"] = cache._sha256(module)  # a consistent manifest
    (entry / cache.MANIFEST).write_text(json.dumps(manifest))
    for path in [entry, *entry.rglob("*")]:
        os.chown(path, OTHER_UID, OTHER_UID)
    _retranslates(model, root, "belongs to user id 54321")
    assert not marker.exists()
    assert all(p.stat().st_uid == os.geteuid() for p in [entry, *entry.rglob("*")])


@needs_root
def test_cache_root_of_another_user_is_refused(tmp_path):
    root = tmp_path / "shared"
    root.mkdir(mode=0o700)
    os.chown(root, OTHER_UID, OTHER_UID)
    with pytest.raises(CacheError, match="belongs to user id 54321"):
        sd.translate(NELSON_PHELPS, cache_dir=root)


def test_cache_root_writable_by_others_is_refused(tmp_path):
    root = tmp_path / "shared"
    root.mkdir()
    os.chmod(root, 0o777)
    with pytest.raises(CacheError, match="writable by other users"):
        sd.translate(NELSON_PHELPS, cache_dir=root)


def test_group_writable_entry_is_discarded(cached):
    model, root, entry = cached
    os.chmod(entry / "model.py", 0o666)
    _retranslates(model, root, "writable by group or others")


def test_tampered_module_is_discarded_and_never_run(cached, tmp_path):
    model, root, entry = cached
    marker = tmp_path / "MARKER"
    with open(entry / "model.py", "a") as fh:
        fh.write(f"\n__import__('os').system('touch {marker}')\n")
    _retranslates(model, root, "model.py' does not match its recorded SHA-256")
    assert not marker.exists()
    assert "touch" not in (entry / "model.py").read_text()


def test_truncated_syntax_tree_is_discarded(cached):
    model, root, entry = cached
    tree = entry / "abstract_model.json"
    tree.write_bytes(tree.read_bytes()[:100])
    _retranslates(model, root, "abstract_model.json' does not match")


def test_truncated_tree_with_matching_manifest_is_discarded(cached):
    model, root, entry = cached
    tree = entry / "abstract_model.json"
    tree.write_bytes(tree.read_bytes()[:100])
    manifest = json.loads((entry / cache.MANIFEST).read_text())
    manifest["files"]["abstract_model.json"] = cache._sha256(tree)
    (entry / cache.MANIFEST).write_text(json.dumps(manifest))
    _retranslates(model, root, "syntax tree cannot be read")


def test_deleted_module_is_discarded(cached):
    model, root, entry = cached
    (entry / "model.py").unlink()
    _retranslates(model, root, "'model.py' is missing")


def test_deleted_manifest_is_discarded(cached):
    model, root, entry = cached
    (entry / cache.MANIFEST).unlink()
    _retranslates(model, root, "manifest is missing")


def test_planted_extra_module_is_discarded(cached):
    model, root, entry = cached
    (entry / "evil.py").write_text("import os\n")
    _retranslates(model, root, "does not list")


def test_symlinked_module_is_discarded(cached, tmp_path):
    model, root, entry = cached
    target = tmp_path / "elsewhere.py"
    shutil.copy(entry / "model.py", target)
    (entry / "model.py").unlink()
    (entry / "model.py").symlink_to(target)
    _retranslates(model, root, "symbolic link")


def test_a_pickle_planted_where_the_old_format_kept_it_is_never_read(cached):
    model, root, entry = cached
    (entry / "abstract_model.pkl").write_bytes(b"cos\nsystem\n(S'true'\ntR.")
    _retranslates(model, root, "does not list")


def test_staging_left_by_a_killed_writer_is_removed(tmp_path):
    root = cache.cache_root(tmp_path / "cache")
    dead = root / f".staging.{socket.gethostname()}.999999999.abc"
    dead.mkdir()
    (dead / "model.py").write_text("x = 1\n")
    alive = root / f".staging.{socket.gethostname()}.{os.getpid()}.def"
    alive.mkdir()
    cache.write_files("kernel-1", {"k.py": "x = 1\n"}, cache_dir=root)
    assert not dead.exists() and alive.exists()


def test_write_and_read_files_helper(tmp_path):
    root = tmp_path / "cache"
    cache.write_files("kernel-abc", {"src/k.py": "y = 2\n", "meta.json": b"{}"}, cache_dir=root)
    assert cache.read_files("kernel-abc", cache_dir=root) == {"meta.json": b"{}", "src/k.py": b"y = 2\n"}
    (root / "kernel-abc" / "src" / "k.py").write_text("y = 3\n")
    with pytest.warns(CacheWarning, match="does not match"):
        assert cache.read_files("kernel-abc", cache_dir=root) is None
    assert not (root / "kernel-abc").exists()
    with pytest.raises(CacheError, match="not allowed"):
        cache.write_files("../escape", {"a": "b"}, cache_dir=root)
    with pytest.raises(CacheError, match="relative path"):
        cache.write_files("ok", {"../a": "b"}, cache_dir=root)
