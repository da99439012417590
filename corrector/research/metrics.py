"""Restoration metrics (DESIGN §5): fix rate, broken rate, ERR, edit precision/recall/F0.5.

Texts are compared as normalised token lists (words and punctuation; ASCII quotes, ``--`` for
dashes, ``...`` for "…", ``U.S.``→``us``; lowercased). ``spun`` is aligned to ``original`` (the
gold edits) and to ``restored`` (the system's edits) with a minimal Levenshtein alignment;
adjacent non-equal operations merge into one *region*, so "despite the fact that"→"even though"
is one edit.

- fix: share of spun tokens inside gold regions whose region the output restores exactly (the
  output's tokens between the region's mapped boundaries equal the original's).
- broken: share of spun tokens outside gold regions that the output changes.
- ERR = 1 − WER(restored, original) / WER(spun, original). Both WERs share the reference, so
  the corpus value is 1 − Σdist(restored)/Σdist(spun). When nothing was spun (Σdist(spun) = 0)
  there is nothing to reduce, and ERR is −WER(restored, original): 0 for leaving the text alone,
  negative for harm.
- precision/recall/F0.5: exact matches of system regions (span and replacement) to gold regions.

Like sacrebleu, each pair yields additive :class:`PairStats`; corpus scores are computed from
their sum, so a bootstrap resamples pairs without re-aligning anything.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np

from corrector.text.tokens import normalize_token, split_sentences

NORMALISATION = "quotes+dashes+ellipsis+US+lc"
TOKENIZER = "nltk-tb"
METRIC_NAMES = ("fix", "broken", "err", "precision", "recall", "f05")
DEFAULT_BOOTSTRAP = 1000
DEFAULT_SEED = 12345

_ACRONYM = re.compile(r"^(?:[a-z]\.)+[a-z]?\.?$")


def normalize(token: str) -> str:
    """The comparison form of one token."""
    token = normalize_token(token).replace("\u2026", "...").lower()
    if token and set(token) == {"-"}:
        return "--"
    if token in {"``", "''"}:
        return '"'
    if _ACRONYM.match(token) and len(token) > 2:
        return token.replace(".", "")  # U.S. → us, U.K → uk
    return token


def tokens(text: str) -> list[str]:
    """Normalised tokens of ``text`` (sentence by sentence, so final periods split off)."""
    return [normalize(t.text) for s in split_sentences(text) for t in s.tokens]


Region = tuple[int, int, int, int]  # spun [a1, a2) → other [b1, b2)


def regions(source: Sequence[str], target: Sequence[str]) -> tuple[list[Region], list[Region]]:
    """(equal blocks, merged non-equal regions) of a minimal alignment ``source``→``target``."""
    from rapidfuzz.distance import Levenshtein

    equal: list[Region] = []
    changed: list[Region] = []
    for op in Levenshtein.opcodes(source, target):
        block = (op.src_start, op.src_end, op.dest_start, op.dest_end)
        if op.tag == "equal":
            equal.append(block)
        elif changed and changed[-1][1] == op.src_start and changed[-1][3] == op.dest_start:
            last = changed[-1]
            changed[-1] = (last[0], op.src_end, last[2], op.dest_end)
        else:
            changed.append(block)
    return equal, changed


def _boundary_map(equal: list[Region], changed: list[Region]) -> dict[int, tuple[int, int]]:
    """Spun boundary → (earliest, latest) target position it corresponds to.

    Boundaries strictly inside a changed region have no position: an output edit that straddles
    a gold boundary cannot restore that gold region exactly."""
    out: dict[int, tuple[int, int]] = {}

    def add(i: int, j: int) -> None:
        lo, hi = out.get(i, (j, j))
        out[i] = (min(lo, j), max(hi, j))

    for a1, a2, b1, _ in equal:
        for k in range(a2 - a1 + 1):
            add(a1 + k, b1 + k)
    for a1, a2, b1, b2 in changed:
        add(a1, b1)
        add(a2, b2)
    return out


@dataclass(frozen=True, slots=True)
class PairStats:
    """Additive counts for one (spun, original, restored) triple."""

    changed: int = 0  # spun tokens inside gold regions
    fixed: int = 0  # of those, in regions the output restores exactly
    unchanged: int = 0  # spun tokens equal to the original
    broken: int = 0  # of those, changed by the output
    ref_len: int = 0  # original tokens
    dist_spun: int = 0  # Levenshtein(spun, original) in tokens
    dist_restored: int = 0  # Levenshtein(restored, original)
    gold_edits: int = 0
    sys_edits: int = 0
    true_edits: int = 0

    def __add__(self, other: PairStats) -> PairStats:
        return PairStats(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def as_tuple(self) -> tuple[int, ...]:
        return tuple(getattr(self, f.name) for f in fields(self))

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


def pair_stats(spun: str, original: str, restored: str) -> PairStats:
    """Counts for one pair; all three texts are tokenised and normalised here."""
    from rapidfuzz.distance import Levenshtein

    s, o, r = tokens(spun), tokens(original), tokens(restored)
    gold_equal, gold = regions(s, o)
    sys_equal, system = regions(s, r)
    mapping = _boundary_map(sys_equal, system)

    changed = fixed = 0
    for a1, a2, b1, b2 in gold:
        changed += a2 - a1
        lo, hi = mapping.get(a1), mapping.get(a2)
        if lo is not None and hi is not None and r[lo[0] : hi[1]] == o[b1:b2]:
            fixed += a2 - a1

    kept = np.zeros(len(s), dtype=bool)
    for a1, a2, _, _ in sys_equal:
        kept[a1:a2] = True
    unchanged = broken = 0
    for a1, a2, _, _ in gold_equal:
        unchanged += a2 - a1
        broken += int((~kept[a1:a2]).sum())

    gold_edits = {(a1, a2, tuple(o[b1:b2])) for a1, a2, b1, b2 in gold}
    sys_edits = {(a1, a2, tuple(r[b1:b2])) for a1, a2, b1, b2 in system}
    return PairStats(
        changed=changed,
        fixed=fixed,
        unchanged=unchanged,
        broken=broken,
        ref_len=len(o),
        dist_spun=Levenshtein.distance(s, o),
        dist_restored=Levenshtein.distance(r, o),
        gold_edits=len(gold_edits),
        sys_edits=len(sys_edits),
        true_edits=len(gold_edits & sys_edits),
    )


def _ratio(num: np.ndarray, den: np.ndarray, empty: float) -> np.ndarray:
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), empty)


def scores_from_counts(c: np.ndarray) -> dict[str, np.ndarray]:
    """Metrics from summed counts; ``c`` has the PairStats fields on its last axis (vectorised)."""
    c = np.asarray(c, dtype=float)
    idx = {f.name: i for i, f in enumerate(fields(PairStats))}

    def col(name: str) -> np.ndarray:
        return c[..., idx[name]]

    err = np.where(
        col("dist_spun") > 0,
        1.0 - _ratio(col("dist_restored"), col("dist_spun"), 0.0),
        -_ratio(col("dist_restored"), col("ref_len"), 0.0),
    )
    precision = _ratio(col("true_edits"), col("sys_edits"), 1.0)  # no edits made: nothing wrong
    recall = _ratio(col("true_edits"), col("gold_edits"), 1.0)
    beta2 = 0.25
    f05 = _ratio((1 + beta2) * precision * recall, beta2 * precision + recall, 0.0)
    return {
        "fix": _ratio(col("fixed"), col("changed"), 0.0),
        "broken": _ratio(col("broken"), col("unchanged"), 0.0),
        "err": err,
        "precision": precision,
        "recall": recall,
        "f05": f05,
    }


@dataclass(frozen=True, slots=True)
class CorpusScore:
    """Corpus metrics plus the summed counts they came from."""

    fix: float
    broken: float
    err: float
    precision: float
    recall: float
    f05: float
    pairs: int
    totals: PairStats

    def to_dict(self) -> dict[str, Any]:
        out = {name: getattr(self, name) for name in METRIC_NAMES}
        out["pairs"] = self.pairs
        out["counts"] = self.totals.to_dict()
        return out


def corpus_score(stats: Sequence[PairStats]) -> CorpusScore:
    total = sum(stats, PairStats())
    values = scores_from_counts(np.array(total.as_tuple()))
    return CorpusScore(**{k: float(v) for k, v in values.items()}, pairs=len(stats), totals=total)


def _matrix(stats: Sequence[PairStats]) -> np.ndarray:
    return np.array([s.as_tuple() for s in stats], dtype=float).reshape(len(stats), len(fields(PairStats)))


def _resample_sums(matrix: np.ndarray, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(matrix), size=(n, len(matrix)))
    return matrix[idx].sum(axis=1)


def bootstrap_ci(
    stats: Sequence[PairStats], n: int = DEFAULT_BOOTSTRAP, seed: int = DEFAULT_SEED, alpha: float = 0.05
) -> dict[str, tuple[float, float]]:
    """Percentile confidence intervals of every metric from ``n`` resamples of the pairs."""
    if not stats:
        return {}
    values = scores_from_counts(_resample_sums(_matrix(stats), n, seed))
    lo, hi = 100 * alpha / 2, 100 * (1 - alpha / 2)
    return {k: (float(np.percentile(v, lo)), float(np.percentile(v, hi))) for k, v in values.items()}


@dataclass(frozen=True, slots=True)
class Comparison:
    """Paired bootstrap of system A − system B for one metric."""

    metric: str
    a: float
    b: float
    delta: float
    ci: tuple[float, float]
    p_value: float  # two-sided: how often the resampled delta has the other sign

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def paired_bootstrap(
    a: Sequence[PairStats],
    b: Sequence[PairStats],
    n: int = DEFAULT_BOOTSTRAP,
    seed: int = DEFAULT_SEED,
    alpha: float = 0.05,
) -> list[Comparison]:
    """Resample the same pair indices for both systems (they must score the same pairs, in order)."""
    if len(a) != len(b):
        raise ValueError(f"paired bootstrap needs the same pairs ({len(a)} vs {len(b)})")
    if not a:
        return []
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(a), size=(n, len(a)))
    va = scores_from_counts(_matrix(a)[idx].sum(axis=1))
    vb = scores_from_counts(_matrix(b)[idx].sum(axis=1))
    point_a, point_b = corpus_score(a), corpus_score(b)
    out = []
    for name in METRIC_NAMES:
        delta = va[name] - vb[name]
        observed = getattr(point_a, name) - getattr(point_b, name)
        if observed == 0:
            p = 1.0
        else:
            other_side = np.mean(delta <= 0) if observed > 0 else np.mean(delta >= 0)
            p = float(min(1.0, 2 * other_side))
        ci = (float(np.percentile(delta, 100 * alpha / 2)),
              float(np.percentile(delta, 100 * (1 - alpha / 2))))
        out.append(Comparison(name, getattr(point_a, name), getattr(point_b, name), observed, ci, p))
    return out


def signature(fields_: dict[str, Any] | None = None, **extra: Any) -> str:
    """``key:value|…`` like sacrebleu's: metric settings, the system's fields, version last."""
    from corrector.version import __version__

    parts: dict[str, Any] = {"nrefs": 1, "tok": TOKENIZER, "norm": NORMALISATION, "align": "lev-merged"}
    parts.update(fields_ or {})
    parts.update(extra)
    parts.pop("version", None)
    parts["version"] = __version__
    return "|".join(f"{k}:{v}" for k, v in parts.items())
