"""Fit the pair-type model (:mod:`corrector.restore.pairs`) on several spinner profiles.

Training text is documents of consecutive sentences of the LM corpus (``build/corpus/news.txt``;
gensim's lee.cor stays held out for evaluation, Reuters for testing), spun by each profile with
its edits recorded, so every proposal gets a label: is its candidate the original the spinner
replaced at exactly that span? Rows are made twice, with each document as its own scope and with
all documents of a profile as one feed, since batch mode judges pairs with a feed's evidence.
Leave-one-profile-out AUCs say whether the model transfers to a spinner it was not fitted on.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from corrector.defaults import BUILD_DIR
from corrector.research.fitting import fit_logistic
from corrector.restore.decoder import SentenceMemo
from corrector.restore.pairs import (
    FEATURES,
    FLOOR,
    PER_ARC,
    FrequencyPrior,
    PairModel,
    Proposal,
    ScopeEvidence,
    features,
    proposals,
)

if TYPE_CHECKING:
    from corrector.api import Corrector
    from corrector.research.spinner import SpinResult

def corpus_documents(count: int, sentences: int, seed: int) -> list[str]:
    """``count`` documents of ``sentences`` consecutive corpus lines each (articles are stored
    in order, so consecutive lines are mostly one article), detokenised to running text."""
    from corrector.text.tokens import detokenize

    lines = (BUILD_DIR / "corpus" / "news.txt").read_text(encoding="utf-8").splitlines()
    rng = random.Random(seed)
    starts = sorted(rng.sample(range(len(lines) - sentences), count))
    return [" ".join(detokenize(line.split()) for line in lines[s : s + sentences]) for s in starts]


@dataclass(frozen=True, slots=True)
class LabelledDocument:
    lattice_count: int
    proposals: tuple[Proposal, ...]
    labels: tuple[bool, ...]
    evidence: ScopeEvidence


def label_document(corrector: Corrector, spin: SpinResult) -> LabelledDocument:
    """The document's proposals, each labelled with whether the spinner replaced its original
    at exactly its span."""
    lattices = corrector.lattices(spin.spun)
    memos = [SentenceMemo() for _ in lattices]
    found = proposals(lattices, corrector.lm, corrector.config.channel_weight, PER_ARC, FLOOR, memos)
    truth = {(e.spun_start, e.spun_end): e.original.lower() for e in spin.edits}
    labels = []
    for p in found:
        tokens = lattices[p.sentence].sentence.tokens
        span = (tokens[p.arc.start].start, tokens[p.arc.end - 1].end)
        labels.append(truth.get(span) == p.original)
    return LabelledDocument(len(lattices), tuple(found), tuple(labels), ScopeEvidence.of(lattices, found))


def rows(
    documents: Sequence[LabelledDocument], prior: FrequencyPrior, feed: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Feature rows and labels, each document judged with its own evidence or the feed's."""
    total = sum((d.evidence for d in documents), ScopeEvidence()) if feed else None
    x, y = [], []
    for d in documents:
        evidence = total if total is not None else d.evidence
        for p, label in zip(d.proposals, d.labels, strict=True):
            x.append(features(p, evidence, prior))
            y.append(label)
    return np.array(x, dtype=float).reshape(-1, len(FEATURES)), np.array(y, dtype=float)


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1.0, fitted_on: str = "") -> PairModel:
    """L2-regularised logistic regression on standardised features; ``l2`` weighs the summed
    (not the mean) log-loss, so its strength does not shrink as rows are added."""
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / scale])
    w = fit_logistic(z, y, l2 / len(y))
    return PairModel(
        tuple(round(float(v), 6) for v in mean),
        tuple(round(float(v), 6) for v in scale),
        tuple(round(float(v), 6) for v in w[1:]),
        round(float(w[0]), 6),
        fitted_on,
    )


def scores(model: PairModel, x: np.ndarray) -> np.ndarray:
    return np.array([model.log_odds(row) for row in x])
