"""The neural teacher: a neural LM judges pair types, and its cost is paid per type, not per word.

A spinner is a fixed dictionary, so the question "is 'stated' here 'said'?" recurs at every
occurrence of a spun form. The teacher asks it once per **pair type** (spun form → candidate
original, compared case-blind) at a few occurrences, and only for the types that matter:

1. **Proposals**: the n-gram side's best candidates of every arc by fast-match gain (the
   :func:`corrector.restore.pairs.proposals` of the document), grouped by pair type.
2. **Budget**: the ``budget`` × words / 100 types with the highest best gain are judged — the
   swaps the n-gram decoder makes or nearly makes, where it is right or wrong. Every other arc
   stays as the n-gram decoder decides it.
3. **Neural gain**: each judged type is scored at up to ``samples`` occurrences (best gain first):
   the log10 gain under the neural LM of the candidate in a window of the spun sentence (``left``
   words before the span, ``right`` after; the window and its variants share their prefix's
   forward pass; a window from its sentence's start whose span is near it is read after the end
   of the sentence before, see :data:`START_NEAR`). The type's neural gain is their mean.
4. **Decisions**: each occurrence of a judged type scores

       neural gain (its own where it was scored, else its type's) + decoder_weight · (n-gram gain
       − proposal penalty) − threshold

   as the per-sentence verifier does (:mod:`corrector.restore.verify`), and a spun span takes its
   best positive occurrence. A last n-gram decoding applies the decisions as the channel: a span
   whose spun form was judged keeps only its decided original (pinned), or no arc (the spun text
   stays); every other arc keeps its candidates and the decoder's objective.

So a 400-word article costs the neural LM ~20 short windows instead of ~100 whole sentences, and
a spun form that recurs is judged once however often it recurs.

A feed (``corrector adapt --method pairs --neural``) goes further: :func:`teach_feed` judges the
feed's most probable pair types from pass 1's evidence at a few occurrences each, found by one
more read of the feed that only splits sentences, and its decisions become the spinner that pass
2 applies at n-gram speed: the neural cost is paid per pair type of the feed, not per document.
In a single document a form whose every original it rejects is *kept*: a decision spun → itself,
so that pass 2's decoder does not make the swap the teacher just turned down. Its windows are
spun text, where a swap is read beside other spinner words ("Reporter of Selections"), so the
forms it decided by a narrow margin are judged again in windows where the forms it restored
with confidence are restored, and their narrowly decided neighbours read with their best
originals, by the neural LM and by the n-gram LM (whose gain pass 1 measured in the spun text),
until those contexts stop changing. A window starts at its sentence's start, and the neural LM
reads a span near that start after the end of the sentence before: right after its
beginning-of-text token it expects a document's first words, not a sentence's in the middle of a
text.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol, TypeVar

from corrector.candidates import rules
from corrector.restore.pairs import PairDecision, Proposal
from corrector.restore.verify import SentenceScorer, context_before, pair_gains
from corrector.text.lattice import Arc, Lattice
from corrector.text.results import Edit, apply_edits, splice
from corrector.text.tokens import Token, split_sentences, tokenize

# Channel bonus (log10) of a pinned original: larger than any LM loss a one-span swap can show,
# so the last decoding takes every decision the teacher made.
PIN = 20.0


@dataclass(frozen=True, slots=True)
class TeacherWeights:
    """budget: pair types judged per 100 words (at least one per document with proposals);
    samples: occurrences of a type scored; left/right: words of context around the span;
    decoder_weight, threshold, proposal_penalty: the verifier's score (see the module doc);
    frequency_weight: weight of a type's displacement in a feed's (or document's) teacher (see
    :func:`teach_feed`; 0 = off)."""

    budget: float
    samples: int
    left: int
    right: int
    decoder_weight: float
    threshold: float
    proposal_penalty: float
    frequency_weight: float = 0.0


@dataclass(frozen=True, slots=True)
class Judgement:
    """What the teacher found for one pair type in a document."""

    spun: str
    original: str
    neural_gain: float  # mean log10 gain under the neural LM at the scored occurrences
    ngram_gain: float  # mean fast-match gain (log10) at all occurrences
    occurrences: int
    scored: int


@dataclass(frozen=True, slots=True)
class Teaching:
    """The lattices of the last decoding, the judged types, and the decided occurrences
    (sentence, arc start, arc end) → score."""

    lattices: list[Lattice]
    judgements: tuple[Judgement, ...]
    decided: dict[tuple[int, int, int], float]


def judged_types(proposals: Sequence[Proposal], words: int, budget: float) -> list[tuple[str, str]]:
    """The pair types worth the neural LM's time: the ``budget`` × ``words`` / 100 (rounded up)
    with the highest best gain, best first (ties: the forms, so the choice is deterministic)."""
    best: dict[tuple[str, str], float] = {}
    for p in proposals:
        best[p.pair] = max(best.get(p.pair, -math.inf), p.gain)
    ranked = sorted(best, key=lambda pair: (-best[pair], pair))
    return ranked[: max(1, math.ceil(budget * words / 100))] if ranked else []


def window(text: str, lattice: Lattice, arc: Arc, left: int, right: int) -> tuple[int, int]:
    """Character span of ``arc``'s neighbourhood: ``left`` tokens before it and ``right`` after,
    within its sentence (``left`` 0: from the sentence's start; ``right`` 0: to its end)."""
    tokens = lattice.sentence.tokens
    first = tokens[max(0, arc.start - left) if left else 0]
    last = tokens[min(len(tokens), arc.end + right) - 1 if right else -1]
    return first.start, last.end


def teach(
    text: str,
    lattices: Sequence[Lattice],
    proposals: Sequence[Proposal],
    scorer: SentenceScorer,
    weights: TeacherWeights,
) -> Teaching:
    """Judge the document's most promising pair types with the neural LM and pin its decisions
    into the lattices (see the module doc). ``proposals`` must come from ``lattices``."""
    words = sum(len(lattice.sentence.words) for lattice in lattices)
    types = judged_types(proposals, words, weights.budget)
    chosen = set(types)
    by_type: dict[tuple[str, str], list[Proposal]] = {}
    for p in proposals:
        if p.pair in chosen:
            by_type.setdefault(p.pair, []).append(p)
    # Occurrences to score: each type's best-gain ones (ties: document order).
    sampled: list[Proposal] = []
    for pair in types:
        ranked = sorted(by_type[pair], key=lambda p: (-p.gain, p.sentence, p.arc.start, p.arc.end))
        sampled.extend(ranked[: weights.samples])
    pairs: list[tuple[str, str]] = []  # (window, the window with the candidate)
    for p in sampled:
        lattice = lattices[p.sentence]
        start, end = window(text, lattice, p.arc, weights.left, weights.right)
        tokens = lattice.sentence.tokens
        begin, finish = tokens[p.arc.start].start - start, tokens[p.arc.end - 1].end - start
        piece = text[start:end]
        edit = Edit(begin, finish, piece[begin:finish], p.candidate.text, 0.0)
        previous = lattices[p.sentence - 1].sentence.tokens if p.sentence else ()
        near = _reads_before(start == tokens[0].start, p.arc.start)
        before = context_before(text, previous, start) if near else ""
        pairs.append((before + piece, before + apply_edits(piece, [edit])))
    own = {_key(p): gain for p, gain in zip(sampled, _distinct_gains(scorer, pairs), strict=True)}
    judgements = []
    type_gain: dict[tuple[str, str], float] = {}
    for pair in types:
        found = by_type[pair]
        gains = [own[key] for key in (_key(p) for p in found) if key in own]
        type_gain[pair] = sum(gains) / len(gains)
        ngram_gain = sum(p.gain for p in found) / len(found)
        judgements.append(Judgement(pair[0], pair[1], type_gain[pair], ngram_gain, len(found), len(gains)))
    # Each occurrence of a judged type, scored; a spun span takes its best positive candidate.
    best: dict[tuple[int, int, int], tuple[float, Proposal]] = {}
    judged_spans: set[tuple[int, int, int]] = set()
    for pair in types:
        for p in by_type[pair]:
            span = (p.sentence, p.arc.start, p.arc.end)
            judged_spans.add(span)
            neural = own.get(_key(p), type_gain[pair])
            score = neural + weights.decoder_weight * (p.gain - weights.proposal_penalty) - weights.threshold
            if score > 0 and (span not in best or score > best[span][0]):
                best[span] = (score, p)
    pinned = [_pinned(s, lattice, judged_spans, best) for s, lattice in enumerate(lattices)]
    decided = {span: score for span, (score, _) in best.items()}
    return Teaching(pinned, tuple(judgements), decided)


def _distinct_gains(scorer: SentenceScorer, pairs: Sequence[tuple[str, str]]) -> list[float]:
    """The neural log10 gain of each (window, variant), each distinct pair scored once."""
    distinct = list(dict.fromkeys(pairs))
    gains = dict(zip(distinct, pair_gains(scorer, distinct), strict=True))
    return [gains[pair] for pair in pairs]


def _key(p: Proposal) -> tuple[int, int, int, str]:
    return (p.sentence, p.arc.start, p.arc.end, p.original)


def _pinned(
    sentence: int,
    lattice: Lattice,
    judged: set[tuple[int, int, int]],
    best: dict[tuple[int, int, int], tuple[float, Proposal]],
) -> Lattice:
    """``lattice`` with the teacher's decisions: the best non-overlapping decided spans pinned
    (their original alone, with :data:`PIN` added), arcs overlapping them and judged spans
    without a decision removed, the rest as they were. The same object when nothing was judged."""
    decided = [(score, p) for (s, _, _), (score, p) in best.items() if s == sentence]
    spans = [(start, end) for s, start, end in judged if s == sentence]
    if not spans:
        return lattice
    pins: list[Proposal] = []
    for _, p in sorted(decided, key=lambda item: (-item[0], item[1].arc.start, item[1].arc.end)):
        if all(p.arc.end <= q.arc.start or q.arc.end <= p.arc.start for q in pins):
            pins.append(p)
    arcs: list[Arc] = []
    for arc in lattice.arcs:
        pin = next((p for p in pins if (p.arc.start, p.arc.end) == (arc.start, arc.end)), None)
        if pin is not None:
            pinned = replace(pin.candidate, logprob=pin.candidate.logprob + PIN)
            arcs.append(Arc(arc.start, arc.end, (pinned,)))
        elif (arc.start, arc.end) in spans or any(
            not (arc.end <= p.arc.start or p.arc.end <= arc.start) for p in pins
        ):
            continue
        else:
            arcs.append(arc)
    return Lattice(lattice.sentence, tuple(arcs))


# A feed's teacher judges at most this many pair types (its most probable by the pair model), so
# its neural cost is bounded whatever the feed's length.
FEED_TYPES = 400
# Originals per spun form it judges, and the occurrences a type must be expected to restore to be
# judged: its pair-model posterior × its spun form's count (a form seen 4 times at posterior 0.025
# is worth judging: "calls for" → demands in the seed article; docs/experiments.md, "Judging
# recurring forms"). A form's second and third originals are judged only at a posterior of at
# least FEED_ORIGINAL_RATIO × its best's: the teacher seldom prefers those far below, and the
# cost they save pays for judging forms down to posterior 0.03 (docs/experiments.md, "More forms,
# fewer originals").
FEED_ORIGINALS = 3
FEED_MIN_PROBABILITY = 0.03
FEED_ORIGINAL_RATIO = 0.5
# The most a type's displacement adds to its score (log10): in a long feed the shortfall of a
# frequent word grows without bound, but it says which word went missing, not that this form is
# where it went (docs/experiments.md, "The feed's word counts in the teacher").
FREQUENCY_CAP = 2.0
# A single document's teacher (each form judged in the one document it occurs in) judges up to
# this many types per word of it when that is more: its cost stays per word, and the forms of a
# long article are not left to the n-gram decoder (a 1,000-word article proposes ~290 types, one
# of 3,800 words ~1,000; docs/experiments.md, "Long articles").
DOCUMENT_TYPES_PER_WORD = 0.5


def types_judged(words: int, single_document: bool) -> int:
    """How many pair types the teacher judges at most in a feed of ``words`` words, or in one
    document of that length."""
    return max(FEED_TYPES, int(words * DOCUMENT_TYPES_PER_WORD)) if single_document else FEED_TYPES


@dataclass(frozen=True, slots=True)
class Window:
    """One occurrence of a spun form as the teacher reads it: ``left`` + ``span`` + ``right`` is
    its sentence's text from the window's start to a few words after the span; ``before`` is the
    end of the sentence before it where the span is near its sentence's start (else empty, see
    :data:`START_NEAR`), which the neural LM reads first and nothing else does."""

    before: str
    left: str
    span: str
    right: str

    def text(self, span: str | None = None) -> str:
        """What the neural LM scores, with ``span`` in place of the spun one."""
        return self.before + self.left + (self.span if span is None else span) + self.right


# A span within START_NEAR tokens of its window's start, when the window starts at its
# sentence's, is read after the end of the sentence before (:func:`verify.context_before`): right
# after its beginning-of-text token a neural LM expects the first word of a document, so it would
# judge a sentence-initial swap by how common each word is at the top of a document rather than
# in the text (docs/experiments.md, "The sentence before": 6 beat 3 on every profile; every
# window cost the thesaurus-drawing profiles).
START_NEAR = 6


def _reads_before(from_start: bool, span: int) -> bool:
    """Whether a window (``from_start``: from its sentence's start) whose span starts at the
    sentence's token ``span`` is read after the sentence before (see :data:`START_NEAR`)."""
    return from_start and span < START_NEAR


def feed_windows(
    texts: Iterable[str], forms: set[str], samples: int, left: int, right: int
) -> dict[str, list[Window]]:
    """Up to ``samples`` occurrences of each spun form (lowercase, words joined by spaces) in feed
    order, each as a :class:`Window` of ``left`` tokens before the span (0: from the sentence's
    start) and ``right`` after (0: to its end); reading stops once every form has its samples.
    Only sentence splitting: no lattice is built."""
    found: dict[str, list[Window]] = {form: [] for form in forms}
    longest = max((len(form.split(" ")) for form in forms), default=0)
    missing = len(forms)
    for text in texts if forms else ():
        previous: tuple[Token, ...] = ()
        for sentence in split_sentences(text):
            tokens = sentence.tokens
            lowered = [w.lower() for w in sentence.words]
            for i in range(len(lowered)):
                for n in range(1, min(longest, len(lowered) - i) + 1):
                    held = found.get(" ".join(lowered[i : i + n]))
                    if held is None or len(held) >= samples:
                        continue
                    first = max(0, i - left) if left else 0
                    start = tokens[first].start
                    end = tokens[min(len(tokens), i + n + right) - 1 if right else -1].end
                    span_start, span_end = tokens[i].start, tokens[i + n - 1].end
                    before = context_before(text, previous, start) if _reads_before(first == 0, i) else ""
                    pieces = text[start:span_start], text[span_start:span_end], text[span_end:end]
                    held.append(Window(before, *pieces))
                    missing -= len(held) == samples
            previous = tokens
        if missing == 0:
            break  # before asking for another text: the feed is not read further
    return found


# A teacher as steps: it yields the (window, variant) pairs whose neural gains it needs next, is
# sent those gains, and returns its decisions (:func:`run_together` answers several at once).
TeacherSteps = Generator[list[tuple[str, str]], list[float], list[PairDecision]]


def teach_feed(
    judged: Sequence[PairDecision],
    texts: Iterable[str],
    scorer: SentenceScorer,
    weights: TeacherWeights,
    max_types: int = FEED_TYPES,
    keep_rejected: bool = True,
    ngram: Callable[[str], float] | None = None,
    displacement: Callable[[str, str], float] | None = None,
) -> list[PairDecision]:
    """A feed's pair decisions by the neural teacher: of the pair model's judgements of every type
    (:func:`corrector.restore.pairs.judge_pairs`), the ``max_types`` most probable of each
    form's :func:`originals_to_judge` are scored at ``samples`` occurrences each, found by a
    second read of ``texts``; a type scores its mean neural gain + decoder_weight · (mean n-gram gain −
    proposal penalty) − threshold, + frequency_weight · its ``displacement(spun, original)`` (the
    scope's evidence that the spinner moved the original's occurrences to the spun form:
    :meth:`~corrector.restore.pairs.FrequencyPrior.displacement`, at most :data:`FREQUENCY_CAP`),
    which a fluent swap the neural LM barely tells apart ("stated" for "said") needs. Each
    judged spun form gets one decision: of its types that score above 0, the one the channel
    prefers (the best score + :data:`CHOICE_CHANNEL_WEIGHT` × its channel log-prob), with
    probability 1 / (1 + 10^−score) (the margin as log10 odds), else,
    with ``keep_rejected`` and when every occurrence of the form was scored, the form itself (a
    *kept* form, :attr:`~corrector.restore.pairs.PairDecision.kept`: no original fits better, so
    the n-gram decoder must not change it either), with probability 1 / (1 + 10^score). Best
    first, as :func:`~corrector.restore.pairs.decisions` orders them. ``ngram``: the n-gram LM's
    log10 probability of a window's text (from its sentence's start, no end), with which the
    second judgement also measures the n-gram gain in the restored windows."""
    steps = teach_feed_steps(judged, texts, weights, max_types, keep_rejected, ngram, displacement)
    return run_together([steps], scorer)[0]


def originals_to_judge(
    judged: Iterable[PairDecision], most: int | None = None
) -> dict[str, list[PairDecision]]:
    """Per spun form, the originals of the pair model's judgements that the teacher scores, most
    probable first: at most ``most`` (default :data:`FEED_ORIGINALS`), each worth its neural
    cost (posterior × the form's count ≥ :data:`FEED_MIN_PROBABILITY`) and at least
    :data:`FEED_ORIGINAL_RATIO` × as probable as the form's best (a form may hold none); and the
    first original the curated rules list for a form whenever it is worth its cost, whatever its
    rank (:func:`_listed_first`): the n-gram evidence ranks a spinner's known source below others
    ("time period" → term below period, time and year; "prime" → top below first, "chief" →
    leader below head), and the choice among what passes prefers it (by its channel, and where
    the rules list several, by :func:`_rules_first` too: :func:`decided_type`)."""
    most = FEED_ORIGINALS if most is None else most
    per_form: dict[str, list[PairDecision]] = {}
    for d in sorted(judged, key=lambda d: (-d.probability, -d.occurrences, d.spun, d.original)):
        # A decision applies at every occurrence of its form: the restorations it is expected to
        # make (posterior × count) decide whether a type is worth its neural cost.
        worth = d.probability * d.spun_count >= FEED_MIN_PROBABILITY
        held = per_form.setdefault(d.spun, [])  # best first
        near_best = not held or d.probability >= FEED_ORIGINAL_RATIO * held[0].probability
        if worth and ((near_best and len(held) < most) or _listed_first(d)):
            held.append(d)
    return per_form


def teach_feed_steps(
    judged: Sequence[PairDecision],
    texts: Iterable[str],
    weights: TeacherWeights,
    max_types: int = FEED_TYPES,
    keep_rejected: bool = True,
    ngram: Callable[[str], float] | None = None,
    displacement: Callable[[str, str], float] | None = None,
) -> TeacherSteps:
    """:func:`teach_feed` as steps (:data:`TeacherSteps`), for :func:`run_together`."""
    candidates = sorted(
        (d for ds in originals_to_judge(judged).values() for d in ds),
        key=lambda d: (-d.probability, -d.occurrences, d.spun, d.original),
    )[:max_types]
    if not candidates:
        return []
    windows = feed_windows(texts, {d.spun for d in candidates}, weights.samples, weights.left, weights.right)
    scored: dict[tuple[str, str], float] = {}  # (window, variant) → neural gain
    gains = yield from _window_gains(candidates, windows, scored)
    frequency = {
        (d.spun, d.original): weights.frequency_weight * min(displacement(d.spun, d.original), FREQUENCY_CAP)
        for d in candidates
    } if displacement is not None and weights.frequency_weight > 0 else {}
    best = _best_types(candidates, gains, weights, frequency=frequency)
    # Again where the context may turn a decision: a contested form's types in windows whose
    # other spun forms the teacher confidently restored, so that a swap is read beside the wire
    # text's words rather than beside other spinner words (docs/experiments.md, "Judging again
    # in restored context"), and beside its contested neighbours' best originals. A decision
    # turned there may turn its neighbours', so until the contexts stop changing.
    shifts: dict[tuple[str, str], float] = {}
    read: tuple[dict[str, str], dict[str, str]] | None = None
    for _ in range(CONTEXT_ROUNDS):
        restored = {form: d.original for form, (score, d) in best.items() if score > CONTEXT_MIN_SCORE}
        contested = {form: d.original for form, (score, d) in best.items() if abs(score) < CONTEXT_MARGIN}
        if not contested or not (restored or len(contested) > 1) or (restored, contested) == read:
            break
        read = (restored, contested)
        again = [d for d in candidates if d.spun in contested]
        # Contested forms next to each other are read together: each beside the other's best
        # original ("army battle": military alone +1.3 log10, conflict alone +1.2, both +4.9).
        around = _restored_windows(windows, contested, _restorer(restored), _restorer(contested))
        gains.update((yield from _window_gains(again, around, scored)))
        # The n-gram part too: pass 1 measured its gain beside the spinner's other words.
        if ngram is not None:
            shifts.update(_context_shifts(again, windows, around, ngram))
        best = _best_types(candidates, gains, weights, shifts, frequency)
    decided = []
    for score, d in best.values():
        if score > 0:
            decided.append(replace(d, probability=1.0 / (1.0 + 10.0 ** -score)))
        elif keep_rejected and d.spun_count <= weights.samples:
            # No original beat the spun form at any of its occurrences: it stays (a kept form).
            # A form with unjudged occurrences is left to the n-gram decoder there.
            kept = replace(d, original=d.spun, original_count=d.spun_count)
            decided.append(replace(kept, probability=1.0 / (1.0 + 10.0**score)))
    return sorted(decided, key=lambda d: (-d.probability, -d.occurrences, d.spun, d.original))


# The second judgement: spun forms the teacher restores with a score above CONTEXT_MIN_SCORE
# (log10 odds) are restored in the windows of the forms it decided within CONTEXT_MARGIN of 0
# (0: no second judgement), which are judged again there when a restored form lies within
# CONTEXT_NEAR tokens before the span or after it (the near words decide most of a fit, and a
# window run again costs its whole forward pass).
CONTEXT_MIN_SCORE = 1.0
CONTEXT_MARGIN = 2.0
CONTEXT_NEAR = 4
# ... and the other contested forms within CONTEXT_ADJACENT tokens of the span are read with their
# best original (a spinner swaps neighbours together: "essential second" ← critical moment). 2
# beat 1 and 3 over the profiles and the real articles (docs/experiments.md, "Neighbours read
# together").
CONTEXT_ADJACENT = 2
# Judgements in restored context, at most: a decision turned there may turn its neighbours'. The
# contexts settled by the third on every profile; a round asks only windows not yet scored, and
# the rounds stop once the contexts stop changing (docs/experiments.md, "Neighbours read together").
CONTEXT_ROUNDS = 3


def _tail(text: str, words: int) -> str:
    """The end of ``text`` from its ``words``-th last token on (all of it when shorter)."""
    tokens = tokenize(text)
    return text[tokens[-words].start :] if 0 < words < len(tokens) else text


def _restored_windows(
    windows: dict[str, list[Window]],
    forms: Iterable[str],
    restore: Callable[[str, str], str],
    beside: Callable[[str, str], str],
) -> dict[str, list[Window]]:
    """The windows of ``forms`` with their context restored (``restore``: the forms decided with
    confidence; ``beside``: the contested forms' best originals, within :data:`CONTEXT_ADJACENT`
    tokens of the span only) where a restored form lies within :data:`CONTEXT_NEAR` tokens before
    the span or anywhere after it, else as spun; the sentence before stays as it is."""
    out: dict[str, list[Window]] = {}
    for form in forms:
        out[form] = []
        for w in windows[form]:
            near = _tail(w.left, CONTEXT_NEAR)
            after = _context(w.right, form, restore, beside, before_span=False)
            if after != w.right or _context(near, form, restore, beside, before_span=True) != near:
                w = replace(w, left=_context(w.left, form, restore, beside, before_span=True), right=after)
            out[form].append(w)
    return out


def _context(
    text: str,
    form: str,
    restore: Callable[[str, str], str],
    beside: Callable[[str, str], str],
    before_span: bool,
) -> str:
    """A window's context of ``form`` (the text before its span, or after it) with the forms of
    ``restore`` restored, and those of ``beside`` within :data:`CONTEXT_ADJACENT` tokens of the
    span (see :func:`_restored_windows`)."""
    text = restore(text, form)
    tokens = tokenize(text)
    if before_span:
        at = tokens[-CONTEXT_ADJACENT].start if len(tokens) > CONTEXT_ADJACENT else 0
        return text[:at] + beside(text[at:], form)
    at = tokens[CONTEXT_ADJACENT - 1].end if len(tokens) > CONTEXT_ADJACENT else len(text)
    return beside(text[:at], form) + text[at:]


def _window_gains(
    candidates: Sequence[PairDecision],
    windows: dict[str, list[Window]],
    scored: dict[tuple[str, str], float],
) -> Generator[list[tuple[str, str]], list[float], dict[tuple[str, str], list[float]]]:
    """(spun, original) → the type's neural gain at each of its form's ``windows`` (as found, or
    :func:`_restored_windows`). ``scored`` holds the (window, variant) pairs measured so far: each
    is scored once, the new ones asked for in one step."""
    variants: list[tuple[PairDecision, tuple[str, str]]] = []
    for d in candidates:
        for w in windows[d.spun]:
            variants.append((d, (w.text(), w.text(_cased(d.original, w.span)))))
    fresh = list(dict.fromkeys(pair for _, pair in variants if pair not in scored))
    if fresh:
        scored.update(zip(fresh, (yield fresh), strict=True))
    gains: dict[tuple[str, str], list[float]] = {}
    for d, pair in variants:
        gains.setdefault((d.spun, d.original), []).append(scored[pair])
    return gains


def run_together(teachers: Sequence[TeacherSteps], scorer: SentenceScorer) -> list[list[PairDecision]]:
    """The decisions of each teacher, run side by side: each round, the pairs all of them ask for
    are scored in one call, in the teachers' order (each distinct pair once), and each is sent its
    own gains. One document's teacher asks a few dozen short windows, too few to fill the neural
    LM's matrices, whose weights then cost more to read than to multiply; several documents' at
    once run ~1.7× faster (docs/speed.md, "Documents judged together"). The floats depend on
    which teachers share a call, so callers batch by the input alone."""
    results: list[list[PairDecision]] = [[] for _ in teachers]
    asked: dict[int, list[tuple[str, str]]] = {}

    def advance(i: int, gains: list[float] | None) -> None:
        try:
            asked[i] = teachers[i].send(gains)  # type: ignore[arg-type]  # None starts it
        except StopIteration as done:
            results[i] = done.value

    for i in range(len(teachers)):
        advance(i, None)
    while asked:
        current, asked = asked, {}
        order = sorted(current)
        gains = iter(_distinct_gains(scorer, [pair for i in order for pair in current[i]]))
        for i in order:
            advance(i, [next(gains) for _ in current[i]])
    return results


def _context_shifts(
    candidates: Sequence[PairDecision],
    spun: dict[str, list[Window]],
    around: dict[str, list[Window]],
    ngram: Callable[[str], float],
) -> dict[tuple[str, str], float]:
    """(spun, original) → how much the type's n-gram gain changes, on average over its windows,
    from the spun context (``spun``) to the restored one (``around``; 0 where nothing near was
    restored): what pass 1's gain, measured beside the spinner's other words, misses."""
    scored: dict[str, float] = {}  # window text → n-gram log10 P (a form's originals share them)

    def logprob(text: str) -> float:
        if text not in scored:
            scored[text] = ngram(text)
        return scored[text]

    shifts: dict[tuple[str, str], float] = {}
    for d in candidates:
        changes = []
        for w, new in zip(spun[d.spun], around[d.spun], strict=True):
            if new == w:
                changes.append(0.0)
                continue
            original = _cased(d.original, w.span)
            spun_gain = logprob(w.left + original + w.right) - logprob(w.left + w.span + w.right)
            restored_gain = logprob(new.left + original + new.right) - logprob(new.left + w.span + new.right)
            changes.append(restored_gain - spun_gain)
        if changes:
            shifts[d.spun, d.original] = sum(changes) / len(changes)
    return shifts


# The channel's log-prob weighs this much more than in the score when the teacher chooses among a
# form's originals that pass (docs/experiments.md, "The channel for the choice among originals").
CHOICE_CHANNEL_WEIGHT = 4.0
# The curated rules list a spun form's likeliest original first ("by no means": never, then not;
# "previous yr": past year, then last year); the channel scores every listed original alike as
# curated, so the choice adds this (log10) for the first-listed one (docs/experiments.md, "The
# rules' first original in the choice").
CHOICE_RULES_FIRST = 1.0


def _best_types(
    candidates: Sequence[PairDecision],
    gains: dict[tuple[str, str], list[float]],
    weights: TeacherWeights,
    shifts: dict[tuple[str, str], float] | None = None,
    frequency: dict[tuple[str, str], float] | None = None,
) -> dict[str, tuple[float, PairDecision]]:
    """Spun form → its decided type's score and type (:func:`decided_type`); ``shifts``: what
    the second judgement found the n-gram gain of a type to be in restored context, above pass
    1's; ``frequency``: each type's weighted displacement, added to its score."""
    scored: dict[str, list[tuple[float, PairDecision]]] = {}
    for d in candidates:
        found = gains.get((d.spun, d.original))
        if not found:
            continue
        ngram_gain = d.mean_gain + (shifts or {}).get((d.spun, d.original), 0.0)
        score = (
            sum(found) / len(found)
            + weights.decoder_weight * (ngram_gain - weights.proposal_penalty)
            - weights.threshold
            + (frequency or {}).get((d.spun, d.original), 0.0)
        )
        scored.setdefault(d.spun, []).append((score, d))
    return {form: decided_type(types) for form, types in scored.items()}


class _Channelled(Protocol):
    @property
    def spun(self) -> str: ...
    @property
    def original(self) -> str: ...
    @property
    def channel(self) -> float: ...


TypeT = TypeVar("TypeT", bound=_Channelled)


def decided_type(types: Sequence[tuple[float, TypeT]]) -> tuple[float, TypeT]:
    """Of one spun form's scored types (score, type), the one the teacher decides: of those that
    score above 0, the best score + :data:`CHOICE_CHANNEL_WEIGHT` × its channel log-prob (+
    :data:`CHOICE_RULES_FIRST` for the rules' first original of the form; ties: the higher score,
    then the first type), else the best scoring one."""
    # Both LMs read a fluent word as well as the right one ("vow" → guarantee +3.3 log10,
    # promise +2.0): whether to restore is the score's, which original is more the channel's.
    passing = [
        (score + CHOICE_CHANNEL_WEIGHT * t.channel + _rules_first(t), score, t)
        for score, t in types
        if score > 0
    ]
    if passing:
        _, score, chosen = max(passing, key=lambda item: item[:2])
        return score, chosen
    return max(types, key=lambda item: item[0])


def _rules_first(pair: _Channelled) -> float:
    """:data:`CHOICE_RULES_FIRST` if ``pair``'s original is the first of several the rules list
    for its spun form, else 0. (A form's only rules original needs no bonus in the choice: the
    channel's rules feature already sets it above the thesauri's; among several rules originals
    the channel cannot tell them apart.)"""
    several = len(rules.RULES.get(pair.spun, ())) > 1
    return CHOICE_RULES_FIRST if several and _listed_first(pair) else 0.0


def _listed_first(pair: _Channelled) -> bool:
    """``pair``'s original is the first the rules list for its spun form (looked up as the
    generator does, by the lowercase span key)."""
    return rules.first_original(pair.spun) == pair.original


def _restorer(restored: dict[str, str]) -> Callable[[str, str], str]:
    """A function of (text, own form): ``text`` with every spun form of ``restored`` but ``own``
    replaced by its original, in the spun text's case. Forms are found as :func:`feed_windows`
    finds them (lowercase tokens joined by spaces), the longest first from the left."""
    longest = max((len(form.split(" ")) for form in restored), default=0)

    def restore(text: str, own: str) -> str:
        tokens = tokenize(text)
        lowered = [t.text.lower() for t in tokens]
        replacements = []
        i = 0
        while i < len(tokens):
            for n in range(min(longest, len(tokens) - i), 0, -1):
                form = " ".join(lowered[i : i + n])
                if form != own and form in restored:
                    start, end = tokens[i].start, tokens[i + n - 1].end
                    replacements.append((start, end, _cased(restored[form], text[start:end])))
                    i += n
                    break
            else:
                i += 1
        return splice(text, replacements)

    return restore


def _cased(original: str, spun: str) -> str:
    """``original`` (lowercase) in the spun span's case: all capitals, a capital first, or as is."""
    if spun.isupper() and len(spun) > 1:
        return original.upper()
    if spun[:1].isupper():
        return original[:1].upper() + original[1:]
    return original
