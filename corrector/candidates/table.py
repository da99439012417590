"""The reversed thesaurus table the candidate generator reads: spun phrase → the headwords
(candidate originals) that list it, best first, with per-source ranks.

:mod:`corrector.builders.thesaurus` writes it once, as a directory (:func:`write_table`):

- ``lines.keys``/``lines.values``: spun → packed lines (:mod:`corrector.candidates.store`,
  memory-mapped, read per key);
- ``lists.keys``/``lists.values``: the precomputed ranked lists (:class:`PrecomputedLists`);
- ``sets.marshal``: the small sets a span is checked against on every word (~25 ms to read);
- ``table.json``: format, sources, fingerprints and the stores' content digest; written last, so
  its presence means a whole table.

Opening it costs ~30 ms instead of unpickling 141 MB (0.3 s); lines are parsed only when looked
up. All keys and synonyms are lowercase, with single spaces between words
(``despite the fact that``).
"""

from __future__ import annotations

import hashlib
import json
import marshal
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from corrector.candidates.store import BytesStore, TextStore, store_files, write_store, write_text_store
from corrector.defaults import default_thesaurus_dir
from corrector.files import atomic_file

SOURCES = ("moby", "wordnet", "mythes")
TABLE_FILE = "table.json"
LINES_STORE = "lines"
LISTS_STORE = "lists"
SETS_FILE = "sets.marshal"
# Formats up to 8 were one pickle of everything; a directory holding only it is refused by name.
OLD_TABLE_FILE = "reverse.pkl"
MANIFEST_FILE = "manifest.json"
# The marshal version of ``sets.marshal`` (the lists record theirs in PrecomputedLists.marshal).
SETS_MARSHAL = 4
# 9: the same content as memory-mapped stores read per key, the small sets marshalled, the
# rules' first words and prefixes with their inflected forms, the number rules' keys listed
# (8: with the lists, their multi-word originals that are not keys and the LM tokens of their
# originals that are not plain words; 7: tokens of fewer originals; 6: finished ranked candidate
# lists of every key with a candidate, inflected forms included, as marshalled columns; span
# prefixes and first words with inflected forms; 5: the lists as marshalled rows; 4: of the
# 50,000 most frequent words and the multi-word keys, as text; 3: each key's lines sorted best
# first by static channel score; 2: thesaurus order).
TABLE_FORMAT = 9
REBUILD_HINT = "run `make thesaurus` (or `corrector build-thesaurus`) to rebuild it"


@dataclass(frozen=True, slots=True)
class PrecomputedLists:
    """What the table ships besides its lines, so a new process computes almost nothing per span
    (:func:`corrector.candidates.generator.precompute_ranked` makes it).

    ``lists``: key → finished static ranked candidate list (marshalled columns), made with the
    generator settings whose fingerprint is ``fingerprint`` and marshal version ``marshal``;
    ``complete``: every key with a thesaurus or rule candidate has a list; ``span_originals``:
    the lists' multi-word originals that are not keys; ``original_tokens``: LM tokens of the
    originals that are not plain words; ``span_prefixes`` / ``span_firsts``: word prefixes of
    multi-word keys and originals, and first words of multi-word keys, inflected forms included
    (None: not shipped); ``rule_prefixes`` / ``rule_firsts``: the same of the curated rules'
    keys and originals, valid while the rules hash to ``rules_hash`` (so a new process needs no
    lemma dictionary to start); ``multiword_keys``: the keys of ``lists`` with a space, in
    memory for the test ``CandidateGenerator._spans`` makes per multi-word span (~0.04 s to
    read, against ~0.5 µs a test in the store's trie). ``lists`` is any mapping: a dict when
    built, a memory-mapped :class:`~corrector.candidates.store.BytesStore` when loaded."""

    fingerprint: str
    marshal: int
    complete: bool
    lists: Mapping[str, bytes]
    span_originals: frozenset[str] | None = None
    original_tokens: dict[str, tuple[str, ...]] | None = None
    span_prefixes: frozenset[str] | None = None
    span_firsts: frozenset[str] | None = None
    rules_hash: str | None = None
    rule_prefixes: frozenset[str] | None = None
    rule_firsts: frozenset[str] | None = None
    multiword_keys: frozenset[str] | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PrecomputedLists:
        """From a plain dict such as :meth:`to_dict` gives."""
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return {name: value for name, value in values.items() if value is not None}


@dataclass(frozen=True, slots=True)
class ReverseEntry:
    """One headword (candidate original) listing the spun phrase.

    ``ranks[source] = (rank, length)``: the spun phrase is synonym number ``rank`` (0-based) of
    ``length`` in that source's list for the headword."""

    original: str
    ranks: dict[str, tuple[int, int]]
    mutual: bool = False
    zipf: float = 0.0


