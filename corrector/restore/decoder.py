"""Noisy-channel beam search over a candidate lattice.

Pure: a :class:`~corrector.text.lattice.Lattice` and a :class:`~corrector.lm.base.LanguageModel` go in, a
:class:`SentenceDecoding` comes out. The objective of a path is

    LM log10 P(original words) + channel_weight · Σ log10 P(spun span | original span)
                               − change_penalty · (number of replaced spans)

Hypotheses are grouped by how many spun tokens they cover, recombined when their LM states are
equal (the future score depends only on the state), and pruned to the beam width. LM calls are
cached per sentence, keyed on (state, word), in a :class:`SentenceMemo` that later passes over the
same sentence may share.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import add, itemgetter
from typing import Any

from corrector.candidates.rules import first_original
from corrector.lm.base import LanguageModel
from corrector.text.lattice import Arc, Candidate, Lattice, new_candidate


@dataclass(frozen=True, slots=True)
class DecoderWeights:
    """Weights of the objective; defaults live in ``corrector.defaults``.

    ``prefilter_margin``: a candidate is dropped before the search when, substituted alone into
    the spun sentence, its objective gain over keeping the span is below ``-prefilter_margin``
    (None disables the fast match).
    """

    channel_weight: float
    change_penalty: float
    beam: int
    prefilter_margin: float | None = 2.0


@dataclass(frozen=True, slots=True)
class Choice:
    """A replaced span on the best path."""

    arc: Arc
    candidate: Candidate


# A partial path, as a back-pointer chain (copying word tuples would be quadratic):
# (score, LM log10 prob, LM state, previous hypothesis, words of the last step, the move that
# replaced a span in the last step or None; see ``_Move``).
# A plain tuple: the search makes ~200 of these per sentence position, and building a tuple costs
# a fraction of a slotted dataclass's ``__init__`` (profiled: the bookkeeping, not KenLM, dominated).
_Hypothesis = tuple[float, float, Any, Any, tuple[str, ...], Any]
_SCORE, _LM, _STATE, _BACK, _SEGMENT, _MOVE = range(6)
# A replacement the search may take at a start token: (end token, candidate words, weighted
# channel score, arc, candidate). The Choice is built only for the spans on the best paths.
_Move = tuple[int, tuple[str, ...], float, Arc, Candidate]


def _path(hyp: _Hypothesis | None) -> tuple[list[str], list[tuple[Choice, int, int]]]:
    """Words of a hypothesis's path and each replaced span with its [start, end) in those words."""
    steps = []
    while hyp is not None:
        steps.append(hyp)
        hyp = hyp[_BACK]
    words: list[str] = []
    choices: list[tuple[Choice, int, int]] = []
    for step in reversed(steps):
        segment, move = step[_SEGMENT], step[_MOVE]
        if move is not None:
            choices.append((Choice(move[3], move[4]), len(words), len(words) + len(segment)))
        words.extend(segment)
    return words, choices


@dataclass(frozen=True, slots=True)
class SentenceDecoding:
    """The best path: its words, replaced spans with their gains, and LM log10 probabilities.

    ``length`` and ``source_length`` count predicted tokens (words + ``</s>``) of the restored and
    the spun sentence, for perplexities.
    """

    words: tuple[str, ...]
    choices: tuple[Choice, ...]
    gains: tuple[float, ...]
    source_logprob: float
    restored_logprob: float
    length: int
    source_length: int
    alternatives: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class FirstPass:
    """What a first n-gram decoding found in a text, the document gate's evidence
    (:func:`corrector.restore.document.spun_score`): its words, the spans it replaced and their
    summed gain (log10). Adding two pools the texts."""

    words: int = 0
    edits: int = 0
    gain: float = 0.0

    @classmethod
    def of(cls, decodings: Sequence[SentenceDecoding]) -> FirstPass:
        return cls(
            sum(len(d.words) for d in decodings),
            sum(len(d.choices) for d in decodings),
            sum(sum(d.gains) for d in decodings),
        )

    def __add__(self, other: FirstPass) -> FirstPass:
        return FirstPass(self.words + other.words, self.edits + other.edits, self.gain + other.gain)


