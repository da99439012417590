"""Originals related to the spun word itself, which no reverse list holds (issue 23).

The reverse table proposes the headwords whose lists contain the spun form. Real spinners swap a
frequent news word for one curated synonym, and synonymy mostly runs both ways, so the spun
word's *own* lists hold originals too, and the ones in its first (dominant) senses most of all
(docs/candidates-study.md, finding 4). Besides those, a spun form may be a spelling or a shape of
the original that no thesaurus pairs with it:

- ``own``: an entry of the spun word's own WordNet or MyThes list (sense order), within the
  first :data:`OWN_DEPTH` positions; ``rank`` is its position. The generator only marks the
  reverse candidates these hold (as new originals they changed clean text and reached no real
  original the other kinds miss: docs/candidates-study.md); derivations and joined forms are
  read from them;
- ``variant``: a spelling variant (despatch → dispatch, colour → color): two WordNet synonyms of
  each other one or two letters apart whose other synonyms are the same (WordNet lists a
  variant in every synset of the word), the original being the more frequent one. The
  variant's own reverse candidates follow it (despatched → dispatched → sent, see the generator);
- ``derived``: the adjective of an ``-ly`` adverb in the spun word's own list that shares the
  spun word's stem (nationwide lists nationally → national): an adjective-adverb word's list
  mixes both uses;
- ``compound``: the head of a closed compound (cellphone → phone): the last part, a common noun
  after a common word;
- ``joined``: a closed compound written as its words, a cardinal as digits ("12 months" →
  twelvemonth → year): the compound's own originals.

All of it is general data (the thesauri, LemmInflect, wordfreq), no list of pairs. It is read at
build time only: the table's precomputed lists carry its candidates (see
:func:`corrector.candidates.generator.precompute_ranked`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from corrector.candidates import inflection
from corrector.candidates.rules import CARDINALS, FUNCTION_WORDS

# Sense-ordered sources (Moby's order says nothing: docs/candidates-study.md, finding 3).
OWN_SOURCES = ("wordnet", "mythes")
# Positions of a spun word's own list read: its dominant senses.
OWN_DEPTH = 6
# An original must be a word news uses (wordfreq Zipf): real spinners start from frequent words.
MIN_ZIPF = 3.5
# An original no reverse list gives must be this much more frequent (Zipf) than the spun form
# (the generator's check; variants excepted, their spelling is the difference).
MIN_GAIN = 1.0
# A compound's head and a joined form's parts must be common words themselves.
MIN_PART_ZIPF = 3.0
MIN_PART_LEN = 3
# Letters a derivation shares with the spun word (nation-wide, nation-al).
STEM_LEN = 4
KINDS = ("own", "variant", "derived", "compound", "joined")


@dataclass(frozen=True, slots=True)
class Related:
    """A candidate original related to a spun key: how (:data:`KINDS`) and its sense position."""

    original: str
    kind: str
    rank: int = 0


def _zipf(word: str) -> float:
    from corrector.candidates.channel import zipf

    return zipf(word)


def spelling_variants(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` may be spellings of one word: single words of ≥ 4 letters, same
    first letter, one or two letters apart (Levenshtein), neither a prefix nor an inflection of
    the other (the builder also asks that their other synonyms be the same)."""
    if " " in a or " " in b or a == b or a[0] != b[0] or min(len(a), len(b)) < 4:
        return False
    if abs(len(a) - len(b)) > 2 or not (a.isalpha() and b.isalpha()):
        return False
    from rapidfuzz.distance import Levenshtein

    if Levenshtein.distance(a, b, score_cutoff=2) > 2:
        return False
    # An ending added is a derivation, not a spelling (late → lately, regime → regimen).
    if a.startswith(b) or b.startswith(a):
        return False
    lemmas_a = {lemma for lemma, _ in inflection.analyses(a)} | {a}
    lemmas_b = {lemma for lemma, _ in inflection.analyses(b)} | {b}
    return lemmas_a.isdisjoint(lemmas_b)


def adjective_of(adverb: str) -> str | None:
    """The adjective an ``-ly`` adverb derives from (nationally → national, happily → happy,
    probably → probable), when it is a word with an adjective reading."""
    if " " in adverb or not adverb.endswith("ly") or len(adverb) < 6:
        return None
    stems = [adverb[:-2]]
    if adverb.endswith("ily"):
        stems.append(adverb[:-3] + "y")
    if adverb.endswith("bly") or adverb.endswith("ply"):
        stems.append(adverb[:-1] + "e")
    for stem in stems:
        if "ADJ" in inflection.upos_set(stem) and _zipf(stem) >= MIN_ZIPF:
            return stem
    return None


