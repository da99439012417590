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
to a temporary file and streamed back on each iteration, in chunks that an executor
(:mod:`corrector.batch.executors`: this process, a process pool, or Dask with ``engine="dask"``)
spreads over its workers; chunk results are added in chunk order, so every engine gives the same
numbers.

The result is written as a ``corrector-spinner/1`` file by :mod:`corrector.adapt.spinner_file`;
:class:`corrector.candidates.spinner.SpinnerChannel` applies it to lattices.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import pickle
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from corrector.batch.executors import Executor, LocalExecutor, cached, make_executor
from corrector.candidates.generator import span_key
from corrector.text.lattice import Lattice
from corrector.text.tokens import Sentence, is_word, split_sentences

BOS = "<s>"
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


# --- the feed ----------------------------------------------------------------------------------


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


@dataclass(frozen=True, slots=True)
class ScorerSpec:
    """The E-step's LM view in a worker process: the model at ``lm_path``, loaded once per process."""

    lm_path: str

    def __str__(self) -> str:
        return f"the E-step LM {self.lm_path}"

    def load(self) -> BigramScorer:
        from corrector.lm.kenlm import load_language_model

        return BigramScorer(load_language_model(self.lm_path))


def e_step_task(
    shared: tuple[BigramScorer | ScorerSpec, Sequence[float]], chunk: Sequence[CompiledSentence]
) -> EStepResult:
    """One chunk's E-step wherever the executor runs it. A worker's threads share its scorer: the
    caches hold pure values, so a lost race only recomputes one."""
    scorer, logprobs = shared
    if isinstance(scorer, ScorerSpec):
        scorer = cached(scorer)
    return e_step_chunk(chunk, scorer, logprobs)


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


def e_step_executor(config: AdaptConfig, lm_path: str | None) -> Executor:
    """The executor for ``config``'s engine, refusing settings that cannot work before any work.

    Without ``lm_path`` worker processes could not load the LM, so the E-step runs in this process."""
    if config.engine == "dask" and lm_path is None:
        raise ValueError("the dask engine needs the LM's path (workers load it themselves)")
    return make_executor(config.engine, config.workers if lm_path else 1, config.scheduler)


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
    executor = e_step_executor(config, lm_path)
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
        stack.enter_context(executor)  # a Dask cluster serves every iteration
        # This process scores with the loaded LM; worker processes load theirs from the path.
        scorer: BigramScorer | ScorerSpec = BigramScorer(lm)
        preload: ScorerSpec | None = None
        if not isinstance(executor, LocalExecutor) and lm_path is not None:
            scorer = preload = ScorerSpec(str(Path(lm_path).resolve()))
        for iteration in range(1, config.iterations + 1):
            started = time.perf_counter()
            result = EStepResult()
            # Reduced in chunk order, so every executor gives the same floating-point sums.
            for part in executor.map(e_step_task, (scorer, channel.logprobs()), spill, preload):
                result.add(part)
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
