"""(original → spun) substitutions from real spinners and from our simulator, for studying and
fitting candidate generation (``scripts/study_spinners.py``, ``scripts/fit_relatives.py``,
``benchmarks/candidates.py``).

Sources (all read at run time; nothing here ships news text):
- ``tortured``: the Problematic Paper Screener's tortured phrases (``shared/data/tortured_phrases.tsv``,
  a real spinner's phrase-level output on science text);
- ``dev``: the 12 real dev sentence pairs (``shared/data/dev_pairs.jsonl``), aligned;
- ``design``: the word and phrase swaps listed in DESIGN §1 and issue 23 (seed-family and
  WordPress-kind spinners), as (original, spun) pairs — evaluation only, never fitted on;
- ``reconstructed``: four of the real synonym-spinner articles (``shared/data/
  real_spun_unlabeled.jsonl``, three sites) with their wire text reconstructed by hand where the
  spinner's swap is clear (:data:`RECONSTRUCTED_EDITS`: character edits of the spun text, not the
  text) — evaluation only, never fitted on;
- ``simulator``: sentences of the clean-news LM corpus spun by ``corrector.research.spinner``.

Every real pair is aligned with :func:`corrector.candidates.align.substitutions`, so a
sentence pair gives its 1–4-word replaced blocks. :func:`split_by_original` assigns a
substitution to train or test by a hash of its ORIGINAL, so no original is on both sides.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from corrector.candidates.align import substitutions
from corrector.candidates.generator import CandidateGenerator
from corrector.defaults import BUILD_DIR, SHARED_DATA_DIR
from corrector.text.tokens import split_sentences

TORTURED_FILE = SHARED_DATA_DIR / "tortured_phrases.tsv"
DEV_FILE = SHARED_DATA_DIR / "dev_pairs.jsonl"
REAL_FILE = SHARED_DATA_DIR / "real_spun_unlabeled.jsonl"
# Per article of REAL_FILE: the sha256 of its spun text and the edits (start, end, original) that
# turn it into the reconstructed original. A guess of the wire text, made only where a swap is
# clear ("courtroom" → court, "mother and father" → parents); a word left as spun may still be
# a spin, so fix is a lower bound and an edit there may count as broken.
RECONSTRUCTED_EDITS = Path(__file__).resolve().parents[1] / "data" / "reconstructed_edits.json"
NEWS_CORPUS = BUILD_DIR / "corpus" / "news.txt"

# (original, spun) swaps named in DESIGN §1 and issue 23: the seed family's and the WordPress
# auto-blog kind's. Words and short phrases only, no sentences.
DESIGN_PAIRS: tuple[tuple[str, str], ...] = (
    # seed family (DESIGN §1, first list)
    ("said", "stated"), ("in", "within"), ("top", "prime"), ("wants", "desires"),
    ("meeting", "assembly"), ("crisis", "disaster"), ("keep talking", "maintain speaking"),
    ("demands", "calls for"), ("supplies", "provides"), ("told", "advised"),
    ("expect", "anticipate"), ("consequences", "penalties"), ("phone", "cellphone"),
    ("even though", "despite the fact that"), ("called", "referred to as"),
    ("meanwhile", "in the meantime"), ("use", "make use of"), ("never", "won't ever"),
    ("looking at", "taking a look at"), ("foreign", "international"), ("defense", "protection"),
    ("eastern", "jap"), ("business", "enterprise"), ("standard", "customary"),
    ("department", "division"), ("price", "value"), ("thousands", "1000's"),
    ("didn't", "did not"), ("economic", "financial"), ("movement", "motion"),
    # WordPress auto-blog kind (DESIGN §1, second list) and issue 23's misses
    ("came under", "got here below"), ("last year", "final yr"), ("trading", "buying and selling"),
    ("dollar", "greenback"), ("party", "get together"), ("court", "courtroom"), ("price", "worth"),
    ("value", "worth"), ("assets", "property"), ("investors", "buyers"), ("next", "subsequent"),
    ("said", "mentioned"), ("into", "right into a"), ("sent", "despatched"),
    ("people", "individuals"), ("leader", "chief"), ("national", "nationwide"),
    ("financial", "monetary"), ("link", "hyperlink"), ("year", "12 months"), ("year", "yr"),
    ("came", "got here"),
)  # fmt: skip

_PARENTHETICAL = re.compile(r"\s*[(\[][^)\]]*[)\]]?")


@dataclass(frozen=True, slots=True)
class Substitution:
    """One aligned replaced block: lowercase LM keys (see ``substitutions``), where from, and the
    index of the text pair it came from (a document for document evidence)."""

    spun: str
    original: str
    source: str
    pair: int


def clean_original(text: str) -> str:
    """A tortured phrase's original without its parenthesised or bracketed abbreviations and
    glosses ("back propagation (BP)" → "back propagation")."""
    return re.sub(r"\s+", " ", _PARENTHETICAL.sub("", text)).strip()


def tortured_pairs(path: Path = TORTURED_FILE) -> list[tuple[str, str]]:
    """(spun, original) of each tortured phrase (originals cleaned, empty ones dropped)."""
    out = []
    with open(path, encoding="utf-8") as f:
        next(f)  # header
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 2:
                continue
            spun, original = fields[0].strip(), clean_original(fields[1])
            if spun and original and spun.lower() != original.lower():
                out.append((spun, original))
    return out


def dev_pairs(path: Path = DEV_FILE) -> list[tuple[str, str]]:
    """(spun, original) sentence pairs of the dev set."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(row["spun"], row["original"]) for row in rows]


