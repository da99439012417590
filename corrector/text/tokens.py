"""Sentences and tokens with exact character spans, the LM normalisation, case transfer.

Everything the corpus builder and the runtime do to text goes through this module, so the
LM sees the same token forms at training and at decoding time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, ClassVar

from corrector.text.nltk_modules import tokenizer_modules

# Only NLTK's two tokenizer modules, not the whole package (0.06 s instead of 0.25–0.3 s).
_punkt, _destructive = tokenizer_modules()
NLTKWordTokenizer = _destructive.NLTKWordTokenizer
PunktParameters = _punkt.PunktParameters
PunktSentenceTokenizer = _punkt.PunktSentenceTokenizer

# One character in, one character out: applied before tokenising so spans stay valid while
# NLTK's (ASCII-minded) rules see straight quotes and apostrophes.
_SPAN_SAFE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2012": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
    }
)

# Characters that are never part of a token: C0 controls other than the whitespace ones, DEL, C1
# controls, the BOM / zero-width no-break space, and lone surrogates (a JSON "\ud800" escape).
# ``span_safe`` maps each to a space (1:1, so spans stay valid), so the sentence splitter, the
# tokenizer and hence the LM (KenLM reads a NUL as the end of its input) all see a separator there,
# in scoring and decoding alike; the characters themselves stay in the text, outside every token.
SEPARATOR_CHARACTERS = "".join(
    chr(c)
    for c in (*range(0x00, 0x20), *range(0x7F, 0xA0), 0xFEFF, *range(0xD800, 0xE000))
    if chr(c) not in "\t\n\r\x0b\x0c"
)
_SPAN_SAFE.update(dict.fromkeys(map(ord, SEPARATOR_CHARACTERS), " "))

# Abbreviations Punkt must not split after (general English news usage, lowercase, no final dot).
ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof rev sr jr st mt ft gen col lt sgt capt cmdr adm maj gov sen rep pres supt
    insp det atty messrs mme mlle hon amb
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
    inc corp co ltd llc plc bros dept univ assn est approx vs etc no nos vol fig cf al
    u.s u.k u.n e.u u.s.a n.y d.c l.a a.m p.m i.e e.g ph.d b.a m.a
    ala ariz ark calif colo conn del fla ga ill ind kan ky la md mass mich minn miss mo mont neb
    nev okla ore pa tenn tex va vt wash wis wyo
    """.split()
)

_CLITICS = frozenset({"n't", "'s", "'re", "'ll", "'ve", "'d", "'m", "'"})
NO_SPACE_BEFORE = frozenset({".", ",", ":", ";", "!", "?", "%", ")", "]", "}", "..."}) | _CLITICS
NO_SPACE_AFTER = frozenset({"(", "[", "{", "$", "#"})
# LF, CRLF and a lone CR (old Mac line ends) all end a line.
_LINE_BREAK = re.compile(r"[^\S\r\n]*[\r\n]\s*")
# A longer run of tokens without a sentence end (a hostile or broken record: 100k words without
# punctuation) is decoded in pieces of this many tokens, so the decoder's work and memory per
# sentence are bounded; the text itself is untouched. Real news sentences stay far below it.
MAX_SENTENCE_TOKENS = 400
_WORD_RE = re.compile(r"[A-Za-z]")


@dataclass(frozen=True, slots=True)
class Token:
    """A token: its exact text in the input and its character span."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence: character span in the input and its tokens (spans are absolute)."""

    start: int
    end: int
    tokens: tuple[Token, ...]
    # The tokens' texts, made once: the generator and each decoder pass ask for them.
    words: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "words", tuple([t.text for t in self.tokens]))


_RE_FLAGS = re.IGNORECASE | re.MULTILINE | re.DOTALL | re.UNICODE | re.VERBOSE | re.ASCII


def _stdlib(pattern: Any) -> re.Pattern[str]:
    """``pattern`` compiled by the standard ``re`` (the flags both engines share)."""
    return re.compile(pattern.pattern, pattern.flags & _RE_FLAGS)