def pack_ranks(ranks: dict[str, tuple[int, int]]) -> str:
    """``rank/length`` per source in :data:`SOURCES` order (empty where absent): one field of a
    table line; :func:`parse_entry` reads it back."""
    return ",".join(
        f"{r}/{n}" if (r, n) != (-1, 0) else "" for r, n in (ranks.get(s, (-1, 0)) for s in SOURCES)
    )


def word_prefixes(phrase: str) -> list[str]:
    """``a``, ``a b`` for ``a b c``."""
    parts = phrase.split(" ")
    return [" ".join(parts[:k]) for k in range(1, len(parts))]



def parse_entry(line: str) -> ReverseEntry:
    """One table line ``original<TAB>ranks<TAB>mutual<TAB>zipf`` (see :func:`pack_ranks`)."""
    original, fields, mutual, zipf = line.split("\t")
    ranks = {}
    for source, field in zip(SOURCES, fields.split(","), strict=True):
        if field:
            rank, length = field.split("/")
            ranks[source] = (int(rank), int(length))
    return ReverseEntry(original, ranks, mutual == "1", float(zipf))


class ReverseTable:
    """spun phrase → headwords listing it (best first), with per-source ranks; parsed lazily.

    Parsed entries are cached in a bounded LRU (``cache_size`` keys), so memory stays flat over
    a stream of millions of documents."""

    def __init__(
        self,
        packed: Mapping[str, str],
        sources: tuple[str, ...] = SOURCES,
        ranked_with: str | None = None,
        cache_size: int = 50_000,
        precomputed: PrecomputedLists | None = None,
        directory: Path | None = None,
        content: str | None = None,
    ) -> None:
        self._packed = packed
        self.precomputed = precomputed
        self.sources = sources
        # Fingerprint of the channel weights the lines were ranked with (None: unknown).
        self.ranked_with = ranked_with
        # Where it was read from, and its stores' digest as its header recorded it (None: a table
        # in memory, or one written before headers recorded it; fingerprint() computes it then).
        self.directory = directory
        self._content = content
        self._cache: OrderedDict[tuple[str, int], tuple[ReverseEntry, ...]] = OrderedDict()
        self._cache_size = cache_size

    @classmethod
    def load(cls, directory: Path | None = None) -> ReverseTable:
        """The table in ``directory`` (default ``models/thesaurus``), opened lazily: its stores are
        memory-mapped, only the small sets are read. A table of another format is refused."""
        directory = Path(directory or default_thesaurus_dir())
        header_path = directory / TABLE_FILE
        if header_path.exists():
            # One table per process and built file: the default path's three correctors (pass 1,
            # the teacher, pass 2) share it instead of reading its sets three times.
            info = header_path.stat()
            return _open_table(cls, str(directory.resolve()), info.st_mtime_ns, info.st_size)
        return cls._open(directory)

    @classmethod
    def _open(cls, directory: Path) -> ReverseTable:
        header_path = directory / TABLE_FILE
        if not header_path.exists():
            if (directory / OLD_TABLE_FILE).exists():
                raise RuntimeError(
                    f"{directory / OLD_TABLE_FILE} has an old table format (8 or earlier), this "
                    f"corrector needs format {TABLE_FORMAT}: {REBUILD_HINT}"
                )
            raise FileNotFoundError(f"no thesaurus table at {header_path} ({REBUILD_HINT})")
        header = json.loads(header_path.read_text(encoding="utf-8"))
        if not isinstance(header, dict) or header.get("format") != TABLE_FORMAT:
            found = header.get("format") if isinstance(header, dict) else None
            raise RuntimeError(
                f"{header_path} has table format {found}, this corrector needs format {TABLE_FORMAT}: "
                f"{REBUILD_HINT}"
            )
        precomputed = None
        meta = header.get("precomputed")
        if meta:
            # loads() of the bytes, not load() of the file: that reads the file object item by
            # item (0.14 s here against 0.035 s).
            sets = marshal.loads((directory / SETS_FILE).read_bytes())
            precomputed = PrecomputedLists(
                lists=BytesStore(directory / LISTS_STORE), **meta, **sets
            )
        return cls(
            TextStore(directory / LINES_STORE),
            tuple(header.get("sources", SOURCES)),
            header.get("ranked_with"),
            precomputed=precomputed,
            directory=directory,
            content=header.get("content"),
        )

    def fingerprint(self) -> str:
        """What pins this table's candidates, for evaluation signatures: the sha256 (first 12 hex
        digits) of its stores' bytes, which hold every line and ranked list. Read from the header
        when the build recorded it, else computed once (~0.3 s for the default table); a table in
        memory hashes its lines and lists in key order instead."""
        if self._content is None:
            if self.directory is not None:
                self._content = content_digest(self.directory, self.precomputed is not None)
            else:
                self._content = _memory_digest(self._packed, self.precomputed)
        return self._content[:12]

    def keys(self) -> Iterable[str]:
        """Every spun key."""
        return self._packed.keys()

    def multiword_keys(self) -> list[str]:
        """Keys of more than one word (or with a clitic), for cheap span pre-filtering."""
        return [key for key in self._packed if " " in key or "'" in key]

    def __contains__(self, spun: str) -> bool:
        return spun in self._packed

    def __len__(self) -> int:
        return len(self._packed)

    def count(self, spun: str) -> int:
        """How many headwords list ``spun`` (its fan-out)."""
        packed = self._packed.get(spun)
        return packed.count("\n") + 1 if packed else 0

    def lookup(self, spun: str, limit: int | None = None) -> tuple[ReverseEntry, ...]:
        """Headwords whose synonym lists contain ``spun`` (lowercase, single-spaced), best first
        by static channel score; only the first ``limit`` if given."""
        packed = self._packed.get(spun)
        if not packed:
            return ()
        cache_key = (spun, limit or 0)
        cache = self._cache
        hit = cache.get(cache_key)
        if hit is not None:
            cache.move_to_end(cache_key)
            return hit
        lines = packed.split("\n", limit)[:limit] if limit else packed.split("\n")
        result = tuple(map(parse_entry, lines))
        cache[cache_key] = result
        if len(cache) > self._cache_size:
            cache.popitem(last=False)
        return result

    def find(self, spun: str, original: str) -> ReverseEntry | None:
        """The entry of headword ``original`` in ``spun``'s list, if it has one."""
        packed = self._packed.get(spun)
        if not packed:
            return None
        if packed.startswith(original + "\t"):
            at = 0
        else:
            at = packed.find("\n" + original + "\t") + 1
            if not at:
                return None
        end = packed.find("\n", at)
        return parse_entry(packed[at : end if end >= 0 else len(packed)])


