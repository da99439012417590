"""Paths and the constants users do not set (the settings and their defaults: :mod:`corrector.settings`)."""

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
DEFAULT_LEARNED = MODELS_DIR / "learned" / "pairs.tsv"  # `corrector learn-pairs` output
DEFAULT_CORPUS_DIR = BUILD_DIR / "corpus"
SHARED_DATA_DIR = PROJECT_DIR.parent / "shared" / "data"

DEFAULT_ORDER = 3  # `build-model`'s n-gram order: the default model's (the Makefile reads it from here)
MAX_SPAN = 4
# Candidates below this channel log10 probability are not worth the decoder's time.
MIN_LOGPROB = -5.0


# Compute threads one process uses (the neural LM's chunks of work, one BLAS thread each): the
# cores it may run on, or fewer when $CORRECTOR_THREADS says so. A pool of N worker processes sets
# it to cores // N in each: on 2 cores, two workers each running two threads (and OpenBLAS's own,
# which spin while they wait) took the default path's 10,000-sentence feed 1.9x longer than one
# worker (docs/speed.md, "Workers and threads").
THREADS_ENV = "CORRECTOR_THREADS"


def available_cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def compute_threads() -> int:
    """The threads this process's numeric work may use: :func:`available_cores`, capped by
    ``$CORRECTOR_THREADS`` when it is set."""
    value = os.environ.get(THREADS_ENV, "").strip()
    if not value:
        return available_cores()
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"${THREADS_ENV} must be a whole number of threads ≥ 1, not {value!r}")
    return min(int(value), available_cores())


def default_model_dir() -> Path:
    """``$CORRECTOR_MODEL`` if set, else ``models/default``."""
    return Path(os.environ.get("CORRECTOR_MODEL", DEFAULT_MODEL_DIR))


def default_thesaurus_dir() -> Path:
    """``$CORRECTOR_THESAURUS`` if set, else ``models/thesaurus``."""
    return Path(os.environ.get("CORRECTOR_THESAURUS", DEFAULT_THESAURUS_DIR))


# Documents shorter than this are never gated by min_spun_score: too little evidence either way.
MIN_WORDS_FOR_GATE = 60
# The neural teacher's evidence that a document is spun (min_spinner_evidence): each decided
# pair's log10 odds count up to this, so one confident swap cannot stand for a spun document.
SPINNER_EVIDENCE_CAP = 3.0
# ... and each form counts once per section of this many words (a long news article): counted once
# per document, the forms a long document repeats diluted its evidence (a spun article five times
# over scored a fifth of its own evidence and was left unrestored).
SPINNER_EVIDENCE_SECTION = 1000
# Evidence at this multiple of min_spinner_evidence restores a document the first pass scored
# below min_spun_score (docs/experiments.md, "The teacher's evidence in the gate").
SPINNER_EVIDENCE_ALONE = 2.0
# A shorter document's evidence rate is noisier (a clean 80-word text with two wrong but
# confident decisions scores 7 per 100 words): below this many words its thresholds rise by
# √(SPINNER_EVIDENCE_WORDS / words), the rate's sampling noise (docs/experiments.md, "Short
# documents").
SPINNER_EVIDENCE_WORDS = 300
# With --neural, arcs' candidates are scored only when their fast-match gain (n-gram LM + channel,
# no penalty) is above this floor (log10).
NEURAL_CANDIDATE_FLOOR = -1.0


# spun_score = sigmoid(SPUN_SCALE · (edits per word) + SPUN_GAIN_SCALE · (gain per word) + SPUN_BIAS)
SPUN_SCALE = 30.0
SPUN_GAIN_SCALE = 2.0
SPUN_BIAS = -2.5
