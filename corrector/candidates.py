"""Candidate originals for spun n-grams, scored by the channel model, as decoder lattices.

For every span of 1–4 word tokens in a sentence we ask each source in :data:`SOURCES` for
originals (thesauri reversed, with re-inflection; curated rules; number rules; learned pairs),
merge their evidence per original, score it with :class:`corrector.channel.ChannelModel`, and
keep the best ``max_candidates``. Spans with no candidate get no arc.

Speed: the reversed table stores each key's originals best first by static channel score, so a
span reads only the head of its list (``top_n`` entries, and ``top_n`` of each lemma's list for
inflected words) instead of all of them (up to hundreds); entries beyond the head are fetched
only when another source proposes the same original. Ranked candidates are cached per key in a
bounded LRU, finished candidate lists per (key, case) when no document evidence applies.

The table also ships the finished static ranked lists of the frequent words, every multi-word
key and every rule key (:func:`precompute_ranked`, used only when the weights, options and rules
fingerprint matches), and the word prefixes of multi-word keys and originals, so a span stops
growing as soon as it can no longer become a key with candidates or an original the document
evidence reads (most multi-word spans are never built).
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import json
import math
import warnings
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from corrector import inflection, spin_rules
from corrector.channel import ChannelModel, Evidence, zipf
from corrector.defaults import MAX_SPAN, MODELS_DIR
from corrector.lattice import Arc, Candidate, Lattice
from corrector.text import (
    _NO_SPACE_AFTER,
    _NO_SPACE_BEFORE,
    Sentence,
    apply_case,
    case_pattern,
    detokenize,
    lm_words,
    tokenize,
)
from corrector.thesaurus import ReverseTable, word_prefixes

DEFAULT_LEARNED = MODELS_DIR / "learned" / "pairs.tsv"
MAX_CANDIDATES = 12
# Candidates below this channel log10 probability are not worth the decoder's time.
MIN_LOGPROB = -5.0
# Originals read per looked-up key (its own list, and each lemma's list for inflected words).
# Lists are sorted by static channel score, so the head holds everything that can reach the
# top MAX_CANDIDATES (see scripts/fit_channel.py for the recall check).
TOP_N = 32
# Keys whose ranked candidates stay cached (bounded for streaming).
CACHE_SIZE = 50_000

# A source maps (spun key, its words) to evidence for originals; it updates ``found`` in place.
# ``limit`` (None = everything) caps how many thesaurus entries per list it reads.
Source = Callable[["CandidateGenerator", str, Sequence[str], dict[str, Evidence], "int | None"], None]


def span_key(words: Sequence[str]) -> str:
    """The lookup key of LM tokens: lowercase, detokenised (``wo n't ever`` → ``won't ever``)."""
    return detokenize(lm_words(words, lowercase=True))


def _evidence(found: dict[str, Evidence], spun: str, original: str) -> Evidence:
    ev = found.get(original)
    if ev is None:
        ev = found[original] = Evidence(spun, original)
    return ev


def _merged(
    gen: CandidateGenerator, found: dict[str, Evidence], key: str, original: str, limit: int | None
) -> Evidence:
    """``found[original]``, created on first use. When the key's own thesaurus list was read
    only up to ``limit``, a new original is looked up in the rest of it, so its evidence is
    the same as with the whole list read."""
    ev = found.get(original)
    if ev is None:
        ev = found[original] = Evidence(key, original)
        if limit is not None:
            entry = gen.table.find(key, original)
            if entry is not None:
                ev.ranks.update(entry.ranks)
                ev.fanout = gen.table.count(key)
                ev.mutual = entry.mutual
                ev.zipf_original = entry.zipf
    return ev


def _thesaurus_source(
    gen: CandidateGenerator,
    key: str,
    words: Sequence[str],
    found: dict[str, Evidence],
    limit: int | None = None,
) -> None:
    table = gen.table
    entries = table.lookup(key, limit)
    fanout = table.count(key) if limit is not None else len(entries)
    for entry in entries:
        ev = _evidence(found, key, entry.original)
        ev.ranks.update(entry.ranks)
        ev.fanout = fanout
        ev.mutual = entry.mutual
        ev.zipf_original = entry.zipf
    # Only what the head of the list did not cover needs a look-up in the rest of it.
    rest = limit if limit is not None and fanout > limit else None
    # Inflected spans: analyse the word that carries the inflection (first of a verb phrase,
    # last of a noun phrase), look its lemma up, inflect each original back.
    parts = key.split(" ")
    for at in (0,) if len(parts) == 1 else (0, len(parts) - 1):
        for lemma, tag in inflection.analyses(parts[at]):
            if (at == 0) != (tag in inflection.VERB_TAGS) and len(parts) > 1:
                continue
            lemma_key = " ".join([*parts[:at], lemma, *parts[at + 1 :]])
            lemma_entries = table.lookup(lemma_key, limit)
            if not lemma_entries:
                continue
            lemma_fanout = table.count(lemma_key) if limit is not None else len(lemma_entries)
            for entry in lemma_entries:
                original = inflection.inflect_phrase(entry.original, tag)
                if original is None or original == key:
                    continue
                ev = _merged(gen, found, key, original, rest)
                if not ev.ranks:
                    ev.inflected = True
                    ev.mutual = entry.mutual
                for source, rank in entry.ranks.items():
                    ev.ranks.setdefault(source, rank)
                ev.fanout = max(ev.fanout, lemma_fanout)


def _rules_source(
    gen: CandidateGenerator,
    key: str,
    words: Sequence[str],
    found: dict[str, Evidence],
    limit: int | None = None,
) -> None:
    rules = spin_rules.RULES.get(key, ())
    numbers = spin_rules.number_originals(key) if len(words) == 1 else ()
    if not rules and not numbers:
        return
    rest = limit if limit is not None and gen.table.count(key) > limit else None
    for original in rules:
        _merged(gen, found, key, original, rest).rules = True
    for original in numbers:
        _merged(gen, found, key, original, rest).number = True


def _learned_source(
    gen: CandidateGenerator,
    key: str,
    words: Sequence[str],
    found: dict[str, Evidence],
    limit: int | None = None,
) -> None:
    learned = gen.learned.get(key)
    if not learned:
        return
    rest = limit if limit is not None and gen.table.count(key) > limit else None
    for original, count in learned.items():
        _merged(gen, found, key, original, rest).learned += count


# The candidate sources, in the order their evidence is merged.
SOURCES: dict[str, Source] = {
    "thesaurus": _thesaurus_source,
    "rules": _rules_source,
    "learned": _learned_source,
}


def read_learned(path: Path) -> dict[str, dict[str, int]]:
    """A learn-pairs table (TSV ``spun<TAB>original<TAB>count``, keys as :func:`span_key`)."""
    table: dict[str, dict[str, int]] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            spun, original, count = line.rstrip("\n").split("\t")[:3]
            table.setdefault(spun, {})[original] = table.get(spun, {}).get(original, 0) + int(count)
    return table


# Words NLTK's tokenizer splits although they are plain letters (its CONTRACTIONS2 rules).
_SPLIT_WORDS = frozenset({"cannot", "gimme", "gonna", "gotta", "lemme", "wanna"})


@lru_cache(maxsize=200_000)
def _original_tokens(original: str) -> tuple[str, ...]:
    words = original.split(" ")
    # Plain ASCII words, possibly hyphenated inside: NLTK would return them as they are
    # (checked over the whole table, re-inflected originals included).
    if original.isascii() and all(w.isalpha() for w in words) and _SPLIT_WORDS.isdisjoint(words):
        return tuple(words)
    if original.isascii() and "--" not in original and all(_hyphenated_word(w) for w in words):
        return tuple(words)
    return tuple(t.text for t in tokenize(original))


def _hyphenated_word(word: str) -> bool:
    parts = word.split("-")
    return all(p.isalpha() for p in parts) and _SPLIT_WORDS.isdisjoint(parts)


@lru_cache(maxsize=100_000)
def _case_signature(span_words: tuple[str, ...]) -> str:
    """What :func:`_case_words` depends on in the spun span: its case pattern, and for title
    case whether every word with a letter is title-cased."""
    pattern = case_pattern(" ".join(span_words))
    if pattern == "title":
        alpha = [w for w in span_words if any(c.isalpha() for c in w)]
        if len(alpha) > 1 and all(case_pattern(w) == "title" for w in alpha):
            return "titles"
    return pattern


def _case_words(span_words: Sequence[str], original: str, signature: str | None = None) -> tuple[str, ...]:
    """LM tokens of ``original`` carrying the spun span's case (Prime → Top, PRIME → TOP;
    'International Minister' → 'Foreign Minister' keeps title case on every word)."""
    tokens = _original_tokens(original)
    signature = signature or _case_signature(tuple(span_words))
    if signature == "upper":
        return tuple(t.upper() for t in tokens)
    if signature == "titles":
        return tuple(apply_case("title", t) if t[:1].isalpha() and "'" not in t else t for t in tokens)
    if signature == "title":
        return (apply_case("title", tokens[0]), *tokens[1:])
    return tuple(tokens)


@lru_cache(maxsize=100_000)
def _spannable(token: str) -> bool:
    """Tokens a spun span may contain: words, clitics and numbers, not punctuation."""
    return any(c.isalnum() for c in token)


@lru_cache(maxsize=200_000)
def _lm_lower(token: str) -> str:
    """The lowercase LM form of a token (memoised :func:`lm_words`)."""
    return lm_words((token,), lowercase=True)[0]


@lru_cache(maxsize=1024)
def _interned_sources(sources: tuple[str, ...]) -> tuple[str, ...]:
    return sources


class _LRU(OrderedDict):  # type: ignore[type-arg]
    """A dict that forgets its least recently read or written keys beyond ``size``."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def get(self, key, default=None):  # type: ignore[no-untyped-def,override]
        value = super().get(key, default)
        if value is not default:
            self.move_to_end(key)
        return value

    def put(self, key, value) -> None:  # type: ignore[no-untyped-def]
        self[key] = value
        if len(self) > self.size:
            self.popitem(last=False)