def compound_head(word: str) -> str | None:
    """The head (last part) of a closed compound noun (hyperlink → link, cellphone → phone):
    the longest proper suffix of ≥ 4 letters that is a common noun (Zipf ≥ 4), after a common
    word of ≥ 3 letters, in an uninflected compound rarer than its head."""
    upos = inflection.upos_set(word)
    # Unknown to LemmInflect (cellphone) is fine: new compounds are what it lacks.
    if not word.isalpha() or len(word) < 2 * MIN_PART_LEN + 1 or (upos and "NOUN" not in upos):
        return None
    if inflection.analyses(word):
        return None  # an inflected form (backing, bearing): its ending is no head
    for cut in range(MIN_PART_LEN, len(word) - MIN_PART_LEN):
        head, modifier = word[cut:], word[:cut]
        if _zipf(head) < MIN_PART_ZIPF + 1 or _zipf(head) <= _zipf(word):
            continue
        if "NOUN" not in inflection.upos_set(head):
            continue
        if _zipf(modifier) >= MIN_ZIPF and inflection.upos_set(modifier):
            return head
    return None


def joined_forms(word: str) -> list[str]:
    """Spaced forms of a closed compound whose first part is a cardinal (twelvemonth →
    twelve month, twelve months, 12 month, 12 months): how a spinner may write it. The rest
    must be a common noun (a unit)."""
    if not word.isalpha():
        return []
    for value, cardinal in enumerate(CARDINALS):
        if value < 2 or not word.startswith(cardinal) or len(word) - len(cardinal) < MIN_PART_LEN:
            continue
        rest = word[len(cardinal) :]
        if _zipf(rest) < MIN_ZIPF or "NOUN" not in inflection.upos_set(rest):
            continue
        plural = inflection.inflect(rest, "NNS")
        rests = [rest, *([plural] if plural and plural != rest else [])]
        return [f"{first} {r}" for first in (cardinal, str(value)) for r in rests]
    return []


class Relatives:
    """spun key → its related originals (see the module docstring), by kind, then sense
    position; an original may be listed once per kind."""

    def __init__(self, table: Mapping[str, Sequence[Related]]) -> None:
        self._table = {key: tuple(found) for key, found in table.items() if found}

    def get(self, key: str) -> tuple[Related, ...]:
        return self._table.get(key, ())

    def __contains__(self, key: str) -> bool:
        return key in self._table

    def keys(self) -> Iterable[str]:
        return self._table.keys()

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)

    @classmethod
    def from_forward(
        cls, forward: Mapping[str, Mapping[str, Sequence[str]]], extra_words: Iterable[str] = ()
    ) -> Relatives:
        """From forward thesauri (source → headword → synonyms, as
        :func:`corrector.builders.thesaurus.forward_synonyms` reads them). ``extra_words``: other
        single words (a vocabulary) to try as compounds."""
        # key → (original, kind) → the best (lowest) sense position: an original may relate
        # in several ways (despatch lists dispatch first, and it is a spelling variant).
        table: dict[str, dict[tuple[str, str], Related]] = {}

        def add(key: str, related: Related) -> None:
            if related.original == key or related.original in FUNCTION_WORDS:
                return
            found = table.setdefault(key, {})
            old = found.get((related.original, related.kind))
            if old is None or related.rank < old.rank:
                found[related.original, related.kind] = related

        heads: set[str] = set()
        for source in OWN_SOURCES:
            for head, syns in forward.get(source, {}).items():
                heads.add(head)
                for rank, syn in enumerate(syns[:OWN_DEPTH]):
                    if _zipf(syn) >= MIN_ZIPF:
                        add(head, Related(syn, "own", rank))
                    adjective = adjective_of(syn)
                    if (
                        adjective is not None
                        and "ADJ" in inflection.upos_set(head)
                        and _common_prefix(head, adjective) >= STEM_LEN
                    ):
                        add(head, Related(adjective, "derived", rank))
        wordnet = forward.get("wordnet", {})
        for head, syns in wordnet.items():
            for syn in syns:
                if (
                    spelling_variants(head, syn)
                    and head in wordnet.get(syn, ())
                    and _zipf(syn) > _zipf(head)
                    and _zipf(syn) >= MIN_ZIPF
                    and set(syns) - {syn} <= set(wordnet.get(syn, ())) | {head}
                ):
                    add(head, Related(syn, "variant"))
        for word in {*heads, *(h for t in forward.values() for h in t), *extra_words}:
            if " " in word:
                continue
            head = compound_head(word)
            if head is not None:
                add(word, Related(head, "compound"))
            for spaced in joined_forms(word):
                for related in table.get(word, {}).values():
                    if related.kind == "own":
                        add(spaced, Related(related.original, "joined", related.rank))
        return cls({key: sorted(found.values(), key=_order) for key, found in table.items()})


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _order(related: Related) -> tuple[int, int, str]:
    return KINDS.index(related.kind), related.rank, related.original