class _WordTokenizer(NLTKWordTokenizer):
    """NLTK's word tokenizer with its own fixed patterns compiled by the standard ``re``.

    This NLTK routes every pattern through the ``regex`` engine under a timeout (a guard for
    caller-supplied patterns), which made tokenising ~10% of a correction's time. These are
    NLTK's fixed Treebank patterns (``re`` ones until that guard); the tokens were checked
    identical on the news corpus, the Brown press sections, Reuters and the spun benchmarks.
    """

    STARTING_QUOTES: ClassVar = [(_stdlib(p), r) for p, r in NLTKWordTokenizer.STARTING_QUOTES]
    PUNCTUATION: ClassVar = [(_stdlib(p), r) for p, r in NLTKWordTokenizer.PUNCTUATION]
    PARENS_BRACKETS = (_stdlib(NLTKWordTokenizer.PARENS_BRACKETS[0]), NLTKWordTokenizer.PARENS_BRACKETS[1])
    DOUBLE_DASHES = (_stdlib(NLTKWordTokenizer.DOUBLE_DASHES[0]), NLTKWordTokenizer.DOUBLE_DASHES[1])
    ENDING_QUOTES: ClassVar = [(_stdlib(p), r) for p, r in NLTKWordTokenizer.ENDING_QUOTES]

    def tokenize(self, text: str, convert_parentheses: bool = False, return_str: bool = False) -> list[str]:
        """NLTK's ``tokenize`` (the same substitutions in the same order), skipping each one that
        cannot match the text as it is at that step: every pattern but one needs a character
        of its :data:`_NEEDS` entry, and on ASCII text each contraction pattern needs its words
        in the lowercased text (a spun news sentence needs ~7 of the 33 substitutions)."""
        if convert_parentheses or return_str:
            return super().tokenize(text, convert_parentheses, return_str)
        for (regexp, substitution), needs in zip(self._STEPS, _NEEDS, strict=True):
            if needs is None or any(map(text.__contains__, needs)):
                text = regexp.sub(substitution, text)
        text = " " + text + " "
        for (regexp, substitution), needs in zip(self.ENDING_QUOTES, _ENDING_NEEDS, strict=True):
            if needs is None or any(map(text.__contains__, needs)):
                text = regexp.sub(substitution, text)
        lowered = text.lower() if text.isascii() else None
        for regexp, words in _CONTRACTIONS:
            if lowered is None or words in lowered:
                text = regexp.sub(r" \1 \2 ", text)
                # A split can make a later pattern's words (``more'n'tis``: `` 'tis``).
                lowered = None if lowered is None else text.lower()
        return text.split()

    _STEPS: ClassVar = [*STARTING_QUOTES, *PUNCTUATION, PARENS_BRACKETS, DOUBLE_DASHES]


# For each of _WordTokenizer._STEPS (starting quotes, punctuation, brackets, double dashes) and
# ENDING_QUOTES: strings of which a match must contain one (None: always applied). Checked
# against NLTK's patterns in tests/test_text.py.
_NEEDS: tuple[tuple[str, ...] | None, ...] = (
    tuple("«“‘„`"), ('"',), ("`",), ('"', "'"), ("'",),  # starting quotes
    (".",), (":", ","), (":", ","), (".",), tuple(";@#$%&"), tuple("\u2012\u2013\u2014\u2015"),
    (".",), ("?", "!"), ("'",), ("*",),  # punctuation
    tuple("[](){}<>"),  # brackets
    ("--",),  # double dashes
)
_ENDING_NEEDS: tuple[tuple[str, ...] | None, ...] = (tuple("»”’"), ("''",), ('"',), None, ("'",), ("'",))
# NLTK's contraction patterns (case-insensitive, in its order) with the words each matches,
# lowercased: on ASCII text a pattern can only match where they occur.
_CONTRACTIONS: tuple[tuple[Any, str], ...] = tuple(
    zip(
        (*NLTKWordTokenizer.CONTRACTIONS2, *NLTKWordTokenizer.CONTRACTIONS3),
        ("cannot", "d'ye", "gimme", "gonna", "gotta", "lemme", "more'n", "wanna", " 'tis", " 'twas"),
        strict=True,
    )
)


_word_tokenizer = _WordTokenizer()
_nltk_word_tokenizer = NLTKWordTokenizer()  # the reference (tests compare the two)


class _LanguageVars(_punkt.PunktLanguageVars):  # type: ignore[misc]
    """Punkt's language variables with the two patterns it runs over whole lines compiled by the
    standard ``re``, as :class:`_WordTokenizer`'s: under NLTK's regex timeout a line of 45,000
    abbreviations ("Mr. Mr. …") ran past its 5 s limit and raised, where ``re`` reads it in
    0.04 s (the same patterns and flags)."""

    def period_context_re(self) -> re.Pattern[str]:
        pattern = super().period_context_re()
        if not isinstance(pattern, re.Pattern):
            pattern = self._re_period_context = _stdlib(pattern)
        return pattern

    def _word_tokenizer_re(self) -> re.Pattern[str]:
        pattern = super()._word_tokenizer_re()
        if not isinstance(pattern, re.Pattern):
            pattern = self._re_word_tokenizer = _stdlib(pattern)
        return pattern


