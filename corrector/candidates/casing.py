"""An original's LM tokens, in the case of the spun span it replaces.

A candidate's words depend on its original only through the original's LM tokens, and on the spun
span only through the span's case signature (:func:`case_signature`): both are memoised here,
apart from the lists and the spans, so the ranked lists make candidates from them and fitting
reads :func:`case_words` without a generator.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from corrector.candidates.rules import FUNCTION_WORDS
from corrector.text.tokens import apply_case, case_pattern, detokenize, tokenize

# Words NLTK's tokenizer splits although they are plain letters (its CONTRACTIONS2 rules).
_SPLIT_WORDS = frozenset({"cannot", "gimme", "gonna", "gotta", "lemme", "wanna"})


@lru_cache(maxsize=200_000)
def original_tokens(original: str) -> tuple[str, ...]:
    return plain_tokens(original) or tuple(t.text for t in tokenize(original))


def plain_tokens(original: str) -> tuple[str, ...] | None:
    """The LM tokens of ``original`` when it is plain ASCII words, possibly hyphenated inside:
    NLTK would return them as they are (checked over the whole table, re-inflected originals
    included). None: only the tokenizer knows."""
    if original.isalpha() and original.isascii() and original not in _SPLIT_WORDS:
        return (original,)  # one plain word (most originals): the general case below, faster
    words = original.split(" ")
    if original.isascii() and all(w.isalpha() for w in words) and _SPLIT_WORDS.isdisjoint(words):
        return tuple(words)
    if original.isascii() and "--" not in original and all(_hyphenated_word(w) for w in words):
        return tuple(words)
    return None


def _hyphenated_word(word: str) -> bool:
    parts = word.split("-")
    return all(p.isalpha() for p in parts) and _SPLIT_WORDS.isdisjoint(parts)


@lru_cache(maxsize=100_000)
def case_signature(span_words: tuple[str, ...]) -> str:
    """What :func:`case_words` depends on in the spun span: its case pattern, and for title
    case whether every word with a letter is title-cased."""
    pattern = case_pattern(" ".join(span_words))
    if pattern == "title":
        alpha = [w for w in span_words if any(c.isalpha() for c in w)]
        if len(alpha) > 1:
            titled = [case_pattern(w) == "title" for w in alpha]
            if all(titled):
                return "titles"
            # A name with its small words in lower case ("Facilities for Illness Management",
            # "World Well being Group"): its original is a name written so.
            if sum(titled) > 1 and all(t or w in FUNCTION_WORDS for w, t in zip(alpha, titled, strict=True)):
                return "name"
    return pattern


@lru_cache(maxsize=100_000)
def word_signature(word: str) -> str:
    """:func:`case_signature` of a one-word span (title case on every word needs two)."""
    # No uppercase letter: what case_pattern answers, faster (most words).
    return "lower" if word.islower() else case_pattern(word)


def case_words(span_words: Sequence[str], original: str, signature: str | None = None) -> tuple[str, ...]:
    """LM tokens of ``original`` carrying the spun span's case (Prime → Top, PRIME → TOP;
    'International Minister' → 'Foreign Minister' keeps title case on every word; a name keeps its
    small words in lower case: 'Facilities for Illness Management' → 'Centers for Disease Control')."""
    return _case_tokens(original_tokens(original), signature or case_signature(tuple(span_words)))


def _case_tokens(tokens: tuple[str, ...], signature: str) -> tuple[str, ...]:
    """:func:`case_words` from the original's LM tokens."""
    if signature == "upper":
        return tuple(t.upper() for t in tokens)
    if signature == "titles":
        return tuple(apply_case("title", t) if _capitalised(t) else t for t in tokens)
    if signature == "title":
        return (apply_case("title", tokens[0]), *tokens[1:])
    if signature == "name":
        return tuple(
            apply_case("title", t) if i == 0 or (_capitalised(t) and t not in FUNCTION_WORDS) else t
            for i, t in enumerate(tokens)
        )
    return tuple(tokens)


def _capitalised(token: str) -> bool:
    """Whether title case gives ``token`` a capital: a word, not a number or a contraction's part."""
    return token[:1].isalpha() and "'" not in token


def cased_form(tokens: tuple[str, ...], signature: str) -> tuple[tuple[str, ...], str]:
    """(An original's LM ``tokens`` in case ``signature``, their text)."""
    words = _case_tokens(tokens, signature)
    return words, words[0] if len(words) == 1 else detokenize(words)
