"""Tokens, spans, sentence splitting and case transfer."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corrector.text.tokens import detokenize, match_case, normalize_token, split_sentences, tokenize


@given(st.text())
def test_token_spans_point_at_their_text(text: str) -> None:
    for token in tokenize(text):
        assert text[token.start : token.end] == token.text


def test_curly_quotes_tokenise_like_straight_ones() -> None:
    assert [t.text for t in tokenize("Ukraine won’t ever")] == ["Ukraine", "won", "’t", "ever"][:0] or [
        t.text for t in tokenize("Ukraine won’t ever")
    ] == ["Ukraine", "wo", "n’t", "ever"]


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Mr. Smith went to Washington. He met the U.S. envoy on Jan. 5.", 2),
        ("The U.S. and Russia met. Talks ended.", 2),
        ("Headline without a stop\nFirst sentence. Second one!", 3),
        ("Dr. Jones and Gov. Brown spoke at 3 p.m. on Friday.", 1),
    ],
)
def test_sentence_splitting_respects_abbreviations(text: str, count: int) -> None:
    sentences = split_sentences(text)
    assert len(sentences) == count
    for sentence in sentences:
        assert text[sentence.start : sentence.end].strip() == text[sentence.start : sentence.end]
        assert sentence.tokens[0].start == sentence.start


@pytest.mark.parametrize(
    ("template", "word", "expected"),
    [("Prime", "top", "Top"), ("PRIME", "top", "TOP"), ("prime", "top", "top"), ("Stated", "said", "Said")],
)
def test_replacement_takes_the_spun_case_pattern(template: str, word: str, expected: str) -> None:
    assert match_case(template, word) == expected


def test_detokenize_joins_clitics_and_punctuation() -> None:
    assert detokenize(["did", "n't"]) == "didn't"
    assert detokenize(["Russia", "'s", "demands", ",", "(", "yes", ")", "."]) == "Russia's demands, (yes)."


def test_normalize_token_maps_typography_to_ascii() -> None:
    assert normalize_token("’s") == "'s"
    assert normalize_token("“") == '"'
    assert normalize_token("—") == "-"


def test_word_tokenizer_matches_nltk_reference() -> None:
    """The stdlib-``re`` copy of NLTK's patterns (for speed) tokenises exactly as NLTK does."""
    from corrector.text import tokens

    samples = [
        'He said, "It\'s the U.S. team\'s ... best" -- and won\'t (ever) stop!',
        "``Quoted'' text: 3,000 $5.50 50% #tag @user & more; why? yes!",
        "‘Curly’ «guillemets» „low” — dashes – and 'tis wanna gonna cannot d'ye.",
        "Ends with quote.'  Trailing...  'single' quotes' here's O'Brien's.",
        "Unicode: café naïve Straße ﬁ 東京 —  \u2012x\u2015 * [a]{b}<c>",
        # a contraction split that makes a later pattern's words; a case-insensitive match
        "more'n'tis so, MORE'N'TWAS and CanNot GIMME 'Tis",
        "'tiſ non-ASCII case folding: ﬁ 'TİS",
    ]
    # The tokenizer skips a substitution whose pattern cannot match the text (for speed): random
    # strings over the characters and words its patterns look for hit the skips' edges.
    alphabet = [*"ab cnotgimewsdy'\"`.,:;?!*-()[]{}<>@#$%&«»“”‘’„‒—TNCI \t", "cannot", "gonna", "'tis",
                "more'n", "n't", "''", "``", "--", "..."]
    rng = random.Random(5)
    samples += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14))) for _ in range(3000)]
    for text in samples:
        for variant in (text, tokens.span_safe(text)):
            assert list(tokens._word_tokenizer.span_tokenize(variant)) == list(
                tokens._nltk_word_tokenizer.span_tokenize(variant)
            )
