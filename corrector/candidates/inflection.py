"""Lemmas and re-inflection, so a lemma-level thesaurus pair covers inflected text.

The spinner swaps inflected words (told→advised, demands→calls for); thesauri list lemmas
(tell: advise). We analyse the spun word into (lemma, Penn tag), look the lemma up, and inflect
the candidate original with the same tag: advised → (advise, VBD) → tell → told.

Backend: LemmInflect (dictionary + rules, Penn tags both ways), measured against the
alternatives by ``benchmarks/inflection.py`` on Brown's 143k inflected tokens: the round trip
inflect(lemma(word), tag) == word holds for 0.992 of tokens with LemmInflect for both halves,
0.894 with NLTK's WordNet ``morphy`` as the lemmatiser (it cannot inflect: no told from tell),
0.979 with pyinflect as the inflector. This module's fast path reaches 0.954: it leaves out
readings whose lemma is the word itself (put/VBD, people/NNS), which are looked up directly.

Speed: LemmInflect's public functions deep-copy a dictionary entry and re-case it on every
call. For lowercase input (all our keys) we read its lookup tables directly — same dictionary,
same overrides, same alternate-tag and out-of-vocabulary fallbacks, no copies — and memoise.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache, lru_cache
from types import ModuleType
from typing import Any

# LemmInflect is imported on first use, not with this module: importing it costs ~0.12 s (it
# brings numpy) and reading its tables ~0.3 s more, and a correction with the table's shipped
# lists never calls it (only the table build, learned pairs and rare run-time lists do).


@cache
def _lemminflect() -> ModuleType:
    import lemminflect

    return lemminflect


@cache
def _lexical() -> ModuleType:
    from lemminflect.core import LexicalUtils

    return LexicalUtils


def _penn_tag_alts(tag: str) -> Any:
    return _lexical().pennTagAlts(tag)


def _tag_to_upos(tag: str) -> Any:
    return _lexical().tagToUPos(tag)


def _upos_to_tags(upos: str) -> Any:
    return _lexical().uposToTags(upos)


@cache
def _lemma_tables() -> tuple[dict, dict]:  # type: ignore[type-arg]
    """LemmInflect's lemma dictionary and its overrides (read once)."""
    from lemminflect.core.Lemmatizer import Lemmatizer

    lemmatizer = Lemmatizer()
    return lemmatizer._getLemmaDict(), lemmatizer._getOverridesDict()


@cache
def _inflection_tables() -> tuple[dict, dict]:  # type: ignore[type-arg]
    """LemmInflect's inflection dictionary and its overrides (read once)."""
    from lemminflect.core.Inflections import Inflections

    inflections = Inflections()
    return inflections._getInflDict(), inflections._getOverridesDict()

# Penn tags that a spun word and its replacement share when we re-inflect.
INFLECTED_TAGS = frozenset({"VBD", "VBN", "VBG", "VBZ", "NNS", "JJR", "JJS", "RBR", "RBS"})
VERB_TAGS = frozenset({"VBD", "VBN", "VBG", "VBZ"})
# English modals are defective verbs: they have no past tense or participle, whatever
# LemmInflect's AUX entries say (would → will/VBD, could → can/VBD). Reading them as inflected
# put the synonyms of the nouns "will" and "can" behind them (would ← electioned, could ← fired).
MODALS = frozenset({"would", "could", "should", "might", "must", "can", "will", "shall", "may", "ought"})

# Plurals that LemmInflect does not give. "people" is the plural of "person" in running English
# (wordfreq Zipf 6.3 against "persons" 4.4), and a spinner's "individuals" stands for it
# (tortured phrases: "individuals kick the bucket" ← "people die", "Individuals' Republic of
# China"); with LemmInflect's "persons" alone, "people" was no candidate of "individuals".
SUPPLETIVE_PLURALS = {"person": "people"}

_EMPTY: dict[str, tuple[str, ...]] = {}


