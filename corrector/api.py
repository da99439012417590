"""The Python API: ``Corrector.load()`` then ``.correct(text)`` (or ``.correct_many(texts)``)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from corrector import __version__, defaults, settings
from corrector.config import CorrectorConfig
from corrector.lm.kenlm import KenlmModel, load_language_model, perplexity
from corrector.lm.neural import NeuralLM, default_neural_model
from corrector.restore.decoder import (
    Choice,
    DecoderWeights,
    SentenceDecoding,
    SentenceMemo,
    consistent_choices,
    decode,
    ranked_candidates,
    reinforce,
)
from corrector.restore.verify import MemoScorer, VerifierWeights, select, verify
from corrector.text.lattice import Lattice
from corrector.text.results import Edit, Restoration, Scores, apply_edits
from corrector.text.tokens import detokenize, split_sentences


def spun_score(edits: int, words: int, gain: float) -> float:
    """How likely a document was spun, in [0, 1]: edit density and LM gain per word, squashed.

    Clean news yields few candidate edits that beat the change penalty; spun news yields many,
    with large LM gains.
    """
    if words == 0:
        return 0.0
    z = defaults.SPUN_SCALE * edits / words + defaults.SPUN_GAIN_SCALE * gain / words + defaults.SPUN_BIAS
    return 1.0 / (1.0 + math.exp(-z))


class Corrector:
    """Restores spun text. Load once (the LM is memory-mapped), call ``correct`` many times."""

    def __init__(
        self, config: CorrectorConfig, lm: KenlmModel, generator: Any, neural: NeuralLM | None = None
    ) -> None:
        self.config = config
        self.lm = lm
        self.generator = generator
        self.weights = DecoderWeights(config.channel_weight, config.change_penalty, config.beam)
        self.neural = neural
        self.verifier_weights = VerifierWeights(
            config.neural_decoder_weight,
            config.neural_threshold,
            config.neural_consistency,
            config.neural_window,
        )
        if config.neural and neural is None:
            self.neural = NeuralLM(default_neural_model() if config.neural == "default" else config.neural)
        self.spinner_channel = None
        if config.spinner:
            # An adapted channel (`corrector adapt`) rescores the generic lattice arcs.
            from corrector.adapt.em import SpinnerChannel

            self.spinner_channel = SpinnerChannel.for_decoder(
                config.spinner, config.change_penalty, config.channel_weight
            )

    @classmethod
    def load(cls, model_dir: str | Path | None = None, **overrides: Any) -> Corrector:
        """A corrector for the model in ``model_dir`` (default ``$CORRECTOR_MODEL`` or models/default)."""
        from corrector.candidates.generator import CandidateGenerator

        config = CorrectorConfig().with_overrides(model_dir=model_dir, **overrides)
        return cls.from_config(config, CandidateGenerator)

    @classmethod
    def from_config(cls, config: CorrectorConfig, generator_class: Any = None) -> Corrector:
        if generator_class is None:
            from corrector.candidates.generator import CandidateGenerator as generator_class
        model_dir = Path(config.model_dir) if config.model_dir else defaults.default_model_dir()
        if not model_dir.exists():
            raise FileNotFoundError(f"no model at {model_dir} (build the default one with `make model`)")
        lm = load_language_model(str(model_dir))
        generator = generator_class.load(
            thesaurus_dir=Path(config.thesaurus_dir) if config.thesaurus_dir else None,
            learned=config.learned,
            weights=Path(config.channel) if config.channel else None,
            max_candidates=config.max_candidates,
        )
        return cls(config, lm, generator)

    def with_settings(self, **overrides: Any) -> Corrector:
        """A corrector sharing this one's model and tables, with other decoder settings."""
        allowed = settings.RELOAD_FREE
        if set(overrides) - allowed:
            raise ValueError(f"only {sorted(allowed)} can change without reloading")
        return Corrector(self.config.with_overrides(**overrides), self.lm, self.generator, self.neural)

    def with_neural(self, model: str = "default") -> Corrector:
        """This corrector with neural verification of its edits (loads the GGUF model: ~6 s)."""
        return Corrector(self.config.with_overrides(neural=model), self.lm, self.generator)

    def signature_fields(self, decoding: bool = True) -> dict[str, Any]:
        """What pins this corrector's output (for evaluation signatures); without ``decoding``,
        what pins its lattices only (the lattice oracle's signature)."""
        manifest = self.lm.manifest
        # Settings pinned by what they loaded sign as its fingerprint rather than as their path.
        shown = {
            "channel": self.generator.channel.fingerprint()[:12],
            "neural": self.neural.fingerprint() if self.neural is not None else "no",
        }
        signed, with_neural = settings.signature_fields(
            self.config, shown, neural=self.neural is not None, decoding=decoding
        )
        return {
            "model": str(manifest.get("sha256", "unknown"))[:12],
            "order": self.lm.order,
            "case": "lc" if self.lm.lowercase else "cased",
            **signed,
            "version": __version__,
            **with_neural,
        }

    def correct(self, text: str) -> Restoration:
        """Restore one document. Every character outside an edit is kept exactly."""
        if not isinstance(text, str):
            raise TypeError(f"text must be str, not {type(text).__name__}")
        return self.restore_lattices(text, self.lattices(text))

    def lattices(self, text: str) -> list[Lattice]:
        """The candidate lattices of ``text``'s sentences, as the decoder sees them."""
        lattices = self.generator.lattices(split_sentences(text))
        if self.spinner_channel is not None:
            lattices = [self.spinner_channel.rescore(lattice) for lattice in lattices]
        return lattices

    def restore_lattices(self, text: str, lattices: list[Lattice]) -> Restoration:
        """Decode prepared lattices of ``text`` (lets tuning reuse lattices across settings)."""
        # LM scores do not depend on the weights: both passes over a sentence share them.
        memos = [SentenceMemo() for _ in lattices]
        decodings = [
            decode(lattice, self.lm, self.weights, self.config.nbest, memo)
            for lattice, memo in zip(lattices, memos, strict=True)
        ]
        first_lattices = lattices
        rules: dict[str, str] = {}
        if self.config.consistency_boost > 0:
            rules = consistent_choices(lattices, decodings, self.config.consistency_min_gain)
            lattices = [reinforce(lattice, rules, self.config.consistency_boost) for lattice in lattices]
        weights = self.weights
        first = _spun_score_of(decodings)
        words = sum(len(d.words) for d in decodings)
        gated = first < self.config.min_spun_score and words >= defaults.MIN_WORDS_FOR_GATE
        if gated:
            # The document does not look spun: keep it as it is (no edits). Short texts are
            # exempt: a handful of words is too little evidence either way.
            weights = replace(weights, change_penalty=math.inf)
        elif self.neural is not None:
            # The neural verifier decides; the decoder only proposes, at a low penalty, from the
            # first-pass lattices (the consistency boost and the prior are n-gram-side decisions).
            lattices = first_lattices
            weights = replace(weights, change_penalty=self.config.proposal_penalty)
        elif self.config.spin_prior_weight > 0:
            # Document prior: the less the first pass finds a spun document, the dearer a change.
            penalty = self.config.change_penalty + self.config.spin_prior_weight * (1.0 - first)
            weights = replace(weights, change_penalty=penalty)
        if rules or weights is not self.weights:
            decodings = [
                decode(lattice, self.lm, weights, self.config.nbest, memo)
                if lattice is not before or decoding.choices or self.config.nbest
                or weights.change_penalty < self.weights.change_penalty
                else decoding  # nothing boosted and no edit: a dearer change cannot add one
                for lattice, before, decoding, memo in zip(
                    lattices, first_lattices, decodings, memos, strict=True
                )
            ]
        if self.neural is not None and not gated:
            decodings = self._verified(text, lattices, decodings, memos)
        edits = [edit for _, edit in _edits(text, lattices, decodings)]
        return Restoration(
            source=text,
            text=apply_edits(text, edits),
            edits=tuple(edits),
            scores=_scores(decodings),
            spun_score=first,
            alternatives=_alternatives(text, lattices, decodings) if self.config.nbest else (),
        )

    def _verified(
        self, text: str, lattices: list[Lattice], decodings: list[SentenceDecoding], memos: list[SentenceMemo]
    ) -> list[SentenceDecoding]:
        """The decodings with the edits the neural LM selects and verifies among the proposals:
        the decoder's edits and the best candidates of each arc (rescored with the n-gram LM)."""
        proposals = self._proposals(text, lattices, decodings, memos)
        if not proposals:
            return decodings
        spans = [(lattice.sentence.start, lattice.sentence.end) for lattice in lattices]
        scorer = MemoScorer(self.neural)
        edits = [edit for _, _, edit in proposals]
        chosen = select(text, spans, edits, scorer, self.verifier_weights)
        selected = [proposals[c.index] for c in chosen]
        verdicts = verify(
            text, spans, [edit for _, _, edit in selected], scorer, self.verifier_weights,
            [c.consistency for c in chosen],
        )
        kept: list[list[tuple[Choice, float]]] = [[] for _ in lattices]
        for (s, choice, edit), verdict in zip(selected, verdicts, strict=True):
            if verdict.kept:
                kept[s].append((choice, edit.gain))
        verified = []
        for lattice, decoding, placed in zip(lattices, decodings, kept, strict=True):
            if [choice for choice, _ in placed] == list(decoding.choices):
                verified.append(decoding)
                continue
            words = list(lattice.sentence.words)
            for choice, _ in reversed(placed):
                words[choice.arc.start : choice.arc.end] = choice.candidate.words
            verified.append(
                replace(
                    decoding,
                    words=tuple(words),
                    choices=tuple(choice for choice, _ in placed),
                    gains=tuple(gain for _, gain in placed),
                    restored_logprob=self.lm.logprob(words) if placed else decoding.source_logprob,
                    length=len(words) + 1,
                    alternatives=(),
                )
            )
        return verified

    def _proposals(
        self, text: str, lattices: list[Lattice], decodings: list[SentenceDecoding], memos: list[SentenceMemo]
    ) -> list[tuple[int, Choice, Edit]]:
        """What the neural LM chooses among, each with its sentence: the decoder's edits, then
        the best candidates of each arc by fast match (gain less the proposal penalty, as the
        decoder's gains are)."""
        proposals = [(s, decodings[s].choices[c], edit) for (s, c), edit in _edits(text, lattices, decodings)]
        if self.config.neural_candidates == 0:
            return proposals
        penalty = self.config.proposal_penalty
        for s, (lattice, memo) in enumerate(zip(lattices, memos, strict=True)):
            tokens = lattice.sentence.tokens
            ranked = ranked_candidates(
                lattice, self.lm, self.config.channel_weight, self.config.neural_candidates,
                defaults.NEURAL_CANDIDATE_FLOOR, memo,
            )
            for arc, candidate, gain in ranked:
                start, end = tokens[arc.start].start, tokens[arc.end - 1].end
                if candidate.text != text[start:end]:
                    edit = Edit(start, end, text[start:end], candidate.text, gain - penalty)
                    proposals.append((s, Choice(arc, candidate), edit))
        return proposals

    def correct_many(self, texts: Iterable[str], workers: int = 1) -> Iterator[Restoration]:
        """Restore texts in order, streaming; ``workers > 1`` uses processes that each load the model."""
        if workers <= 1:
            for text in texts:
                yield self.correct(text)
            return
        from corrector.batch.job import parallel_restorations

        yield from parallel_restorations(self.config, texts, workers)