@lru_cache(maxsize=4096)
def _sources_tuple(joined: str) -> tuple[str, ...]:
    return tuple(joined.split(",")) if joined else ()


def _parse_ranked(packed: str) -> tuple[tuple[float, str, tuple[str, ...]], ...]:
    """A precomputed ranked list (lines ``repr(score)<TAB>original<TAB>sources``)."""
    if not packed:
        return ()
    out = []
    for line in packed.split("\n"):
        z, original, sources = line.split("\t")
        out.append((float(z), original, _sources_tuple(sources)))
    return tuple(out)


def _pack_ranked(ranked: Sequence[tuple[float, str, tuple[str, ...]]]) -> str:
    return "\n".join(f"{z!r}\t{original}\t{','.join(sources)}" for z, original, sources in ranked)


# The generator the build's worker processes inherit (fork).
_BUILD_GENERATOR: CandidateGenerator | None = None


def _precompute_chunk(keys: list[str]) -> dict[str, str]:
    gen = _BUILD_GENERATOR
    assert gen is not None
    return {key: _pack_ranked(gen._compute_ranked(key, key.split(" "))) for key in keys}


def precompute_ranked(
    table: ReverseTable, channel: ChannelModel, keys: Iterable[str], processes: int = 2
) -> dict[str, object]:
    """Finished static ranked lists (what :meth:`CandidateGenerator._ranked` returns) of
    ``keys`` with the default options, for the table to ship; keyed on
    :meth:`CandidateGenerator.ranked_fingerprint` so other weights, options or rules ignore them."""
    global _BUILD_GENERATOR
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gen = CandidateGenerator(table, channel, cache_size=1)
    keys = list(dict.fromkeys(keys))
    lists: dict[str, str] = {}
    if processes > 1 and len(keys) > 1000:
        import multiprocessing

        _BUILD_GENERATOR = gen
        try:
            chunks = [keys[i::processes * 4] for i in range(processes * 4)]
            with multiprocessing.get_context("fork").Pool(processes) as pool:
                for part in pool.imap_unordered(_precompute_chunk, chunks):
                    lists.update(part)
        finally:
            _BUILD_GENERATOR = None
    else:
        lists = {key: _pack_ranked(gen._compute_ranked(key, key.split(" "))) for key in keys}
    return {"fingerprint": gen.ranked_fingerprint(), "lists": {k: lists[k] for k in keys}}


