"""Every default value and path in one place."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
MODELS_DIR = Path(os.environ.get("CORRECTOR_HOME", PROJECT_DIR / "models"))
TOOLS_BIN = Path(os.environ.get("CORRECTOR_TOOLS", PROJECT_DIR / "tools" / "bin"))
BUILD_DIR = PROJECT_DIR / "build"

DEFAULT_MODEL_DIR = MODELS_DIR / "default"
DEFAULT_THESAURUS_DIR = MODELS_DIR / "thesaurus"
DEFAULT_CORPUS_DIR = BUILD_DIR / "corpus"
SHARED_DATA_DIR = PROJECT_DIR.parent / "shared" / "data"

DEFAULT_ORDER = 5
DEFAULT_BEAM = 8
MAX_SPAN = 4


def default_model_dir() -> Path:
    """``$CORRECTOR_MODEL`` if set, else ``models/default``."""
    return Path(os.environ.get("CORRECTOR_MODEL", DEFAULT_MODEL_DIR))


def default_thesaurus_dir() -> Path:
    """``$CORRECTOR_THESAURUS`` if set, else ``models/thesaurus``."""
    return Path(os.environ.get("CORRECTOR_THESAURUS", DEFAULT_THESAURUS_DIR))