@dataclass(slots=True)
class SentenceMemo:
    """LM scores a decode computes that do not depend on the weights, so passes over the same
    sentence (at another penalty, with boosted channel scores) share them.

    ``arcs``: the fast match's window scores of each arc, keyed on (start, end), as (the arc they
    were scored for, the kept span's score, each candidate's score in the arc's order). A later
    pass's arc at the same place reuses them when it is the same object (not boosted) or has the
    same candidate words in the same order (boosted: only channel scores differ).
    ``transitions``: LM transitions, keyed on (state, word). ``source``: the spun sentence's
    LM log10 probability. ``token_ids``: each token's vocabulary ids for the compiled fast match
    (``corrector/lm/_fastmatch.pyx``), packed."""

    arcs: dict[tuple[int, int], tuple[Arc, float, list[float]]] = field(default_factory=dict)
    transitions: dict[tuple[Any, str], tuple[float, Any]] = field(default_factory=dict)
    source: float | None = None
    token_ids: list[bytes] | None = None


def _same_words(a: Arc, b: Arc) -> bool:
    """Whether two arcs list the same candidate words in the same order."""
    if len(a.candidates) != len(b.candidates):
        return False
    return all(x.words == y.words for x, y in zip(a.candidates, b.candidates, strict=True))


# The hypothesis's score, as a sort key (a C getter: the beam is sorted at every position).
_score_of = itemgetter(_SCORE)


def _prune(hypotheses: list[_Hypothesis], beam: int, per_state: int = 1) -> list[_Hypothesis]:
    """Recombine equal LM states (keep the ``per_state`` best of each), then keep the ``beam`` best.

    ``per_state`` > 1 only for n-best output: plain recombination would merge alternatives that
    differ earlier than the LM's context window. Sorting is stable (``reverse`` keeps it so) and
    hypotheses are created in a fixed order, so ties resolve the same way on every run.
    """
    if per_state == 1:
        best: dict[Any, _Hypothesis] = {}
        get = best.get
        for hyp in hypotheses:
            state = hyp[_STATE]
            kept = get(state)
            if kept is None or hyp[_SCORE] > kept[_SCORE]:
                best[state] = hyp
        if len(best) == 1:
            return list(best.values())
        return sorted(best.values(), key=_score_of, reverse=True)[:beam]
    groups: dict[Any, list[_Hypothesis]] = {}
    for hyp in hypotheses:
        groups.setdefault(hyp[_STATE], []).append(hyp)
    kept_all = [
        h for group in groups.values() for h in sorted(group, key=_score_of, reverse=True)[:per_state]
    ]
    return sorted(kept_all, key=_score_of, reverse=True)[:beam]


# id(candidates) → (candidates, LM, channel weight, each candidate's prepared words (None for the
# compiled fast match), each one's channel_weight · logprob, their vocabulary ids packed for the
# compiled fast match (else None)).
# The generator hands out the same candidate tuple for a span key wherever it recurs (its
# caches), so the fast match computes these once per list, not once per arc. The entry holds the
# tuple, so its id stays its own while the entry lives.
_TERMS: dict[int, tuple[tuple[Candidate, ...], Any, float, list[str] | None, list[float], bytes | None]] = {}
_TERMS_MAX = 50_000


