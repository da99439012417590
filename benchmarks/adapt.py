"""Adaptation benchmark (issue 6): learn a hidden spinner from its output, then correct Reuters.

Protocol:
1. Hold out 2 of every 5 blocks of 1,000 corpus lines (whole documents, mostly) of
   build/corpus/news.txt; train a cased 3-gram on the rest (build/adapt/lm). The E-step, the
   frequency prior and the decoder all use only that LM and that training text.
2. Hidden spinner: for the most frequent corpus words, pick one or two rarer single-word synonyms
   from the thesauri (in list order, as spinners do) and apply them to ~85% of occurrences,
   case carried over. It is written to build/adapt/hidden_spinner.json and never read by adapt.
3. Feeds of 1k / 10k / 50k held-out sentences (held-out lines 0–50k), spun; `adapt` sees only
   the spun text. Each EM iteration leaves build/adapt/spinner_N_itK.json.
4. Dev split for every setting we choose: held-out lines 50k–56k (in no feed, not in the LM),
   spun with the same hidden spinner. `--tune` corrects them with the 10k-feed spinner over a
   grid of the decode-side settings (adapted-pair change penalty, extra cost of generic
   candidates for spans the feed never showed) and EM iteration counts, and picks the setting
   with the highest dev fix whose dev broken rate is at most the generic channel's at penalty 2.0.
   The chosen values are corrector.adapt's ADAPTED_CHANGE_PENALTY / UNSEEN_SPAN_COST defaults.
5. Test: Reuters (r-cran-tm acq + crude, 70 documents) spun with the same hidden spinner,
   corrected with the generic channel and with each adapted channel exactly as
   `corrector correct --spinner` does (Corrector + SpinnerChannel.for_decoder); fix / broken /
   ERR from corrector.metrics, and recovered-pair precision/recall against the hidden dictionary.
   Reuters is never used to choose anything.

Spinner files: build/adapt/spinner_N.json with the default AdaptConfig (deep candidates), and
spinner_N-NAME.json for variants adapted with `--tag=-NAME` (e.g. `--deep-candidates 12
--tag=-top12`, the top-12-only E-step).

Usage: .venv/bin/python benchmarks/adapt.py [--sizes 1000 10000 50000] [--workers 1] [--reuse]
       .venv/bin/python benchmarks/adapt.py --sizes 10000 --tune          (dev grid only)
       .venv/bin/python benchmarks/adapt.py --sizes 50000 --adapt-only    (write the spinner)
The table in build/adapt/bench.out and the README:
       .venv/bin/python benchmarks/adapt.py --sizes 1000 10000 50000 --reuse --use-iteration 4 \
           --variants "=" "top12=, top-12" --adapted-penalties 0.0 0.5 1.0
"""

from __future__ import annotations

import argparse
import html
import itertools
import json
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from corrector.adapt.em import AdaptConfig, AdaptResult, CleanFrequency, adapt, clean_unigrams  # noqa: E402
from corrector.adapt.spinner_file import spinner_document, write_spinner  # noqa: E402
from corrector.api import Corrector  # noqa: E402
from corrector.batch.readers import read_documents  # noqa: E402
from corrector.candidates.spinner import (  # noqa: E402
    ADAPTED_CHANGE_PENALTY,
    UNSEEN_SPAN_COST,
    SpinnerChannel,
)
from corrector.config import CorrectorConfig  # noqa: E402
from corrector.lm.kenlm import KenlmModel  # noqa: E402
from corrector.research.metrics import corpus_score, pair_stats  # noqa: E402
from corrector.settings import DEFAULTS  # noqa: E402
from corrector.text.tokens import detokenize, match_case, tokenize  # noqa: E402

WORK = ROOT / "build" / "adapt"
CORPUS = ROOT / "build" / "corpus" / "news.txt"
REUTERS = Path("/usr/lib/R/site-library/tm/texts")
SPIN_RATE = 0.85
HIDDEN_WORDS = 3000
SEED = 6
FEED_LINES = 50_000  # held-out lines 0–50k feed adaptation, the rest is the dev split
REFERENCE_PENALTY = 2.0  # the generic row whose broken rate the adapted channel must not exceed


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
        from corrector.builders.model import build_model

        build_model(str(train), out, order=3, pretokenized=True, memory="1G", progress=False)
    return out