def real_articles(path: Path = REAL_FILE) -> list[dict[str, str]]:
    """The unlabeled real spun articles (``id, site, style, source_url, text``), [] without
    ``path``."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def reconstructed_articles(
    path: Path = REAL_FILE, edits: Path = RECONSTRUCTED_EDITS
) -> list[tuple[str, str, str]]:
    """(id, spun, original) of each real article with a reconstructed original, in the order of
    ``edits``; [] when ``path`` is missing. Raises ValueError when an article's text is not the one
    the edits were made on."""
    if not path.exists():
        return []
    texts = {row["id"]: row["text"] for row in real_articles(path)}
    out = []
    for article in json.loads(edits.read_text(encoding="utf-8")):
        spun = texts.get(article["id"])
        if spun is None or hashlib.sha256(spun.encode()).hexdigest() != article["spun_sha256"]:
            raise ValueError(f"{path}: article {article['id']!r} is missing or not the text annotated")
        original = spun
        for start, end, replacement in sorted(article["edits"], reverse=True):
            original = original[:start] + replacement + original[end:]
        out.append((article["id"], spun, original))
    return out


def sentence_pairs(articles: Iterable[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """(spun, original) sentence by sentence of each (id, spun, original) article whose two texts
    split into as many sentences (the word tokenizer reads a sentence's last period apart only
    at its end), else the article whole."""
    out = []
    for _, spun, original in articles:
        spun_sentences, original_sentences = split_sentences(spun), split_sentences(original)
        if len(spun_sentences) == len(original_sentences):
            out += [
                (spun[s.start : s.end], original[o.start : o.end])
                for s, o in zip(spun_sentences, original_sentences, strict=True)
            ]
        else:
            out.append((spun, original))
    return out


def simulator_pairs(n: int = 1000, seed: int = 7, corpus: Path = NEWS_CORPUS) -> list[tuple[str, str]]:
    """``n`` clean-news sentences (8–40 tokens) spun by the default simulator profile."""
    from corrector.research.spinner import Spinner
    from corrector.text.tokens import detokenize

    lines = corpus.read_text(encoding="utf-8").splitlines()
    rng = random.Random(seed)
    picked = [line for line in rng.sample(lines, min(len(lines), n * 3)) if 8 <= len(line.split()) <= 40][:n]
    spinner = Spinner(seed=seed)
    out = []
    for line in picked:
        text = detokenize(line.split())  # the corpus is LM-tokenised: running text again
        out.append((spinner.spin(text).spun, text))
    return out


def aligned(pairs: Iterable[tuple[str, str]], source: str, max_words: int = 3) -> list[Substitution]:
    """The substitutions of 1–``max_words`` words on both sides in each (spun, original) pair."""
    out = []
    for i, (spun, original) in enumerate(pairs):
        for _, _, spun_key, orig_key in substitutions(spun, original, max_words):
            out.append(Substitution(spun_key, orig_key, source, i))
    return out


def design_substitutions() -> list[Substitution]:
    pairs = enumerate(DESIGN_PAIRS)
    return [Substitution(spun.lower(), orig.lower(), "design", i) for i, (orig, spun) in pairs]


def load(
    sources: Sequence[str], simulator_sentences: int = 1000, seed: int = 7
) -> dict[str, list[Substitution]]:
    """Substitutions per source name (``tortured``, ``dev``, ``design``, ``reconstructed``,
    ``simulator``); a real source whose file is missing is left out."""
    out: dict[str, list[Substitution]] = {}
    for source in sources:
        if source == "tortured" and TORTURED_FILE.exists():
            out[source] = aligned(tortured_pairs(), source)
        elif source == "dev" and DEV_FILE.exists():
            out[source] = aligned(dev_pairs(), source)
        elif source == "design":
            out[source] = design_substitutions()
        elif source == "reconstructed" and REAL_FILE.exists():
            out[source] = aligned(sentence_pairs(reconstructed_articles()), source)
        elif source == "simulator" and NEWS_CORPUS.exists():
            out[source] = aligned(simulator_pairs(simulator_sentences, seed), source)
    return out


def is_test(original: str, test_share: float = 0.5, salt: str = "channel-23") -> bool:
    """Whether ``original`` falls in the held-out part (stable hash of the original, so one
    original is always on one side)."""
    digest = hashlib.sha1(f"{salt}:{original}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < test_share


def split_by_original(
    subs: Sequence[Substitution], test_share: float = 0.5
) -> tuple[list[Substitution], list[Substitution]]:
    """(train, test) with no original on both sides."""
    train = [s for s in subs if not is_test(s.original, test_share)]
    test = [s for s in subs if is_test(s.original, test_share)]
    return train, test


def candidate_ranks(gen: CandidateGenerator, subs: Sequence[Substitution]) -> list[int | None]:
    """0-based position of each substitution's original in ``gen.candidates(spun)`` (what
    ``corrector candidates`` shows, capped at ``gen.max_candidates``), None when absent."""
    out: list[int | None] = []
    memo: dict[str, list[str]] = {}
    for sub in subs:
        found = memo.get(sub.spun)
        if found is None:
            found = memo[sub.spun] = [c.text.lower() for c in gen.candidates(sub.spun)]
        out.append(found.index(sub.original) if sub.original in found else None)
    return out


def recall_row(ranks: Sequence[int | None]) -> tuple[int, float, float]:
    """(n, share with the original among the candidates, share with it first)."""
    n = len(ranks)
    if not n:
        return 0, 0.0, 0.0
    return n, sum(r is not None for r in ranks) / n, sum(r == 0 for r in ranks) / n