def _candidate_terms(
    candidates: tuple[Candidate, ...], lm: LanguageModel, channel_weight: float, fast: Any
) -> tuple[tuple[Candidate, ...], Any, float, list[str] | None, list[float], bytes | None]:
    """The ``_TERMS`` entry of ``candidates``: their prepared words and weighted channel scores,
    or (with the compiled fast match ``fast``) their weighted channel scores and vocabulary ids,
    packed."""
    entry = _TERMS.get(id(candidates))
    if entry is not None and entry[0] is candidates and entry[1] is lm and entry[2] == channel_weight:
        return entry
    channel = [channel_weight * candidate.logprob for candidate in candidates]
    if fast is None:
        forms, packed = _forms(candidates, lm), None
    else:  # the compiled fast match needs no text (it packs each word tuple once)
        forms, packed = None, fast.pack_candidates(candidates, lm.prepared_text)
    if len(_TERMS) >= _TERMS_MAX:
        _TERMS.clear()
    entry = _TERMS[id(candidates)] = (candidates, lm, channel_weight, forms, channel, packed)
    return entry


def _forms(candidates: Sequence[Candidate], lm: LanguageModel) -> list[str]:
    """Each candidate's words in the model's form (as the fast match's windows hold them)."""
    prepared = lm.prepared_text
    return [prepared(candidate.words) for candidate in candidates]


def _token_ids(tokens: Sequence[str], fast: Any, memo: SentenceMemo) -> list[bytes] | None:
    """Each token's vocabulary ids, packed (``memo.token_ids``); None when a token's model form
    holds a NUL byte, which KenLM's ``score`` reads as the end of its text (the Python path then
    scores the sentence, as it is the reference)."""
    ids = memo.token_ids
    if ids is None or len(ids) != len(tokens):
        ids = memo.token_ids = list(map(fast.encode_token, tokens))
    return None if None in ids else ids


def _window_scores(
    tokens: Sequence[str], lm: LanguageModel, start: int, end: int, forms: list[str]
) -> tuple[float, list[float]]:
    """The fast match's window scores of an arc: the span kept as it is, then each candidate
    (``forms``: their prepared words), between the ``order - 1`` tokens on either side.

    Windows are scored as prepared text: the context's and each candidate's model form is built
    once (memoised by the LM), then one string concatenation and one KenLM call each."""
    prepared, score_text = lm.prepared_text, lm.score_text
    context = max(lm.order - 1, 1)
    bos, eos = start - context <= 0, end + context >= len(tokens)
    left = prepared(tokens[max(0, start - context) : start]) + " "
    tail = " " + prepared(tokens[end : end + context])
    span = score_text(f"{left}{prepared(tokens[start:end])}{tail}", bos, eos)
    return span, [score_text(f"{left}{form}{tail}", bos, eos) for form in forms]


def prefilter(
    lattice: Lattice, lm: LanguageModel, weights: DecoderWeights, memo: SentenceMemo | None = None
) -> dict[int, list[Arc]]:
    """Arcs by start token, keeping only candidates that could plausibly win (a fast match).

    Each candidate is scored once in the spun sentence's own context: the ``order - 1`` tokens
    before the span (they fix the LM state exactly), the candidate, and the ``order - 1`` tokens
    after it, against the same window with the span kept. One KenLM call per candidate instead
    of one per beam entry; most thesaurus candidates fall far below the change penalty here.

    The window scores are kept in ``memo.arcs`` for later passes over the sentence, which then
    only compare. An arc whose candidates all survive is returned as it is.

    With the compiled fast match built (``lm.fast_match``, ``corrector/lm/_fastmatch.pyx``), its
    ``prefilter`` runs this loop in C++: the same windows, scored from one left-context state per
    arc, the same floats and comparisons, the same memo entries and arcs. This function's loop
    is the reference (tests/test_fastmatch.py holds the two equal).
    """
    grouped = lattice.arcs_from()
    margin = weights.prefilter_margin
    if margin is None:
        return grouped
    tokens = lattice.sentence.words
    channel_weight = weights.channel_weight
    change_penalty = weights.change_penalty
    memo = memo or SentenceMemo()
    scored_arcs = memo.arcs
    fast = getattr(lm, "fast_match", None)
    ids = None if fast is None else _token_ids(tokens, fast, memo)
    if ids is not None:
        return fast.prefilter(  # type: ignore[union-attr]
            grouped, ids, scored_arcs, lm, channel_weight, change_penalty, margin,
            max(lm.order - 1, 1), _TERMS, _candidate_terms, _same_words, Arc,
            lambda start, end, candidates: _window_scores(tokens, lm, start, end, _forms(candidates, lm)),
        )
    kept: dict[int, list[Arc]] = {}
    for start, arcs in grouped.items():
        kept_arcs: list[Arc] = []
        for arc in arcs:
            candidates = arc.candidates
            end = arc.end
            terms = _candidate_terms(candidates, lm, channel_weight, fast)
            entry = scored_arcs.get((start, end))
            if entry is None or (entry[0] is not arc and not _same_words(entry[0], arc)):
                forms = terms[3]
                if forms is None:  # a compiled list's entry, here for a sentence it left to Python
                    forms = _forms(candidates, lm)
                span, window_scores = _window_scores(tokens, lm, start, end, forms)
                entry = scored_arcs[(start, end)] = (arc, span, window_scores)
            threshold = entry[1] + change_penalty - margin
            # score + channel_weight · logprob of each candidate (the same floats as computed one
            # by one); most arcs keep none, which one pass in C tells.
            gains = list(map(add, entry[2], terms[4]))
            if not any(map(threshold.__lt__, gains)):
                continue
            survivors = [c for c, gain in zip(candidates, gains, strict=True) if gain > threshold]
            whole = len(survivors) == len(candidates)
            kept_arcs.append(arc if whole else Arc(start, arc.end, tuple(survivors)))
        if kept_arcs:
            kept[start] = kept_arcs
    return kept