def preload() -> None:
    """Load the lemma and word-frequency dictionaries now (~1 s) rather than on the first
    words a new process looks up."""
    inflection.analyses("said")
    inflection.inflect("say", "VBD")
    zipf("said")
    zipf("u.s.")


@lru_cache(maxsize=1)
def _rules_hash() -> str:
    return hashlib.sha1(Path(spin_rules.__file__).read_bytes()).hexdigest()[:12]


class CandidateGenerator:
    """Builds lattices of candidate originals for the sentences of one document."""

    def __init__(
        self,
        table: ReverseTable,
        channel: ChannelModel,
        learned: dict[str, dict[str, int]] | None = None,
        max_candidates: int = MAX_CANDIDATES,
        min_logprob: float = MIN_LOGPROB,
        max_span: int = MAX_SPAN,
        top_n: int = TOP_N,
        cache_size: int = CACHE_SIZE,
    ) -> None:
        self.table = table
        self.channel = channel
        self.learned = learned or {}
        self.max_candidates = max_candidates
        self.min_logprob = min_logprob
        self.max_span = max_span
        # Entries read per thesaurus list (0 = all). The lists are sorted with the weights the
        # table was built with; other weights still score exactly, only the head may differ.
        self.top_n = max(int(top_n), 2 * max_candidates) if top_n else 0
        if table.ranked_with is not None and table.ranked_with != channel.fingerprint():
            warnings.warn(
                "the thesaurus table was ranked with other channel weights; candidates are "
                "scored with the current ones, but rebuild it (`make thesaurus`) for best recall",
                stacklevel=2,
            )
        # key → (((static score, original, sources), …) best first, the originals).
        self._ranked_cache = _LRU(cache_size)
        # (key, case, repeat count, originals present in the document) → finished candidates.
        self._scored_cache = _LRU(cache_size)
        # (original, case signature) → (cased LM tokens, their text); cleared when full.
        self._cased_cache: dict[tuple[str, str], tuple[tuple[str, ...], str]] = {}
        # The most document evidence can raise one candidate over another (for pruning).
        self._max_doc_boost = max(0.0, channel.weights["doc_original_present"])
        # Spans longer than one token are only looked up when some source has a key that long.
        self._multiword_firsts = self._first_words()
        # Word prefixes of multi-word keys and originals, to stop growing spans early (None:
        # the table has none, grow every span).
        pre = table.precomputed
        self._prefixes: frozenset[str] | None = None
        if pre and pre.get("span_prefixes") is not None:
            extra = {
                prefix
                for phrase in itertools.chain(
                    spin_rules.RULES,
                    *spin_rules.RULES.values(),
                    self.learned,
                    *self.learned.values(),
                )
                for prefix in word_prefixes(phrase)
            }
            self._prefixes = pre["span_prefixes"] | extra if extra else pre["span_prefixes"]  # type: ignore[operator,assignment]
        # Finished static lists shipped with the table, when made with these exact settings.
        self._precomputed: dict[str, str] | None = (
            pre["lists"] if pre and pre.get("fingerprint") == self.ranked_fingerprint() else None  # type: ignore[assignment]
        )

    @classmethod
    def load(
        cls,
        thesaurus_dir: Path | None = None,
        learned: Path | str | None = None,
        weights: Path | None = None,
        **options: int | float,
    ) -> CandidateGenerator:
        """The default generator: reversed table from ``thesaurus_dir`` (default
        ``models/thesaurus``), channel weights from the package, optional learned pairs."""
        learned_table = read_learned(Path(learned)) if learned else None
        preload()
        return cls(ReverseTable.load(thesaurus_dir), ChannelModel.load(weights), learned_table, **options)  # type: ignore[arg-type]

    def _first_words(self) -> frozenset[str]:
        keys: Iterable[str] = [*self.table.multiword_keys(), *spin_rules.RULES, *self.learned]
        firsts = set()
        for key in keys:
            parts = key.split(" ")
            if len(parts) > 1 or "'" in key:
                firsts.add(parts[0].split("'")[0])
        # Inflected multi-word spans start with an inflected verb whose lemma starts a key.
        return frozenset(firsts)

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
        if key in self.table or key in spin_rules.RULES or key in self.learned:
            return True
        parts = key.split(" ")
        if len(parts) == 1:
            if spin_rules.number_originals(key):
                return True
            ats: tuple[int, ...] = (0,)
        else:
            ats = (0, len(parts) - 1)
        for at in ats:
            for lemma, tag in inflection.analyses(parts[at]):
                if len(parts) > 1 and (at == 0) != (tag in inflection.VERB_TAGS):
                    continue
                if " ".join([*parts[:at], lemma, *parts[at + 1 :]]) in self.table:
                    return True
        return False

    def _ranked(self, key: str, words: Sequence[str]) -> tuple[tuple[float, str, tuple[str, ...]], ...]:
        """(static channel score, original, sources) best first, cut to what can still reach
        the top ``max_candidates`` once document evidence is added (cached per key, across
        documents, in a bounded LRU)."""
        return self._ranked_entry(key, words)[0]

    def _ranked_entry(
        self, key: str, words: Sequence[str]
    ) -> tuple[tuple[tuple[float, str, tuple[str, ...]], ...], tuple[str, ...]]:
        """(:meth:`_ranked`, its originals), cached."""
        hit = self._ranked_cache.get(key)
        if hit is not None:
            return hit  # type: ignore[no-any-return]
        pre = self._precomputed
        # Precomputed lists were made with one word per space-separated part (the number rules
        # apply to one-token spans only).
        packed = (
            pre.get(key)
            if pre is not None and key not in self.learned and (len(words) == 1 or " " in key)
            else None
        )
        result = _parse_ranked(packed) if packed is not None else self._compute_ranked(key, words)
        entry = (result, tuple(original for _, original, _ in result))
        self._ranked_cache.put(key, entry)
        return entry

    def ranked_fingerprint(self) -> str:
        """What :meth:`_ranked` depends on besides the table: weights, options, rules."""
        text = json.dumps(
            [self.channel.fingerprint(), self.max_candidates, self.top_n, _rules_hash()]
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
        result: tuple[tuple[float, str, tuple[str, ...]], ...] = ()
        if found:
            score = self.channel.static_score
            scored = sorted(((score(ev), ev) for ev in found.values()), key=lambda item: -item[0])
            if len(scored) > self.max_candidates:
                floor = scored[self.max_candidates - 1][0] - self._max_doc_boost
                scored = [item for item in scored if item[0] >= floor]
            result = tuple((z, ev.original, _interned_sources(ev.sources)) for z, ev in scored)
        return result

    def spans(self, sentence: Sentence) -> list[tuple[int, int, str]]:
        """(start, end, key) of the spans worth looking up in ``sentence``: every word, and
        longer spans that can still become a key with candidates or an original (keys built
        word by word as :func:`detokenize` would)."""
        words = sentence.words
        lower = [_lm_lower(w) for w in words]
        out: list[tuple[int, int, str]] = []
        n = len(words)
        firsts = self._multiword_firsts
        extendable = self._extendable if self._prefixes is not None else None
        max_span = self.max_span
        for i in range(n):
            first = lower[i]
            if not _spannable(first):
                continue
            out.append((i, i + 1, first))
            if first not in firsts and not any(
                lemma in firsts for lemma, _ in inflection.analyses(first)
            ):
                continue
            key = prev = first
            for j in range(i + 2, min(n, i + max_span) + 1):
                word = lower[j - 1]
                if not _spannable(word):
                    break
                if word in _NO_SPACE_BEFORE or prev in _NO_SPACE_AFTER:
                    key += word
                else:
                    if extendable is not None and not extendable(key):
                        break
                    key += " " + word
                out.append((i, j, key))
                prev = word
        return out

    def _extendable(self, key: str) -> bool:
        """Whether ``key + ' ' + word`` can be a key with candidates or an original."""
        prefixes = self._prefixes
        assert prefixes is not None
        if key in prefixes:
            return True
        first, sep, rest = key.partition(" ")
        return any(lemma + sep + rest in prefixes for lemma, _ in inflection.analyses(first))

    # --- public API ------------------------------------------------------------------------

    def lattices(self, sentences: Sequence[Sentence]) -> list[Lattice]:
        """One lattice per sentence of one document (document evidence computed over all)."""
        spans = [self.spans(s) for s in sentences]
        doc_counts: Counter[str] = Counter(key for sent in spans for _, _, key in sent)
        # Within a document a span's candidates depend only on its words.
        memo: dict[tuple[str, ...], tuple[Candidate, ...]] = {}
        score = self._score_tuple
        lattices = []
        for sentence, sent_spans in zip(sentences, spans, strict=True):
            arcs = []
            words = sentence.words
            for start, end, key in sent_spans:
                span_words = words[start:end]
                cands = memo.get(span_words)
                if cands is None:
                    cands = memo[span_words] = score(key, span_words, doc_counts)
                if cands:
                    arcs.append(Arc(start, end, cands))
            # spans() yields (start, end) in increasing order: the arcs are sorted already.
            lattices.append(Lattice(sentence, tuple(arcs)))
        return lattices

    def candidates(self, spun: str, context: str | None = None) -> list[Candidate]:
        """Candidates for a spun phrase, best first (debug view). Besides whole-phrase
        originals, a multi-word phrase gets word-by-word compositions of each word's best
        candidates (what the decoder finds by chaining one-word arcs); their logprob is the sum.
        ``context`` adds document evidence as if the phrase occurred in that text."""
        words = [t.text for t in tokenize(spun)]
        key = span_key(words)
        doc_counts: Counter[str] = Counter([key, *(w.lower() for w in words)])
        if context:
            from corrector.text import split_sentences

            for sentence in split_sentences(context):
                doc_counts.update(k for _, _, k in self.spans(sentence))
        found = self._score(key, words, doc_counts)
        if len(words) > 1:
            per_word = [self._score(span_key([w]), [w], doc_counts)[:4] for w in words]
            if all(per_word):
                for combo in itertools.product(*per_word):
                    cased = tuple(w for c in combo for w in c.words)
                    sources = tuple(dict.fromkeys(s for c in combo for s in c.sources))
                    logprob = round(sum(c.logprob for c in combo), 4)
                    found.append(Candidate(cased, detokenize(cased), logprob, sources))
        found.sort(key=lambda c: -c.logprob)
        return found[: self.max_candidates]

    def _score(self, key: str, words: Sequence[str], doc_counts: Counter[str]) -> list[Candidate]:
        return list(self._score_tuple(key, tuple(words), doc_counts))

    def _score_tuple(
        self, key: str, words: tuple[str, ...], doc_counts: Counter[str]
    ) -> tuple[Candidate, ...]:
        ranked, originals = self._ranked_entry(key, words)
        if not ranked:
            return ()
        spun_count = doc_counts.get(key, 0)
        if spun_count < 2:
            spun_count = 1
        # The result depends on the key, the span's case, its repeat count and which originals
        # occur in the document: cache on exactly that (repeated spans hit it within a document).
        if doc_counts.keys().isdisjoint(originals):
            present: tuple[int, ...] = ()
        else:
            present = tuple(i for i, original in enumerate(originals) if original in doc_counts)
        signature = _case_signature(words)
        cache_key = (key, signature, spun_count, present)
        hit = self._scored_cache.get(cache_key)
        if hit is not None:
            return hit  # type: ignore[no-any-return]
        scored = ranked
        if spun_count > 1 or present:
            weights = self.channel.weights
            present_w = weights["doc_original_present"]
            # Same terms, same order as linear(document_features(...)): the same floats.
            if spun_count > 1:
                repeat = weights["doc_spun_repeat"] * math.log(spun_count)
                rescored = [(z + repeat, original, sources) for z, original, sources in ranked]
                boost = repeat + present_w
            else:
                rescored = list(ranked)
                boost = present_w
            for i in present:
                z, original, sources = ranked[i]
                rescored[i] = (z + boost, original, sources)
            rescored.sort(key=lambda item: -item[0])
            scored = tuple(rescored)
        out = []
        to_prob = self.channel.to_log10_prob
        cased_cache = self._cased_cache
        for z, original, sources in scored[: self.max_candidates]:
            logprob = to_prob(z)
            if logprob < self.min_logprob:
                break
            # The cased tokens depend only on the original and the span's case signature.
            cased_key = (original, signature)
            cased = cased_cache.get(cased_key)
            if cased is None:
                words_cased = _case_words(words, original, signature)
                cased = cased_cache[cased_key] = (words_cased, detokenize(words_cased))
                if len(cased_cache) > self._ranked_cache.size:
                    cased_cache.clear()
            out.append(Candidate(cased[0], cased[1], round(logprob, 4), sources))
        result = tuple(out)
        self._scored_cache.put(cache_key, result)
        return result


def substitutions(spun: str, original: str, max_words: int = MAX_SPAN) -> list[tuple[int, int, str, str]]:
    """Aligned substitutions between a spun text and its original (difflib on lowercase LM
    tokens): ``(start, end, spun key, original key)`` with token offsets into the spun text's
    tokens and 1–``max_words`` tokens on each side. Insertions and deletions are skipped: the
    lattice only replaces spans."""
    spun_words = lm_words((t.text for t in tokenize(spun)), lowercase=True)
    orig_words = lm_words((t.text for t in tokenize(original)), lowercase=True)
    matcher = difflib.SequenceMatcher(a=spun_words, b=orig_words, autojunk=False)
    out = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "replace" and i2 - i1 <= max_words and j2 - j1 <= max_words:
            out.append((i1, i2, detokenize(spun_words[i1:i2]), detokenize(orig_words[j1:j2])))
    return out
