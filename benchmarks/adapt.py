"""Adaptation benchmark (issue 6): learn a hidden spinner from its output, then correct Reuters.

Protocol:
1. Hold out 2 of every 5 blocks of 1,000 corpus lines (whole documents, mostly) of
   build/corpus/news.txt; train a cased 3-gram on the rest (build/adapt/lm). The E-step, the
   frequency prior and the decoder all use only that LM and that training text.
2. Hidden spinner: for the most frequent corpus words, pick one or two rarer single-word synonyms
   from the thesauri (in list order, as spinners do) and apply them to ~85% of occurrences,
   case carried over. It is written to build/adapt/hidden_spinner.json and never read by adapt.
3. Feeds of 1k / 10k / 50k held-out sentences, spun; `adapt` sees only the spun text.
4. Reuters (r-cran-tm acq + crude, 70 documents) spun with the same hidden spinner, corrected
   with the generic channel and with each adapted channel; fix / broken / ERR from
   corrector.metrics, and recovered-pair precision/recall against the hidden dictionary.

Usage: .venv/bin/python benchmarks/adapt.py [--sizes 1000 10000 50000] [--workers 2]
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from corrector.adapt import (  # noqa: E402
    AdaptConfig,
    CleanFrequency,
    SpinnerChannel,
    adapt,
    clean_unigrams,
    read_feed,
    spinner_document,
    write_spinner,
)
from corrector.api import Corrector  # noqa: E402
from corrector.config import CorrectorConfig  # noqa: E402
from corrector.lattice import Lattice  # noqa: E402
from corrector.lm import KenlmModel  # noqa: E402
from corrector.metrics import corpus_score, pair_stats  # noqa: E402
from corrector.text import Sentence, detokenize, match_case, tokenize  # noqa: E402

WORK = ROOT / "build" / "adapt"
CORPUS = ROOT / "build" / "corpus" / "news.txt"
REUTERS = Path("/usr/lib/R/site-library/tm/texts")
SPIN_RATE = 0.85
HIDDEN_WORDS = 3000
SEED = 6


# --- data ---------------------------------------------------------------------------------------


def split_corpus() -> tuple[Path, Path]:
    train, held = WORK / "train.txt", WORK / "heldout.txt"
    if not train.exists():
        lines = CORPUS.read_text(encoding="utf-8").splitlines()
        keep = [line for i, line in enumerate(lines) if (i // 1000) % 5 not in (1, 3)]
        out = [line for i, line in enumerate(lines) if (i // 1000) % 5 in (1, 3)]
        train.write_text("\n".join(keep) + "\n", encoding="utf-8")
        held.write_text("\n".join(out) + "\n", encoding="utf-8")
    return train, held


def build_lm(train: Path) -> Path:
    out = WORK / "lm"
    if not (out / "model.bin").exists():
        from corrector.lm_build import build_model

        build_model(str(train), out, order=3, pretokenized=True, memory="1G", progress=False)
    return out


def hidden_spinner(counts: Counter[str]) -> dict[str, list[str]]:
    """Frequent word → one or two rarer synonyms (thesaurus order), like a spinner's dictionary."""
    path = WORK / "hidden_spinner.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    from wordfreq import zipf_frequency

    from corrector.thesaurus import forward_synonyms

    sources = [forward_synonyms(s) for s in ("moby", "wordnet", "mythes")]
    rng = random.Random(SEED)
    table: dict[str, list[str]] = {}
    for word, _ in counts.most_common():
        if len(table) >= HIDDEN_WORDS:
            break
        z = zipf_frequency(word, "en")
        if not word.isalpha() or len(word) < 3 or z > 6.5:  # the, of, and: spinners leave them
            continue
        options: list[str] = []
        for source in sources:
            for syn in source.get(word, [])[:25]:
                if (
                    syn.isalpha()
                    and syn not in options
                    and word not in syn
                    and 2.5 <= zipf_frequency(syn, "en") < z - 0.2
                ):
                    options.append(syn)
        if options:
            table[word] = rng.sample(options[:8], k=min(len(options[:8]), 1 if rng.random() < 0.7 else 2))
    path.write_text(json.dumps(table, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    return table


def spin_tokens(tokens: Sequence[str], table: dict[str, list[str]], rng: random.Random) -> list[str]:
    out = []
    for token in tokens:
        choices = table.get(token.lower())
        if choices and rng.random() < SPIN_RATE:
            # The first replacement is the spinner's usual one; a second is used now and then.
            pick = choices[0] if len(choices) == 1 or rng.random() < 0.7 else choices[1]
            out.append(match_case(token, pick))
        else:
            out.append(token)
    return out


def spin_text(text: str, table: dict[str, list[str]], rng: random.Random) -> str:
    """``text`` with tokens replaced in place (everything between tokens kept)."""
    pieces, position = [], 0
    for token in tokenize(text):
        pieces.append(text[position : token.start])
        pieces.append(spin_tokens([token.text], table, rng)[0])
        position = token.end
    pieces.append(text[position:])
    return "".join(pieces)


def write_feed(held: Path, table: dict[str, list[str]], size: int) -> Path:
    """The first ``size`` held-out sentences, spun, as JSONL documents of 20 sentences (one per line)."""
    path = WORK / f"feed_{size}.jsonl"
    if path.exists():
        return path
    rng = random.Random(f"{SEED}-feed")
    lines = held.read_text(encoding="utf-8").splitlines()[:size]
    with open(path, "w", encoding="utf-8") as f:
        for start in range(0, len(lines), 20):
            block = lines[start : start + 20]
            text = "\n".join(detokenize(spin_tokens(line.split(), table, rng)) for line in block)
            f.write(json.dumps({"id": start // 20, "text": text}) + "\n")
    return path


def reuters_documents() -> list[str]:
    docs = []
    for path in sorted((REUTERS / "acq").glob("*.xml")) + sorted((REUTERS / "crude").glob("*.xml")):
        raw = path.read_text(encoding="utf-8", errors="replace")
        match = re.search(r"<BODY>(.*?)</BODY>", raw, re.S)
        if not match:
            continue
        body = html.unescape(match.group(1)).replace("\x03", "")
        # Hard-wrapped lines; a paragraph starts with an indented line.
        paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s{3,}", body)]
        docs.append("\n".join(p for p in paragraphs if p and not p.lower().startswith("reuter")))
    return docs


# --- correction and scoring ---------------------------------------------------------------------


class RescoredGenerator:
    """The generic generator with an adapted channel applied: what `--spinner` must do."""

    def __init__(self, base: Any, channel: SpinnerChannel | None) -> None:
        self.base = base
        self.channel = channel

    def lattices(self, sentences: Sequence[Sentence]) -> list[Lattice]:
        lattices = self.base.lattices(sentences)
        return [self.channel.rescore(lat) for lat in lattices] if self.channel else lattices


def evaluate(
    pairs: list[tuple[str, str]], generator: Any, lm: KenlmModel, penalty: float, lm_dir: Path
) -> dict[str, float]:
    config = CorrectorConfig().with_overrides(model_dir=str(lm_dir), change_penalty=penalty)
    corrector = Corrector(config, lm, generator)
    stats = [pair_stats(spun, original, corrector.correct(spun).text) for spun, original in pairs]
    score = corpus_score(stats).to_dict()
    return {k: score[k] for k in ("fix", "broken", "err")}


def pair_recovery(spinner_path: Path, table: dict[str, list[str]]) -> tuple[float, float, int]:
    """Precision and recall of the learned dictionary: for each spun form the best original
    (share of the spun form's count ≥ 0.5, count ≥ 3) against the hidden (spun, original) pairs."""
    hidden = {(s, o) for o, spins in table.items() for s in spins}
    data = json.loads(spinner_path.read_text(encoding="utf-8"))
    by_spun: dict[str, list[dict[str, Any]]] = {}
    for pair in data["pairs"]:
        by_spun.setdefault(pair["spun"], []).append(pair)
    predicted = set()
    for spun, pairs in by_spun.items():
        total = sum(p["count"] for p in pairs)
        best = max(pairs, key=lambda p: p["count"])
        if best["count"] >= 3 and best["count"] >= 0.5 * total:
            predicted.add((spun, best["original"]))
    hits = len(predicted & hidden)
    return hits / max(len(predicted), 1), hits / max(len(hidden), 1), len(predicted)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--iterations", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--penalties", type=float, nargs="+", default=[0.0, 0.5, 1.0])
    parser.add_argument("--reuse", action="store_true", help="reuse build/adapt/spinner_N.json if present")
    parser.add_argument("--generic-penalties", type=float, nargs="+", default=[0.0, 1.0, 2.0])
    parser.add_argument("--max-docs", type=int, default=None, help="Reuters documents to correct")
    args = parser.parse_args(argv)

    from corrector.candidates import CandidateGenerator

    WORK.mkdir(parents=True, exist_ok=True)
    train, held = split_corpus()
    lm_dir = build_lm(train)
    lm = KenlmModel(lm_dir)
    counts, total = clean_unigrams(train)
    table = hidden_spinner(counts)
    thesaurus = WORK / "thesaurus" if (WORK / "thesaurus").exists() else None
    base = CandidateGenerator.load(thesaurus_dir=thesaurus)
    rng = random.Random(f"{SEED}-reuters")
    originals = reuters_documents()[: args.max_docs]
    pairs = [(spin_text(doc, table, rng), doc) for doc in originals]
    print(
        f"hidden spinner: {len(table)} words, {sum(map(len, table.values()))} pairs; "
        f"Reuters: {len(pairs)} docs, {sum(len(tokenize(d)) for d in originals)} tokens",
        file=sys.stderr,
    )

    rows: list[tuple[str, str, float, dict[str, float], str]] = []
    for penalty in args.generic_penalties:
        started = time.perf_counter()
        rows.append(
            ("generic", "-", penalty, evaluate(pairs, RescoredGenerator(base, None), lm, penalty, lm_dir), "")
        )
        print(f"generic pen {penalty}: {rows[-1][3]} ({time.perf_counter() - started:.0f}s)", file=sys.stderr)

    for size in args.sizes:
        feed = write_feed(held, table, size)
        out = WORK / f"spinner_{size}.json"
        if not (args.reuse and out.exists()):
            started = time.perf_counter()
            result = adapt(
                read_feed(feed),
                base,
                lm,
                AdaptConfig(iterations=args.iterations, workers=args.workers),
                clean=CleanFrequency(counts, total),
                lm_path=str(lm_dir),
                log=lambda m, size=size: print(f"[adapt {size}] {m}", file=sys.stderr, flush=True),
            )
            seconds = round(time.perf_counter() - started)
            write_spinner(out, spinner_document(result, {"feed": str(feed), "seconds": seconds}))
        seconds = json.loads(out.read_text(encoding="utf-8"))["meta"].get("seconds", 0)
        precision, recall, predicted = pair_recovery(out, table)
        # Adapted pairs are calibrated; generic candidates of unseen spans keep the default penalty.
        channel = SpinnerChannel.load(out, generic_offset=-2.0)
        note = f"P {precision:.2f} R {recall:.2f} ({predicted} pairs, {seconds:.0f}s)"
        for penalty in args.penalties:
            metrics = evaluate(pairs, RescoredGenerator(base, channel), lm, penalty, lm_dir)
            rows.append(("adapted", f"{size:,}", penalty, metrics, note))
            print(f"adapted {size} pen {penalty}: {metrics} {note}", file=sys.stderr, flush=True)

    print(f"\nAdaptation on spun held-out news; correcting {len(pairs)} spun Reuters documents")
    print(f"(hidden spinner: {len(table)} words at {SPIN_RATE:.0%}; E-step: bigram forward–backward)\n")
    print(f"{'channel':8s} {'feed':>7s} {'pen':>4s} {'fix':>6s} {'broken':>7s} {'ERR':>7s}  recovered pairs")
    for name, size_label, penalty, m, note in rows:
        scores = f"{m['fix']:6.3f} {m['broken']:7.3f} {m['err']:7.3f}"
        print(f"{name:8s} {size_label:>7s} {penalty:4.1f} {scores}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