def ranked_candidates(
    lattice: Lattice,
    lm: LanguageModel,
    channel_weight: float,
    per_arc: int,
    floor: float,
    memo: SentenceMemo | None = None,
    rules_first: bool = False,
) -> list[tuple[Arc, Candidate, float]]:
    """The ``per_arc`` best candidates of each arc by fast-match gain (LM gain of the candidate
    alone in the spun sentence's window + ``channel_weight`` · channel), those above ``floor``,
    each with its gain; in lattice order. No change penalty is charged. ``rules_first``: also
    the rules' first-listed original of the arc's span (:func:`best_of_arc`)."""
    weights = DecoderWeights(channel_weight, 0.0, 1, prefilter_margin=-floor)
    memo = memo or SentenceMemo()
    words = lattice.sentence.words
    ranked: list[tuple[Arc, Candidate, float]] = []
    for arcs in prefilter(lattice, lm, weights, memo).values():
        for arc in arcs:
            scored, kept, window_scores = memo.arcs[(arc.start, arc.end)]
            by_words = dict(zip([c.words for c in scored.candidates], window_scores, strict=True))
            gains = [by_words[c.words] - kept + channel_weight * c.logprob for c in arc.candidates]
            spun = " ".join(words[arc.start : arc.end]).lower() if rules_first else ""
            best = best_of_arc(spun, arc, gains, per_arc, floor)
            ranked.extend((arc, arc.candidates[j], gains[j]) for j in best)
    return ranked


def best_of_arc(spun: str, arc: Arc, gains: Sequence[float], per_arc: int, floor: float) -> list[int]:
    """Indices of ``arc``'s ``per_arc`` best candidates by gain (a stable sort: equal gains keep
    the channel's order), and of the curated rules' first-listed original of ``spun`` wherever it
    clears ``floor``: a spinner's known source is judged though the n-gram window ranks others of
    the form above it ("time period" → term below period, "subsequent" → next below later)."""
    best = sorted(range(len(gains)), key=lambda j: -gains[j])[:per_arc]
    if first := first_original(spun):
        best += [j for j, c in enumerate(arc.candidates)
                 if j not in best and gains[j] > floor and c.text.lower() == first]
    return best


