"""`make demo`: spin held-out clean news, restore it, show spun / restored / original and the rates.

The text is gensim's ``lee.cor`` (ABC news, installed at setup, excluded from LM training). It is
spun with the project's synthetic spinner using MyThes only, while the restorer's candidates come
from all thesauri — so the demo is not circular. A feed of held-out articles spun by one fixed
dictionary follows: the pair types a first pass over it learns, and the restoration with them.
Then the real spun article from
``../shared/data`` (when present) is restored with its edits marked.
"""

from __future__ import annotations

import argparse
import sys
import time
from itertools import islice

from corrector import Corrector
from corrector.builders.corpus import lee_heldout
from corrector.defaults import SHARED_DATA_DIR
from corrector.research.metrics import corpus_score, pair_stats
from corrector.research.spinner import Spinner, profile_config
from corrector.restore.pairs import ScopeEvidence
from corrector.text.results import Restoration

BOLD, RED, GREEN, DIM, RESET = "\033[1m", "\033[31m", "\033[32m", "\033[2m", "\033[0m"


def marked(result: Restoration, colour: bool) -> str:
    """The restored text with each edit shown as [spun → restored]."""
    out, position = [], 0
    for edit in result.edits:
        out.append(result.source[position : edit.start])
        if colour:
            out.append(f"{RED}{edit.spun}{RESET}→{GREEN}{edit.restored}{RESET}")
        else:
            out.append(f"[{edit.spun} → {edit.restored}]")
        position = edit.end
    out.append(result.source[position:])
    return "".join(out)


def show_article(corrector: Corrector, text: str, colour: bool) -> None:
    """The article's edit count and spun_score, and its first paragraph with the edits marked."""
    result = corrector.correct(text)
    paragraph = next(p for p in text.split("\n\n") if len(p.split()) > 25)
    start = text.index(paragraph)
    window = [e for e in result.edits if start <= e.start < start + len(paragraph)]
    print(f"{len(result.edits)} edits, spun_score {result.spun_score:.2f}; first paragraph:")
    shifted = tuple(e.shifted(-start) for e in window)
    print(marked(Restoration(paragraph, "", shifted, result.scores, result.spun_score), colour))


def show_feed(corrector: Corrector, articles: int, colour: bool) -> None:
    """A feed spun by one fixed dictionary: restored article by article, then again with the pairs
    a first pass over the whole feed learned (``corrector adapt --method pairs``)."""
    spinner = Spinner(profile_config("dictionary", seed=11))
    feed = [(spinner.spin(t, str(i)).spun, t) for i, t in enumerate(islice(lee_heldout(), articles))]
    applied = {(spun.lower(), original.lower()) for original, spun in spinner.used_pairs()}
    print(f"── a feed: {len(feed)} held-out articles spun by one fixed dictionary "
          "(`corrector spin --profile dictionary`) ──")
    started = time.perf_counter()
    evidence = ScopeEvidence()
    for spun, _ in feed:
        evidence += corrector.pair_evidence(spun)
    decided = corrector.pair_decisions(evidence)
    print(f"pass 1 read the feed in {time.perf_counter() - started:.1f} s and decided {len(decided)} "
          f"pair types; {sum((d.spun, d.original) in applied for d in decided)} of them are the spinner's:")
    for d in decided[:12]:
        mark = "✓" if (d.spun, d.original) in applied else "✗"
        evidence_of = f"posterior {d.probability:.2f}, {d.occurrences} occurrences"
        print(f"  {mark} {d.spun} ← {d.original}  ({evidence_of})")
    adapted = corrector.with_decisions(decided)
    for name, restorer in (("article by article", corrector), ("with the learned pairs", adapted)):
        results = [restorer.correct(spun) for spun, _ in feed]
        score = corpus_score([pair_stats(s, o, r.text) for (s, o), r in zip(feed, results, strict=True)])
        print(f"{name}: fix {score.fix:.1%}, broken {score.broken:.1%}, ERR {score.err:+.3f}")
    spun = feed[0][0]
    print(f"the first article, restored with the learned pairs:\n{marked(adapted.correct(spun), colour)}\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--paragraphs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--feed", type=int, default=40, help="held-out articles in the feed section")
    parser.add_argument(
        "--neural-article", action="store_true",
        help="also restore the real spun article with --neural (~1,000 words at ~15 words/s: minutes)",
    )
    parser.add_argument("--no-colour", action="store_true")
    args = parser.parse_args()
    colour = sys.stdout.isatty() and not args.no_colour

    started = time.perf_counter()
    corrector = Corrector.load()
    print(f"loaded the default model and candidate tables in {time.perf_counter() - started:.2f} s\n")
    spinner = Spinner(sources=("mythes",), seed=args.seed)

    stats, pairs = [], []
    for number, original in enumerate(islice(lee_heldout(), args.paragraphs), 1):
        spun = spinner.spin(original).spun
        pairs.append((spun, original))
        result = corrector.correct(spun)
        stats.append(pair_stats(spun, original, result.text))
        head = f"{BOLD}" if colour else ""
        tail = RESET if colour else ""
        print(f"{head}── paragraph {number} (held-out ABC news, spun with MyThes) ──{tail}")
        print(f"{head}spun:{tail}     {spun}\n")
        print(f"{head}restored:{tail} {marked(result, colour)}\n")
        print(f"{head}original:{tail} {original}\n")

    score = corpus_score(stats)
    print(
        f"synthetic spins: fix {score.fix:.1%} of spun tokens restored, broken {score.broken:.1%} of "
        f"correct tokens changed, ERR {score.err:+.3f}\n"
    )

    show_feed(corrector, args.feed, colour)

    seed_article = SHARED_DATA_DIR / "seed_spun_article.txt"
    article = seed_article.read_text(encoding="utf-8") if seed_article.exists() else None
    if article is not None:
        print("── a real spun article (../shared/data/seed_spun_article.txt) ──")
        show_article(corrector, article, colour)

    try:
        started = time.perf_counter()
        neural = corrector.with_neural()
    except (FileNotFoundError, ImportError) as error:
        print(f"\n(the --neural section skipped: {error})")
        return 0
    print(f"\n── the same with --neural (SmolLM2-135M picks and verifies the edits; loaded in "
          f"{time.perf_counter() - started:.1f} s) ──")
    score = corpus_score([pair_stats(spun, original, neural.correct(spun).text) for spun, original in pairs])
    print(
        f"synthetic spins: fix {score.fix:.1%}, broken {score.broken:.1%}, ERR {score.err:+.3f}"
    )
    if article is not None and args.neural_article:
        show_article(neural, article, colour)
    elif article is not None:
        print("(the real article with --neural: python scripts/demo.py --neural-article, a few minutes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
