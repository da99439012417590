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
DEFAULT_LEARNED = MODELS_DIR / "learned" / "pairs.tsv"  # `corrector learn-pairs` output
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


# Decoder objective (log10 units); tuned on dev pairs + synthetic spins (benchmarks/tune.py).
DEFAULT_CHANNEL_WEIGHT = 2.0
DEFAULT_CHANGE_PENALTY = 1.25
DEFAULT_MAX_CANDIDATES = 12
# Document consistency: log10 boost for first-pass rules with summed gain ≥ min gain.
DEFAULT_CONSISTENCY_BOOST = 1.0
DEFAULT_CONSISTENCY_MIN_GAIN = 1.0
# Document spin prior: extra change penalty for documents the first pass finds clean.
DEFAULT_SPIN_PRIOR_WEIGHT = 3.0
# Documents whose first-pass spun_score is below this are returned unchanged.
DEFAULT_MIN_SPUN_SCORE = 0.5
MIN_WORDS_FOR_GATE = 60
# Neural verification (`--neural`): the decoder proposes at a low penalty, the neural LM keeps an
# edit when neural gain + weight · decoder gain > threshold (log10; benchmarks/neural.py).
DEFAULT_PROPOSAL_PENALTY = 0.25
DEFAULT_NEURAL_DECODER_WEIGHT = 1.0
DEFAULT_NEURAL_THRESHOLD = 3.0
# Candidates per lattice arc the neural LM also scores (0: it only verifies the decoder's edits),
# of those whose fast-match gain (n-gram LM + channel, no penalty) is above the floor (log10).
DEFAULT_NEURAL_CANDIDATES = 6
NEURAL_CANDIDATE_FLOOR = -1.0
# Weight of a (spun, restored) pair's mean verifier score elsewhere in the document (0: off).
DEFAULT_NEURAL_CONSISTENCY = 0.5
# Selection scores a proposal on its sentence up to this many words past the edit (0: whole sentence).
DEFAULT_NEURAL_WINDOW = 10

# Pair-type evidence (corrector.restore.pairs) in the second pass: weight and offset of the
# proposals' log-odds added to their channel scores (0: off).
DEFAULT_PAIR_WEIGHT = 0.0
DEFAULT_PAIR_OFFSET = 0.0

# spun_score = sigmoid(SPUN_SCALE · (edits per word) + SPUN_GAIN_SCALE · (gain per word) + SPUN_BIAS)
SPUN_SCALE = 30.0
SPUN_GAIN_SCALE = 2.0
SPUN_BIAS = -2.5
