"""The channel model: how plausible is it that the spinner turned ``original`` into ``spun``?

A small log-linear (logistic) model over inspectable features; weights live in
``corrector/data/channel_weights.json`` (fitted by ``scripts/fit_channel.py``). The score of a
candidate is ``log10 σ(w·f)``: the model's probability that this candidate is the span's true
original, given the spun span and the evidence. It is ≤ 0, comparable across candidates and
spans, and the decoder scales it with its channel weight.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from corrector.candidates.inflection import upos_set
from corrector.candidates.rules import FUNCTION_WORDS

WEIGHTS_FILE = Path(__file__).resolve().parents[1] / "data" / "channel_weights.json"
THESAURUS_SOURCES = ("moby", "wordnet", "mythes")

FEATURES = (
    "bias",
    "moby",
    "wordnet",
    "mythes",
    "n_thesauri",
    "log_rank",
    "rel_rank",
    "log_fanout",
    "mutual",
    "zipf_gain",
    "zipf_original",
    "zipf_spun",
    "inflected",
    "pos_agree",
    "spun_words",
    "original_words",
    "rules",
    "number",
    "learned",
    "function_original",
    "doc_spun_repeat",
    "doc_original_present",
)


@dataclass(slots=True)
class Evidence:
    """Everything known about one (spun span, candidate original) pair before scoring.

    ``spun``/``original`` are lowercase keys (detokenised LM words). ``ranks`` maps a thesaurus
    to (rank of ``spun`` in ``original``'s list, list length); ``fanout`` is how many headwords
    list ``spun``; ``mutual`` whether ``spun``'s own list contains ``original``."""

    spun: str
    original: str
    ranks: dict[str, tuple[int, int]] = field(default_factory=dict)
    fanout: int = 0
    mutual: bool = False
    inflected: bool = False
    rules: bool = False
    number: bool = False
    learned: int = 0
    zipf_original: float | None = None  # precomputed in the table; looked up when None
    # Relations to the spun word's own entries (corrector.candidates.relatives), shown as
    # sources: the original's position in the spun word's own sense-ordered lists (None: not in
    # their head), and whether it is a spelling variant, a candidate of one (hop), a derivation
    # or a compound head. No channel feature reads them: weighting the sense position or the
    # frequency lowered recall or first rank on the tuning sets (scripts/fit_relatives.py).
    own_rank: int | None = None
    variant: bool = False
    hop: bool = False
    derived: bool = False
    compound: bool = False

    @property
    def sources(self) -> tuple[str, ...]:
        found = [s for s in THESAURUS_SOURCES if s in self.ranks]
        if self.rules:
            found.append("rules")
        if self.number:
            found.append("numbers")
        if self.learned:
            found.append("learned")
        if self.own_rank is not None:
            found.append("own")
        for kind in ("variant", "hop", "derived", "compound"):
            if getattr(self, kind):
                found.append(kind)
        return tuple(found)


# wordfreq is imported on first use, not with this module (~0.1 s, its table ~0.3 s more): a
# correction with the table's shipped lists and Zipf values never asks it.


@lru_cache(maxsize=1)
def _frequencies() -> tuple[dict[str, float], float]:
    """wordfreq's English frequency table, and the frequency of Zipf 0 (its floor)."""
    from wordfreq import get_frequency_dict, zipf_to_freq

    return get_frequency_dict("en"), zipf_to_freq(0.0)


@lru_cache(maxsize=500_000)
def zipf(phrase: str) -> float:
    """wordfreq Zipf frequency (0 = unknown, ~7 = 'the') of a lowercase word or phrase.

    A plain ASCII word is one token to wordfreq: read its frequency table directly (what
    ``zipf_frequency`` does after tokenising, same rounding), ~10x faster."""
    if phrase.isascii() and phrase.isalpha() and phrase.islower():
        frequencies, freq_min = _frequencies()
        freq = frequencies.get(phrase)
        if freq is None:
            return 0.0
        freq = max(freq, freq_min)
        return round(math.log(round(freq, math.floor(-math.log(freq, 10)) + 3), 10) + 9, 2)
    from wordfreq import zipf_frequency

    return zipf_frequency(phrase, "en")


def _rank_features(ranks: dict[str, tuple[int, int]]) -> tuple[float, float]:
    """``log_rank`` and ``rel_rank``: the best position among the sense-ordered thesauri that list
    the pair. Moby's lists are alphabetical, so a pair only Moby lists reads as the middle of its
    list."""
    ordered = [rank for source, rank in ranks.items() if source != "moby"]
    if not ordered:
        n = ranks["moby"][1]
        ordered = [((n - 1) // 2, n)]
    return math.log1p(min(r for r, _ in ordered)), min(r / max(n, 1) for r, n in ordered)


def static_features(ev: Evidence) -> dict[str, float]:
    """Features that depend only on the pair, not on the document."""
    f: dict[str, float] = {"bias": 1.0}
    ranks = ev.ranks
    for source in THESAURUS_SOURCES:
        if source in ranks:
            f[source] = 1.0
    if ranks:
        f["n_thesauri"] = float(len(ranks))
        f["log_rank"], f["rel_rank"] = _rank_features(ranks)
        f["log_fanout"] = math.log1p(ev.fanout)
    if ev.mutual:
        f["mutual"] = 1.0
    z_orig = zipf(ev.original) if ev.zipf_original is None else ev.zipf_original
    z_spun = zipf(ev.spun)
    f["zipf_gain"] = max(-4.0, min(4.0, z_orig - z_spun))
    f["zipf_original"] = z_orig
    f["zipf_spun"] = z_spun
    if ev.inflected:
        f["inflected"] = 1.0
    spun_words, orig_words = ev.spun.split(" "), ev.original.split(" ")
    if len(spun_words) == 1 and len(orig_words) == 1 and upos_set(ev.spun) & upos_set(ev.original):
        f["pos_agree"] = 1.0
    f["spun_words"] = float(len(spun_words) - 1)
    f["original_words"] = float(len(orig_words) - 1)
    if ev.rules:
        f["rules"] = 1.0
    if ev.number:
        f["number"] = 1.0
    if ev.learned:
        f["learned"] = math.log1p(ev.learned)
    if _thesaurus_function_original(ev):
        f["function_original"] = 1.0
    return f


def _thesaurus_function_original(ev: Evidence) -> bool:
    """A closed-class original ("be", "same", "might") that only a thesaurus proposes: the LM
    favours such words in almost any slot, and spinners' function-word swaps are the curated
    rules (in → within, but → however), so these are mostly wrong-sense noise ("the standoff" ←
    "the same", Moby lists standoff under same)."""
    curated = ev.rules or ev.number or ev.learned
    return not curated and all(word in FUNCTION_WORDS for word in ev.original.split(" "))


def document_features(ev: Evidence, spun_count: int, original_count: int) -> dict[str, float]:
    """Document evidence: a rare spun phrase repeated across a document is likely a systematic
    swap; the candidate original also appearing in the document makes it more plausible."""
    f: dict[str, float] = {}
    if spun_count > 1:
        f["doc_spun_repeat"] = math.log(spun_count)
    if original_count:
        f["doc_original_present"] = 1.0
    return f


class ChannelModel:
    """Logistic model over named features; ``logprob`` returns log10 σ(w·f)."""

    def __init__(self, weights: dict[str, float]) -> None:
        unknown = set(weights) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown channel features: {sorted(unknown)}")
        self.weights = {name: float(weights.get(name, 0.0)) for name in FEATURES}

    @classmethod
    def load(cls, path: Path | None = None) -> ChannelModel:
        data = json.loads(Path(path or WEIGHTS_FILE).read_text(encoding="utf-8"))
        return cls(data["weights"])

    def save(self, path: Path, meta: dict[str, object] | None = None) -> None:
        payload = {"weights": {k: round(v, 4) for k, v in self.weights.items()}, **(meta or {})}
        Path(path).write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")

    def fingerprint(self) -> str:
        """A short hash of the weights (artefacts ranked with them record it)."""
        text = json.dumps({k: round(v, 6) for k, v in self.weights.items()}, sort_keys=True)
        return hashlib.sha1(text.encode()).hexdigest()[:12]

    def static_score(self, ev: Evidence) -> float:
        """``linear(static_features(ev))`` without building the dict (same terms, same order,
        so the same float): the hot path of candidate ranking."""
        w = self.weights
        z = w["bias"]
        ranks = ev.ranks
        if ranks:
            for source in THESAURUS_SOURCES:
                if source in ranks:
                    z += w[source]
            z += w["n_thesauri"] * float(len(ranks))
            log_rank, rel_rank = _rank_features(ranks)
            z += w["log_rank"] * log_rank
            z += w["rel_rank"] * rel_rank
            z += w["log_fanout"] * math.log1p(ev.fanout)
        if ev.mutual:
            z += w["mutual"]
        z_orig = zipf(ev.original) if ev.zipf_original is None else ev.zipf_original
        z_spun = zipf(ev.spun)
        z += w["zipf_gain"] * max(-4.0, min(4.0, z_orig - z_spun))
        z += w["zipf_original"] * z_orig
        z += w["zipf_spun"] * z_spun
        if ev.inflected:
            z += w["inflected"]
        spun, original = ev.spun, ev.original
        spun_n, orig_n = spun.count(" "), original.count(" ")
        if not spun_n and not orig_n and upos_set(spun) & upos_set(original):
            z += w["pos_agree"]
        z += w["spun_words"] * float(spun_n)
        z += w["original_words"] * float(orig_n)
        if ev.rules:
            z += w["rules"]
        if ev.number:
            z += w["number"]
        if ev.learned:
            z += w["learned"] * math.log1p(ev.learned)
        if _thesaurus_function_original(ev):
            z += w["function_original"]
        return z

    def linear(self, features: dict[str, float]) -> float:
        w = self.weights
        return sum(w[name] * value for name, value in features.items())

    @staticmethod
    def to_log10_prob(z: float) -> float:
        """log10 σ(z), computed stably."""
        if z >= 0:
            return -math.log1p(math.exp(-z)) / math.log(10)
        return (z - math.log1p(math.exp(z))) / math.log(10)

    def logprob(self, features: dict[str, float]) -> float:
        return self.to_log10_prob(self.linear(features))
