"""Candidate originals for spun n-grams, scored by the channel model, as decoder lattices.

For every span of 1–4 word tokens in a sentence we ask each source in
:data:`~corrector.candidates.sources.SOURCES` for originals (thesauri reversed, with
re-inflection; curated rules; number rules; learned pairs), merge their evidence per original,
score it with :class:`corrector.candidates.channel.ChannelModel`, and keep the best
``max_candidates``. Spans with no candidate get no arc.

Speed: the reversed table stores each key's originals best first by static channel score, so a
span reads only the head of its list (``top_n`` entries, and ``top_n`` of each lemma's list for
inflected words) instead of all of them (up to hundreds); entries beyond the head are fetched
only when another source proposes the same original.

The table ships the finished static ranked lists (:func:`precompute_ranked`, used only when the
weights, options and rules fingerprint matches) of every key the thesaurus or the rules give a
candidate, inflected forms included (:func:`~corrector.candidates.ranked.lookup_keys`): a new
process computes none (number rules and learned pairs aside) and drops any other span with one
dict miss. It also ships the word prefixes of multi-word keys and originals and the first words
of multi-word keys, inflected forms included, so a span stops growing as soon as it can no longer
become a key with candidates or an original the document evidence reads (most multi-word spans
are never built), and the lists' multi-word originals, so that of the multi-word spans built
:meth:`lattices` keeps only those whose document count a list reads; and the LM tokens of the
originals that are not plain words, so a new process never runs the tokenizer on them.

A new process makes ~100,000 candidates on its first batch of documents: they are made in one
loop on local names (:func:`corrector.text.lattice.new_candidate`), keys without candidates share
one empty list, and :meth:`CandidateGenerator.load` freezes the loaded table out of the garbage
collector's passes.

At runtime the ranked lists are cached per key (bounded), with the candidates made from them per
(case, document score shift), so a key seen again in another document reuses its candidates;
finished lists are cached per (key, case, repeat count, originals present in the document).

Beside this module: the evidence sources (:mod:`~corrector.candidates.sources`), an original's
cased tokens (:mod:`~corrector.candidates.casing`), the ranked lists' shipped and runtime forms
(:mod:`~corrector.candidates.ranked`), padded compositions (:mod:`~corrector.candidates.compose`)
and the alignment of a spun text with its original (:mod:`~corrector.candidates.align`).
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import json
import math
import warnings
from collections import Counter
from collections.abc import Container, Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from corrector.candidates import inflection, relatives, rules
from corrector.candidates.casing import case_signature, original_tokens, plain_tokens, word_signature
from corrector.candidates.channel import ChannelModel, Evidence
from corrector.candidates.compose import COMPOSE_PER_WORD, compose_padded
from corrector.candidates.ranked import (
    MARSHAL_VERSION,
    NO_RANKED,
    Bounded,
    Ranked,
    columns,
    pack_ranked,
    parse_ranked,
)
from corrector.candidates.relatives import Relatives
from corrector.candidates.sources import INFLECTION_MARGIN, SOURCES, agree_inflection, read_learned
from corrector.candidates.table import PrecomputedLists, ReverseTable, word_prefixes
from corrector.defaults import DEFAULT_LEARNED as DEFAULT_LEARNED  # re-exported
from corrector.defaults import MAX_SPAN, MIN_LOGPROB
from corrector.settings import DEFAULTS
from corrector.text.lattice import Arc, Candidate, Lattice, new_arc
from corrector.text.tokens import NO_SPACE_AFTER, NO_SPACE_BEFORE, Sentence, detokenize, lm_words, tokenize

# Originals read per looked-up key (its own list, and each lemma's list for inflected words).
# Lists are sorted by static channel score, so the head holds everything that can reach the
# top max_candidates (see scripts/fit_channel.py for the recall check).
TOP_N = 32
# Ranked lists are cut to what can reach the top max(max_candidates, LIST_CAP) once document
# evidence is added: one shipped list serves the decoder's cap (12) and what `corrector
# candidates` shows (20), so both list the relatives the table's build added.
LIST_CAP = 20
# Keys whose ranked candidates stay cached (bounded for streaming).
CACHE_SIZE = 50_000


def span_key(words: Sequence[str]) -> str:
    """The lookup key of LM tokens: lowercase, detokenised (``wo n't ever`` → ``won't ever``)."""
    return detokenize(lm_words(words, lowercase=True))


@lru_cache(maxsize=200_000)
def _span_form(token: str) -> str | None:
    """The lowercase LM form of a token (memoised :func:`lm_words`), or None when a spun span
    may not contain it (punctuation: spans hold words, clitics and numbers)."""
    if token.isalnum() and token.isascii():
        return token.lower()  # what lm_words gives a plain ASCII word or number, faster
    lower = lm_words((token,), lowercase=True)[0]
    return lower if any(c.isalnum() for c in lower) else None


def acronyms(words: Sequence[str]) -> frozenset[int]:
    """Positions of the acronyms and initialisms of a sentence (NATO, FBI, U.S.): words of two
    letters or more, all capitals, in a sentence not itself written in capitals (a headline in
    capitals is spun word by word like any other). Spinners swap words, not names, and the
    thesauri's entries for these are senses of a lowercase word ("AMP" → "A", "IT" → "YOU",
    "FBI" → "POLICE"): a candidate there could only be wrong."""
    caps = [i for i, word in enumerate(words) if word.isupper() and _letters(word) >= 2]
    if not caps:
        return frozenset()
    lettered = sum(_letters(word) >= 2 for word in words)
    return frozenset(caps) if 2 * len(caps) < lettered else frozenset()


def _letters(word: str) -> int:
    return sum(c.isalpha() for c in word)


@lru_cache(maxsize=1024)
def _interned_sources(sources: tuple[str, ...]) -> tuple[str, ...]:
    return sources


# The generator the build's worker processes inherit (fork).
_BUILD_GENERATOR: CandidateGenerator | None = None


def _precompute_chunk(keys: list[str]) -> dict[str, bytes]:
    gen = _BUILD_GENERATOR
    assert gen is not None
    out = {}
    for key in keys:
        ranked = gen._compute_ranked(key, key.split(" "))
        if ranked:
            out[key] = pack_ranked(ranked)
    return out


def precompute_ranked(
    table: ReverseTable,
    channel: ChannelModel,
    keys: Iterable[str],
    processes: int = 2,
    complete: bool = False,
    related: Relatives | None = None,
) -> PrecomputedLists:
    """Finished static ranked lists (what :meth:`CandidateGenerator._ranked` returns) of
    ``keys`` with the default options, for the table to ship; keyed on
    :meth:`CandidateGenerator.ranked_fingerprint` so other weights, options or rules ignore them.

    Keys whose list is empty are left out. ``complete`` promises that ``keys`` hold every key
    the thesaurus or the rules give a candidate (:func:`lookup_keys`), so the runtime can skip
    a key without a list instead of computing it.

    Also shipped, so that a new process does less per span: the multi-word originals of the
    lists that are not keys themselves (with the keys, every multi-word span whose document
    count a list reads), and the LM tokens of the originals that are not plain words
    (``didn't`` → ``did n't``, ``u.s. congress``; see :func:`plain_tokens`), which only the
    tokenizer knows and it costs ~0.2 ms a call. ``related``: the relatives the lists include
    (read at build time only)."""
    global _BUILD_GENERATOR
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gen = CandidateGenerator(table, channel, cache_size=1, related=related)
    keys = list(dict.fromkeys(keys))
    lists: dict[str, bytes] = {}
    if processes > 1 and len(keys) > 1000:
        import multiprocessing

        _BUILD_GENERATOR = gen
        try:
            chunks = [keys[i :: processes * 4] for i in range(processes * 4)]
            with multiprocessing.get_context("fork").Pool(processes) as pool:
                for part in pool.imap_unordered(_precompute_chunk, chunks):
                    lists.update(part)
        finally:
            _BUILD_GENERATOR = None
    else:
        _BUILD_GENERATOR = gen
        try:
            lists = _precompute_chunk(keys)
        finally:
            _BUILD_GENERATOR = None
    originals = {original for packed in lists.values() for original in parse_ranked(packed)[1]}
    return PrecomputedLists(
        fingerprint=gen.ranked_fingerprint(),
        marshal=MARSHAL_VERSION,
        complete=complete,
        lists={k: lists[k] for k in keys if k in lists},
        span_originals=frozenset(o for o in originals if " " in o and o not in lists),
        original_tokens={o: original_tokens(o) for o in sorted(originals) if plain_tokens(o) is None},
    )


def extra_span_sets(learned: dict[str, dict[str, int]]) -> tuple[frozenset[str], frozenset[str]]:
    """(First words, word prefixes) of the curated rules' and ``learned``'s keys (and of their
    originals, for prefixes), inflected forms included: what the generator adds to the table's
    span firsts and prefixes. The table ships the rules' share (``learned`` empty), so a new
    process does not need the lemma dictionary for it."""
    extra_keys = [*rules.RULES, *learned]
    extra_firsts = _first_words(extra_keys)
    firsts = extra_firsts | inflection.inflected_variants(extra_firsts)
    prefixes = {
        prefix
        for phrase in itertools.chain(rules.RULES, *rules.RULES.values(), learned, *learned.values())
        for prefix in word_prefixes(phrase)
    }
    prefixes |= inflection.inflected_variants(prefixes)
    return frozenset(firsts), frozenset(prefixes)


def _first_words(keys: Iterable[str]) -> frozenset[str]:
    """First words of the multi-word keys (or the word before a clitic: ``won't`` → ``won``)."""
    return frozenset(key.split(" ")[0].split("'")[0] for key in keys if " " in key or "'" in key)


@lru_cache(maxsize=1)
def rules_hash() -> str:
    """The curated rules and the relatives' rules the shipped lists were made with."""
    text = Path(rules.__file__).read_bytes() + Path(relatives.__file__).read_bytes()
    return hashlib.sha1(text).hexdigest()[:12]


class CandidateGenerator:
    """Builds lattices of candidate originals for the sentences of one document."""

    def __init__(
        self,
        table: ReverseTable,
        channel: ChannelModel,
        learned: dict[str, dict[str, int]] | None = None,
        max_candidates: int = DEFAULTS["max_candidates"],
        min_logprob: float = MIN_LOGPROB,
        max_span: int = MAX_SPAN,
        top_n: int = TOP_N,
        cache_size: int = CACHE_SIZE,
        related: Relatives | None = None,
    ) -> None:
        self.table = table
        self.channel = channel
        self.learned = learned or {}
        # Originals related to the spun word itself (build time and tests: the table's shipped
        # lists already hold them, so a loaded generator has None).
        self.relatives = related
        self.max_candidates = max_candidates
        self._list_cap = max(max_candidates, LIST_CAP)
        self.min_logprob = min_logprob
        self.max_span = max_span
        # Entries read per thesaurus list (0 = all). The lists are sorted with the weights the
        # table was built with; other weights still score exactly, only the head may differ.
        # The same for every cap up to LIST_CAP (32: the decoder's lists read what they did).
        head = 2 * max_candidates if max_candidates > LIST_CAP else self._list_cap
        self.top_n = max(int(top_n), head) if top_n else 0
        if table.ranked_with is not None and table.ranked_with != channel.fingerprint():
            warnings.warn(
                "the thesaurus table was ranked with other channel weights; candidates are "
                "scored with the current ones, but rebuild it (`make thesaurus`) for best recall",
                stacklevel=2,
            )
        # key → (((static score, original, sources), …) best first, the originals).
        self._ranked_cache = Bounded(cache_size)
        # (key, case, repeat count, originals present in the document) → finished candidates.
        self._scored_cache = Bounded(cache_size)
        # case signature → original → (cased LM tokens, their text); cleared when full.
        self._cased_cache: dict[str, dict[str, tuple[tuple[str, ...], str]]] = {}
        # The most document evidence can raise one candidate over another (for pruning).
        self._max_doc_boost = max(0.0, channel.weights["doc_original_present"])
        # Spans longer than one token are only looked up when their first word (or the lemma
        # of it) starts a key of some source; the table ships its share with inflected forms
        # included (None: it does not, read lemmas per span).
        pre = table.precomputed
        # The rules' share of both sets as the table ships it when the rules are the ones it was
        # built with and no learned pairs add to them (else computed: the lemma dictionary loads).
        extra: tuple[frozenset[str], frozenset[str]] | None = None
        if (
            pre is not None
            and not self.learned
            and pre.rules_hash == rules_hash()
            and pre.rule_firsts is not None
            and pre.rule_prefixes is not None
        ):
            extra = (pre.rule_firsts, pre.rule_prefixes)
        # Multi-word relative keys ("12 months") start spans too (build time and tests only).
        related_phrases = [k for k in (related or ()) if " " in k]
        related_firsts = _first_words(related_phrases)
        if related_firsts:
            related_firsts |= inflection.inflected_variants(related_firsts)
        shipped_firsts = pre.span_firsts if pre else None
        self._firsts_inflected = shipped_firsts is not None
        if shipped_firsts is not None:
            extra = extra or extra_span_sets(self.learned)
            self._multiword_firsts = shipped_firsts | extra[0] | related_firsts
        else:
            self._multiword_firsts = _first_words(
                [*self.table.multiword_keys(), *rules.RULES, *self.learned, *related_phrases]
            )
        # Word prefixes of multi-word keys and originals, inflected forms included, to stop
        # growing spans early (None: the table has none, grow every span).
        self._prefixes: frozenset[str] | None = None
        if pre and pre.span_prefixes is not None:
            extra = extra or extra_span_sets(self.learned)
            self._prefixes = pre.span_prefixes | extra[1]
        # Finished static lists shipped with the table, when made with these exact settings.
        made_with = (self.ranked_fingerprint(), MARSHAL_VERSION)
        shipped = pre if pre is not None and (pre.fingerprint, pre.marshal) == made_with else None
        self._precomputed: dict[str, bytes] | None = shipped.lists if shipped else None
        # Every key with a thesaurus or rule candidate has a list (see lookup_keys).
        self._complete = bool(shipped and shipped.complete)
        # LM tokens of the shipped originals that are not plain words (see plain_tokens).
        self.shipped_tokens = shipped.original_tokens if shipped else None
        # With all lists shipped and no learned pairs adding any, the only multi-word spans
        # whose document count a list reads are the lists' keys and their multi-word
        # originals: lattices() drops the other multi-word spans (most of them) once grown.
        self._span_reads: tuple[Container[str], frozenset[str]] | None = None
        if shipped and shipped.complete and not self.learned and shipped.span_originals is not None:
            # _spans tests ~20 multi-word spans a sentence, on every pass, against the keys with a
            # list: the table ships those keys as a set (~0.1 µs a test); without it, the store's
            # key set answers in C, in ~0.5 µs (BytesStore.keyset).
            keys = shipped.multiword_keys
            if keys is None:
                keys = getattr(shipped.lists, "keyset", shipped.lists)
            self._span_reads = (keys, shipped.span_originals)

    @classmethod
    def load(
        cls,
        thesaurus_dir: Path | None = None,
        learned: Path | str | None = None,
        weights: Path | None = None,
        **options: int | float,
    ) -> CandidateGenerator:
        """The default generator: reversed table from ``thesaurus_dir`` (default
        ``models/thesaurus``), channel weights from the package, optional learned pairs.

        The lemma and word-frequency dictionaries are not loaded here: with the table's lists
        shipped, a default correction reads neither; a list computed at run time (learned pairs,
        a spelled number group, other weights) loads them on its first use.

        Everything the process has allocated so far (the table, the dictionaries) is moved to
        the garbage collector's permanent generation (:func:`gc.freeze`): it lives as long as
        the process, and without this every full collection walks all of it again (a quarter
        of the CPU time of a new process's first lattices)."""
        learned_table = read_learned(Path(learned)) if learned else None
        table, channel = ReverseTable.load(thesaurus_dir), ChannelModel.load(weights)
        generator = cls(table, channel, learned_table, **options)  # type: ignore[arg-type]
        gc.freeze()
        return generator

    # --- evidence --------------------------------------------------------------------------

    def evidence(self, key: str, words: Sequence[str]) -> list[Evidence]:
        """All candidate originals of a spun key, uncapped (fitting and debugging)."""
        found: dict[str, Evidence] = {}
        for source in SOURCES.values():
            source(self, key, words, found)
        found.pop(key, None)
        return list(found.values())

    def _may_have(self, key: str) -> bool:
        """False when no source can have a candidate for ``key`` (most multi-word spans):
        the same look-ups the sources start with, without building anything."""
        rel = self.relatives
        if key in self.table or key in rules.RULES or key in self.learned or (rel is not None and key in rel):
            return True
        parts = key.split(" ")
        if len(parts) == 1:
            if rules.number_originals(key):
                return True
            ats: tuple[int, ...] = (0,)
        else:
            ats = (0, len(parts) - 1)
        for at in ats:
            for lemma, tag in inflection.analyses(parts[at]):
                if len(parts) > 1 and (at == 0) != (tag in inflection.VERB_TAGS):
                    continue
                lemma_key = " ".join([*parts[:at], lemma, *parts[at + 1 :]])
                if lemma_key in self.table or (rel is not None and len(parts) == 1 and lemma_key in rel):
                    return True
        return False

    def _ranked(self, key: str, words: Sequence[str]) -> tuple[tuple[float, str, tuple[str, ...]], ...]:
        """(static channel score, original, sources) best first, cut to what can still reach
        the top ``max(max_candidates, LIST_CAP)`` once document evidence is added (cached per
        key, across documents, in a bounded cache)."""
        ranked = self._ranked_entry(key, words)
        return tuple(zip(ranked.scores, ranked.originals, ranked.sources, strict=True))

    def _ranked_entry(self, key: str, words: Sequence[str]) -> Ranked:
        """:meth:`_ranked` with the candidates already made from it, cached (keys without
        candidates share :data:`NO_RANKED`)."""
        hit = self._ranked_cache.get(key)
        if hit is not None:
            return hit  # type: ignore[no-any-return]
        pre = self._precomputed
        # Precomputed lists were made with one word per space-separated part; the token count
        # matters only to the number rules (one-token spans), so a key of several tokens without
        # a space (won't, 1000's) reads its shipped list unless a number rule would apply to it.
        one_token = len(words) == 1
        shipped = (
            pre is not None
            and key not in self.learned
            and (one_token or " " in key or not rules.number_originals(key))
        )
        packed = pre.get(key) if shipped else None  # type: ignore[union-attr]
        if packed is not None:
            entry = Ranked(*parse_ranked(packed), shipped=self.shipped_tokens is not None)
        elif shipped and self._complete and not (one_token and rules.number_originals(key)):
            # Not shipped, so neither the thesaurus nor the rules have it, and no number rule
            # gives a one-token span a candidate.
            entry = NO_RANKED
        else:
            ranked = self._compute_ranked(key, words)
            entry = Ranked(*columns(ranked)) if ranked else NO_RANKED
        self._ranked_cache.put(key, entry)
        return entry

    def ranked_fingerprint(self) -> str:
        """What :meth:`_ranked` depends on besides the table: weights, options, rules."""
        text = json.dumps(
            [self.channel.fingerprint(), self._list_cap, self.top_n, rules_hash(), INFLECTION_MARGIN]
        )
        return hashlib.sha1(text.encode()).hexdigest()[:12]

    def _compute_ranked(
        self, key: str, words: Sequence[str]
    ) -> tuple[tuple[float, str, tuple[str, ...]], ...]:
        found: dict[str, Evidence] = {}
        if self._may_have(key):
            limit = self.top_n or None
            for source in SOURCES.values():
                source(self, key, words, found, limit)
            found.pop(key, None)
            if any(rules.fact(word) for word in key.split(" ")):
                found = {o: ev for o, ev in found.items() if not rules.changes_fact(key, o)}
        result: tuple[tuple[float, str, tuple[str, ...]], ...] = ()
        if found:
            score = self.channel.static_score
            scored = sorted(((score(ev), ev) for ev in found.values()), key=lambda item: -item[0])
            scored = agree_inflection(key, scored)
            if len(scored) > self._list_cap:
                floor = scored[self._list_cap - 1][0] - self._max_doc_boost
                scored = [item for item in scored if item[0] >= floor]
            result = tuple((z, ev.original, _interned_sources(ev.sources)) for z, ev in scored)
        return result

    def spans(self, sentence: Sentence) -> list[tuple[int, int, str]]:
        """(start, end, key) of the spans worth looking up in ``sentence``: every word, and
        longer spans that can still become a key with candidates or an original (keys built
        word by word as :func:`detokenize` would)."""
        return list(zip(*self._spans(sentence.words), strict=True))

    def _spans(self, words: Sequence[str], read_only: bool = False) -> tuple[list[int], list[int], list[str]]:
        """:meth:`spans` as three lists (starts, ends, keys): no tuple per span. ``read_only``:
        without the multi-word spans no ranked list reads (see ``_span_reads``)."""
        lists, span_originals = (self._span_reads if read_only else None) or (None, None)
        forms = list(map(_span_form, words))
        starts: list[int] = []
        ends: list[int] = []
        keys: list[str] = []
        n = len(forms)
        firsts = self._multiword_firsts
        firsts_inflected = self._firsts_inflected
        prefixes = self._prefixes
        max_span = self.max_span
        for i, first in enumerate(forms):
            if first is None:
                continue
            starts.append(i)
            ends.append(i + 1)
            keys.append(first)
            if first not in firsts and (
                firsts_inflected or not any(lemma in firsts for lemma, _ in inflection.analyses(first))
            ):
                continue
            key = prev = first
            for j in range(i + 2, min(n, i + max_span) + 1):
                word = forms[j - 1]
                if word is None:
                    break
                if word in NO_SPACE_BEFORE or prev in NO_SPACE_AFTER:
                    key += word
                else:
                    if prefixes is not None and key not in prefixes:
                        break
                    key += " " + word
                prev = word
                if lists is not None and " " in key and key not in lists and key not in span_originals:  # type: ignore[operator]
                    continue
                starts.append(i)
                ends.append(j)
                keys.append(key)
        return starts, ends, keys

    # --- public API ------------------------------------------------------------------------

    def lattices(self, sentences: Sequence[Sentence]) -> list[Lattice]:
        """One lattice per sentence of one document (document evidence computed over all)."""
        # Building lattices allocates ~10 objects per token and no reference cycles, so the
        # collections it would trigger (~17% of a cold pass) free nothing: pause the collector,
        # restoring its state after (the next collection then sees the new objects once).
        enabled = gc.isenabled()
        gc.disable()
        try:
            return self._lattices(sentences)
        finally:
            if enabled:
                gc.enable()

    def _lattices(self, sentences: Sequence[Sentence]) -> list[Lattice]:
        sentence_words = [s.words for s in sentences]
        spans = [self._spans(words, read_only=True) for words in sentence_words]
        doc_counts: Counter[str] = Counter(itertools.chain.from_iterable(keys for _, _, keys in spans))
        # Within a document a span's candidates depend only on its words (a one-word span's are
        # memoised on the word itself, which saves a tuple per span).
        memo: dict[str | tuple[str, ...], tuple[Candidate, ...]] = {}
        ranked_cache = self._ranked_cache
        score = self._score_ranked
        padding = rules.PADDING_WORDS
        lattices = []
        for sentence, words, (starts, ends, keys) in zip(sentences, sentence_words, spans, strict=True):
            arcs = []
            for start, end, key in zip(starts, ends, keys, strict=True):
                # Most spans have no candidate: settle those with one look-up.
                ranked = ranked_cache.get(key)
                if ranked is None:
                    ranked = self._ranked_entry(key, words[start:end])
                if ranked is NO_RANKED:
                    continue
                if end - start == 1:
                    word = words[start]
                    cands = memo.get(word)
                    if cands is None:
                        cands = memo[word] = score(ranked, key, word_signature(word), doc_counts)
                else:
                    span_words = words[start:end]
                    cands = memo.get(span_words)
                    if cands is None:
                        signature = case_signature(span_words)
                        cands = memo[span_words] = score(ranked, key, signature, doc_counts)
                if cands:
                    arcs.append(new_arc(start, end, cands))
            if not padding.isdisjoint(keys):  # one-word keys are the lowercase words
                arcs = self._padded_arcs(words, arcs, memo)
            names = acronyms(words)
            if names:
                arcs = [arc for arc in arcs if names.isdisjoint(range(arc.start, arc.end))]
            # spans() yields (start, end) in increasing order: the arcs are sorted already.
            lattices.append(Lattice(sentence, tuple(arcs)))
        return lattices

    def _padded_arcs(
        self,
        words: tuple[str, ...],
        arcs: list[Arc],
        memo: dict[str | tuple[str, ...], tuple[Candidate, ...]],
    ) -> list[Arc]:
        """``arcs`` plus arcs of the 2–3-word spans around a padding word, composed without it
        (:func:`compose_padded`) from each word's one-word candidates (``memo``), sorted."""
        one_word = {arc.start: arc.candidates for arc in arcs if arc.end - arc.start == 1}
        existing = {(arc.start, arc.end): i for i, arc in enumerate(arcs)}
        out = list(arcs)
        n = len(words)
        seen = set()
        for p, word in enumerate(words):
            if word.lower() not in rules.PADDING_WORDS:
                continue
            for start in range(max(0, p - 2), p + 1):
                for end in range(max(start + 2, p + 1), min(n, start + 3) + 1):
                    if (start, end) in seen:
                        continue
                    seen.add((start, end))
                    if not all(_span_form(w) for w in words[start:end]):
                        continue  # punctuation: spans hold words
                    per_word = [one_word.get(i, ()) for i in range(start, end)]
                    composed = compose_padded(words[start:end], per_word, self.max_candidates)
                    if not composed:
                        continue
                    at = existing.get((start, end))
                    if at is None:
                        out.append(new_arc(start, end, tuple(composed)))
                    else:
                        merged: dict[str, Candidate] = {}
                        for cand in sorted([*out[at].candidates, *composed], key=lambda c: -c.logprob):
                            merged.setdefault(cand.text.lower(), cand)
                        out[at] = new_arc(start, end, tuple(merged.values())[: self.max_candidates])
        out.sort(key=lambda arc: (arc.start, arc.end))
        return out

    def candidates(self, spun: str, context: str | None = None) -> list[Candidate]:
        """Candidates for a spun phrase, best first (debug view). Besides whole-phrase
        originals, a multi-word phrase gets word-by-word compositions of each word's best
        candidates (what the decoder finds by chaining one-word arcs); their logprob is the sum.
        ``context`` adds document evidence as if the phrase occurred in that text."""
        words = [t.text for t in tokenize(spun)]
        key = span_key(words)
        doc_counts: Counter[str] = Counter([key, *(w.lower() for w in words)])
        if context:
            from corrector.text.tokens import split_sentences

            for sentence in split_sentences(context):
                doc_counts.update(k for _, _, k in self.spans(sentence))
        found = self._score(key, words, doc_counts)
        if len(words) > 1:
            per_word = [self._score(span_key([w]), [w], doc_counts) for w in words]
            found.extend(compose_padded(tuple(words), per_word, self.max_candidates))
            per_word = [cands[:COMPOSE_PER_WORD] for cands in per_word]
            if all(per_word):
                for combo in itertools.product(*per_word):
                    cased = tuple(w for c in combo for w in c.words)
                    sources = tuple(dict.fromkeys(s for c in combo for s in c.sources))
                    logprob = round(sum(c.logprob for c in combo), 4)
                    found.append(Candidate(cased, detokenize(cased), logprob, sources))
        found.sort(key=lambda c: -c.logprob)
        best: dict[str, Candidate] = {}
        for cand in found:
            best.setdefault(cand.text.lower(), cand)
        return list(best.values())[: self.max_candidates]

    def _score(self, key: str, words: Sequence[str], doc_counts: Counter[str]) -> list[Candidate]:
        return list(self._score_tuple(key, tuple(words), doc_counts))

    def _score_tuple(
        self, key: str, words: tuple[str, ...], doc_counts: Counter[str]
    ) -> tuple[Candidate, ...]:
        return self._score_ranked(self._ranked_entry(key, words), key, case_signature(words), doc_counts)

    def _score_ranked(
        self, ranked: Ranked, key: str, signature: str, doc_counts: Counter[str]
    ) -> tuple[Candidate, ...]:
        """The candidates of a span of key ``key`` (ranked list ``ranked``) and case
        ``signature`` (:func:`case_signature`) in a document whose span keys are counted in
        ``doc_counts``."""
        static_scores = ranked.scores
        if not static_scores:
            return ()
        spun_count = doc_counts.get(key, 0)
        originals = ranked.originals
        if doc_counts.keys().isdisjoint(originals):
            if spun_count < 2:
                # No document evidence: the key's static list in this case.
                return ranked.static(signature, self)
            present: tuple[int, ...] = ()
        else:
            present = tuple(itertools.compress(itertools.count(), map(doc_counts.__contains__, originals)))
            spun_count = max(spun_count, 1)
        # The result depends on the key, the span's case, its repeat count and which originals
        # occur in the document: cache on exactly that (repeated spans hit it across documents).
        cache_key = (key, signature, spun_count, present)
        hit = self._scored_cache.get(cache_key)
        if hit is not None:
            return hit  # type: ignore[no-any-return]
        weights = self.channel.weights
        present_w = weights["doc_original_present"]
        # Same terms, same order as linear(document_features(...)): the same floats.
        if spun_count > 1:
            repeat = weights["doc_spun_repeat"] * math.log(spun_count)
            scores = [z + repeat for z in static_scores]
            boost = repeat + present_w
        else:
            repeat = 0.0
            scores = list(static_scores)
            boost = present_w
        order: Iterable[int]
        if present:
            for i in present:
                scores[i] = static_scores[i] + boost
            # Stable, like sorting the rescored entries by descending score.
            order = sorted(range(len(scores)), key=scores.__getitem__, reverse=True)[: self.max_candidates]
        else:
            # The static list is sorted best first, and one shift for all keeps that order.
            order = range(min(len(scores), self.max_candidates))
        result = ranked.shifted(signature, order, scores, present, repeat, boost, self)
        self._scored_cache.put(cache_key, result)
        return result

    def cased(self, signature: str) -> dict[str, tuple[tuple[str, ...], str]]:
        """original → (its LM tokens in case ``signature``, their text), filled by
        :meth:`Ranked.shifted` (bounded: cleared when it outgrows the ranked-list cache)."""
        cased = self._cased_cache.get(signature)
        if cased is None or len(cased) > self._ranked_cache.size:
            cased = self._cased_cache[signature] = {}
        return cased
