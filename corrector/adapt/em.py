"""Learn a spinner from its output: unsupervised channel adaptation on a feed of spun text.

A spinner applies a fixed dictionary (said→stated, top→prime) to most occurrences of each word.
Given only its output, we estimate the channel P(spun | original) for the edges of the candidate
lattices by expectation–maximisation:

* **Model.** Each original word ``o`` is either kept (probability ``keep(o)``) or replaced by one
  of its spun forms ``s`` (probability ``P(s | o)``); originals follow the LM. A spun sentence is
  the sum over lattice paths of LM · channel.
* **E-step.** Exact forward–backward over each sentence's lattice with a *bigram* view of the
  KenLM model (state = last word): posteriors of every (arc, candidate) and of every kept token
  give expected counts ``c(o→s)`` and ``c(o→keep)``. A trigram state would multiply the lattice
  states by ~10 for little gain (benchmarks/adapt.py measures the bigram E-step end to end).
* **M-step.** Per original, ``θ ∝ counts + α·π`` over {keep} ∪ its observed spun forms, with a
  Dirichlet prior ``π`` built from the generic channel (the candidates' log-probs, normalised
  per original) and from how under-represented ``o`` is in the feed compared with clean news:
  a spinner that rewrites ``said`` 85% of the time leaves ~15% of the expected ``said`` tokens,
  so ``keep(said) ≈ 0.15`` before any lattice is looked at.
* **Deep candidates.** A spinner's favourite replacement is often a rare synonym whose reverse
  list ranks the original low (the generic top 12 miss ~40% of such pairs). Candidates down to
  ``deep_candidates`` enter EM only for originals the frequency prior says are missing from the
  feed; the others stay at θ = 0 and cost the E-step nothing.

Memory is bounded by the parameter table: the feed is read once, compiled lattices are spilled
to a temporary file and streamed back on each iteration, in chunks that worker processes (or Dask
workers, ``engine="dask"``) share; chunk results are added in chunk order, so every engine gives
the same numbers.

The result is a human-readable ``corrector-spinner/1`` JSON file (see :func:`write_spinner`);
:class:`SpinnerChannel` applies it to lattices (the hook the candidate generator calls).
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import json
import logging
import math
import os
import pickle
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any, Protocol

from corrector.files import atomic_file
from corrector.text.lattice import Arc, Candidate, Lattice
from corrector.text.tokens import (
    Sentence,
    apply_case,
    case_pattern,
    detokenize,
    is_word,
    lm_words,
    split_sentences,
)

FORMAT = "corrector-spinner/1"
BOS = "<s>"
_LN10 = math.log(10.0)
# Below this log10 difference a term adds nothing to a log-sum (10^-12 relative).
_NEGLIGIBLE = -12.0
# log10 of a zero channel probability; options at or below _INACTIVE are skipped by the E-step.
_ZERO = -99.0
_INACTIVE = -90.0
# Prior keep probability of a multi-word original ("even though"), which no single token shows.
MULTIWORD_KEEP = 0.5


class LatticeSource(Protocol):
    """What adaptation needs from a candidate generator."""

    def lattices(self, sentences: Sequence[Sentence]) -> list[Lattice]: ...


@dataclass(frozen=True, slots=True)
class AdaptConfig:
    """Settings of :func:`adapt`.

    iterations: EM iterations. prior_strength: Dirichlet pseudo-counts α per original.
    keep_smoothing: pseudo-counts in keep(o) ≈ (feed + k) / (expected + k).
    keep_bounds: the prior keep(o) is clipped to this range.
    max_candidates: candidates per arc used in the E-step (best generic score first).
    deep_candidates: further candidates down to this rank enter the E-step only if their original
    is missing from the feed (prior keep ≤ deep_keep): a spinner's favourite replacement is often a
    rare synonym whose reverse list ranks the original low, and the frequency signal says which
    originals are being rewritten. The generator must produce that many candidates per arc.
    min_count: pairs with fewer expected counts are not written.
    workers: processes for the E-step (1 = a plain loop; with ``engine="dask"`` the LocalCluster
    size). chunk_sentences: sentences per task. engine: ``local`` (this process or a process pool)
    or ``dask`` (chunks as Dask tasks; ``scheduler`` is a cluster address, else a LocalCluster).
    """

    iterations: int = 4
    prior_strength: float = 2.0
    keep_smoothing: float = 5.0
    keep_bounds: tuple[float, float] = (0.02, 0.995)
    max_candidates: int = 12
    deep_candidates: int = 48
    deep_keep: float = 0.5
    min_count: float = 1.0
    workers: int = 1
    chunk_sentences: int = 256
    engine: str = "local"
    scheduler: str | None = None


# --- feed reading ------------------------------------------------------------------------------


def read_feed(
    inputs: str | Path | Sequence[str | Path],
    text_field: str = "text",
    lines: bool = True,
    input_format: str = "auto",
) -> Iterator[str]:
    """The documents of a feed, read as ``corrector correct`` reads its inputs (JSONL and .gz,
    CSV, RSS/Atom, text; files, directories, globs; ``-`` for stdin). A text file is one
    document per line unless ``lines`` is False. Records that cannot be read are skipped: they
    carry no evidence about the spinner."""
    from corrector.batch.readers import read_records

    paths = [str(inputs)] if isinstance(inputs, str | Path) else [str(p) for p in inputs]
    for record in read_records(paths, text_field=text_field, lines=lines, forced_format=input_format):
        if record.text:
            yield record.text


def feed_documents(documents: Iterable[str], limit: int | None = None) -> Iterator[list[Sentence]]:
    """The sentences of each document, stopping after ``limit`` sentences in all."""
    count = 0
    for text in documents:
        sentences = split_sentences(text)
        if limit is not None:
            sentences = sentences[: max(0, limit - count)]
        if sentences:
            count += len(sentences)
            yield sentences
        if limit is not None and count >= limit:
            return


# --- parameters --------------------------------------------------------------------------------


def span_key(words: Sequence[str]) -> str:
    """The lookup key of LM tokens: lowercase, detokenised (``did n't`` → ``didn't``), as the
    candidate generator and learn-pairs tables key spans."""
    return detokenize(lm_words(words, lowercase=True))


class ParamIndex:
    """Dense ids for channel parameters: edges (spun, original) and keep(original).

    Compiled lattices refer to parameters by id, so an iteration ships one float array to the
    workers instead of a dict of strings."""

    def __init__(self) -> None:
        self.edges: dict[tuple[str, str], int] = {}
        self.keeps: dict[str, int] = {}
        self.names: list[tuple[str, str] | str] = []
        # Best generic channel log10 seen for each edge (the prior's shape), and its best rank.
        self.generic: dict[int, float] = {}
        self.rank: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self.names)

    def edge(self, spun: str, original: str, generic_logprob: float, rank: int = 0) -> int:
        key = (spun, original)
        pid = self.edges.get(key)
        if pid is None:
            pid = self.edges[key] = len(self.names)
            self.names.append(key)
            self.generic[pid] = generic_logprob
            self.rank[pid] = rank
        else:
            self.generic[pid] = max(self.generic[pid], generic_logprob)
            self.rank[pid] = min(self.rank[pid], rank)
        return pid

    def keep(self, original: str) -> int:
        pid = self.keeps.get(original)
        if pid is None:
            pid = self.keeps[original] = len(self.names)
            self.names.append(original)
        return pid


# A compiled sentence: words, and per start position the options (end, words, param id).
# Param id -1 means a fixed channel probability of 1 (a token no edge has as original).
Option = tuple[int, tuple[str, ...], int]
CompiledSentence = tuple[tuple[str, ...], tuple[tuple[Option, ...], ...]]


def compile_lattice(lattice: Lattice, params: ParamIndex, max_candidates: int) -> CompiledSentence:
    """The lattice as plain tuples with parameter ids (registers new edges and keeps)."""
    words = lattice.sentence.words
    options: list[list[Option]] = [[] for _ in words]
    for i, word in enumerate(words):
        pid = params.keep(word.lower()) if is_word(word) else -1
        options[i].append((i + 1, (word,), pid))
    for arc in lattice.arcs:
        spun = span_key(words[arc.start : arc.end])
        best = sorted(arc.candidates, key=lambda c: -c.logprob)[:max_candidates]
        for rank, candidate in enumerate(best):
            original = candidate.text.lower()
            if original == spun or not candidate.words:
                continue
            pid = params.edge(spun, original, candidate.logprob, rank)
            options[arc.start].append((arc.end, tuple(candidate.words), pid))
    return tuple(words), tuple(tuple(o) for o in options)


# --- the E-step --------------------------------------------------------------------------------


def _logaddexp10(a: float, b: float) -> float:
    if a < b:
        a, b = b, a
    d = b - a
    if d < _NEGLIGIBLE:
        return a
    return a + math.log10(1.0 + 10.0**d)


class BigramScorer:
    """P(word | previous word) from any KenLM-style model, cached (the E-step's LM view)."""

    def __init__(self, lm: Any, max_cache: int = 2_000_000) -> None:
        self.lm = lm
        self.max_cache = max_cache
        self._states: dict[str, Any] = {BOS: lm.begin_state()}
        self._scores: dict[tuple[str, str], float] = {}
        self._ends: dict[str, float] = {}
        self._columns: dict[str, dict[str, float]] = {}

    def _state(self, word: str) -> Any:
        state = self._states.get(word)
        if state is None:
            if len(self._states) > self.max_cache // 4:
                self._states = {BOS: self._states[BOS]}
            # The state after ``word`` from a null context holds just that word: a bigram context.
            _, state = self.lm.score_word(self.lm.null_state(), word)
            self._states[word] = state
        return state

    def score(self, previous: str, word: str) -> float:
        key = (previous, word)
        hit = self._scores.get(key)
        if hit is None:
            if len(self._scores) > self.max_cache:
                self._scores.clear()
            hit = self.lm.score_word(self._state(previous), word)[0]
            self._scores[key] = hit
        return hit

    def probs(self, previous: Sequence[str], word: str) -> list[float]:
        """P(word | p) (linear) for each p in ``previous``, cached per word: the E-step's inner lookup."""
        table = self._columns.get(word)
        if table is None:
            if len(self._columns) > self.max_cache // 64:
                self._columns.clear()
            table = self._columns[word] = {}
        out = [table.get(p) for p in previous]
        for i, hit in enumerate(out):
            if hit is None:
                out[i] = table[previous[i]] = 10.0 ** self.score(previous[i], word)
        return out  # type: ignore[return-value]

    def end(self, previous: str) -> float:
        hit = self._ends.get(previous)
        if hit is None:
            hit = self._ends[previous] = self.lm.score_end(self._state(previous))
        return hit

    def inner(self, words: tuple[str, ...]) -> float:
        """log10 of words[1:] given words[0] (the part of a span that does not see its left context)."""
        total = 0.0
        for previous, word in itertools.pairwise(words):
            total += self.score(previous, word)
        return total


def forward_backward(
    sentence: CompiledSentence, scorer: BigramScorer, logprobs: Sequence[float]
) -> tuple[float, list[tuple[int, float]]]:
    """log10 P(sentence) under LM × channel, and the posterior of each option's parameter.

    ``logprobs[pid]`` is the current log10 channel probability of parameter ``pid``. The state at
    a position is the last original word (bigram LM), so the recursion is exact for that LM.
    Sums run in linear space with one log10 scale per position (values renormalised to a maximum
    of 1 when a position is expanded), so the inner loops are multiply-adds on cached probabilities.
    """
    words, options = sentence
    n = len(words)
    # Per position: options as (end, first word, last word, linear inner LM × channel, pid).
    steps: list[list[tuple[int, str, str, float, int]]] = []
    for position in range(n):
        row = []
        for end, option_words, pid in options[position]:
            channel = logprobs[pid] if pid >= 0 else 0.0
            if channel <= _INACTIVE:  # θ = 0: an inactive deep candidate
                continue
            fixed = 10.0 ** (scorer.inner(option_words) + channel)
            row.append((end, option_words[0], option_words[-1], fixed, pid))
        steps.append(row)

    # Forward. alpha[p][state] · 10^scale[p] is the probability of the prefix ending in state.
    alpha: list[dict[str, float]] = [{} for _ in range(n + 1)]
    scale = [0.0] * (n + 1)
    started = [False] * (n + 1)
    alpha[0][BOS] = 1.0
    started[0] = True
    # Per position and option: Σ_state alpha · P(first | state), and the per-state terms' factors.
    sums: list[list[float]] = []
    transitions: list[list[list[float]]] = []
    for position in range(n):
        current = alpha[position]
        top = max(current.values())
        if top > 0.0 and top != 1.0:
            for state in current:
                current[state] /= top
            scale[position] += math.log10(top)
        names, values = list(current), list(current.values())
        row_sums: list[float] = []
        row_probs: list[list[float]] = []
        for end, first, last, fixed, _ in steps[position]:
            probs = scorer.probs(names, first)
            total = sum(value * prob for value, prob in zip(values, probs, strict=True))
            row_sums.append(total)
            row_probs.append(probs)
            if not started[end]:
                started[end] = True
                scale[end] = scale[position]
                factor = 1.0
            else:
                factor = 10.0 ** (scale[position] - scale[end])
            target = alpha[end]
            target[last] = target.get(last, 0.0) + total * fixed * factor
        sums.append(row_sums)
        transitions.append(row_probs)

    ends = {state: 10.0 ** scorer.end(state) for state in alpha[n]}
    final = sum(value * ends[state] for state, value in alpha[n].items())
    total_log = scale[n] + math.log10(final)

    # Backward. beta[p][state] · 10^bscale[p] is the probability of the rest given the state.
    beta: list[dict[str, float]] = [{} for _ in range(n + 1)]
    bscale = [0.0] * (n + 1)
    top = max(ends.values())
    beta[n] = {state: value / top for state, value in ends.items()}
    bscale[n] = math.log10(top)
    posteriors: list[tuple[int, float]] = []
    for position in range(n - 1, -1, -1):
        states = list(alpha[position])
        current = dict.fromkeys(states, 0.0)
        reference = bscale[position + 1]  # the kept token's option always ends there
        for (end, _, last, fixed, pid), total, probs in zip(
            steps[position], sums[position], transitions[position], strict=True
        ):
            after = beta[end].get(last)
            if after is None:
                continue
            weight = fixed * after * 10.0 ** (bscale[end] - reference)
            for state, prob in zip(states, probs, strict=True):
                current[state] += prob * weight
            if pid >= 0 and total > 0.0:
                exponent = scale[position] + reference - total_log
                mass = total * weight * 10.0**exponent
                if mass > 10.0**_NEGLIGIBLE:
                    posteriors.append((pid, mass))
        top = max(current.values())
        if top > 0.0:
            for state in current:
                current[state] /= top
            bscale[position] = reference + math.log10(top)
        else:
            bscale[position] = reference
        beta[position] = current
    posteriors.reverse()
    return total_log, posteriors


@dataclass(slots=True)
class EStepResult:
    """Expected counts per parameter id, feed log10-likelihood and sizes."""

    counts: dict[int, float] = field(default_factory=dict)
    loglik: float = 0.0
    sentences: int = 0
    tokens: int = 0

    def add(self, other: EStepResult) -> None:
        for pid, value in other.counts.items():
            self.counts[pid] = self.counts.get(pid, 0.0) + value
        self.loglik += other.loglik
        self.sentences += other.sentences
        self.tokens += other.tokens


def e_step_chunk(
    chunk: Sequence[CompiledSentence], scorer: BigramScorer, logprobs: Sequence[float]
) -> EStepResult:
    result = EStepResult()
    counts = result.counts
    for sentence in chunk:
        loglik, posteriors = forward_backward(sentence, scorer, logprobs)
        result.loglik += loglik
        result.sentences += 1
        result.tokens += len(sentence[0]) + 1
        for pid, mass in posteriors:
            counts[pid] = counts.get(pid, 0.0) + mass
    return result


# Worker-process globals: set once per iteration by the pool initializer, never pickled per task.
_WORKER: dict[str, Any] = {}


def _init_worker(lm_path: str, logprobs: Sequence[float]) -> None:
    from corrector.lm.kenlm import load_language_model

    _WORKER["scorer"] = BigramScorer(load_language_model(lm_path))
    _WORKER["logprobs"] = logprobs


def _worker_chunk(chunk: Sequence[CompiledSentence]) -> EStepResult:
    return e_step_chunk(chunk, _WORKER["scorer"], _WORKER["logprobs"])


# Dask worker processes: one LM per process (loaded on first use), one scorer cache per thread.
_DASK_LMS: dict[str, Any] = {}
_DASK_LOCK = threading.Lock()
_DASK_LOCAL = threading.local()


def _dask_scorer(lm_path: str) -> BigramScorer:
    scorers: dict[str, BigramScorer] = _DASK_LOCAL.__dict__.setdefault("scorers", {})
    scorer = scorers.get(lm_path)
    if scorer is None:
        with _DASK_LOCK:
            lm = _DASK_LMS.get(lm_path)
            if lm is None:
                from corrector.lm.kenlm import load_language_model

                lm = _DASK_LMS[lm_path] = load_language_model(lm_path)
        scorer = scorers[lm_path] = BigramScorer(lm)
    return scorer


def _dask_preload(lm_path: str) -> bool:
    _dask_scorer(lm_path)
    return True


def _dask_chunk(lm_path: str, logprobs: Sequence[float], chunk: Sequence[CompiledSentence]) -> EStepResult:
    return e_step_chunk(chunk, _dask_scorer(lm_path), logprobs)


# --- spilling compiled lattices ----------------------------------------------------------------


class Spill:
    """Compiled lattices in a temporary file, written once, read back chunk by chunk."""

    def __init__(self, directory: str | None = None) -> None:
        handle, name = tempfile.mkstemp(prefix="corrector-adapt-", suffix=".pkl", dir=directory)
        os.close(handle)
        self.path = Path(name)
        self.chunks = 0
        self._writer: IO[bytes] | None = open(self.path, "wb")  # noqa: SIM115 (closed by close_writer)

    def write(self, chunk: list[CompiledSentence]) -> None:
        assert self._writer is not None
        pickle.dump(chunk, self._writer, protocol=5)
        self.chunks += 1

    def close_writer(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def __iter__(self) -> Iterator[list[CompiledSentence]]:
        with open(self.path, "rb") as f:
            for _ in range(self.chunks):
                yield pickle.load(f)

    def remove(self) -> None:
        self.close_writer()
        self.path.unlink(missing_ok=True)


# --- priors and the M-step ---------------------------------------------------------------------


def clean_unigrams(corpus: str | Path) -> tuple[Counter[str], int]:
    """Lowercase word counts of a clean corpus (one tokenised sentence per line) and the total."""
    counts: Counter[str] = Counter()
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            counts.update(w.lower() for w in line.split() if is_word(w))
    return counts, sum(counts.values())


class CleanFrequency:
    """Relative frequency of a lowercase word in clean news: corpus counts, or wordfreq."""

    def __init__(self, counts: Counter[str] | None = None, total: int = 0) -> None:
        self.counts = counts
        self.total = total

    def __call__(self, word: str) -> float:
        if self.counts is not None:
            return self.counts.get(word, 0) / max(self.total, 1)
        from wordfreq import word_frequency

        return word_frequency(word, "en")


@dataclass(slots=True)
class Channel:
    """The channel being estimated: per original, keep and spun-form probabilities (linear)."""

    params: ParamIndex
    prior: list[float]
    theta: list[float]
    originals: dict[str, list[int]]  # original → its edge ids

    def logprobs(self) -> list[float]:
        return [math.log10(p) if p > 0 else _ZERO for p in self.theta]


def build_prior(
    params: ParamIndex, feed_counts: Counter[str], feed_words: int, clean: CleanFrequency, config: AdaptConfig
) -> Channel:
    """π per original: keep from under-representation in the feed, spin mass shared by the generic channel."""
    originals: dict[str, list[int]] = {}
    for (_, original), pid in params.edges.items():
        originals.setdefault(original, []).append(pid)
    prior = [0.0] * len(params)
    low, high = config.keep_bounds
    k = config.keep_smoothing
    for original, pid in params.keeps.items():
        prior[pid] = 1.0  # a token no edge explains is kept with certainty
        if original in originals:
            expected = feed_words * clean(original)
            prior[pid] = min(high, max(low, (feed_counts.get(original, 0) + k) / (expected + k)))
    for original, edge_ids in originals.items():
        keep_id = params.keeps.get(original)
        keep = prior[keep_id] if keep_id is not None else high
        if keep_id is None:  # multi-word originals are never seen as single kept tokens
            keep = MULTIWORD_KEEP
        # Deep candidates stay at θ = 0 (skipped by the E-step) unless the original is missing.
        deep_ok = keep_id is not None and keep <= config.deep_keep
        active = [pid for pid in edge_ids if deep_ok or params.rank[pid] < config.max_candidates]
        if not active:
            continue
        weights = [10.0 ** params.generic[pid] for pid in active]
        scale = (1.0 - keep) / sum(weights)
        for pid, weight in zip(active, weights, strict=True):
            prior[pid] = weight * scale
    return Channel(params, prior, list(prior), originals)


def m_step(channel: Channel, counts: dict[int, float], alpha: float) -> None:
    """θ ∝ expected counts + α·π, per original over {keep} ∪ its spun forms."""
    params, prior, theta = channel.params, channel.prior, channel.theta
    for original, edge_ids in channel.originals.items():
        keep_id = params.keeps.get(original)
        ids = edge_ids + ([keep_id] if keep_id is not None else [])
        mass = {pid: counts.get(pid, 0.0) + alpha * prior[pid] for pid in ids}
        total = sum(mass.values())
        # Multi-word originals have no keep parameter: their spun forms share the prior spin mass.
        scale = 1.0 if keep_id is not None else sum(prior[pid] for pid in edge_ids)
        for pid, value in mass.items():
            theta[pid] = scale * value / total if total > 0 else prior[pid]


# --- the EM driver -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IterationReport:
    iteration: int
    loglik: float
    tokens: int
    seconds: float
    top_pairs: tuple[tuple[str, str, float, float], ...]

    @property
    def perplexity(self) -> float:
        return 10.0 ** (-self.loglik / max(self.tokens, 1))


@dataclass(slots=True)
class AdaptResult:
    """What :func:`adapt` learned: the channel, its expected counts and per-iteration reports."""

    channel: Channel
    counts: dict[int, float]
    iterations: list[IterationReport]
    sentences: int
    feed_words: int
    config: AdaptConfig

    def pairs(self, min_count: float | None = None) -> list[dict[str, Any]]:
        """Learned pairs with expected count ≥ ``min_count``, most frequent first."""
        threshold = self.config.min_count if min_count is None else min_count
        params, theta, prior = self.channel.params, self.channel.theta, self.channel.prior
        out = []
        for (spun, original), pid in params.edges.items():
            count = self.counts.get(pid, 0.0)
            if count >= threshold:
                out.append(
                    {
                        "spun": spun,
                        "original": original,
                        "prob": theta[pid],
                        "count": count,
                        "prior": prior[pid],
                    }
                )
        out.sort(key=lambda p: (-p["count"], p["spun"], p["original"]))
        return out

    def keeps(self) -> dict[str, dict[str, float]]:
        """keep(original) for originals with a written pair."""
        params, theta = self.channel.params, self.channel.theta
        written = {p["original"] for p in self.pairs()}
        return {
            o: {"keep": theta[params.keeps[o]], "count": self.counts.get(params.keeps[o], 0.0)}
            for o in sorted(written)
            if o in params.keeps
        }


def _top_pairs(
    channel: Channel, counts: dict[int, float], n: int
) -> tuple[tuple[str, str, float, float], ...]:
    ranked = sorted(channel.params.edges.items(), key=lambda kv: -counts.get(kv[1], 0.0))[:n]
    return tuple((s, o, channel.theta[pid], counts.get(pid, 0.0)) for (s, o), pid in ranked)


class EStepEngine(Protocol):
    """Runs one E-step: the chunks of ``spill`` under ``logprobs``, reduced with :meth:`EStepResult.add`
    in chunk order (so every engine gives the same floating-point sums)."""

    def e_step(self, spill: Spill, logprobs: list[float]) -> EStepResult: ...


@dataclass(slots=True)
class LocalEngine:
    """A plain loop in this process (``workers == 1``), or a process pool that loads the LM from
    ``lm_path`` once per worker per iteration (its initializer also hands over θ once)."""

    lm: Any
    lm_path: str | None = None
    workers: int = 1

    def e_step(self, spill: Spill, logprobs: list[float]) -> EStepResult:
        total = EStepResult()
        if self.workers <= 1 or self.lm_path is None:
            scorer = BigramScorer(self.lm)
            for chunk in spill:
                total.add(e_step_chunk(chunk, scorer, logprobs))
            return total
        import multiprocessing

        # The pool lives for one iteration: its initializer hands every worker this iteration's θ once.
        context = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
        with context.Pool(self.workers, initializer=_init_worker, initargs=(self.lm_path, logprobs)) as pool:
            for result in pool.imap(_worker_chunk, spill, chunksize=1):
                total.add(result)
        return total


@dataclass(slots=True)
class DaskEngine:
    """Chunks as Dask tasks on ``scheduler`` (an address) or on a LocalCluster of ``workers``
    single-threaded processes; use as a context manager (one cluster for all iterations).

    Workers get the LM's path, never a model: each worker process loads it once (eagerly for the
    workers present at start, on first use for workers that join later), so the path must be
    readable at the same place on every machine. θ is broadcast once per iteration; the client reads
    the spilled lattices and keeps at most ``in_flight_per_worker`` chunks per worker thread queued.
    """

    lm_path: str
    workers: int = 2
    scheduler: str | None = None
    in_flight_per_worker: int = 3
    _stack: contextlib.ExitStack | None = None
    _client: Any = None

    def __enter__(self) -> DaskEngine:
        from corrector.batch.executors import import_distributed

        distributed = import_distributed()
        self._stack = contextlib.ExitStack()
        try:
            if self.scheduler:
                self._client = self._stack.enter_context(distributed.Client(self.scheduler))
            else:
                cluster = self._stack.enter_context(
                    distributed.LocalCluster(
                        n_workers=max(1, self.workers),
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=None,
                        silence_logs=logging.ERROR,
                    )
                )
                self._client = self._stack.enter_context(distributed.Client(cluster))
            self._client.run(_dask_preload, self.lm_path)
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self._stack is not None:
            self._stack.close()
        self._stack = self._client = None

    def e_step(self, spill: Spill, logprobs: list[float]) -> EStepResult:
        client = self._client
        if client is None:
            raise RuntimeError("DaskEngine is used outside its `with` block")
        shared = client.scatter(logprobs, broadcast=True, hash=False)
        window = (sum(client.nthreads().values()) or 1) * self.in_flight_per_worker
        pending: collections.deque[Any] = collections.deque()
        total = EStepResult()
        for chunk in spill:
            pending.append(client.submit(_dask_chunk, self.lm_path, shared, chunk, pure=False))
            if len(pending) >= window:
                total.add(pending.popleft().result())
        while pending:
            total.add(pending.popleft().result())
        del shared
        return total


@contextlib.contextmanager
def e_step_engine(config: AdaptConfig, lm: Any, lm_path: str | None) -> Iterator[EStepEngine]:
    """The engine for ``config.engine`` (``local`` or ``dask``), open for the whole EM run."""
    check_engine(config, lm_path)
    if config.engine == "dask":
        assert lm_path is not None
        with DaskEngine(str(Path(lm_path).resolve()), config.workers, config.scheduler) as engine:
            yield engine
        return
    yield LocalEngine(lm, lm_path, config.workers)


def check_engine(config: AdaptConfig, lm_path: str | None) -> None:
    """Refuse engine settings that cannot work, before any lattice is built."""
    if config.engine not in ("local", "dask"):
        raise ValueError(f"unknown engine {config.engine!r} (choose local or dask)")
    if config.scheduler and config.engine != "dask":
        raise ValueError("a scheduler address needs the dask engine")
    if config.engine == "dask" and lm_path is None:
        raise ValueError("the dask engine needs the LM's path (workers load it themselves)")


def adapt(
    documents: Iterable[str],
    generator: LatticeSource,
    lm: Any,
    config: AdaptConfig = AdaptConfig(),
    clean: CleanFrequency | None = None,
    lm_path: str | None = None,
    max_sentences: int | None = None,
    log: Callable[[str], None] | None = None,
    on_iteration: Callable[[AdaptResult], None] | None = None,
) -> AdaptResult:
    """EM on the feed's lattices, starting from the generic channel; see the module docstring.

    ``lm`` is a loaded model with ``begin_state``/``null_state``/``score_word``/``score_end``;
    ``lm_path`` lets worker processes load the same model themselves. ``on_iteration`` sees the
    result after each iteration (e.g. to write a checkpoint); it must not keep it, as θ is updated
    in place by the next iteration.
    """
    check_engine(config, lm_path)
    log = log or (lambda _: None)
    clean = clean or CleanFrequency()
    params = ParamIndex()
    feed_counts: Counter[str] = Counter()
    feed_words = 0
    spill = Spill()
    with contextlib.ExitStack() as stack:
        stack.callback(spill.remove)
        started = time.perf_counter()
        chunk: list[CompiledSentence] = []
        sentences = 0
        for document in feed_documents(documents, max_sentences):
            # One generator call per document: its document evidence (repeated spun forms) is per text.
            for lattice in generator.lattices(document):
                chunk.append(
                    compile_lattice(lattice, params, max(config.max_candidates, config.deep_candidates))
                )
                for word in lattice.sentence.words:
                    if is_word(word):
                        feed_counts[word.lower()] += 1
                        feed_words += 1
            sentences += len(document)
            if len(chunk) >= config.chunk_sentences:
                spill.write(chunk)
                chunk = []
        if chunk:
            spill.write(chunk)
        spill.close_writer()
        channel = build_prior(params, feed_counts, feed_words, clean, config)
        active = sum(1 for pid in params.edges.values() if channel.prior[pid] > 0)
        log(
            f"lattices: {sentences} sentences, {feed_words} words, {len(params.edges)} edges "
            f"({active} active), {len(params.keeps)} keep parameters ({time.perf_counter() - started:.1f}s)"
        )
        reports: list[IterationReport] = []
        counts: dict[int, float] = {}
        engine = stack.enter_context(e_step_engine(config, lm, lm_path))
        for iteration in range(1, config.iterations + 1):
            started = time.perf_counter()
            result = engine.e_step(spill, channel.logprobs())
            counts = result.counts
            m_step(channel, counts, config.prior_strength)
            report = IterationReport(
                iteration,
                result.loglik,
                result.tokens,
                time.perf_counter() - started,
                _top_pairs(channel, counts, 10),
            )
            reports.append(report)
            pairs = ", ".join(f"{s}←{o} {p:.2f} ({c:.0f})" for s, o, p, c in report.top_pairs[:6])
            log(
                f"iteration {iteration}: loglik {result.loglik:.1f} (ppl {report.perplexity:.1f}) "
                f"{report.seconds:.1f}s; top: {pairs}"
            )
            if on_iteration is not None:
                on_iteration(AdaptResult(channel, counts, list(reports), sentences, feed_words, config))
        return AdaptResult(channel, counts, reports, sentences, feed_words, config)


# --- the spinner file --------------------------------------------------------------------------


def spinner_document(result: AdaptResult, meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``corrector-spinner/1`` document for ``result``."""
    return {
        "format": FORMAT,
        "meta": {
            "sentences": result.sentences,
            "feed_words": result.feed_words,
            "prior_strength": result.config.prior_strength,
            "candidates": [result.config.max_candidates, result.config.deep_candidates],
            "e_step_lm": "bigram",
            **(meta or {}),
        },
        "iterations": [
            {"iteration": r.iteration, "loglik": round(r.loglik, 3), "perplexity": round(r.perplexity, 3)}
            for r in result.iterations
        ],
        "pairs": [
            {k: (round(v, 6) if isinstance(v, float) else v) for k, v in p.items()} for p in result.pairs()
        ],
        "keep": {o: {k: round(v, 6) for k, v in d.items()} for o, d in result.keeps().items()},
    }


def write_spinner(path: str | Path, document: dict[str, Any]) -> None:
    """JSON with one pair per line, so the file reads (and diffs) as a table."""
    lines = ["{"]
    lines.append(f'  "format": {json.dumps(document["format"])},')
    lines.append(f'  "meta": {json.dumps(document.get("meta", {}), sort_keys=True)},')
    iterations = document.get("iterations", [])
    lines.append('  "iterations": [' + ("" if iterations else "],"))
    for i, item in enumerate(iterations):
        lines.append("    " + json.dumps(item) + ("," if i < len(iterations) - 1 else ""))
    if iterations:
        lines.append("  ],")
    pairs = document.get("pairs", [])
    lines.append('  "pairs": [' + ("" if pairs else "],"))
    for i, pair in enumerate(pairs):
        lines.append("    " + json.dumps(pair, ensure_ascii=False) + ("," if i < len(pairs) - 1 else ""))
    if pairs:
        lines.append("  ],")
    keep = document.get("keep", {})
    lines.append('  "keep": {' + ("" if keep else "}"))
    items = list(keep.items())
    for i, (original, value) in enumerate(items):
        sep = "," if i < len(items) - 1 else ""
        lines.append(f"    {json.dumps(original, ensure_ascii=False)}: {json.dumps(value)}{sep}")
    if keep:
        lines.append("  }")
    lines.append("}")
    text = "\n".join(lines) + "\n"
    json.loads(text)  # never write a file we cannot read back
    # A checkpoint rewritten every iteration is never seen half-written.
    with atomic_file(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def read_spinner(path: str | Path) -> dict[str, Any]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise ValueError(f"{path}: not a {FORMAT} file (format {data.get('format')!r})")
    return data


def load_spinner(path: str | Path) -> dict[tuple[str, str], float]:
    """(spun, original) → log10 P(spun | original) from a spinner file."""
    return {
        (p["spun"], p["original"]): math.log10(p["prob"])
        for p in read_spinner(path)["pairs"]
        if p["prob"] > 0
    }


def load_keep(path: str | Path) -> dict[str, float]:
    """original → log10 keep(original) from a spinner file."""
    return {o: math.log10(v["keep"]) for o, v in read_spinner(path).get("keep", {}).items() if v["keep"] > 0}


def read_pair_counts(path: str | Path) -> list[tuple[str, str, float]]:
    """(spun, original, count) rows of a learn-pairs table or a spinner file.

    Accepts a spinner file, JSON (a list of objects or ``{"pairs": [...]}``), JSONL, or TSV
    ``spun<TAB>original<TAB>count`` (a header line is skipped)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    rows: list[dict[str, Any]]
    if path.suffix in {".tsv", ".txt"}:
        rows = []
        for line in text.splitlines():
            fields = line.split("\t")
            if line.startswith("#") or len(fields) < 2 or fields[0] == "spun":
                continue
            rows.append(
                {
                    "spun": fields[0],
                    "original": fields[1],
                    "count": float(fields[2]) if len(fields) > 2 else 1.0,
                }
            )
    elif path.suffix == ".jsonl":
        rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    else:
        data = json.loads(text)
        rows = data["pairs"] if isinstance(data, dict) else data
    return [
        (str(r["spun"]).lower(), str(r["original"]).lower(), float(r.get("count", 1.0)))
        for r in rows
        if r.get("spun") and r.get("original")
    ]


def merge_pairs(
    spinner: dict[str, Any], learned: Iterable[tuple[str, str, float]], weight: float = 1.0
) -> dict[str, Any]:
    """A spinner document with learn-pairs counts added (``weight`` scales them) and θ recomputed.

    Supervised pairs and expected counts are the same kind of evidence, so merging is adding
    counts and renormalising per original over {keep} ∪ its spun forms."""
    counts: dict[tuple[str, str], float] = {
        (p["spun"], p["original"]): float(p["count"]) for p in spinner["pairs"]
    }
    keep = {o: dict(v) for o, v in spinner.get("keep", {}).items()}
    for spun, original, count in learned:
        counts[(spun, original)] = counts.get((spun, original), 0.0) + weight * count
    per_original: dict[str, float] = {}
    for (_, original), count in counts.items():
        per_original[original] = per_original.get(original, 0.0) + count
    pairs = []
    for (spun, original), count in counts.items():
        kept = keep.get(original, {}).get("count", 0.0)
        pairs.append(
            {
                "spun": spun,
                "original": original,
                "prob": count / (per_original[original] + kept),
                "count": count,
            }
        )
    for original, total in per_original.items():
        kept = keep.get(original, {}).get("count", 0.0)
        keep[original] = {"keep": kept / (total + kept) if total + kept else 0.0, "count": kept}
    pairs.sort(key=lambda p: (-p["count"], p["spun"], p["original"]))
    merged = dict(spinner)
    merged["pairs"] = [{k: (round(v, 6) if isinstance(v, float) else v) for k, v in p.items()} for p in pairs]
    merged["keep"] = {o: {k: round(v, 6) for k, v in d.items()} for o, d in sorted(keep.items())}
    merged["meta"] = {**spinner.get("meta", {}), "merged_learned_pairs": True}
    return merged


# --- applying a spinner to lattices ------------------------------------------------------------

# Effective change penalty of adapted (calibrated) pairs, and the extra cost of generic candidates
# for spans the feed never showed (log10): the highest dev fix at no more dev broken than the
# generic channel at penalty 2.0 (benchmarks/adapt.py --tune: 10k-sentence feed, dev split of
# held-out news; the Reuters test documents are not used).
ADAPTED_CHANGE_PENALTY = 0.0
UNSEEN_SPAN_COST = 4.0


@dataclass(frozen=True, slots=True)
class SpinnerChannel:
    """An adapted channel applied to lattices (the candidate generator's hook).

    For every arc whose spun span is in the table, each candidate's log-prob becomes

        log10 P(spun | original) − log10 keep(spun)

    (the noisy-channel ratio against keeping the span, which the decoder scores as 0), candidates
    the table does not list for that span get ``floor``, and table originals missing from the arc
    are added. Spans the feed never showed keep the generic channel plus ``generic_offset``: the
    adapted pairs are calibrated, so the decoder can run with a small change penalty while the
    uncalibrated generic candidates keep paying the usual one.
    """

    pairs: dict[str, dict[str, float]]  # spun → original → log10 P(spun | original)
    keep: dict[str, float]  # original → log10 keep(original)
    floor: float = -4.0
    min_logprob: float = -3.0  # table pairs below this are not added as new candidates
    generic_offset: float = 0.0
    table_offset: float = 0.0  # added to adapted pairs (offsets the decoder's change penalty)

    @classmethod
    def load(
        cls, path: str | Path, floor: float = -4.0, generic_offset: float = 0.0, table_offset: float = 0.0
    ) -> SpinnerChannel:
        by_spun: dict[str, dict[str, float]] = {}
        for (spun, original), logprob in load_spinner(path).items():
            by_spun.setdefault(spun, {})[original] = logprob
        return cls(by_spun, load_keep(path), floor, generic_offset=generic_offset, table_offset=table_offset)

    @classmethod
    def for_decoder(
        cls, path: str | Path, change_penalty: float, channel_weight: float = 1.0
    ) -> SpinnerChannel:
        """Offsets such that a decoder with ``change_penalty`` behaves as the benchmarked setting:
        adapted pairs pay :data:`ADAPTED_CHANGE_PENALTY`, generic candidates of spans the feed
        never showed pay that plus :data:`UNSEEN_SPAN_COST` (benchmarks/adapt.py). Offsets are
        divided by ``channel_weight`` because the decoder multiplies channel scores by it."""
        return cls.load(
            path,
            generic_offset=(change_penalty - ADAPTED_CHANGE_PENALTY - UNSEEN_SPAN_COST) / channel_weight,
            table_offset=(change_penalty - ADAPTED_CHANGE_PENALTY) / channel_weight,
        )

    def score(self, spun: str, original: str) -> float | None:
        """The adapted log-prob of a pair, ``floor`` if the span is known but the pair is not, else None."""
        table = self.pairs.get(spun)
        if table is None:
            return None
        logprob = table.get(original)
        if logprob is None:
            return self.floor
        return logprob - self.keep.get(spun, 0.0) + self.table_offset

    def rescore(self, lattice: Lattice) -> Lattice:
        words = lattice.sentence.words
        arcs: list[Arc] = []
        covered: set[tuple[int, int]] = set()
        for arc in lattice.arcs:
            spun = span_key(words[arc.start : arc.end])
            table = self.pairs.get(spun)
            covered.add((arc.start, arc.end))
            if table is None:
                if self.generic_offset:
                    arc = Arc(
                        arc.start,
                        arc.end,
                        tuple(replace(c, logprob=c.logprob + self.generic_offset) for c in arc.candidates),
                    )
                arcs.append(arc)
                continue
            seen = set()
            candidates = []
            for candidate in arc.candidates:
                original = candidate.text.lower()
                seen.add(original)
                logprob = self.score(spun, original)
                candidates.append(
                    replace(candidate, logprob=logprob if logprob is not None else candidate.logprob)
                )
            pattern = case_pattern(words[arc.start])
            for original in table:
                if original not in seen and self.score(spun, original) >= self.min_logprob:  # type: ignore[operator]
                    candidates.append(_new_candidate(original, pattern, self.score(spun, original) or 0.0))
            candidates.sort(key=lambda c: -c.logprob)
            arcs.append(Arc(arc.start, arc.end, tuple(candidates)))
        # Single-token spans the generator had no arc for, but the table knows.
        for position, word in enumerate(words):
            spun = word.lower()
            if (position, position + 1) in covered or spun not in self.pairs:
                continue
            pattern = case_pattern(word)
            candidates = [
                _new_candidate(original, pattern, logprob)
                for original in self.pairs[spun]
                if (logprob := self.score(spun, original) or 0.0) >= self.min_logprob
            ]
            if candidates:
                candidates.sort(key=lambda c: -c.logprob)
                arcs.append(Arc(position, position + 1, tuple(candidates)))
        arcs.sort(key=lambda a: (a.start, a.end))
        return Lattice(lattice.sentence, tuple(arcs))


def _new_candidate(original: str, pattern: str, logprob: float) -> Candidate:
    from corrector.text.tokens import tokenize

    text = apply_case(pattern, original)
    words = tuple(t.text for t in tokenize(text))
    return Candidate(words=words, text=text, logprob=logprob, sources=("spinner",))
