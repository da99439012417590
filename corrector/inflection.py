"""Lemmas and re-inflection, so a lemma-level thesaurus pair covers inflected text.

The spinner swaps inflected words (told→advised, demands→calls for); thesauri list lemmas
(tell: advise). We analyse the spun word into (lemma, Penn tag), look the lemma up, and inflect
the candidate original with the same tag: advised → (advise, VBD) → tell → told.

Backend: LemmInflect (dictionary + rules, Penn tags both ways). NLTK's WordNet morphology
(``morphy``) only lemmatises and cannot generate ``told`` from ``tell``, so it could only serve
the analysis half. A head-to-head accuracy measurement of the two has NOT been done yet
(issue 3 follow-up); LemmInflect was chosen because it is the only one that inflects.
"""

from __future__ import annotations

from functools import lru_cache

import lemminflect

# Penn tags that a spun word and its replacement share when we re-inflect.
INFLECTED_TAGS = frozenset({"VBD", "VBN", "VBG", "VBZ", "NNS", "JJR", "JJS", "RBR", "RBS"})
VERB_TAGS = frozenset({"VBD", "VBN", "VBG", "VBZ"})


@lru_cache(maxsize=200_000)
def analyses(word: str) -> tuple[tuple[str, str], ...]:
    """(lemma, Penn tag) readings of an inflected lowercase ``word``; empty for base forms.

    Only readings whose lemma differs from the word are returned: the base form is looked up
    directly."""
    readings: list[tuple[str, str]] = []
    for upos, lemmas in lemminflect.getAllLemmas(word).items():
        for lemma in lemmas:
            if lemma == word:
                continue
            for tag, forms in lemminflect.getAllInflections(lemma, upos=upos).items():
                if tag in INFLECTED_TAGS and word in forms and (lemma, tag) not in readings:
                    readings.append((lemma, tag))
    return tuple(readings)


@lru_cache(maxsize=200_000)
def inflect(lemma: str, tag: str) -> str | None:
    """``lemma`` in Penn ``tag`` (tell, VBD → told); None if LemmInflect cannot inflect it."""
    forms = lemminflect.getInflection(lemma, tag=tag)
    return forms[0] if forms else None


def inflect_phrase(phrase: str, tag: str) -> str | None:
    """A (possibly multi-word) lemma phrase inflected like a word tagged ``tag``.

    Verb phrases inflect their first word (keep talking → kept talking), nominal and adjectival
    ones their last (call for → calls for is verbal, so VBZ inflects 'call'; stock market →
    stock markets)."""
    words = phrase.split(" ")
    at = 0 if tag in VERB_TAGS else len(words) - 1
    form = inflect(words[at], tag)
    if form is None:
        return None
    words[at] = form
    return " ".join(words)


@lru_cache(maxsize=200_000)
def upos_set(word: str) -> frozenset[str]:
    """Universal POS tags LemmInflect knows for ``word`` (any form); empty if unknown."""
    return frozenset(lemminflect.getAllLemmas(word))
