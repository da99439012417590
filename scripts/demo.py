"""`make demo`: spin held-out clean news, restore it, show spun / restored / original and the rates.

The text is gensim's ``lee.cor`` (ABC news, installed at setup, excluded from LM training). It is
spun with the project's synthetic spinner using MyThes only, while the restorer's candidates come
from all thesauri — so the demo is not circular; these paragraphs are restored by the n-gram
decoder alone (`--fast`). A feed of held-out articles spun by one fixed dictionary follows,
restored by `corrector correct`'s default path: the pair types the neural teacher decided for the
whole feed, and the restorations with them. Then the real spun article from ``../shared/data``
(when present) by the same path, with its edits marked.
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


def show_article(fast: Corrector, default: Corrector, text: str, colour: bool) -> None:
    """The article by the n-gram decoder alone (`--fast`) and by the default path, and its first
    paragraph with the default path's edits marked."""
    started = time.perf_counter()
    result = default.correct_feed([text]).restorations[0]
    seconds = time.perf_counter() - started
    quick = fast.correct(text)
    words = len(text.split())
    print(f"--fast: {len(quick.edits)} edits; the default path: {len(result.edits)} edits in {seconds:.1f} s "
          f"({words / seconds:.0f} words/s), spun_score {result.spun_score:.2f}; first paragraph:")
    paragraph = next(p for p in text.split("\n\n") if len(p.split()) > 25)
    start = text.index(paragraph)
    window = [e for e in result.edits if start <= e.start < start + len(paragraph)]
    shifted = tuple(e.shifted(-start) for e in window)
    print(marked(Restoration(paragraph, "", shifted, result.scores, result.spun_score), colour))


def show_feed(fast: Corrector, default: Corrector, articles: int, colour: bool) -> None:
    """A feed spun by one fixed dictionary: restored article by article with the n-gram decoder
    alone (`--fast`), then by the default path — the pair types decided once for the whole feed
    (by the neural teacher when its model is installed), the n-gram decoder applying them."""
    spinner = Spinner(profile_config("dictionary", seed=11))
    feed = [(spinner.spin(t, str(i)).spun, t) for i, t in enumerate(islice(lee_heldout(), articles))]
    applied = {(spun.lower(), original.lower()) for original, spun in spinner.used_pairs()}
    words = sum(len(spun.split()) for spun, _ in feed)
    print(f"── a feed: {len(feed)} held-out articles ({words:,} words) spun by one fixed dictionary "
          "(`corrector spin --profile dictionary`) ──")
    started = time.perf_counter()
    quick = [fast.correct(spun) for spun, _ in feed]
    fast_seconds = time.perf_counter() - started
    started = time.perf_counter()
    taught = default.correct_feed([spun for spun, _ in feed])
    seconds = time.perf_counter() - started
    decided = [d for d in taught.decisions if not d.kept]
    who = "the neural teacher" if default.neural is not None else "the pair model (no neural model installed)"
    kept = len(taught.decisions) - len(decided)
    kept_forms = f" and kept {kept} spun forms it judged unchanged" if kept else ""
    print(f"{who} decided {len(decided)} pair types for the whole feed "
          f"({sum((d.spun, d.original) in applied for d in decided)} of them the spinner's){kept_forms}:")
    for d in decided[:12]:
        mark = "✓" if (d.spun, d.original) in applied else "✗"
        print(f"  {mark} {d.spun} ← {d.original}  (P {d.probability:.2f}, {d.occurrences} occurrences)")
    for name, results, took in (("--fast, article by article", quick, fast_seconds),
                                ("the default path", taught.restorations, seconds)):
        score = corpus_score([pair_stats(s, o, r.text) for (s, o), r in zip(feed, results, strict=True)])
        print(f"{name}: fix {score.fix:.1%}, broken {score.broken:.1%}, ERR {score.err:+.3f} "
              f"({words / took:,.0f} words/s)")
    print(f"the first article, by the default path:\n{marked(taught.restorations[0], colour)}\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--paragraphs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--feed", type=int, default=40, help="held-out articles in the feed section")
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

    try:
        started = time.perf_counter()
        neural: Corrector | None = corrector.with_neural()
        print(f"loaded the neural teacher (SmolLM2-135M) in {time.perf_counter() - started:.1f} s\n")
    except (FileNotFoundError, ImportError) as error:
        neural = None
        print(f"(no neural model: {error}; the default path decides pair types without it)\n")
    show_feed(corrector, neural or corrector, args.feed, colour)

    seed_article = SHARED_DATA_DIR / "seed_spun_article.txt"
    article = seed_article.read_text(encoding="utf-8") if seed_article.exists() else None
    if article is not None:
        print("── a real spun article (../shared/data/seed_spun_article.txt) ──")
        show_article(corrector, neural or corrector, article, colour)

    if neural is None:
        return 0
    print("\n── the paragraphs with --neural (research mode: SmolLM2-135M picks and verifies every edit) ──")
    score = corpus_score([pair_stats(spun, original, neural.correct(spun).text) for spun, original in pairs])
    print(
        f"synthetic spins: fix {score.fix:.1%}, broken {score.broken:.1%}, ERR {score.err:+.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