def _edits(
    text: str, lattices: list[Lattice], decodings: list[SentenceDecoding]
) -> list[tuple[tuple[int, int], Edit]]:
    """The decoded choices that change the text, as edits with offsets into ``text``, each with
    its owner (sentence index, choice index)."""
    edits: list[tuple[tuple[int, int], Edit]] = []
    for s, (lattice, decoding) in enumerate(zip(lattices, decodings, strict=True)):
        tokens = lattice.sentence.tokens
        for c, (choice, gain) in enumerate(zip(decoding.choices, decoding.gains, strict=True)):
            start, end = tokens[choice.arc.start].start, tokens[choice.arc.end - 1].end
            spun = text[start:end]
            if choice.candidate.text != spun:
                edits.append(((s, c), Edit(start, end, spun, choice.candidate.text, gain)))
    return edits


def _spun_score_of(decodings: list[SentenceDecoding]) -> float:
    edits = sum(len(d.choices) for d in decodings)
    gain = sum(sum(d.gains) for d in decodings)
    return spun_score(edits, sum(len(d.words) for d in decodings), gain)


def _scores(decodings: list[SentenceDecoding]) -> Scores:
    source = sum(d.source_logprob for d in decodings)
    restored = sum(d.restored_logprob for d in decodings)
    source_length = sum(d.source_length for d in decodings)
    restored_length = sum(d.length for d in decodings)
    return Scores(source, restored, perplexity(source, source_length), perplexity(restored, restored_length))


def _alternatives(text: str, lattices: list[Any], decodings: list[SentenceDecoding]) -> tuple[str, ...]:
    """Per-sentence n-best alternatives, as detokenised sentence strings."""
    return tuple(detokenize(list(words)) for d in decodings for words in d.alternatives)