def _lowercase_values(forms: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    return {tag: tuple(w.lower() for w in words) for tag, words in forms.items()}


def _entry(dictionary: dict, overrides: dict, key: str) -> dict[str, tuple[str, ...]]:
    """A LemmInflect dictionary entry with its overrides applied, forms lowercased."""
    found = dictionary.get(key, _EMPTY)
    override = overrides.get(key, _EMPTY)
    if not found and not override:
        return _EMPTY
    return _lowercase_values({**found, **override})


@lru_cache(maxsize=100_000)
def _lemmas(word: str) -> dict[str, tuple[str, ...]]:
    """``lemminflect.getAllLemmas(word)`` for a lowercase word (shared: do not mutate)."""
    return _entry(*_lemma_tables(), word)


@lru_cache(maxsize=100_000)
def _inflections(lemma: str) -> dict[str, tuple[str, ...]]:
    """``lemminflect.getAllInflections(lemma)`` for a lowercase lemma (shared: do not mutate)."""
    return _entry(*_inflection_tables(), lemma)


def inflections(lemma: str) -> dict[str, tuple[str, ...]]:
    """Penn tag → forms of a lowercase ``lemma`` in LemmInflect's dictionary (no
    out-of-vocabulary rules): the forms :func:`analyses` can read back to it. Do not mutate."""
    return _inflections(lemma)


@lru_cache(maxsize=200_000)
def analyses(word: str) -> tuple[tuple[str, str], ...]:
    """(lemma, Penn tag) readings of an inflected lowercase ``word``; empty for base forms.

    Only readings whose lemma differs from the word are returned: the base form is looked up
    directly."""
    if word != word.lower():
        return analyses(word.lower())
    if word in MODALS:
        return ()
    readings: list[tuple[str, str]] = []
    for upos, lemmas in _lemmas(word).items():
        tags = [tag for tag in _upos_to_tags(upos) if tag in INFLECTED_TAGS]
        for lemma in lemmas:
            if lemma == word:
                continue
            table = _inflections(lemma)
            for tag in tags:
                # The dictionary leaves out a form equal to its alternate tag's (regular verbs
                # have VBD but no VBN): fall back as :func:`inflect` does, so "granted" also
                # reads as grant + VBN and its original inflects to "given", not "gave".
                alts = _penn_tag_alts(tag)
                forms = table.get(tag) or next((table[alt] for alt in alts if table.get(alt)), ())
                if word in forms and (lemma, tag) not in readings:
                    readings.append((lemma, tag))
    return tuple(readings)


def inflected_variants(phrases: Iterable[str]) -> set[str]:
    """Each phrase with its first word replaced by every form that :func:`analyses` reads back
    to that word (said ← say, said that ← say that): with the phrases themselves, exactly the
    keys whose first word is a phrase's first word or inflects it. (LemmInflect lemmas are
    single words, so a phrase's first word is the whole lemma.)"""
    out = set()
    for phrase in phrases:
        first, sep, rest = phrase.partition(" ")
        for forms in _inflections(first).values():
            for form in forms:
                if form != first and any(lemma == first for lemma, _ in analyses(form)):
                    out.add(form + sep + rest)
    return out


@lru_cache(maxsize=200_000)
def inflect(lemma: str, tag: str) -> str | None:
    """``lemma`` in Penn ``tag`` (tell, VBD → told); None if LemmInflect cannot inflect it.

    The out-of-vocabulary rules apply only to words LemmInflect does not know at all and that
    are not themselves inflected forms: a known lemma without the tag's part of speech has no
    such form (decision/VBD is not "decisioned", meeting/VBZ is not "meetings"), and an
    inflected word has no second inflection ("choosinged")."""
    if tag == "NNS" and lemma in SUPPLETIVE_PLURALS:
        return SUPPLETIVE_PLURALS[lemma]
    upos = _tag_to_upos(tag)
    if lemma != lemma.lower() or upos == "PROPN":
        forms = _lemminflect().getInflection(lemma, tag=tag)
        return forms[0] if forms else None
    table = _inflections(lemma)
    form = table.get(tag)
    if form is None:
        for alt in _penn_tag_alts(tag):
            form = table.get(alt)
            if form:
                break
    if form is None and not table and upos and not _lemmas(lemma):
        from lemminflect.core.Inflections import Inflections

        form = Inflections().getAllInflectionsOOV(lemma, upos).get(tag)
    return form[0] if form else None


def inflect_phrase(phrase: str, tag: str) -> str | None:
    """A (possibly multi-word) lemma phrase inflected like a word tagged ``tag``.

    Verb phrases inflect their first word (keep talking → kept talking), nominal and adjectival
    ones their last (call for → calls for is verbal, so VBZ inflects 'call'; stock market →
    stock markets)."""
    if " " not in phrase:
        return inflect(phrase, tag)
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
    return frozenset(_lemmas(word.lower()))


def is_lemma(word: str) -> bool:
    """Whether LemmInflect reads ``word`` (lowercase) as its own lemma in some part of speech
    (means, news: yes; desires, stated: no)."""
    return any(word in lemmas for lemmas in _lemmas(word).values())