def content_digest(directory: Path, lists: bool) -> str:
    """sha256 of a written table's stores as hex: its lines, then its ranked lists if it has them."""
    digest = hashlib.sha256()
    for stem in (LINES_STORE, LISTS_STORE) if lists else (LINES_STORE,):
        for path in store_files(directory / stem):
            digest.update(path.name.encode() + b"\0")
            with path.open("rb") as f:
                while chunk := f.read(1 << 20):
                    digest.update(chunk)
    return digest.hexdigest()


def _memory_digest(packed: Mapping[str, str], precomputed: PrecomputedLists | None) -> str:
    digest = hashlib.sha256()
    for key in sorted(packed):
        digest.update(f"{key}\t{packed[key]}\0".encode())
    if precomputed is not None:
        for key in sorted(precomputed.lists):
            digest.update(key.encode() + b"\t" + precomputed.lists[key] + b"\0")
    return digest.hexdigest()


# The PrecomputedLists fields kept in table.json (the rest but ``lists`` go to sets.marshal).
_HEADER_FIELDS = ("fingerprint", "marshal", "complete", "rules_hash")


def write_table(
    directory: Path,
    packed: Mapping[str, str],
    sources: Iterable[str],
    ranked_with: str | None,
    precomputed: PrecomputedLists | None,
) -> int:
    """Write a table that :meth:`ReverseTable.load` opens into ``directory``; returns its size in
    bytes. The header goes last and is removed first, so a build that stops half-way leaves no
    table that loads (and never a mix of two builds); an old-format pickle is removed."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / TABLE_FILE).unlink(missing_ok=True)
    (directory / OLD_TABLE_FILE).unlink(missing_ok=True)
    files = [*store_files(directory / LINES_STORE)]
    write_text_store(directory / LINES_STORE, packed)
    header: dict[str, Any] = {"format": TABLE_FORMAT, "sources": list(sources), "ranked_with": ranked_with}
    if precomputed is not None:
        data = precomputed.to_dict()
        lists = data.pop("lists")
        write_store(directory / LISTS_STORE, lists.items())
        files += [*store_files(directory / LISTS_STORE), directory / SETS_FILE]
        header["precomputed"] = {name: data.pop(name) for name in _HEADER_FIELDS if name in data}
        with atomic_file(directory / SETS_FILE) as f:
            marshal.dump(data, f, SETS_MARSHAL)
    header["content"] = content_digest(directory, precomputed is not None)
    with atomic_file(directory / TABLE_FILE, "w", encoding="utf-8") as f:
        f.write(json.dumps(header, indent=2) + "\n")
    return sum(path.stat().st_size for path in [*files, directory / TABLE_FILE])


@lru_cache(maxsize=4)
def _open_table(cls: type[ReverseTable], directory: str, mtime_ns: int, size: int) -> ReverseTable:
    """:meth:`ReverseTable._open`, once per class, directory and header file (rebuilt: read anew)."""
    return cls._open(Path(directory))
