"""The document passes: restore one document from its sentences' lattices.

A first n-gram pass over every sentence gives the document's evidence: which swaps it made
consistently (reinforced in a second pass), and how spun the document looks (``spun_score``),
which gates clean documents and sets the prior on change. With a neural LM, the decoder only
proposes and :mod:`corrector.restore.verify` selects and verifies among the proposals; with a
``neural_budget``, :mod:`corrector.restore.teacher` judges the best pair types instead and the
decoder applies its decisions. Each edit gets its ``spun_score`` from the pair evidence.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import partial

from corrector import defaults
from corrector.candidates.generator import span_key
from corrector.config import CorrectorConfig
from corrector.lm.base import LanguageModel, perplexity
from corrector.restore.decoder import (
    Choice,
    DecoderWeights,
    FirstPass,
    SentenceDecoding,
    SentenceMemo,
    consistent_choices,
    decode,
    ranked_candidates,
    reinforce,
)
from corrector.restore.pairs import (
    FLOOR,
    PER_ARC,
    FrequencyPrior,
    PairDecision,
    PairModel,
    ScopeEvidence,
    decisions,
    features,
    judge_pairs,
    logistic,
    placed_probabilities,
    proposals,
)
from corrector.restore.teacher import (
    TeacherSteps,
    TeacherWeights,
    run_together,
    teach,
    teach_feed_steps,
    types_judged,
)
from corrector.restore.verify import (
    MemoScorer,
    SentenceScorer,
    VerifierWeights,
    context_before,
    select,
    verify,
)
from corrector.text.lattice import Arc, Lattice
from corrector.text.results import Edit, Restoration, Scores, apply_edits
from corrector.text.tokens import detokenize, tokenize


def spun_score(edits: int, words: int, gain: float) -> float:
    """How likely a document was spun, in [0, 1]: edit density and LM gain per word, squashed.

    Clean news yields few candidate edits that beat the change penalty; spun news yields many,
    with large LM gains.
    """
    if words == 0:
        return 0.0
    z = defaults.SPUN_SCALE * edits / words + defaults.SPUN_GAIN_SCALE * gain / words + defaults.SPUN_BIAS
    return logistic(z)


@dataclass(frozen=True, slots=True)
class DocumentRestorer:
    """The document algorithm for one LM, configuration and (optional) neural scorer."""

    lm: LanguageModel
    config: CorrectorConfig
    neural: SentenceScorer | None = None
    weights: DecoderWeights = field(init=False)
    verifier_weights: VerifierWeights = field(init=False)
    teacher_weights: TeacherWeights = field(init=False)

    def __post_init__(self) -> None:
        config = self.config
        weights = DecoderWeights(config.channel_weight, config.change_penalty, config.beam)
        object.__setattr__(self, "weights", weights)
        object.__setattr__(
            self,
            "verifier_weights",
            VerifierWeights(
                config.neural_decoder_weight,
                config.neural_threshold,
                config.neural_consistency,
                config.neural_window,
            ),
        )
        object.__setattr__(
            self,
            "teacher_weights",
            TeacherWeights(
                config.neural_budget,
                config.neural_samples,
                config.neural_context,
                config.neural_teacher_window,
                config.neural_decoder_weight,
                config.neural_threshold,
                config.proposal_penalty,
                config.neural_frequency_weight,
            ),
        )

    def restore(
        self,
        text: str,
        lattices: list[Lattice],
        feed: ScopeEvidence | None = None,
        generic: list[Lattice] | None = None,
        taught: TaughtEvidence | None = None,
        short_score: float | None = None,
    ) -> Restoration:
        """Restore ``text`` from its sentences' lattices: a first pass, the document decisions,
        a second pass where they changed anything, then per-sentence neural selection (or, with a
        ``neural_budget``, the neural teacher's decisions) when configured.
        ``feed``: pair evidence of the whole feed ``text`` belongs to (this document included),
        gathered by a first pass with :meth:`feed_evidence`. ``generic``: the same sentences'
        lattices before a spinner rescored them; the document's spun score (the gate, the prior)
        is then theirs. ``taught``: what the neural teacher's decisions say of this document
        (:meth:`~corrector.candidates.spinner.SpinnerChannel.evidence`), which the gate weighs.
        ``short_score``: the spun score of the feed's documents under
        :data:`~corrector.defaults.MIN_WORDS_FOR_GATE` words pooled (:func:`short_documents_score`),
        which gates this document if it is one of them (else a short document is not gated)."""
        # LM scores do not depend on the weights: both passes over a sentence share them.
        teaching = self.neural is not None and self.config.neural_budget > 0
        per_sentence = self.neural is not None and not teaching
        memos = [SentenceMemo() for _ in lattices]
        decodings = [
            decode(lattice, self.lm, self.weights, self.config.nbest, memo)
            for lattice, memo in zip(lattices, memos, strict=True)
        ]
        first_lattices = lattices
        rules: dict[str, str] = {}
        rescored = False
        if self.config.consistency_boost > 0:
            rules = consistent_choices(lattices, decodings, self.config.consistency_min_gain)
            lattices = [reinforce(lattice, rules, self.config.consistency_boost) for lattice in lattices]
        if self.config.pair_weight > 0 and self.neural is None:
            judged = self.pair_judgements(lattices, memos, feed)
            lattices = [
                _with_pair_evidence(s, lattice, judged, self.config) for s, lattice in enumerate(lattices)
            ]
            rescored = bool(judged)
        weights = self.weights
        if generic is None:
            first = _spun_score_of(FirstPass.of(decodings))
        else:
            first = _spun_score_of(FirstPass.of([
                decode(lattice, self.lm, self.weights, 0, memo)
                for lattice, memo in zip(generic, memos, strict=True)
            ]))
        words = sum(len(d.words) for d in decodings)
        if words >= defaults.MIN_WORDS_FOR_GATE:
            gated = not _looks_spun(first, taught, self.config, words)
        elif short_score is not None and _spun_words(first_lattices) < defaults.MIN_WORDS_FOR_GATE:
            # Too short to judge alone, so judged with its feed's other short documents (a feed
            # of clean one-sentence records lost 1.6% of its words without); its own teacher
            # evidence, a rate over a few words, only adds, as a feed document's does.
            own = replace(taught, complete=False) if taught is not None else None
            gated = not _looks_spun(short_score, own, self.config, words)
        else:
            gated = False  # a handful of words is too little evidence either way
        if gated:
            # The document does not look spun: keep it as it is (no edits).
            weights = replace(weights, change_penalty=math.inf)
        elif per_sentence:
            # The neural verifier decides; the decoder only proposes, at a low penalty, from the
            # first-pass lattices (the consistency boost and the prior are n-gram-side decisions).
            lattices = first_lattices
            weights = replace(weights, change_penalty=self.config.proposal_penalty)
        elif self.config.spin_prior_weight > 0:
            # Document prior: the less the first pass finds a spun document, the dearer a change.
            penalty = self.config.change_penalty + self.config.spin_prior_weight * (1.0 - first)
            weights = replace(weights, change_penalty=penalty)
        if rules or rescored or weights is not self.weights:
            decodings = [
                decode(lattice, self.lm, weights, self.config.nbest, memo)
                if lattice is not before or decoding.choices or self.config.nbest
                or weights.change_penalty < self.weights.change_penalty
                else decoding  # nothing boosted and no edit: a dearer change cannot add one
                for lattice, before, decoding, memo in zip(
                    lattices, first_lattices, decodings, memos, strict=True
                )
            ]
        if per_sentence and not gated:
            decodings = self._verified(text, lattices, decodings, memos)
        elif teaching and not gated:
            lattices, decodings = self._taught(text, first_lattices, lattices, decodings, memos, weights)
        decided = taught.decided if taught is not None and not gated else None
        edits, lattices, decodings = self._scored_edits(
            text, first_lattices, lattices, decodings, memos, feed, weights, decided
        )
        return Restoration(
            source=text,
            text=apply_edits(text, edits),
            edits=tuple(edits),
            scores=_scores(decodings),
            spun_score=first,
            alternatives=_alternatives(text, lattices, decodings) if self.config.nbest else (),
        )

    def _scored_edits(
        self,
        text: str,
        first_lattices: list[Lattice],
        lattices: list[Lattice],
        decodings: list[SentenceDecoding],
        memos: list[SentenceMemo],
        feed: ScopeEvidence | None,
        weights: DecoderWeights,
        decided: frozenset[str] | None = None,
    ) -> tuple[list[Edit], list[Lattice], list[SentenceDecoding]]:
        """The decodings' edits, each with its ``spun_score``: the pair model's probability under
        the document's pair evidence (or the feed's). With ``decided`` (the forms a single
        article's teacher decisions restore), an edit of another form below
        ``min_undecided_probability`` is the n-gram decoder's own guess against the evidence: its
        span loses its arc and the sentence is decoded again, until no such edit is left (the
        lattices and decodings are returned)."""
        floor = self.config.min_undecided_probability if decided is not None else 0.0
        exempt = decided or frozenset()
        while True:
            owned = _edits(text, lattices, decodings)
            if not owned:
                return [], lattices, decodings
            placed = [
                (s, decodings[s].choices[c].arc, decodings[s].choices[c].candidate) for (s, c), _ in owned
            ]
            probabilities = placed_probabilities(
                first_lattices, placed, self.lm, self.config.channel_weight, _frequency_prior(self.lm),
                PairModel.load(), memos, feed,
            )
            doubted: dict[int, set[tuple[int, int]]] = {}
            for (s, arc, _), p in zip(placed, probabilities, strict=True):
                if p is None or p >= floor:
                    continue
                if span_key(lattices[s].sentence.words[arc.start : arc.end]) not in exempt:
                    doubted.setdefault(s, set()).add((arc.start, arc.end))
            if not doubted:
                scored = zip(owned, probabilities, strict=True)
                return [replace(edit, spun_score=p) for (_, edit), p in scored], lattices, decodings
            # Each round removes arcs, so the loop ends.
            lattices = list(lattices)
            decodings = list(decodings)
            for s, spans in doubted.items():
                lattice = lattices[s]
                arcs = tuple(arc for arc in lattice.arcs if (arc.start, arc.end) not in spans)
                lattices[s] = Lattice(lattice.sentence, arcs)
                decodings[s] = decode(lattices[s], self.lm, weights, self.config.nbest, memos[s])

    def pair_evidence(
        self, lattices: list[Lattice], memos: list[SentenceMemo] | None = None
    ) -> ScopeEvidence:
        """What this document shows about its pair types."""
        found = proposals(lattices, self.lm, self.config.channel_weight, PER_ARC, FLOOR, memos)
        return ScopeEvidence.of(lattices, found)

    def feed_evidence(self, lattices: list[Lattice]) -> ScopeEvidence:
        """What a feed's first pass keeps of this document: its pair evidence and, if it is too
        short to be gated alone, its first pass (:attr:`ScopeEvidence.short`)."""
        memos = [SentenceMemo() for _ in lattices]
        evidence = self.pair_evidence(lattices, memos)
        if _spun_words(lattices) < defaults.MIN_WORDS_FOR_GATE:
            placed = zip(lattices, memos, strict=True)
            decodings = [decode(lattice, self.lm, self.weights, 0, memo) for lattice, memo in placed]
            evidence.short = FirstPass.of(decodings)
        return evidence

    def pair_decisions(
        self, evidence: ScopeEvidence, min_probability: float, min_occurrences: int
    ) -> list[PairDecision]:
        """One decision per spun form from a scope's evidence (see :func:`pairs.decisions`)."""
        prior = _frequency_prior(self.lm)
        return decisions(evidence, prior, PairModel.load(), min_probability, min_occurrences)

    def taught_decisions(
        self,
        evidence: ScopeEvidence,
        texts: Iterable[str],
        min_occurrences: int,
        settled: frozenset[str] = frozenset(),
    ) -> list[PairDecision]:
        """A feed's decisions by the neural teacher (see :func:`teacher.teach_feed`): the pair
        model's judgements of the feed's types, the most probable scored in windows of ``texts``;
        spun forms in ``settled`` (a feed's decisions, when judging one of its documents) are not
        judged again."""
        if self.neural is None:
            raise ValueError("the teacher needs a neural LM (--neural)")
        return run_together([self.taught_steps(evidence, texts, min_occurrences, settled)], self.neural)[0]

    def taught_steps(
        self,
        evidence: ScopeEvidence,
        texts: Iterable[str],
        min_occurrences: int,
        settled: frozenset[str] = frozenset(),
    ) -> TeacherSteps:
        """:meth:`taught_decisions` as the teacher's steps, to be run beside other documents'
        (:func:`teacher.run_together`)."""
        prior = _frequency_prior(self.lm)
        judged = judge_pairs(evidence, prior, PairModel.load(), min_occurrences)
        judged = [d for d in judged if d.spun not in settled]
        # Kept forms where each form is judged in the one document it occurs in (single articles:
        # ERR +0.02); in feeds of 48 documents they cost the fixed-dictionary profiles up to 0.015
        # (docs/experiments.md, "The default path's teacher: kept forms and sentence windows").
        single = min_occurrences == 1
        return teach_feed_steps(
            judged, texts, self.teacher_weights,
            max_types=types_judged(evidence.words, single), keep_rejected=single, ngram=self._window_logprob,
            displacement=partial(prior.displacement, evidence=evidence),
        )

    def _window_logprob(self, text: str) -> float:
        """The n-gram LM's log10 probability of a teacher's window: from its sentence's start, open
        at the end."""
        return self.lm.logprob([t.text for t in tokenize(text)], bos=True, eos=False)

    def pair_judgements(
        self, lattices: list[Lattice], memos: list[SentenceMemo], feed: ScopeEvidence | None
    ) -> dict[tuple[int, int, int, str], float]:
        """(sentence, arc start, arc end, candidate text) → log-odds that the candidate is the
        spinner's original there, judged with the document's evidence (plus the feed's)."""
        found = proposals(lattices, self.lm, self.config.channel_weight, PER_ARC, FLOOR, memos)
        evidence = feed if feed is not None else ScopeEvidence.of(lattices, found)
        model = PairModel.load()
        prior = _frequency_prior(self.lm)
        return {
            (p.sentence, p.arc.start, p.arc.end, p.candidate.text): model.log_odds(
                features(p, evidence, prior)
            )
            for p in found
        }

    def _taught(
        self,
        text: str,
        first_lattices: list[Lattice],
        lattices: list[Lattice],
        decodings: list[SentenceDecoding],
        memos: list[SentenceMemo],
        weights: DecoderWeights,
    ) -> tuple[list[Lattice], list[SentenceDecoding]]:
        """The lattices with the neural teacher's decisions pinned and their decodings (see
        :mod:`corrector.restore.teacher`); proposals come from the first-pass lattices."""
        assert self.neural is not None
        found = proposals(
            first_lattices, self.lm, self.config.channel_weight, self.config.neural_candidates,
            defaults.NEURAL_CANDIDATE_FLOOR, memos,
        )
        if not found:
            return lattices, decodings
        taught = teach(text, lattices, found, self.neural, self.teacher_weights).lattices
        decodings = [
            decoding if pinned is lattice else decode(pinned, self.lm, weights, self.config.nbest, memo)
            for pinned, lattice, decoding, memo in zip(taught, lattices, decodings, memos, strict=True)
        ]
        return taught, decodings

    def _verified(
        self, text: str, lattices: list[Lattice], decodings: list[SentenceDecoding], memos: list[SentenceMemo]
    ) -> list[SentenceDecoding]:
        """The decodings with the edits the neural LM selects and verifies among the proposals:
        the decoder's edits and the best candidates of each arc (rescored with the n-gram LM)."""
        proposals = self._proposals(text, lattices, decodings, memos)
        if not proposals:
            return decodings
        spans = [(lattice.sentence.start, lattice.sentence.end) for lattice in lattices]
        before = [
            context_before(text, lattices[s - 1].sentence.tokens if s else (), lattice.sentence.start)
            for s, lattice in enumerate(lattices)
        ]
        scorer = MemoScorer(self.neural)
        edits = [edit for _, _, edit in proposals]
        chosen = select(text, spans, edits, scorer, self.verifier_weights, before)
        selected = [proposals[c.index] for c in chosen]
        verdicts = verify(
            text, spans, [edit for _, _, edit in selected], scorer, self.verifier_weights,
            [c.consistency for c in chosen], before,
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


def _with_pair_evidence(
    sentence: int, lattice: Lattice, judged: dict[tuple[int, int, int, str], float], config: CorrectorConfig
) -> Lattice:
    """``lattice`` with ``pair_weight · (log-odds − pair_offset)`` (in log10, per unit of channel
    weight) added to each judged candidate's channel score."""
    scale = config.pair_weight / (math.log(10.0) * config.channel_weight)
    arcs = []
    for arc in lattice.arcs:
        candidates = []
        for c in arc.candidates:
            log_odds = judged.get((sentence, arc.start, arc.end, c.text))
            if log_odds is not None:
                c = replace(c, logprob=c.logprob + scale * (log_odds - config.pair_offset))
            candidates.append(c)
        arcs.append(Arc(arc.start, arc.end, tuple(candidates)))
    return Lattice(lattice.sentence, tuple(arcs))


_PRIORS: dict[int, FrequencyPrior] = {}


def _frequency_prior(lm: LanguageModel) -> FrequencyPrior:
    """One prior (and its cache of form rates) per LM object in this process."""
    prior = _PRIORS.get(id(lm))
    if prior is None or prior.lm is not lm:
        prior = _PRIORS[id(lm)] = FrequencyPrior(lm)
    return prior


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


@dataclass(frozen=True, slots=True)
class TaughtEvidence:
    """The neural teacher's decisions seen from one document: their summed log10 odds per 100
    words (:meth:`~corrector.candidates.spinner.SpinnerChannel.evidence`), and whether the teacher
    judged every form of this document (a single article: then nothing it left is a spin)."""

    score: float
    complete: bool
    # A single article's: the spun forms the teacher's decisions restore (span keys), the n-gram
    # decoder's edits of any other form must reach ``min_undecided_probability``. None for a
    # feed's decisions, whose undecided edits (forms it turned down at a few of their many
    # occurrences, and each document's rarer forms) are right more often than not on the heavy
    # profiles (docs/experiments.md, "Doubted edits of undecided forms").
    decided: frozenset[str] | None = None


def _looks_spun(first: float, taught: TaughtEvidence | None, config: CorrectorConfig, words: int) -> bool:
    """The gate: the first pass's ``spun_score`` against ``min_spun_score``, weighed with the
    teacher's evidence when there is one. Strong evidence restores a document whose n-gram first
    pass found too little (real spinners the first pass under-scores); a single article whose
    every form the teacher judged and found little in is left alone (clean text the first pass
    over-scores). In a feed a document's own forms may be undecided (seen once), so there the
    evidence only adds (docs/experiments.md, "The teacher's evidence in the gate"). Under
    :data:`~corrector.defaults.SPINNER_EVIDENCE_WORDS` words the evidence needed rises as its
    rate's noise does."""
    spun = first >= config.min_spun_score
    floor = config.min_spinner_evidence
    if taught is None or floor <= 0:
        return spun
    floor *= math.sqrt(max(1.0, defaults.SPINNER_EVIDENCE_WORDS / max(words, 1)))
    if taught.score >= defaults.SPINNER_EVIDENCE_ALONE * floor:
        return True
    return spun and (taught.score >= floor or not taught.complete)


def _spun_words(lattices: list[Lattice]) -> int:
    """A document's length as its feed's first pass measures it: the short ones are pooled."""
    return sum(len(lattice.sentence.words) for lattice in lattices)


def _spun_score_of(first: FirstPass) -> float:
    return spun_score(first.edits, first.words, first.gain)


def short_documents_score(evidence: ScopeEvidence) -> float | None:
    """The spun score of a scope's documents too short to be gated alone, pooled (their first
    passes summed), or None when together they hold fewer than
    :data:`~corrector.defaults.MIN_WORDS_FOR_GATE` words. A feed's short documents (headlines,
    RSS summaries, one sentence a record) are gated by it together, as one document."""
    if evidence.short.words < defaults.MIN_WORDS_FOR_GATE:
        return None
    return _spun_score_of(evidence.short)


def _scores(decodings: list[SentenceDecoding]) -> Scores:
    source = sum(d.source_logprob for d in decodings)
    restored = sum(d.restored_logprob for d in decodings)
    source_length = sum(d.source_length for d in decodings)
    restored_length = sum(d.length for d in decodings)
    return Scores(source, restored, perplexity(source, source_length), perplexity(restored, restored_length))


def _alternatives(text: str, lattices: list[Lattice], decodings: list[SentenceDecoding]) -> tuple[str, ...]:
    """Per-sentence n-best alternatives, as detokenised sentence strings."""
    return tuple(detokenize(list(words)) for d in decodings for words in d.alternatives)
