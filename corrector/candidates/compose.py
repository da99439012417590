"""Multi-word originals composed from the candidates of each word: a spinner's padding words
undone (came → got here, into → right into a).

Apart because a composition needs only each word's candidates, never the table or the sources:
the generator hands them over, per sentence around a padding word and in its debug view.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from functools import lru_cache

from corrector.candidates import rules
from corrector.defaults import MIN_LOGPROB
from corrector.text.lattice import Candidate, new_candidate
from corrector.text.tokens import detokenize

# Composed candidates (compose_padded): channel log10 cost of each dropped padding word, and how
# many of a word's best one-word candidates a composition tries. 8, not 4: a spinner's padded
# verb is rarely its original's first synonym (came is got's 5th: made, became, arrived,
# received), and padding is rare enough that the wider product costs nothing measurable.
DROP_LOGPROB = -1.0
COMPOSE_PER_WORD = 8


def compose_padded(
    words: Sequence[str], per_word: Sequence[Sequence[Candidate]], limit: int
) -> list[Candidate]:
    """Originals of a spun phrase that a spinner expanded with padding words (came → got here,
    came under → got here below, into → right into a): each word kept as it is, replaced by one
    of its best one-word candidates (``per_word``), or — padding words
    (:data:`rules.PADDING_AFTER` after a replaced word, :data:`rules.PADDING_BEFORE` before a
    kept one, and articles along with one) — dropped. Exactly one padding word is dropped and
    one word is kept; the channel log10 probability is the substituted
    words' sum plus :data:`DROP_LOGPROB` per dropped word. Best ``limit`` first."""
    # Per word: what it may become (kind 0 kept as it is, 1 replaced, 2 dropped article,
    # 3 dropped padding that follows a replacement, 4 dropped padding that precedes a word kept)
    # and its replacements. The few valid shapes are settled first (cached), so only their
    # replacements are combined: composing runs in the warm path of every padded sentence.
    kind_sets = []
    replaced = []
    for word, cands in zip(words, per_word, strict=True):
        low = word.lower()
        repl = [(c.words, c.logprob, c.sources) for c in cands[:COMPOSE_PER_WORD] if c.text.lower() != low]
        kinds = (0, 1) if repl else (0,)
        if low in rules.PADDING_AFTER:
            kinds += (3,)
        elif low in rules.PADDING_BEFORE:
            kinds += (4,)
        elif low in rules.PADDING_ARTICLES:
            kinds += (2,)
        kind_sets.append(kinds)
        replaced.append(repl)
    found: dict[str, Candidate] = {}
    for shape in _padded_shapes(tuple(kind_sets)):
        options = [
            [((words[i],), 0.0, ())] if kind == 0 else replaced[i] if kind == 1 else [((), DROP_LOGPROB, ())]
            for i, kind in enumerate(shape)
        ]
        for combo in itertools.product(*options):
            logprob = round(sum(lp for _, lp, _ in combo), 4)
            if logprob < MIN_LOGPROB:
                continue
            cased = tuple(w for ws, _, _ in combo for w in ws)
            text = detokenize(cased)
            lower = text.lower()
            hit = found.get(lower)
            if hit is None or hit.logprob < logprob:
                sources = tuple(dict.fromkeys(["composed", *(x for _, _, ss in combo for x in ss)]))
                found[lower] = new_candidate(cased, text, logprob, sources)
    return sorted(found.values(), key=lambda c: -c.logprob)[:limit]


@lru_cache(maxsize=1024)
def _padded_shapes(kind_sets: tuple[tuple[int, ...], ...]) -> tuple[tuple[int, ...], ...]:
    """The shapes (one kind per word, see :func:`compose_padded`) a padded phrase can have."""
    last = len(kind_sets) - 1
    shapes = []
    for kinds in itertools.product(*kind_sets):
        drops = sum(kind >= 2 for kind in kinds)
        pads = [i for i, kind in enumerate(kinds) if kind >= 3]
        # One padding word dropped (a spinner pads a word once: "right right along" is not a
        # padded "along"), a word kept, and a word replaced or an article dropped too: dropping
        # one padding word next to unchanged words is a deletion, not a spin undone.
        if len(pads) != 1 or drops == len(kinds) or (1 not in kinds and drops < 2):
            continue
        # The padding sits where the spinner puts it: after the word it replaced (got here),
        # before the word it kept (right into a).
        p = pads[0]
        if kinds[p] == 3 and not (p > 0 and kinds[p - 1] == 1):
            continue
        if kinds[p] == 4 and not (p < last and kinds[p + 1] == 0):
            continue
        # A word kept as it is at either end belongs outside the phrase (the shorter span has
        # the same composition), and a spinner pads one word at a time (came → got here): every
        # word kept must stand next to a dropped one.
        if kinds[0] == 0 or kinds[-1] == 0:
            continue
        if any(
            kind < 2 and not ((i > 0 and kinds[i - 1] >= 2) or (i < last and kinds[i + 1] >= 2))
            for i, kind in enumerate(kinds)
        ):
            continue
        shapes.append(kinds)
    return tuple(shapes)