@lru_cache(maxsize=1)
def _sentence_tokenizer() -> PunktSentenceTokenizer:
    params = PunktParameters()
    params.abbrev_types = set(ABBREVIATIONS)
    return PunktSentenceTokenizer(params, lang_vars=_LanguageVars())


def span_safe(text: str) -> str:
    """The text with typographic quotes, dashes and spaces mapped 1:1 to ASCII (same length)."""
    return text.translate(_SPAN_SAFE)


def tokenize(text: str, offset: int = 0) -> list[Token]:
    """Word tokens of ``text`` (NLTK/Treebank rules) with spans shifted by ``offset``."""
    safe = span_safe(text)
    return [Token(text[a:b], a + offset, b + offset) for a, b in _word_tokenizer.span_tokenize(safe)]


def _line_spans(text: str) -> Iterator[tuple[int, int]]:
    """Spans of non-blank lines: a line break always ends a sentence in news feeds (headlines)."""
    start = 0
    for match in _LINE_BREAK.finditer(text):
        if match.start() > start:
            yield start, match.start()
        start = match.end()
    if start < len(text):
        yield start, len(text)


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of ``text``: line breaks, then Punkt (with a news abbreviation list) per line; a
    sentence longer than :data:`MAX_SENTENCE_TOKENS` tokens is cut into pieces of at most that many."""
    punkt = _sentence_tokenizer()
    sentences: list[Sentence] = []
    for line_start, line_end in _line_spans(text):
        line = text[line_start:line_end]
        if not line.strip():
            continue
        for a, b in punkt.span_tokenize(span_safe(line)):
            tokens = tokenize(line[a:b], line_start + a)
            for i in range(0, len(tokens), MAX_SENTENCE_TOKENS):
                piece = tokens[i : i + MAX_SENTENCE_TOKENS]
                start = line_start + a if i == 0 else piece[0].start
                end = line_start + b if i + MAX_SENTENCE_TOKENS >= len(tokens) else piece[-1].end
                sentences.append(Sentence(start, end, tuple(piece)))
    return sentences


def normalize_token(token: str) -> str:
    """The LM form of a token: ASCII quotes and dashes, ``U.S.`` style dots kept, ``--`` for dashes."""
    token = span_safe(token)
    if token in {"``", "''", '"'}:
        return '"'
    if set(token) == {"-"} and len(token) > 1:
        return "--"
    if token == "\u2026":
        return "..."
    return token


def lm_words(tokens: Iterable[str], lowercase: bool = False) -> list[str]:
    """The words the LM sees for ``tokens``."""
    words = [normalize_token(t) for t in tokens]
    return [w.lower() for w in words] if lowercase else words


def normalize_line(line: str, lowercase: bool = False) -> str:
    """A raw text line as space-joined LM tokens (what the corpus builder writes)."""
    return " ".join(lm_words((t.text for t in tokenize(line)), lowercase))


def detokenize(words: Sequence[str]) -> str:
    """Join tokens as running text: no space before clitics/closing punctuation or after openers."""
    out: list[str] = []
    for i, word in enumerate(words):
        if i and word.lower() not in NO_SPACE_BEFORE and words[i - 1] not in NO_SPACE_AFTER:
            out.append(" ")
        out.append(word)
    return "".join(out)


def is_word(token: str) -> bool:
    """True for tokens containing a letter (the ones a spinner rewrites)."""
    return bool(_WORD_RE.search(token))


def case_pattern(text: str) -> str:
    """``upper``, ``title`` or ``lower``: the case pattern a replacement inherits."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return "upper"
    if letters and letters[0].isupper():
        return "title"
    return "lower"


def apply_case(pattern: str, text: str) -> str:
    """``text`` in ``pattern`` (only the first letter is raised for ``title``)."""
    if pattern == "upper":
        return text.upper()
    if pattern == "title":
        for i, c in enumerate(text):
            if c.isalpha():
                return text[:i] + c.upper() + text[i + 1 :]
    return text


def match_case(template: str, text: str) -> str:
    """``text`` with the case pattern of ``template`` (Prime → Top, PRIME → TOP)."""
    return apply_case(case_pattern(template), text)