def decode(
    lattice: Lattice,
    lm: LanguageModel,
    weights: DecoderWeights,
    nbest: int = 0,
    memo: SentenceMemo | None = None,
) -> SentenceDecoding:
    """The highest-scoring restoration of ``lattice``'s sentence (``memo``: LM scores shared
    with other passes over the same sentence)."""
    # The search allocates ~10 tuples per hypothesis step and makes no reference cycles, so the
    # collections it would trigger free nothing (~3% of restoration): pause the collector,
    # restoring its state after, as the candidate generator does for lattices.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _decode(lattice, lm, weights, nbest, memo)
    finally:
        if enabled:
            gc.enable()


def _decode(
    lattice: Lattice, lm: LanguageModel, weights: DecoderWeights, nbest: int, memo: SentenceMemo | None
) -> SentenceDecoding:
    tokens = lattice.sentence.words
    n = len(tokens)
    memo = memo or SentenceMemo()
    transitions = memo.transitions
    channel_weight, change_penalty = weights.channel_weight, weights.change_penalty
    # The moves from each start token, in arc and candidate order.
    moves: dict[int, list[_Move]] = {
        start: [
            (arc.end, candidate.words, channel_weight * candidate.logprob, arc, candidate)
            for arc in arcs
            for candidate in arc.candidates
        ]
        for start, arcs in prefilter(lattice, lm, weights, memo).items()
    }
    per_state = nbest + 1 if nbest else 1
    beam = max(weights.beam, nbest + 1)
    fast = getattr(lm, "fast_match", None)
    if fast is not None:
        # The compiled search: the loop below, in C++ over the compiled LM states.
        ends = fast.search(tokens, moves, transitions, change_penalty, beam, per_state, _prune, _score_of)
    else:
        ends = _search(tokens, moves, transitions, lm, change_penalty, beam, per_state)
    finals = []
    for hyp in _prune(ends, beam, per_state):
        end_logprob = lm.score_end(hyp[_STATE])
        finals.append((hyp[_SCORE] + end_logprob, hyp[_LM] + end_logprob, *hyp[_STATE:]))
    finals.sort(key=_score_of, reverse=True)
    best = finals[0]
    words, placed = _path(best)
    gains = tuple([_edit_gain(words, span, tokens, lm, weights) for span in placed])
    alternatives = tuple([tuple(_path(h)[0]) for h in finals[1 : nbest + 1]]) if nbest else ()
    source_logprob = memo.source
    if source_logprob is None:
        source_logprob = memo.source = lm.logprob(tokens)
    return SentenceDecoding(
        words=tuple(words),
        choices=tuple([choice for choice, _, _ in placed]),
        gains=gains,
        source_logprob=source_logprob,
        # Unchanged text gets its source score exactly, not the search's word-by-word float sum.
        restored_logprob=best[_LM] if placed else source_logprob,
        length=len(words) + 1,
        source_length=n + 1,
        alternatives=alternatives,
    )


def _search(
    tokens: Sequence[str],
    moves: dict[int, list[_Move]],
    transitions: dict[tuple[Any, str], tuple[float, Any]],
    lm: LanguageModel,
    change_penalty: float,
    beam: int,
    per_state: int,
) -> list[_Hypothesis]:
    """The beam search: the hypotheses reaching the end of the sentence, before the last pruning.

    The project's hot path (every word of a feed goes through it), so it is written flat: local
    names, tuples for hypotheses, LM transitions looked up in the memo (``transitions``) inline
    (recombined beams ask for the same (state, word) often). With the compiled fast match built,
    ``FastMatch.search`` runs this loop in C++ (this one is its reference)."""
    known = transitions.get
    score_word = lm.score_word
    n = len(tokens)
    frontier: list[list[_Hypothesis]] = [[] for _ in range(n + 1)]
    frontier[0] = [(0.0, 0.0, lm.begin_state(), None, (), None)]
    for i in range(n):
        current = _prune(frontier[i], beam, per_state)
        frontier[i] = []
        token = tokens[i]
        segment = (token,)
        following = frontier[i + 1]
        outgoing = moves.get(i, ())
        for hyp in current:
            score, lm_logprob, state = hyp[0], hyp[1], hyp[2]
            key = (state, token)
            hit = known(key)
            if hit is None:
                hit = transitions[key] = score_word(state, token)
            # The same float operations, in the same order, as scoring the step on its own.
            logprob = 0.0 + hit[0]
            following.append((score + logprob, lm_logprob + logprob, hit[1], hyp, segment, None))
            for move in outgoing:
                end, words, channel = move[0], move[1], move[2]
                logprob = 0.0
                after = state
                for word in words:
                    key = (after, word)
                    hit = known(key)
                    if hit is None:
                        hit = transitions[key] = score_word(after, word)
                    logprob += hit[0]
                    after = hit[1]
                total = score + logprob + channel - change_penalty
                frontier[end].append((total, lm_logprob + logprob, after, hyp, words, move))
    return frontier[n]