def hidden_spinner(counts: Counter[str]) -> dict[str, list[str]]:
    """Frequent word → one or two rarer synonyms (thesaurus order), like a spinner's dictionary."""
    path = WORK / "hidden_spinner.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    from wordfreq import zipf_frequency

    from corrector.builders.thesaurus import forward_synonyms

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
    lines = held.read_text(encoding="utf-8").splitlines()[: min(size, FEED_LINES)]
    with open(path, "w", encoding="utf-8") as f:
        for start in range(0, len(lines), 20):
            block = lines[start : start + 20]
            text = "\n".join(detokenize(spin_tokens(line.split(), table, rng)) for line in block)
            f.write(json.dumps({"id": start // 20, "text": text}) + "\n")
    return path


def dev_pairs(held: Path, table: dict[str, list[str]], documents: int) -> list[tuple[str, str]]:
    """(spun, original) documents of 20 held-out sentences after the feeds' lines (the dev split)."""
    rng = random.Random(f"{SEED}-dev")
    lines = held.read_text(encoding="utf-8").splitlines()[FEED_LINES:]
    pairs = []
    for start in range(0, min(len(lines), 20 * documents), 20):
        block = [line.split() for line in lines[start : start + 20]]
        original = "\n".join(detokenize(tokens) for tokens in block)
        spun = "\n".join(detokenize(spin_tokens(tokens, table, rng)) for tokens in block)
        pairs.append((spun, original))
    return pairs


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


@dataclass(frozen=True)
class Setting:
    """Decode-side settings of an adapted channel (see SpinnerChannel.for_decoder)."""

    adapted_penalty: float = ADAPTED_CHANGE_PENALTY
    unseen_cost: float = UNSEEN_SPAN_COST

    def channel(self, path: Path, config: CorrectorConfig) -> SpinnerChannel:
        # SpinnerChannel.for_decoder with these values in place of the module defaults.
        weight, penalty = config.channel_weight, config.change_penalty
        return SpinnerChannel.load(
            path,
            generic_offset=(penalty - self.adapted_penalty - self.unseen_cost) / weight,
            table_offset=(penalty - self.adapted_penalty) / weight,
        )


class Evaluator:
    """Corrects (spun, original) pairs with the generic channel or a spinner, as `correct` does."""

    def __init__(self, base: Any, lm: KenlmModel, lm_dir: Path) -> None:
        self.base, self.lm, self.lm_dir = base, lm, lm_dir

    def __call__(
        self,
        pairs: list[tuple[str, str]],
        penalty: float = DEFAULTS["change_penalty"],
        spinner: Path | None = None,
        setting: Setting = Setting(),
    ) -> dict[str, float]:
        config = CorrectorConfig().with_overrides(model_dir=str(self.lm_dir), change_penalty=penalty)
        corrector = Corrector(config, self.lm, self.base)
        if spinner is not None:
            corrector.spinner_channel = setting.channel(spinner, config)
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


def run_adapt(
    size: int,
    feed: Path,
    base: Any,
    lm: KenlmModel,
    lm_dir: Path,
    clean: CleanFrequency,
    args: argparse.Namespace,
) -> Path:
    """Adapt on the feed (unless reusing); one spinner file per iteration and the final one."""
    out = spinner_for(size, None, args.tag)
    if args.reuse and out.exists():
        return out
    config = AdaptConfig(
        iterations=args.iterations,
        workers=args.workers,
        engine=args.engine,
        deep_candidates=args.deep_candidates,
        deep_keep=args.deep_keep,
        prior_strength=args.prior_strength,
    )
    if config.deep_candidates > base.max_candidates:  # the same table, deeper candidate lists
        base = type(base)(base.table, base.channel, base.learned, max_candidates=config.deep_candidates)
    started = time.perf_counter()

    def checkpoint(result: AdaptResult) -> None:
        iteration = len(result.iterations)
        meta = {"feed": str(feed), "seconds": round(time.perf_counter() - started), "partial": True}
        write_spinner(spinner_for(size, iteration, args.tag), spinner_document(result, meta))

    result = adapt(
        (record.text for record in read_documents([str(feed)], strict=False)),
        base,
        lm,
        config,
        clean=clean,
        lm_path=str(lm_dir),
        log=lambda m: print(f"[adapt {size}] {m}", file=sys.stderr, flush=True),
        on_iteration=checkpoint,
    )
    seconds = round(time.perf_counter() - started)
    write_spinner(out, spinner_document(result, {"feed": str(feed), "seconds": seconds}))
    return out


def variants(args: argparse.Namespace) -> list[tuple[str, str]]:
    """(file tag, row label) of the spinners to evaluate: ``--variants NAME=LABEL ...`` (spinner
    files spinner_N-NAME*.json; an empty NAME is spinner_N*.json), or ``--tag``."""
    if not args.variants:
        return [(args.tag, "")]
    out = []
    for variant in args.variants:
        name, _, label = variant.partition("=")
        out.append((f"-{name}" if name else "", label))
    return out


def finished_spinner(size: int, tag: str, iterations: int | None) -> Path | None:
    """The spinner after ``iterations`` EM iterations, or after the most an interrupted run finished."""
    if iterations is None:
        path = spinner_for(size, None, tag)
        return path if path.exists() else None
    for k in range(iterations, 0, -1):
        if (path := spinner_for(size, k, tag)).exists():
            return path
    return None


def spinner_for(size: int, iterations: int | None, tag: str = "") -> Path:
    """The spinner after ``iterations`` EM iterations (None: the final file)."""
    if iterations is None:
        return WORK / f"spinner_{size}{tag}.json"
    return WORK / f"spinner_{size}{tag}_it{iterations}.json"


def tune(evaluate: Evaluator, dev: list[tuple[str, str]], size: int, args: argparse.Namespace) -> None:
    """The dev grid: prints every setting, then the chosen one (highest fix at broken ≤ reference)."""
    reference = evaluate(dev, REFERENCE_PENALTY)
    print(f"dev: {len(dev)} documents; generic pen {REFERENCE_PENALTY}: {fmt(reference)}")
    for penalty in args.generic_penalties:
        if penalty != REFERENCE_PENALTY:
            print(f"dev: generic pen {penalty}: {fmt(evaluate(dev, penalty))}", flush=True)
    best: tuple[float, str] | None = None
    for iterations in args.tune_iterations:
        path = spinner_for(size, iterations, args.tag)
        if not path.exists():
            print(f"dev: {path.name} missing, skipped")
            continue
        for adapted_penalty in args.tune_penalties:
            for unseen_cost in args.tune_unseen:
                setting = Setting(adapted_penalty, unseen_cost)
                m = evaluate(dev, spinner=path, setting=setting)
                label = f"it {iterations} adapted pen {adapted_penalty} unseen {unseen_cost}"
                ok = m["broken"] <= reference["broken"]
                print(f"dev: {label}: {fmt(m)}{'' if ok else '  (broken above generic)'}", flush=True)
                if ok and (best is None or m["fix"] > best[0]):
                    best = (m["fix"], label)
    print(f"dev choice: {best[1] if best else 'none within the broken budget'}")


def code_version() -> str:
    """The commit the benchmark runs from (``+dirty`` with uncommitted changes)."""
    import subprocess

    def git(*command: str) -> str:
        return subprocess.run(["git", *command], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    return git("rev-parse", "--short", "HEAD") + (
        "+dirty" if git("status", "--porcelain", "corrector") else ""
    )


def fmt(m: dict[str, float]) -> str:
    return f"fix {m['fix']:.3f} broken {m['broken']:.3f} ERR {m['err']:.3f}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--iterations", type=int, default=AdaptConfig().iterations, help="EM iterations")
    parser.add_argument("--use-iteration", type=int, default=None, help="evaluate spinner_N_itK.json")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--engine", choices=("local", "dask"), default="local")
    parser.add_argument("--deep-candidates", type=int, default=AdaptConfig().deep_candidates)
    parser.add_argument("--deep-keep", type=float, default=AdaptConfig().deep_keep)
    parser.add_argument("--prior-strength", type=float, default=AdaptConfig().prior_strength)
    parser.add_argument("--thesaurus", type=Path, default=None, help="reverse thesaurus directory")
    parser.add_argument(
        "--variants", nargs="+", default=[], help="with --reuse: TAG=LABEL spinner variants to evaluate"
    )
    parser.add_argument("--tag", default="", help="suffix of the spinner files (experiments)")
    parser.add_argument("--reuse", action="store_true", help="reuse build/adapt/spinner_N.json if present")
    parser.add_argument("--adapt-only", action="store_true", help="write the spinners, evaluate nothing")
    parser.add_argument("--generic-penalties", type=float, nargs="+", default=[1.0, 1.5, 2.0])
    parser.add_argument("--adapted-penalties", type=float, nargs="+", default=[ADAPTED_CHANGE_PENALTY])
    parser.add_argument("--unseen-cost", type=float, default=UNSEEN_SPAN_COST)
    parser.add_argument("--max-docs", type=int, default=None, help="Reuters documents to correct")
    parser.add_argument("--tune", action="store_true", help="the dev grid with the first size's spinner")
    parser.add_argument("--dev-docs", type=int, default=40, help="dev documents of 20 sentences")
    parser.add_argument("--tune-iterations", type=int, nargs="+", default=[3, 4])
    parser.add_argument("--tune-penalties", type=float, nargs="+", default=[0.0, 0.25, 0.5, 0.75])
    parser.add_argument("--tune-unseen", type=float, nargs="+", default=[2.0, 3.0, 4.0])
    args = parser.parse_args(argv)

    from corrector.candidates.generator import CandidateGenerator

    WORK.mkdir(parents=True, exist_ok=True)
    train, held = split_corpus()
    lm_dir = build_lm(train)
    lm = KenlmModel(lm_dir)
    counts, total = clean_unigrams(train)
    table = hidden_spinner(counts)
    # moby + wordnet + mythes; default models/thesaurus
    base = CandidateGenerator.load(thesaurus_dir=args.thesaurus)
    evaluate = Evaluator(base, lm, lm_dir)

    if args.tune:
        tune(evaluate, dev_pairs(held, table, args.dev_docs), args.sizes[0], args)
        return 0
    if args.adapt_only:
        for size in args.sizes:
            run_adapt(
                size, write_feed(held, table, size), base, lm, lm_dir, CleanFrequency(counts, total), args
            )
        return 0

    rng = random.Random(f"{SEED}-reuters")
    originals = reuters_documents()[: args.max_docs]
    pairs = [(spin_text(doc, table, rng), doc) for doc in originals]
    print(
        f"hidden spinner: {len(table)} words, {sum(map(len, table.values()))} pairs; "
        f"Reuters: {len(pairs)} docs, {sum(len(tokenize(d)) for d in originals)} tokens",
        file=sys.stderr,
    )

    rows: list[tuple[str, str, str, dict[str, float], str]] = []
    for penalty in args.generic_penalties:
        started = time.perf_counter()
        rows.append(("generic", "-", f"{penalty:.2f}", evaluate(pairs, penalty), ""))
        print(f"generic pen {penalty}: {rows[-1][3]} ({time.perf_counter() - started:.0f}s)", file=sys.stderr)

    for size, (tag, label) in itertools.product(args.sizes, variants(args)):
        found = finished_spinner(size, tag, args.use_iteration) if args.reuse else None
        if found is None:
            if args.reuse and args.variants:
                print(f"adapted {size} {label}: no spinner, skipped", file=sys.stderr)
                continue
            run_adapt(
                size, write_feed(held, table, size), base, lm, lm_dir, CleanFrequency(counts, total), args
            )
            found = finished_spinner(size, tag, args.use_iteration)
            assert found is not None
        path = found
        data = json.loads(path.read_text(encoding="utf-8"))
        seconds, iterations = data["meta"].get("seconds", 0), len(data["iterations"])
        precision, recall, predicted = pair_recovery(path, table)
        note = f"P {precision:.2f} R {recall:.2f} ({predicted} pairs; {iterations} it, {seconds:.0f}s)"
        for adapted_penalty in args.adapted_penalties:
            setting = Setting(adapted_penalty, args.unseen_cost)
            metrics = evaluate(pairs, spinner=path, setting=setting)
            rows.append((f"adapted{label}", f"{size:,}", f"{adapted_penalty:.2f}", metrics, note))
            print(
                f"adapted{label} {size} pen {adapted_penalty}: {metrics} {note}", file=sys.stderr, flush=True
            )

    print(f"\nAdaptation on spun held-out news; correcting {len(pairs)} spun Reuters documents")
    print(
        f"(hidden spinner: {len(table)} words at {SPIN_RATE:.0%}; E-step: bigram forward–backward; "
        f"adapted: generic candidates of unseen spans pay {args.unseen_cost} more)\n"
    )
    channel, ranked = base.channel.fingerprint(), base.table.ranked_with
    print(f"generic channel {channel}, table ranked with {ranked}; code {code_version()}\n")
    print(f"{'channel':16s} {'feed':>7s} {'pen':>5s} {'fix':>6s} {'broken':>7s} {'ERR':>7s}  recovered pairs")
    for name, size_label, penalty_label, m, note in rows:
        scores = f"{m['fix']:6.3f} {m['broken']:7.3f} {m['err']:7.3f}"
        print(f"{name:16s} {size_label:>7s} {penalty_label:>5s} {scores}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
