"""A spun text aligned with its original, as span substitutions (spun key → original key).

Apart because it reads no table and makes no candidates: learning pairs, fitting the channel and
the studies use it to find what a spinner replaced.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from corrector.defaults import MAX_SPAN
from corrector.text.tokens import detokenize, lm_words, tokenize


def substitutions(spun: str, original: str, max_words: int = MAX_SPAN) -> list[tuple[int, int, str, str]]:
    """Aligned substitutions between a spun text and its original (difflib on lowercase LM
    tokens): ``(start, end, spun key, original key)`` with token offsets into the spun text's
    tokens and 1–``max_words`` tokens on each side. Insertions and deletions are skipped: the
    lattice only replaces spans. Punctuation at either end of a replaced block is trimmed off
    first: spinners swap words, and a dash or quote the feed added or dropped next to a swap
    ("providing" ← "— offering") is not part of it."""
    spun_words = lm_words((t.text for t in tokenize(spun)), lowercase=True)
    orig_words = lm_words((t.text for t in tokenize(original)), lowercase=True)
    matcher = difflib.SequenceMatcher(a=spun_words, b=orig_words, autojunk=False)
    out = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "replace":
            continue
        i1, i2 = _trim_punctuation(spun_words, i1, i2)
        j1, j2 = _trim_punctuation(orig_words, j1, j2)
        if 0 < i2 - i1 <= max_words and 0 < j2 - j1 <= max_words:
            out.append((i1, i2, detokenize(spun_words[i1:i2]), detokenize(orig_words[j1:j2])))
    return out


def _trim_punctuation(words: Sequence[str], start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` without the punctuation tokens at its ends."""
    while start < end and not any(c.isalnum() for c in words[start]):
        start += 1
    while end > start and not any(c.isalnum() for c in words[end - 1]):
        end -= 1
    return start, end