def _edit_gain(
    words: Sequence[str],
    placed: tuple[Choice, int, int],
    tokens: Sequence[str],
    lm: LanguageModel,
    weights: DecoderWeights,
) -> float:
    """Objective of the best path minus that of the same path with this one edit undone.

    Only a window differs: the ``order - 1`` path words before the edit fix the LM state, and
    the LM scores of words more than ``order - 1`` after it do not change. Scoring that window
    keeps the cost per edit constant however long the sentence.
    """
    choice, start, end = placed
    context = max(lm.order - 1, 1)
    left = words[max(0, start - context) : start]
    right = words[end : end + context]
    bos, eos = start - context <= 0, end + context >= len(words)
    restored = lm.logprob((*left, *words[start:end], *right), bos, eos)
    undone = lm.logprob((*left, *tokens[choice.arc.start : choice.arc.end], *right), bos, eos)
    return restored - undone + weights.channel_weight * choice.candidate.logprob - weights.change_penalty


def _span_key(words: Sequence[str], arc: Arc) -> str:
    """The lowercase text of ``arc``'s span, its words joined by spaces."""
    if arc.end - arc.start == 1:
        return words[arc.start].lower()
    return " ".join(words[arc.start : arc.end]).lower()


def consistent_choices(
    lattices: Sequence[Lattice], decodings: Sequence[SentenceDecoding], min_gain: float
) -> dict[str, str]:
    """Spun span → original chosen for it in a first pass, where that choice is the document's rule.

    A spinner applies one dictionary to the whole document, so a spun form restored confidently
    (summed gain ≥ ``min_gain``) and always to the same original is evidence for every other
    occurrence of that form, including those whose local LM margin was too small on its own.
    """
    chosen: dict[str, dict[str, float]] = {}
    for lattice, decoding in zip(lattices, decodings, strict=True):
        for choice, gain in zip(decoding.choices, decoding.gains, strict=True):
            key = _span_key(lattice.sentence.words, choice.arc)
            originals = chosen.setdefault(key, {})
            original = choice.candidate.text.lower()
            originals[original] = originals.get(original, 0.0) + gain
    return {
        key: next(iter(originals))
        for key, originals in chosen.items()
        if len(originals) == 1 and next(iter(originals.values())) >= min_gain
    }


def reinforce(lattice: Lattice, rules: dict[str, str], boost: float) -> Lattice:
    """``lattice`` with the channel score of each document-rule original raised by ``boost`` (log10)."""
    if not rules:
        return lattice
    arcs = []
    changed = False
    words = lattice.sentence.words
    for arc in lattice.arcs:
        original = rules.get(_span_key(words, arc))
        if original is None:
            arcs.append(arc)
            continue
        candidates = tuple(
            new_candidate(c.words, c.text, c.logprob + boost, c.sources) if c.text.lower() == original else c
            for c in arc.candidates
        )
        arcs.append(Arc(arc.start, arc.end, candidates))
        changed = True
    # The same object when nothing was boosted, so callers can skip re-decoding it.
    return Lattice(lattice.sentence, tuple(arcs)) if changed else lattice
