"""Pair-type evidence: a spinner is a fixed dictionary, so decide each (spun → original) once.

The same decision — is "stated" here "said"? — recurs at every occurrence of the spun form in a
document, and in every document of a feed. So the evidence is gathered per **pair type** over
the whole scope (a document, or a feed in batch mode) and every occurrence is judged with all of
it:

- ``gain``: the fast-match gain of the candidate at this occurrence (n-gram LM gain of the
  candidate alone in the spun sentence's window + channel weight · channel log-prob, no
  penalty), clipped to ±:data:`CLIP`;
- ``support``: the clipped gains of the same pair type at the scope's other occurrences, summed:
  a pair that fits everywhere else lifts a weak occurrence, one that fails elsewhere holds it back;
- ``log_occurrences``: how often the scope proposes the pair;
- ``spun_excess``: log of the spun form's count in the scope against what clean news predicts
  for that many words (the LM's unconditioned n-gram probability): a spinner over-uses its
  replacements;
- ``original_deficit``: the same for the candidate original: a spinner's originals go missing.

A logistic model over these features (fitted on several spinner profiles by
``scripts/fit_pairs.py``; weights in ``corrector/data/pair_weights.json``) gives each proposal's
log-odds of being the spinner's pair. :class:`ScopeEvidence` holds what a scope showed and merges
with ``+``, so a feed's first pass can gather it document by document in bounded memory.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from corrector.candidates import rules
from corrector.lm.base import LanguageModel
from corrector.restore.decoder import FirstPass, SentenceMemo, best_of_arc, ranked_candidates
from corrector.text.lattice import Arc, Candidate, Lattice

CLIP = 3.0
# Candidates per arc and the fast-match floor (log10) of the proposals the model judges, in
# fitting and at run time alike.
PER_ARC = 3
FLOOR = -1.0
FEATURES = ("gain", "support", "log_occurrences", "spun_excess", "original_deficit")
WEIGHTS_FILE = Path(__file__).resolve().parents[1] / "data" / "pair_weights.json"
# Pseudo-count for the frequency ratios: a form seen 0 times where clean news expects 0.01 is
# no evidence either way.
_PSEUDO = 0.5
# A spun form's counts show a spinner's displacement only where the scope holds it this often
# (docs/experiments.md, "The feed's word counts in the teacher").
DISPLACED_MIN_COUNT = 2


@dataclass(frozen=True, slots=True)
class Proposal:
    """One candidate at one occurrence: where it is, and its fast-match gain (log10)."""

    sentence: int
    arc: Arc
    candidate: Candidate
    gain: float
    spun: str  # lowercase span text, words joined by spaces
    original: str  # lowercase candidate text

    @property
    def pair(self) -> tuple[str, str]:
        return (self.spun, self.original)


@dataclass(slots=True)
class ScopeEvidence:
    """What a document or feed showed: its word and sentence counts, the count of every word and
    of the multi-word forms its proposals name (spun forms and originals), per pair type the
    number of proposals, their summed clipped gain and the channel's best log10 probability of the
    pair (``channels``: what tells one original of a form from another by meaning rather than
    fluency), and ``short``: the first pass of its
    documents too short to be gated alone (under :data:`~corrector.defaults.MIN_WORDS_FOR_GATE`
    words), pooled, by which a feed's short documents are gated together. Adding two gives the
    evidence of both scopes."""

    words: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    occurrences: Counter[tuple[str, str]] = field(default_factory=Counter)
    gains: dict[tuple[str, str], float] = field(default_factory=dict)
    sentences: int = 0
    short: FirstPass = field(default_factory=FirstPass)
    channels: dict[tuple[str, str], float] = field(default_factory=dict)

    def __add__(self, other: ScopeEvidence) -> ScopeEvidence:
        gains = dict(self.gains)
        for pair, gain in other.gains.items():
            gains[pair] = gains.get(pair, 0.0) + gain
        return ScopeEvidence(
            self.words + other.words, self.counts + other.counts, self.occurrences + other.occurrences, gains,
            self.sentences + other.sentences, self.short + other.short,
            _best_channels(dict(self.channels), other.channels),
        )

    def __iadd__(self, other: ScopeEvidence) -> ScopeEvidence:
        """Add ``other`` in place: a feed's running sum costs the size of one document per add."""
        self.words += other.words
        self.sentences += other.sentences
        self.short += other.short
        self.counts.update(other.counts)
        self.occurrences.update(other.occurrences)
        for pair, gain in other.gains.items():
            self.gains[pair] = self.gains.get(pair, 0.0) + gain
        _best_channels(self.channels, other.channels)
        return self

    def to_dict(self) -> dict[str, object]:
        """A JSON-able form (floats round-trip exactly): a checkpoint of a feed's first pass."""
        return {
            "words": self.words,
            "sentences": self.sentences,
            "counts": sorted(self.counts.items()),
            "pairs": [
                [s, o, n, self.gains[(s, o)], self.channels.get((s, o), 0.0)]
                for (s, o), n in sorted(self.occurrences.items())
            ],
            "short": [self.short.words, self.short.edits, self.short.gain],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScopeEvidence:
        pairs = data["pairs"]
        return cls(
            int(data["words"]),
            Counter({form: int(n) for form, n in data["counts"]}),
            Counter({(s, o): int(n) for s, o, n, *_ in pairs}),
            {(s, o): float(gain) for s, o, _, gain, *_ in pairs},
            int(data.get("sentences", 0)),
            FirstPass(*data.get("short", ())),
            {(s, o): float(rest[0]) for s, o, _, _, *rest in pairs if rest},
        )

    @classmethod
    def of(cls, lattices: Sequence[Lattice], proposals: Iterable[Proposal]) -> ScopeEvidence:
        """The evidence of one document: its proposals, the count of every word (so that a feed's
        sum counts a word in every document, not only where a proposal names it), and the counts
        of the multi-word forms its proposals name."""
        proposals = list(proposals)
        occurrences: Counter[tuple[str, str]] = Counter()
        gains: dict[tuple[str, str], float] = {}
        channels: dict[tuple[str, str], float] = {}
        forms: set[str] = set()
        for p in proposals:
            occurrences[p.pair] += 1
            gains[p.pair] = gains.get(p.pair, 0.0) + _clip(p.gain)
            channels[p.pair] = max(channels.get(p.pair, -math.inf), p.candidate.logprob)
            forms.update(p.pair)
        # The forms by word count, each with its first words: an n-word gram (tokens hold no
        # spaces) can only be a form of n words, and only where such a form's first word stands.
        by_length: dict[int, tuple[set[str], set[str]]] = {}
        for form in forms:
            parts = form.split(" ")
            if len(parts) == 1:
                continue  # every word is counted
            of_length = by_length.setdefault(len(parts), (set(), set()))
            of_length[0].add(form)
            of_length[1].add(parts[0])
        longest = max(by_length, default=0)
        counts: Counter[str] = Counter()
        words = 0
        for lattice in lattices:
            lowered = [w.lower() for w in lattice.sentence.words]
            words += len(lowered)
            counts.update(lowered)
            for n in range(2, longest + 1):
                if n not in by_length:
                    continue
                named, firsts = by_length[n]
                for i in range(len(lowered) - n + 1):
                    if lowered[i] in firsts:
                        gram = " ".join(lowered[i : i + n])
                        if gram in named:
                            counts[gram] += 1
        return cls(words, counts, occurrences, gains, len(lattices), channels=channels)


def _best_channels(
    channels: dict[tuple[str, str], float], other: dict[tuple[str, str], float]
) -> dict[tuple[str, str], float]:
    """``channels`` updated in place with ``other``: each pair's best channel log-prob over both
    scopes' proposals."""
    for pair, logprob in other.items():
        channels[pair] = max(channels.get(pair, -math.inf), logprob)
    return channels


@dataclass(frozen=True, slots=True)
class PairModel:
    """Logistic weights over :data:`FEATURES` (standardised with ``mean``/``scale``)."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    fitted_on: str = ""

    @classmethod
    def load(cls, path: str | Path | None = None) -> PairModel:
        return _load_model(str(path or WEIGHTS_FILE))

    def to_dict(self) -> dict[str, object]:
        return {
            "features": list(FEATURES),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "weights": list(self.weights),
            "bias": self.bias,
            "fitted_on": self.fitted_on,
        }

    def fingerprint(self) -> str:
        import hashlib

        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()[:12]

    def log_odds(self, features: Sequence[float]) -> float:
        """Natural log-odds that the proposal is the spinner's pair."""
        z = self.bias
        for x, m, s, w in zip(features, self.mean, self.scale, self.weights, strict=True):
            z += w * (x - m) / s
        return z


@lru_cache(maxsize=4)
def _load_model(path: str) -> PairModel:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if tuple(data["features"]) != FEATURES:
        raise ValueError(f"{path}: features {data['features']} are not {list(FEATURES)}")
    return PairModel(
        tuple(data["mean"]), tuple(data["scale"]), tuple(data["weights"]), float(data["bias"]),
        str(data.get("fitted_on", "")),
    )


def logistic(z: float) -> float:
    """σ(z) = 1 / (1 + e^-z), without overflow: e^-z overflows a float past z ≈ −709 (a feed of
    thousands of copies of one text takes a pair's log odds there), where σ(z) is e^z."""
    return 1.0 / (1.0 + math.exp(-z)) if z > -700.0 else math.exp(z)


def _clip(gain: float) -> float:
    return min(max(gain, -CLIP), CLIP)


def proposals(
    lattices: Sequence[Lattice],
    lm: LanguageModel,
    channel_weight: float,
    per_arc: int,
    floor: float,
    memos: Sequence[SentenceMemo] | None = None,
) -> list[Proposal]:
    """The ``per_arc`` best candidates of every arc by fast-match gain above ``floor`` that change
    the text, and the rules' first-listed original of its span
    (:func:`~corrector.restore.decoder.best_of_arc`), in document order."""
    out: list[Proposal] = []
    for s, lattice in enumerate(lattices):
        memo = memos[s] if memos is not None else SentenceMemo()
        words = lattice.sentence.words
        ranked = ranked_candidates(lattice, lm, channel_weight, per_arc, floor, memo, rules_first=True)
        for arc, candidate, gain in ranked:
            spun = " ".join(words[arc.start : arc.end]).lower()
            original = candidate.text.lower()
            if original != spun:
                out.append(Proposal(s, arc, candidate, gain, spun, original))
    return out


class FrequencyPrior:
    """Expected counts of a form in clean news: ``words`` × the LM's unconditioned probability of
    its words (one cache per LM)."""

    def __init__(self, lm: LanguageModel) -> None:
        self.lm = lm
        self._rates: dict[str, float] = {}

    def rate(self, form: str) -> float:
        rate = self._rates.get(form)
        if rate is None:
            rate = 10.0 ** self.lm.logprob(form.split(" "), bos=False, eos=False)
            self._rates[form] = rate
        return rate

    def log_ratio(self, form: str, evidence: ScopeEvidence) -> float:
        """log((observed + ½) / (expected + ½)) of ``form`` in the scope."""
        expected = evidence.words * self.rate(form)
        return math.log((evidence.counts.get(form, 0) + _PSEUDO) / (expected + _PSEUDO))

    def displacement(self, spun: str, original: str, evidence: ScopeEvidence) -> float:
        """log10 evidence that the scope's spinner moved ``original``'s occurrences to ``spun``:
        the lesser of the original's shortfall and the spun form's excess against what clean news
        predicts for the scope's length, each a one-sided Poisson log-likelihood ratio (0 where
        the form is as common as predicted, or the other way). A feed spun with "stated" for
        "said" lacks "said" and over-uses "stated"; one word missing alone, or a frequent word
        used as often as ever, is no such evidence. 0 for a spun form seen fewer than
        :data:`DISPLACED_MIN_COUNT` times (a dictionary shows in the forms it uses again; in a
        single article the shortfall of a word clean news expects less than once flipped a
        choice between originals for a form seen once: "ultimate" → last instead of final), and
        for a multi-word original: a scope counts those only where a proposal names them, so
        their shortfall would be over-read.

        A swap the curated rules list (:data:`~corrector.candidates.rules.RULES`: "no less than"
        for at least, "have been" for were) is already known to be a spinner's: the spun form's
        excess alone is the evidence there, from its first occurrence and whatever the
        original's count. The teacher's neural LM reads such fluent swaps as well as their
        originals and turned them down (docs/experiments.md, "A listed swap's excess")."""
        spun_count = evidence.counts.get(spun, 0)
        if spun_count and original in rules.RULES.get(spun, ()):
            return _deviance(spun_count, evidence.words * self.rate(spun), below=False)
        if " " in original or spun_count < DISPLACED_MIN_COUNT:
            return 0.0
        expected = evidence.words * self.rate(original)
        shortfall = _deviance(evidence.counts.get(original, 0), expected, below=True)
        if shortfall <= 0.0:
            return 0.0
        excess = _deviance(spun_count, evidence.words * self.rate(spun), below=False)
        return min(shortfall, excess)


def _deviance(observed: int, expected: float, below: bool) -> float:
    """log10 P(observed | Poisson(observed)) − log10 P(observed | Poisson(expected)) when the
    count falls ``below`` its expectation (or above it, with ``below`` False), else 0."""
    if expected <= 0.0 or (observed < expected) != below or observed == expected:
        return 0.0
    ratio = observed * math.log(observed / expected) if observed else 0.0
    return (ratio - (observed - expected)) / math.log(10)


def features(proposal: Proposal, evidence: ScopeEvidence, prior: FrequencyPrior) -> tuple[float, ...]:
    """:data:`FEATURES` of one proposal under the scope's evidence (which must include it)."""
    gain = _clip(proposal.gain)
    pair = proposal.pair
    return (
        gain,
        evidence.gains.get(pair, gain) - gain,
        math.log(max(evidence.occurrences.get(pair, 1), 1)),
        prior.log_ratio(proposal.spun, evidence),
        prior.log_ratio(proposal.original, evidence),
    )


@dataclass(frozen=True, slots=True)
class PairDecision:
    """What a scope's evidence says of one pair type: the posterior that the spinner wrote
    ``spun`` for ``original``, and the counts behind it."""

    spun: str
    original: str
    probability: float
    occurrences: int  # proposals of the pair in the scope
    mean_gain: float  # their mean clipped fast-match gain (log10)
    spun_count: int  # the forms' counts in the scope
    original_count: int
    channel: float = 0.0  # the channel's best log10 P(spun | original) over the pair's proposals

    @property
    def kept(self) -> bool:
        """A decision that the spun form is the original: the spinner left it alone (the teacher's
        verdict on a form no candidate fits better), so it stays wherever it occurs."""
        return self.spun == self.original

    def to_dict(self) -> dict[str, object]:
        """The pair as a ``corrector-spinner/1`` row: ``prob`` is the posterior, ``count`` the
        occurrences."""
        return {
            "spun": self.spun,
            "original": self.original,
            "prob": round(self.probability, 6),
            "count": self.occurrences,
            "gain": round(self.mean_gain, 4),
            "spun_count": self.spun_count,
            "original_count": self.original_count,
        }


def judge_pairs(
    evidence: ScopeEvidence, prior: FrequencyPrior, model: PairModel, min_occurrences: int = 1
) -> list[PairDecision]:
    """Every pair type the scope proposed ``min_occurrences`` times, judged at its mean gain with
    all the scope's evidence; in the scope's order."""
    judged = []
    for pair, occurrences in evidence.occurrences.items():
        if occurrences < min_occurrences:
            continue
        spun, original = pair
        mean = evidence.gains[pair] / occurrences
        typical = (
            mean,
            evidence.gains[pair] - mean,
            math.log(occurrences),
            prior.log_ratio(spun, evidence),
            prior.log_ratio(original, evidence),
        )
        probability = logistic(model.log_odds(typical))
        judged.append(
            PairDecision(
                spun, original, probability, occurrences, mean,
                evidence.counts.get(spun, 0), evidence.counts.get(original, 0),
                evidence.channels.get(pair, 0.0),
            )
        )
    return judged


def decisions(
    evidence: ScopeEvidence,
    prior: FrequencyPrior,
    model: PairModel,
    min_probability: float = 0.5,
    min_occurrences: int = 1,
) -> list[PairDecision]:
    """One decision per spun form: its most probable original, judged at the pair type's mean
    gain with all the scope's evidence, kept when its posterior reaches ``min_probability`` and it
    was proposed ``min_occurrences`` times; best first (probability, occurrences, then the forms)."""
    best: dict[str, PairDecision] = {}
    for decision in judge_pairs(evidence, prior, model):
        held = best.get(decision.spun)
        if held is None or (decision.probability, decision.original) > (held.probability, held.original):
            best[decision.spun] = decision
    kept = [d for d in best.values() if d.probability >= min_probability and d.occurrences >= min_occurrences]
    return sorted(kept, key=lambda d: (-d.probability, -d.occurrences, d.spun, d.original))

def _arc_gains(
    lattice: Lattice, arc: Arc, lm: LanguageModel, channel_weight: float, memo: SentenceMemo
) -> list[float]:
    """Fast-match gains of ``arc``'s candidates, in its order, from the window scores the decoder
    keeps in ``memo`` (scored now if this arc has none there)."""
    entry = memo.arcs.get((arc.start, arc.end))
    if entry is None or [c.words for c in entry[0].candidates] != [c.words for c in arc.candidates]:
        ranked_candidates(Lattice(lattice.sentence, (arc,)), lm, channel_weight, 1, -math.inf, memo)
        entry = memo.arcs[(arc.start, arc.end)]
    scored, kept, window_scores = entry
    by_words = dict(zip([c.words for c in scored.candidates], window_scores, strict=True))
    return [by_words[c.words] - kept + channel_weight * c.logprob for c in arc.candidates]


def placed_probabilities(
    lattices: Sequence[Lattice],
    placed: Sequence[tuple[int, Arc, Candidate]],
    lm: LanguageModel,
    channel_weight: float,
    prior: FrequencyPrior,
    model: PairModel,
    memos: Sequence[SentenceMemo],
    evidence: ScopeEvidence | None = None,
) -> list[float | None]:
    """Per decoded replacement (sentence, arc, candidate): the model's probability that the span
    is the spinner's swap of that original, judged at its fast-match gain in ``lattices`` (the
    first-pass lattices: a boosted or pinned candidate is judged by its channel score, not the
    boost) with the scope's evidence; None where the first pass did not offer the candidate.

    Without ``evidence``, the document's is gathered for the placed pair types only: a pair's
    features depend on its own proposals and its forms' counts alone, so this equals what
    :meth:`ScopeEvidence.of` over all proposals gives them, at a fraction of the cost."""
    judged: list[Proposal | None] = []
    for s, arc, candidate in placed:
        first = next((a for a in lattices[s].arcs if (a.start, a.end) == (arc.start, arc.end)), None)
        words = lattices[s].sentence.words
        spun = " ".join(words[arc.start : arc.end]).lower()
        found = None
        if first is not None:
            gains = _arc_gains(lattices[s], first, lm, channel_weight, memos[s])
            found = next(
                (Proposal(s, first, c, g, spun, c.text.lower())
                 for c, g in zip(first.candidates, gains, strict=True) if c.words == candidate.words),
                None,
            )
        judged.append(found)
    if evidence is None:
        evidence = _evidence_of_pairs(
            lattices, {p.pair for p in judged if p is not None}, lm, channel_weight, memos
        )
    return [
        None if p is None else logistic(model.log_odds(features(p, evidence, prior)))
        for p in judged
    ]


def _evidence_of_pairs(
    lattices: Sequence[Lattice],
    pairs: set[tuple[str, str]],
    lm: LanguageModel,
    channel_weight: float,
    memos: Sequence[SentenceMemo],
) -> ScopeEvidence:
    """The document's evidence restricted to ``pairs``: their proposals as :func:`proposals`
    makes them (:func:`~corrector.restore.decoder.best_of_arc`) and their forms' counts."""
    spun_forms = {spun for spun, _ in pairs}
    found: list[Proposal] = []
    for s, lattice in enumerate(lattices):
        words = lattice.sentence.words
        for arc in lattice.arcs:
            start, end = arc.start, arc.end
            spun = words[start].lower() if end - start == 1 else " ".join(words[start:end]).lower()
            if spun not in spun_forms:
                continue
            gains = _arc_gains(lattice, arc, lm, channel_weight, memos[s])
            for j in best_of_arc(spun, arc, gains, PER_ARC, FLOOR):
                candidate = arc.candidates[j]
                pair = (spun, candidate.text.lower())
                if gains[j] > FLOOR and pair in pairs:
                    found.append(Proposal(s, arc, candidate, gains[j], *pair))
    return ScopeEvidence.of(lattices, found)


def recurring_forms(evidence: ScopeEvidence, min_occurrences: int) -> frozenset[str]:
    """The spun forms a scope proposed often enough to be decided there (a pair type of theirs
    ``min_occurrences`` times, as :func:`judge_pairs` asks); in a feed, a document decides the
    others itself."""
    return frozenset(spun for (spun, _), n in evidence.occurrences.items() if n >= min_occurrences)


def feed_min_occurrences(documents: int) -> int:
    """Occurrences a pair type needs before the default path decides it: in a feed of several
    documents two (a spinner's pair recurs; benchmarks/feed.py --scopes taught: singletons there
    cost 0.03 ERR on the fixed-dictionary profiles and doubled clean text's edits), in a single
    document one (a 400-word article repeats few of its pairs)."""
    return 1 if documents <= 1 else 2
