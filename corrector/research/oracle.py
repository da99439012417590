"""The lattice oracle: the best restoration any path through the candidates can reach.

The decoder only chooses among the lattice's arcs, so its fix rate is bounded by what the
candidates make reachable. The oracle chooses the path knowing the original (the "lattice oracle
error rate" of speech recognition): it keeps every spun token and takes an arc only where a
candidate reproduces the original's tokens exactly, choosing arcs so that the path's token edit
distance to the original is smallest. Scored with :func:`corrector.research.metrics.pair_stats`, its fix
rate is the ceiling of any decoder on these lattices, and its broken rate is ~0: a miss below the
ceiling is the decoder's (LM, channel weights), a miss above it is the candidates'.

The alignment is one dynamic programme over the whole document, in a band around the diagonal
(spun and original texts of a pair have similar lengths); tokens are compared in the metric's
normalised form (:func:`corrector.research.metrics.normalize`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from corrector.research.metrics import CorpusScore, corpus_score, normalize, pair_stats, tokens
from corrector.text.lattice import Candidate, Lattice
from corrector.text.results import Edit, apply_edits

BAND = 60  # tokens either side of the diagonal the alignment may stray


def oracle_edits(text: str, lattices: Sequence[Lattice], original: str, band: int = BAND) -> tuple[Edit, ...]:
    """Edits of the oracle path through ``lattices`` (of ``text``) towards ``original``."""
    spun: list[str] = []
    offsets: list[int] = []  # global index of each lattice's first token
    for lattice in lattices:
        offsets.append(len(spun))
        spun.extend(normalize(token.text) for token in lattice.sentence.tokens)
    target = tokens(original)
    n, m = len(spun), len(target)
    # arcs_at[i]: (end, normalised candidate tokens, lattice, arc start, arc end, candidate)
    arcs_at: dict[int, list[tuple[int, tuple[str, ...], Lattice, int, int, Candidate]]] = {}
    for lattice, offset in zip(lattices, offsets, strict=True):
        for arc in lattice.arcs:
            for candidate in arc.candidates:
                words = tuple(normalize(w) for w in candidate.words)
                arcs_at.setdefault(offset + arc.start, []).append(
                    (offset + arc.end, words, lattice, arc.start, arc.end, candidate)
                )

    def low(i: int) -> int:
        return max(0, (i * m) // max(n, 1) - band)

    def high(i: int) -> int:
        return min(m, (i * m) // max(n, 1) + band)

    inf = n + m + 1
    # cost[i][j - low(i)]: fewest token edits for spun[:i] → target[:j]; back: the step taken.
    cost = [[inf] * (high(i) - low(i) + 1) for i in range(n + 1)]
    back: list[list[tuple[int, int, Candidate | None, Lattice | None, int, int] | None]] = [
        [None] * (high(i) - low(i) + 1) for i in range(n + 1)
    ]

    def relax(i: int, j: int, value: int, step: tuple) -> None:
        lo = low(i)
        if lo <= j <= high(i) and value < cost[i][j - lo]:
            cost[i][j - lo] = value
            back[i][j - lo] = step

    cost[0][0 - low(0)] = 0
    for i in range(n + 1):
        lo = low(i)
        row = cost[i]
        for j in range(lo, high(i) + 1):
            here = row[j - lo]
            if here >= inf:
                continue
            if j < m:  # an original token the path lacks
                relax(i, j + 1, here + 1, (i, j, None, None, 0, 0))
            if i < n:  # keep the spun token: a match, a substitution or an extra token
                relax(i + 1, j + 1, here + (spun[i] != target[j] if j < m else 1), (i, j, None, None, 0, 0))
                relax(i + 1, j, here + 1, (i, j, None, None, 0, 0))
                for end, words, lattice, start, stop, candidate in arcs_at.get(i, ()):
                    k = len(words)
                    if tuple(target[j : j + k]) == words:
                        relax(end, j + k, here, (i, j, candidate, lattice, start, stop))
    edits: list[Edit] = []
    i, j = n, m
    if cost[n][m - low(n)] >= inf:
        return ()  # the texts are too far apart for the band: no oracle path
    while (i, j) != (0, 0):
        step = back[i][j - low(i)]
        assert step is not None
        pi, pj, candidate, lattice, start, stop = step
        if candidate is not None and lattice is not None:
            sentence_tokens = lattice.sentence.tokens
            begin, finish = sentence_tokens[start].start, sentence_tokens[stop - 1].end
            if candidate.text != text[begin:finish]:
                edits.append(Edit(begin, finish, text[begin:finish], candidate.text, 0.0))
        i, j = pi, pj
    return tuple(reversed(edits))


def oracle_restoration(text: str, lattices: Sequence[Lattice], original: str, band: int = BAND) -> str:
    """``text`` with the oracle path's edits applied."""
    return apply_edits(text, oracle_edits(text, lattices, original, band))


def oracle_score(items: Iterable[tuple[str, Sequence[Lattice], str]], band: int = BAND) -> CorpusScore:
    """The oracle's corpus score over (spun text, its lattices, original) triples."""
    return corpus_score(
        [pair_stats(spun, original, oracle_restoration(spun, lattices, original, band))
         for spun, lattices, original in items]
    )
