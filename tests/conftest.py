"""Shared fixtures: where ``../shared`` is, and a persistent translation cache for the suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SDMODEL_SHARED", REPO.parent / "shared"))
TEST_MODELS = SHARED / "test-models"
DATA_DIR = SHARED / "data"
MODELS = REPO / "models"

# Translations are cached by content hash; keep them between test runs, outside the sources.
os.environ.setdefault("SDMODEL_CACHE_DIR", str(REPO / ".cache" / "sdmodel"))
os.environ.setdefault("MPLBACKEND", "Agg")
# The suite never reaches the network: data come from ../shared/data.
os.environ.setdefault("SDMODEL_OFFLINE", "1")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"the shared folder {SHARED} is missing (set SDMODEL_SHARED)")
    return SHARED


@pytest.fixture(scope="session")
def test_models_dir(shared_dir) -> Path:
    return shared_dir / "test-models"


@pytest.fixture(scope="session")
def data_dir(shared_dir) -> Path:
    return shared_dir / "data"


@pytest.fixture(scope="session")
def models_dir() -> Path:
    return MODELS
