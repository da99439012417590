"""A seeded synthetic article spinner: the forward process the corrector learns to undo.

It mimics what DESIGN §1 observed in real spun news: context-free dictionary swaps of words and
phrases (said→stated, Foreign Minister→International Minister) with the original's case carried
over and inflection kept (told→advised via LemmInflect), a digit group of a formatted number
spelled out (3,450→three,450), ``thousands``→``1000's`` and expanded contractions
(didn't→did not). Like a real spinner it fixes one replacement per word (chosen from the seed and
the word alone, so it is the same in every document), spins most content words and fewer function
words, and sometimes uses a different synonym or leaves a word alone.

Every change is recorded as a :class:`SpinEdit` with exact character spans in *both* texts:
``start``/``end`` index the original and ``spun_start``/``spun_end`` the spun text, so
``apply_edits(original, edits) == spun`` (tests check this property).

Named profiles (:data:`PROFILES`, :func:`profile_config`) are frozen presets:

- ``thesaurus`` (the default): every word with a usable thesaurus synonym can be spun, each
  occurrence choosing among the word's top synonyms (a fixed favourite 90% of the time).
- ``dictionary``: shaped like a real spinner's database, the way docs/candidates-study.md
  measured real spinners choose: a small fixed map, the same for every document of a seed, from
  frequent news words (Zipf ≥ 4, the most frequent kept more often) to one or two curated
  replacements each, the dominant-sense synonyms (earliest in WordNet's and MyThes's
  sense-ordered lists, then the most frequent) among those the most thesauri agree on, applied
  at 85% of occurrences. Phrases such as "final yr" come from spinning neighbouring words one
  by one.
- ``light``: a dictionary spinner with fewer headwords, changing ~8% of tokens.
- ``wordpress``: a dictionary spinner, word-level only, with more function-word entries and no
  number or contraction quirks (the WordPress auto-blog habits of DESIGN §1).
- ``intensifier``: the light dictionary spinner, which also inserts "actually" between a
  perfect auxiliary and its participle ("had forgotten" → "had actually forgotten", the other
  tool issue 20 saw on real spun news).

``light`` and ``wordpress`` keep the earlier dictionary draw (a seeded draw weighted towards
frequent replacements, every eligible word equally likely a headword), so their benchmark numbers
stay comparable across versions; ``dictionary`` is the one drawn like a real spinner's.

Same seed and same configuration ⇒ byte-identical output: all randomness comes from
``random.Random`` seeded with strings (stable across processes and ``PYTHONHASHSEED``).
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from corrector.candidates.rules import FUNCTION_WORDS, changes_fact
from corrector.text.results import splice
from corrector.text.tokens import Token, apply_case, case_pattern, split_sentences

# Contraction clitics (apostrophes normalised to ASCII) → expansion; ``None`` = depends on host.
_CLITIC_EXPANSIONS = {"n't": "not", "'re": "are", "'ve": "have", "'ll": "will", "'m": "am", "'d": "would"}
_NEGATIVE_HOSTS = {"ca": "can", "wo": "will", "sha": "shall"}
_IS_HOSTS = frozenset({"it", "that", "he", "she", "there", "what", "who", "here", "where"})
_QUIRKS = {"thousands": "1000's", "hundreds": "100's"}  # seen in real spun news (DESIGN §1)

_NUMBER = re.compile(r"^(\d{1,3})((?:,\d{3})+)(?:\.\d+)?$")
_SYNONYM_OK = re.compile(r"^[a-z][a-z' -]*[a-z]$")
_ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen \
sixteen seventeen eighteen nineteen".split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()

_DEFAULT_SOURCES = ("moby", "wordnet", "mythes")
# Sources whose lists are in sense order, dominant sense first (Moby's order says nothing about a
# real spinner's choice: docs/candidates-study.md, finding 3).
SENSE_ORDERED = frozenset({"wordnet", "mythes"})
_NO_SENSE = 10_000
# Positions of a sense-ordered list that count as the dominant senses (the study's real spins sit
# at median rank 1.5–4 there).
SENSE_HEAD = 4
# Content words at least this frequent are always headwords of the realistic dictionary.
FREQUENT_ZIPF = 5.0

# What the intensifier profile inserts, and after which auxiliaries (before their participle).
INTENSIFIER = "actually"
PERFECT_AUXILIARIES = frozenset({"has", "have", "had"})

# Never spun: real spinners leave pronouns, articles and modals alone (and thesauri list nonsense
# for them: can→john, I→iodine).
NEVER_SPIN = frozenset(
    """
    a an the i me my mine we us our ours you your yours he him his she her hers it its they them
    their theirs this that these those who whom whose which what can could may might must shall
    should will would and or nor not to of
    """.split()
)


# Never headwords of a fixed dictionary: real ones leave auxiliaries (grammar would break) and
# number words (facts would change: million→billion) alone; other facts keep only replacements
# that state the same (`_rank`).
NOT_HEADWORDS = frozenset(
    """
    be am is are was were being been have has had having do does did doing
    hundred thousand million billion trillion dozen half hundreds thousands millions billions
    trillions dozens
    """.split()
) | frozenset(_ONES) | frozenset(_TENS[2:])


def spell_number(n: int) -> str:
    """English words for 0 ≤ n ≤ 999 (``45`` → ``forty-five``)."""
    if not 0 <= n <= 999:
        raise ValueError(f"spell_number handles 0..999, got {n}")
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    hundreds, rest = divmod(n, 100)
    return f"{_ONES[hundreds]} hundred" + (f" {spell_number(rest)}" if rest else "")


@dataclass(frozen=True, slots=True)
class SpinConfig:
    """How to spin. Rates are per occurrence; the synonym chosen for a word is fixed per seed.

    - ``sources``: forward thesauri (``moby``, ``wordnet``, ``mythes``) merged in this order.
    - ``user_dicts``: TSV files ``original<TAB>spun`` consulted before the thesauri.
    - ``rate`` / ``function_rate``: chance to spin a content / function word that has a synonym.
    - ``consistency``: chance to use the word's fixed synonym rather than another of its top list.
    - ``multiword`` / ``max_phrase``: spin phrases (``even though``) up to this many tokens.
    - ``top_k`` / ``min_zipf`` / ``rarity``: synonyms considered are the ``top_k`` most frequent
      with wordfreq Zipf ≥ ``min_zipf`` and compatible part of speech; ``rarity`` > 0 favours
      the rarer among them (weight ∝ 10^(−rarity·zipf)).
    - ``digit_rate``: chance to spell out the first group of ``3,450`` and to write ``1000's``.
    - ``contraction_rate``: chance to expand ``didn't`` → ``did not``.
    - ``keep_case``: carry the original's case pattern over (Top → Prime).
    - ``profile``: the preset this configuration came from (named in the signature).
    - ``phrase_keys``: spin phrases as units (``even though``); off = word entries only, though a
      word's replacement may still have several words (trading → buying and selling).
    - ``fixed_dictionary``: spin from a fixed per-seed dictionary (the ``dictionary`` profile):
      a word is a headword if its Zipf ≥ ``headword_zipf`` and a seeded draw falls under
      ``coverage`` (``function_coverage`` for function words); its entry holds one replacement,
      or two with chance ``second_rate``, drawn from the synonyms the most thesauri list.
      ``consistency`` is then the chance an occurrence uses the entry's first replacement.
    - ``sense_order``: a fixed dictionary's replacements are the dominant-sense synonyms, in
      order: the earliest in the sense-ordered sources' lists (WordNet, MyThes) for the word or
      its lemma, ties (and synonyms no such list holds) by frequency; the seed only decides
      whether a second one is kept. Off: a seeded draw weighted by ``rarity``.
    - ``frequent_zipf``: with a fixed dictionary, a content word at least this frequent is
      always eligible (the rest at ``coverage``): real spinners' originals are the commonest
      news words (study: 72% above Zipf 5 against 39% in the uniform draw). 0: off.
    - ``intensifier_rate``: chance to insert :data:`INTENSIFIER` after a perfect auxiliary
      (has, have, had) followed by a past participle. 0: off.
    """

    sources: tuple[str, ...] = _DEFAULT_SOURCES
    user_dicts: tuple[str, ...] = ()
    rate: float = 0.85
    function_rate: float = 0.3
    consistency: float = 0.9
    multiword: bool = True
    max_phrase: int = 4
    top_k: int = 8
    min_zipf: float = 3.0
    rarity: float = 0.0
    digit_rate: float = 0.5
    contraction_rate: float = 0.8
    keep_case: bool = True
    seed: int = 0
    profile: str = "thesaurus"
    phrase_keys: bool = True
    fixed_dictionary: bool = False
    headword_zipf: float = 4.0
    coverage: float = 1.0
    function_coverage: float = 1.0
    second_rate: float = 0.0
    sense_order: bool = False
    frequent_zipf: float = 0.0
    intensifier_rate: float = 0.0

    def signature(self) -> str:
        """``key:value|…`` naming every setting (goes next to the output, like sacrebleu's)."""
        from corrector.version import __version__

        parts = [
            f"profile:{self.profile}",
            f"sources:{'+'.join(self.sources) or 'none'}",
            f"user:{'+'.join(Path(p).name for p in self.user_dicts) or 'none'}",
            f"rate:{self.rate}",
            f"frate:{self.function_rate}",
            f"consist:{self.consistency}",
            f"phrase:{self.max_phrase if self.multiword else 1}",
            f"topk:{self.top_k}",
            f"zipf:{self.min_zipf}",
            f"rarity:{self.rarity}",
            f"digits:{self.digit_rate}",
            f"contr:{self.contraction_rate}",
            f"case:{'keep' if self.keep_case else 'lower'}",
        ]
        if not self.phrase_keys:
            parts.append("words-only")
        if self.fixed_dictionary:
            parts += [
                f"headzipf:{self.headword_zipf}",
                f"cover:{self.coverage}",
                f"fcover:{self.function_coverage}",
                f"second:{self.second_rate}",
            ]
            # Named only when on, so signatures of the earlier draws are unchanged.
            if self.sense_order:
                parts.append("sense")
            if self.frequent_zipf:
                parts.append(f"freqzipf:{self.frequent_zipf}")
        if self.intensifier_rate:  # named only when on, as above
            parts.append(f"intens:{self.intensifier_rate}")
        parts += [
            f"seed:{self.seed}",
            f"version:{__version__}",
        ]
        return "spin|" + "|".join(parts)


_DRAWN_DICTIONARY = SpinConfig(
    profile="dictionary",
    fixed_dictionary=True,
    function_rate=0.85,  # coverage, not the rate, keeps most function words out of the dictionary
    consistency=0.75,
    top_k=40,  # a wide pool: the agreement filter and the frequency draw pick from it
    max_phrase=3,
    rarity=-0.5,  # real spinners use readable words: favour frequent replacements
    digit_rate=0.3,
    contraction_rate=0.5,
    coverage=0.75,  # with the rate, ~22% of tokens change (DESIGN §7: 17–25% on real spun news)
    function_coverage=0.5,
    second_rate=0.5,  # at most two replacements, so median 1 caps the mean near 1.4 (DESIGN: 1.7)
)
# The study's real spinner (docs/candidates-study.md): frequent news words as headwords, each with
# its dominant-sense replacement(s).
# Every content word above FREQUENT_ZIPF is a headword, so fewer of the rest are (coverage 0.55
# rather than 0.75) to keep ~22% of tokens changed.
_DICTIONARY = replace(_DRAWN_DICTIONARY, sense_order=True, frequent_zipf=FREQUENT_ZIPF, coverage=0.55)

# Frozen presets by name; ``profile_config`` applies overrides. See the module docstring.
PROFILES: Mapping[str, SpinConfig] = MappingProxyType(
    {
        "thesaurus": SpinConfig(),
        "dictionary": _DICTIONARY,
        # Fewer headwords rather than a lower rate: what is spun stays a fixed dictionary applied
        # everywhere (the evidence a learner uses), just a smaller one.
        "light": replace(
            _DRAWN_DICTIONARY, profile="light", coverage=0.25, function_coverage=0.1, digit_rate=0.0,
            contraction_rate=0.0,
        ),
        "wordpress": replace(
            _DRAWN_DICTIONARY, profile="wordpress", phrase_keys=False, function_coverage=0.8, digit_rate=0.0,
            contraction_rate=0.0,
        ),
        "intensifier": replace(
            _DRAWN_DICTIONARY, profile="intensifier", coverage=0.25, function_coverage=0.1, digit_rate=0.0,
            contraction_rate=0.0, intensifier_rate=0.85,
        ),
    }
)


def profile_config(name: str, **overrides: Any) -> SpinConfig:
    """The preset ``name`` with ``overrides`` (SpinConfig fields) applied."""
    if name not in PROFILES:
        raise ValueError(f"unknown spin profile {name!r}; choose from {', '.join(PROFILES)}")
    return replace(PROFILES[name], **overrides)


@dataclass(frozen=True, slots=True)
class SpinEdit:
    """One change: ``original[start:end]`` became ``spun[spun_start:spun_end]``."""

    start: int
    end: int
    original: str
    spun: str
    spun_start: int
    spun_end: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class SpinResult:
    original: str
    spun: str
    edits: tuple[SpinEdit, ...] = field(default_factory=tuple)


def apply_edits(original: str, edits: Iterable[SpinEdit | dict[str, Any]]) -> str:
    """``original`` with the edits (sorted, non-overlapping, spans into ``original``) applied."""
    records = (edit if isinstance(edit, dict) else edit.to_dict() for edit in edits)
    return splice(original, ((e["start"], e["end"], e["spun"]) for e in records))


def read_user_dict(path: str | Path) -> dict[str, list[str]]:
    """A user TSV ``original<TAB>spun`` (more columns ignored, ``#`` comments) as a forward dict."""
    table: dict[str, list[str]] = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 2:
                raise ValueError(f"{path}: expected original<TAB>spun, got {line!r}")
            key, value = " ".join(cols[0].lower().split()), " ".join(cols[1].split())
            if key and value and value.lower() != key and value not in table.setdefault(key, []):
                table[key].append(value)
    return table


def _forward_tables(config: SpinConfig) -> list[dict[str, list[str]]]:
    tables = [read_user_dict(p) for p in config.user_dicts]
    if config.sources:
        from corrector.builders.thesaurus import forward_synonyms

        tables.extend(forward_synonyms(source) for source in config.sources)
    return tables


def _zipf(phrase: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(phrase, "en")


# A replacement candidate: (text, Zipf frequency, number of sources listing it).
Option = tuple[str, float, int]


class Spinner:
    """Spins texts under one :class:`SpinConfig`; synonym choices are cached per word.

    It counts the (original, replacement) pairs it applies (:meth:`used_pairs`) and, under a fixed
    dictionary, keeps the entries of every headword it met (:meth:`dictionary`)."""

    def __init__(self, config: SpinConfig | None = None, **overrides: Any) -> None:
        config = replace(config or SpinConfig(), **overrides)
        if not config.sources and not config.user_dicts:
            raise ValueError("a spinner needs at least one dictionary source or user TSV")
        self.config = config
        self._tables = _forward_tables(config)
        self._user_keys = {k for t in self._tables[: len(config.user_dicts)] for k in t}
        self._options = lru_cache(maxsize=None)(self._options_uncached)
        self._entry = lru_cache(maxsize=None)(self._entry_uncached)
        self._applied: Counter[tuple[str, str]] = Counter()
        self._headwords_met: set[str] = set()

    # -- synonym lists ---------------------------------------------------------------------
    def _synonyms(self, key: str) -> list[str]:
        """Synonyms of ``key`` from all tables, each once, listed in source order."""
        return list(self._agreement(key))

    def _agreement(self, key: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for table in self._tables:
            for syn in dict.fromkeys(s.lower() for s in table.get(key, ())):
                counts[syn] = counts.get(syn, 0) + 1
        return counts

    def _rank(
        self, key: str, candidates: Sequence[str], trusted: bool, agreement: dict[str, int] | None = None
    ) -> tuple[Option, ...]:
        """The top-k usable candidates with their Zipf frequency and source count, best first.

        Thesaurus lists mix senses and parts of speech, so candidates are ranked by frequency,
        plus a bonus per extra source listing them, minus a penalty per extra word; function
        words only get frequent single-word synonyms (in→within, not in→"in point of")."""
        cfg = self.config
        limit = cfg.max_phrase if cfg.multiword else 1
        function = key in FUNCTION_WORDS
        scored = []
        for cand in candidates:
            low = cand.lower()
            n_words = len(low.split())
            if low == key or n_words > (1 if function else limit) or key in low.split():
                continue
            # Real spinners keep facts: no thesaurus neighbour that states another number,
            # direction, season, day, month or unit of time (north→northeast, year→day).
            if not trusted and (not _SYNONYM_OK.match(low) or changes_fact(low, key)):
                continue
            zipf = _zipf(low)
            if trusted:
                scored.append((cand, zipf, 0.0, 1))
            elif zipf >= (max(cfg.min_zipf, 4.5) if function else cfg.min_zipf):
                support = (agreement or {}).get(low, 1)
                scored.append((cand, zipf, zipf + support - 1 - 1.5 * (n_words - 1), support))
        if trusted:  # a user dictionary is used as written, in its own order
            return tuple((c, z, n) for c, z, _, n in scored)
        scored.sort(key=lambda czsn: (-czsn[2], czsn[0]))
        return tuple((c, z, n) for c, z, _, n in scored[: cfg.top_k])

    def _options_uncached(self, key: str) -> tuple[Option, ...]:
        """Replacement candidates for a lowercase word or phrase, inflected like ``key``."""
        if key in NEVER_SPIN and key not in self._user_keys:
            return ()
        if key in self._user_keys:
            user = [s for t in self._tables[: len(self.config.user_dicts)] for s in t.get(key, ())]
            return self._rank(key, user, trusted=True)
        if " " in key or key in FUNCTION_WORDS:
            return self._rank(key, self._synonyms(key), trusted=False, agreement=self._agreement(key))
        from lemminflect import getAllInflections, getAllLemmas

        lemmas = getAllLemmas(key)
        # A base form (meeting as a noun) uses its own entry; an inflected form (said, told)
        # goes through its lemma and gets each synonym inflected the same way.
        if not lemmas or any(key in forms for forms in lemmas.values()):
            own = self._synonyms(key)
            upos = [u for u, forms in lemmas.items() if key in forms]
            if upos:
                own = [s for s in own if _has_pos(s, upos[0]) or s.lower() in self._user_keys]
            return self._rank(key, own, trusted=False, agreement=self._agreement(key))
        for upos, forms in lemmas.items():
            for lemma in forms:
                tags = [t for t, words in getAllInflections(lemma, upos).items() if key in words]
                if not tags:
                    continue
                agreement = {}
                for syn, count in self._agreement(lemma).items():
                    if (word := _inflect(syn, upos, tags[0])) and count > agreement.get(word, 0):
                        agreement[word] = count
                ranked = self._rank(key, list(agreement), trusted=False, agreement=agreement)
                if ranked:
                    return ranked
        return ()

    def _is_name(self, word: str) -> bool:
        """A capitalised word that is not a known common word (Ukraine, Blinken): left alone,
        as real spinners do; names made of common words (Foreign Minister) are still spun."""
        key = word.lower()
        if not word[0].isupper() or key in FUNCTION_WORDS or key in self._user_keys:
            return False
        from lemminflect import getAllLemmas

        return not getAllLemmas(key)

    # -- the fixed dictionary -----------------------------------------------------------------
    def _entry_uncached(self, key: str) -> tuple[str, ...]:
        """The fixed dictionary's replacements for ``key`` (empty: not a headword).

        It depends only on the seed, the profile and the word, so building it lazily gives the
        same map as building it up front. Replacements are not the thesaurus's first-ranked
        synonym but a seeded draw among those the most sources list, weighted towards frequent
        (readable) ones; extra words count as a loss of 1.5 Zipf each. Single thesauri are noisy
        (crisis→press, in→successful), so a content word needs a synonym two sources list and a
        function word one that every source lists."""
        cfg = self.config
        options = self._options(key)
        if not options:
            return ()
        if key in self._user_keys:  # a user TSV is the dictionary, as written
            return tuple(c for c, _, _ in options)
        if key in NOT_HEADWORDS or _zipf(key) < cfg.headword_zipf:
            return ()
        function = all(word in FUNCTION_WORDS for word in key.split())
        best = max(n for _, _, n in options)
        if best < (len(cfg.sources) if function else min(2, len(cfg.sources))):
            return ()
        draw = random.Random(f"{cfg.seed}:{cfg.profile}:{key}")
        frequent = not function and cfg.frequent_zipf > 0 and _zipf(key) >= cfg.frequent_zipf
        # The draw happens either way, so the same seed picks the same second replacements.
        if draw.random() >= (cfg.function_coverage if function else cfg.coverage) and not frequent:
            return ()
        pool = [(c, z - 1.5 * (len(c.split()) - 1)) for c, z, n in options if n == best]
        if cfg.sense_order:
            senses = self._sense_ranks(key)
            # Among the synonyms a sense-ordered source lists early (the dominant senses), the
            # most frequent one that is rarer than the word (real swaps go from frequent to rarer:
            # said → stated, not said → told), then the rest the same way.
            zipf_key = _zipf(key)
            ordered = sorted(
                pool,
                key=lambda cz: (
                    senses.get(cz[0].lower(), _NO_SENSE) >= SENSE_HEAD, cz[1] > zipf_key, -cz[1], cz[0]
                ),
            )
            entry = [ordered[0][0]]
            if len(ordered) > 1 and draw.random() < cfg.second_rate:
                entry.append(ordered[1][0])
            return tuple(entry)
        weights = [10.0 ** (-cfg.rarity * z) for _, z in pool]
        first = draw.choices(range(len(pool)), weights=weights)[0]
        entry = [pool[first][0]]
        if len(pool) > 1 and draw.random() < cfg.second_rate:
            rest = [i for i in range(len(pool)) if i != first]
            entry.append(pool[draw.choices(rest, weights=[weights[i] for i in rest])[0]][0])
        return tuple(entry)

    def _sense_ranks(self, key: str) -> dict[str, int]:
        """Lowercase synonym → its earliest position in the sense-ordered sources' lists for
        ``key`` or its lemmas; an inflected synonym gets its lemma's position (said: state →
        stated)."""
        from lemminflect import getAllInflections, getAllLemmas

        cfg = self.config
        offset = len(cfg.user_dicts)
        tables = [self._tables[offset + i] for i, s in enumerate(cfg.sources) if s in SENSE_ORDERED]
        lemmas = getAllLemmas(key) if " " not in key else {}
        heads = [key, *(lemma for forms in lemmas.values() for lemma in forms if lemma != key)]
        ranks: dict[str, int] = {}
        for table in tables:
            for head in heads:
                for i, syn in enumerate(dict.fromkeys(s.lower() for s in table.get(head, ()))):
                    forms = {syn}
                    if head != key and " " not in syn:
                        forms |= {f for fs in getAllInflections(syn).values() for f in fs}
                    for form in forms:
                        if i < ranks.get(form, _NO_SENSE):
                            ranks[form] = i
        return ranks

    def dictionary(self) -> dict[str, tuple[str, ...]]:
        """The fixed dictionary's entries for every headword met so far, sorted."""
        if not self.config.fixed_dictionary:
            return {}
        return {key: self._entry(key) for key in sorted(self._headwords_met)}

    def used_pairs(self) -> Counter[tuple[str, str]]:
        """How often each lowercase (original, replacement) pair was applied so far."""
        return Counter(self._applied)

    def _spinnable(self, key: str) -> bool:
        if self.config.fixed_dictionary:
            if self._entry(key):
                self._headwords_met.add(key)
                return True
            return False
        return bool(self._options(key))

    def choice(self, key: str, rng: random.Random) -> str | None:
        """The replacement for ``key`` at one occurrence (None: no synonym)."""
        if self.config.fixed_dictionary:
            entry = self._entry(key)
            if not entry:
                return None
            if len(entry) > 1 and rng.random() >= self.config.consistency:
                return rng.choice(entry[1:])
            return entry[0]
        options = self._options(key)
        if not options:
            return None
        fixed = random.Random(f"{self.config.seed}:{key}")  # the word's own, document-independent pick
        if self.config.rarity > 0:
            weights = [10.0 ** (-self.config.rarity * z) for _, z, _ in options]
        else:
            weights = [1.0] * len(options)
        primary = fixed.choices(range(len(options)), weights=weights)[0]
        if len(options) > 1 and rng.random() >= self.config.consistency:
            others = [i for i in range(len(options)) if i != primary]
            primary = rng.choice(others)
        return options[primary][0]

    # -- spinning ----------------------------------------------------------------------------
    def spin(self, text: str, doc_id: str = "") -> SpinResult:
        """Spin one document; ``doc_id`` seeds the per-occurrence decisions."""
        rng = random.Random(f"{self.config.seed}|{doc_id}")
        edits: list[tuple[int, int, str]] = []  # spans into ``text``
        for sentence in split_sentences(text):
            edits.extend(self._spin_tokens(text, sentence.tokens, rng))
        return _result(text, edits)

    def _spin_tokens(
        self, text: str, tokens: Sequence[Token], rng: random.Random
    ) -> list[tuple[int, int, str]]:
        cfg = self.config
        out: list[tuple[int, int, str]] = []
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            # Contractions: "did" + "n't" → "did not".
            if nxt is not None and nxt.start == tok.end and cfg.contraction_rate > 0:
                expansion = _expand_contraction(tok.text, nxt.text)
                if expansion and rng.random() < cfg.contraction_rate:
                    out.append((tok.start, nxt.end, expansion))
                    i += 2
                    continue
            # Numbers: "3,450" → "three,450"; "thousands" → "1000's".
            number = _NUMBER.match(tok.text)
            if number and cfg.digit_rate > 0:
                if rng.random() < cfg.digit_rate:
                    group = number.group(1)
                    out.append((tok.start, tok.start + len(group), spell_number(int(group))))
                i += 1
                continue
            # An intensifier after a perfect auxiliary: "had forgotten" → "had actually forgotten"
            # (recorded as an edit of the auxiliary, so the spans stay exact).
            if (
                cfg.intensifier_rate > 0
                and nxt is not None
                and tok.text.lower() in PERFECT_AUXILIARIES
                and _is_participle(nxt.text)
                and rng.random() < cfg.intensifier_rate
            ):
                self._applied[tok.text.lower(), f"{tok.text.lower()} {INTENSIFIER}"] += 1
                out.append((tok.start, tok.end, f"{tok.text} {INTENSIFIER}"))
                i += 1
                continue
            quirk = _QUIRKS.get(tok.text.lower())
            if quirk and cfg.digit_rate > 0 and rng.random() < cfg.digit_rate:
                out.append((tok.start, tok.end, quirk))
                i += 1
                continue
            # Phrases first (longest match), then single words.
            phrases = cfg.multiword and cfg.phrase_keys
            spans = range(min(cfg.max_phrase, len(tokens) - i), 1, -1) if phrases else ()
            done = False
            for n in spans:
                group = tokens[i : i + n]
                if not all(t.text.isalpha() for t in group):
                    continue
                key = " ".join(t.text.lower() for t in group)
                if not self._spinnable(key):
                    continue
                rate = cfg.function_rate if all(t.text.lower() in FUNCTION_WORDS for t in group) else cfg.rate
                if rng.random() < rate:
                    spun = self.choice(key, rng)
                    if spun is not None:
                        self._applied[key, spun.lower()] += 1
                        start, end = group[0].start, group[-1].end
                        out.append((start, end, _carry_case(text[start:end], spun, cfg.keep_case)))
                        i += n
                        done = True
                break  # a phrase that matched but was left alone is not split into words
            if done:
                continue
            word = tok.text
            if word.replace("-", "").replace("'", "").isalpha() and not self._is_name(word):
                key = word.lower()
                rate = cfg.function_rate if key in FUNCTION_WORDS else cfg.rate
                if self._spinnable(key) and rng.random() < rate:
                    spun = self.choice(key, rng)
                    if spun is not None:
                        self._applied[key, spun.lower()] += 1
                        out.append((tok.start, tok.end, _carry_case(word, spun, cfg.keep_case)))
            i += 1
        return out

    def spin_many(self, records: Iterable[tuple[str, str]]) -> Iterable[tuple[str, SpinResult]]:
        for doc_id, text in records:
            yield doc_id, self.spin(text, doc_id)


def _has_pos(phrase: str, upos: str) -> bool:
    """True if the phrase's head word (first for verbs, last otherwise) can be ``upos``."""
    from lemminflect import getAllLemmas

    words = phrase.split()
    head = words[0] if upos in {"VERB", "AUX"} else words[-1]
    return upos in getAllLemmas(head)


@lru_cache(maxsize=4096)
def _is_participle(word: str) -> bool:
    """True if ``word`` is a verb's past participle (forgotten, said, been)."""
    from lemminflect import getAllLemmas, getInflection

    low = word.lower()
    return any(low in getInflection(lemma, "VBN") for lemma in getAllLemmas(low).get("VERB", ()))


def _inflect(phrase: str, upos: str, tag: str) -> str | None:
    """``phrase`` inflected with Penn ``tag``: verbs inflect their first word, nouns their last."""
    from lemminflect import getAllInflections

    words = phrase.split()
    idx = 0 if upos in {"VERB", "AUX"} else len(words) - 1
    forms = getAllInflections(words[idx], upos).get(tag)
    if not forms:
        return None
    words[idx] = forms[0]
    return " ".join(words)


def _expand_contraction(host: str, clitic: str) -> str | None:
    clitic_ascii = clitic.replace("\u2019", "'").lower()
    low = host.lower()
    if clitic_ascii == "n't":
        base = _NEGATIVE_HOSTS.get(low)
        if base == "can":
            return apply_case(case_pattern(host), "cannot")
        return f"{apply_case(case_pattern(host), base) if base else host} not"
    if clitic_ascii == "'s":
        if low == "let":
            return f"{host} us"
        return f"{host} is" if low in _IS_HOSTS else None
    expansion = _CLITIC_EXPANSIONS.get(clitic_ascii)
    return f"{host} {expansion}" if expansion else None


def _carry_case(original: str, spun: str, keep_case: bool) -> str:
    """Case of ``original`` carried to ``spun``: Foreign Minister → International Minister."""
    if not keep_case:
        return spun
    words = original.split()
    if len(words) > 1 and all(case_pattern(w) in {"title", "upper"} for w in words):
        pattern = case_pattern(words[0])
        return " ".join(apply_case(pattern, w) for w in spun.split())
    return apply_case(case_pattern(words[0] if words else original), spun)


def _result(text: str, raw: list[tuple[int, int, str]]) -> SpinResult:
    raw.sort()
    edits: list[SpinEdit] = []
    parts: list[str] = []
    pos = 0
    length = 0
    for start, end, spun in raw:
        if start < pos or text[start:end] == spun:
            continue
        gap = text[pos:start]
        parts.append(gap)
        length += len(gap)
        edits.append(SpinEdit(start, end, text[start:end], spun, length, length + len(spun)))
        parts.append(spun)
        length += len(spun)
        pos = end
    parts.append(text[pos:])
    return SpinResult(text, "".join(parts), tuple(edits))
