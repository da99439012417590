"""``corrector adapt``: learn a spinner's channel from its output (EM over the feed's lattices)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from corrector.adapt.em import AdaptConfig, AdaptResult, CleanFrequency, adapt, clean_unigrams
from corrector.adapt.spinner_file import merge_pairs, read_pair_counts, spinner_document, write_spinner
from corrector.batch.readers import INPUT_FORMATS, read_documents
from corrector.commands._options import add_engine_arguments
from corrector.defaults import default_model_dir

NAME = "adapt"
HELP = "Estimate P(spun | original) for a spinner from unlabelled spun text (EM); write SPINNER.json."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--feed",
        required=True,
        nargs="+",
        metavar="INPUT",
        help="spun text, read as `correct` reads inputs: .jsonl(.gz), .csv, RSS/Atom, .txt (one "
        "document per line), directories, globs, - for stdin",
    )
    parser.add_argument(
        "--input-format",
        choices=INPUT_FORMATS,
        default="auto",
        help="reader for every input (default: by suffix)",
    )
    parser.add_argument(
        "--whole-files", action="store_true", help=".txt inputs: each file is one document, not each line"
    )
    parser.add_argument("-o", "--output", required=True, type=Path, metavar="SPINNER.json")
    parser.add_argument("--text-field", default="text", help="JSONL field holding the text (default: text)")
    parser.add_argument("--iterations", type=int, default=AdaptConfig().iterations, help="EM iterations")
    parser.add_argument("--max-sentences", type=int, default=None, help="use the first N sentences only")
    parser.add_argument("--model", type=Path, default=None, help="KenLM model directory (E-step LM)")
    parser.add_argument("--thesaurus", type=Path, default=None, help="reverse thesaurus directory")
    parser.add_argument("--learned", type=Path, default=None, help="learn-pairs table for the generator")
    parser.add_argument(
        "--clean-corpus",
        type=Path,
        default=None,
        help="clean news (one tokenised sentence per line) for the frequency prior (default: wordfreq)",
    )
    parser.add_argument(
        "--prior-strength", type=float, default=AdaptConfig().prior_strength, help="Dirichlet α per original"
    )
    parser.add_argument(
        "--deep-candidates",
        type=int,
        default=AdaptConfig().deep_candidates,
        help="candidates per arc down to this rank enter EM if their original is missing from the feed",
    )
    parser.add_argument(
        "--deep-keep",
        type=float,
        default=AdaptConfig().deep_keep,
        help="'missing': the frequency prior's keep(original) is at most this",
    )
    parser.add_argument(
        "--min-count", type=float, default=AdaptConfig().min_count, help="write pairs above this"
    )
    add_engine_arguments(parser, "the E-step")
    parser.add_argument(
        "--merge",
        type=Path,
        action="append",
        default=[],
        help="add a learn-pairs table's counts (repeatable)",
    )
    parser.add_argument("--quiet", action="store_true", help="no per-iteration log")


def load_generator(args: argparse.Namespace) -> Any:
    """The candidate generator whose lattices EM runs over (tests replace this)."""
    from corrector.candidates.generator import CandidateGenerator

    depth = max(AdaptConfig().max_candidates, args.deep_candidates)
    return CandidateGenerator.load(thesaurus_dir=args.thesaurus, learned=args.learned, max_candidates=depth)


def run(args: argparse.Namespace) -> int:
    if args.scheduler and args.engine != "dask":
        print("corrector adapt: --scheduler needs --engine dask", file=sys.stderr)
        return 2

    document, result = learn(args)
    for report in result.iterations:
        print(f"iteration {report.iteration}\tloglik {report.loglik:.1f}\tppl {report.perplexity:.2f}")
    print("top pairs:")
    for pair in document["pairs"][:20]:
        print(f"  {pair['spun']}\t←\t{pair['original']}\tP={pair['prob']:.3f}\tcount={pair['count']:.1f}")
    print(f"wrote {args.output}: {len(document['pairs'])} pairs")
    return 0


def learn(args: argparse.Namespace) -> tuple[dict[str, Any], AdaptResult]:
    """Run EM as ``args`` say and write the spinner file (after every iteration, then final);
    logs to stderr only (``correct --adapt`` may be writing its output to stdout)."""
    from corrector.lm.kenlm import load_language_model

    def log(message: str) -> None:
        if not args.quiet:
            print(f"[adapt] {message}", file=sys.stderr, flush=True)

    model_dir = str(args.model or default_model_dir())
    lm = load_language_model(model_dir)
    clean = CleanFrequency(*clean_unigrams(args.clean_corpus)) if args.clean_corpus else CleanFrequency()
    config = AdaptConfig(
        iterations=args.iterations,
        prior_strength=args.prior_strength,
        min_count=args.min_count,
        deep_candidates=args.deep_candidates,
        deep_keep=args.deep_keep,
        workers=args.workers,
        engine=args.engine,
        scheduler=args.scheduler,
    )
    started = time.perf_counter()

    def checkpoint(partial: AdaptResult) -> None:
        # Long runs leave a usable spinner after every iteration (replaced by the final one).
        meta = {"feed": " ".join(args.feed), "model": model_dir, "partial": True}
        write_spinner(args.output, spinner_document(partial, meta))

    result = adapt(
        (
            record.text
            for record in read_documents(
                args.feed,
                text_field=args.text_field,
                lines=not args.whole_files,
                input_format=args.input_format,
                strict=False,  # an unreadable record carries no evidence about the spinner
            )
        ),
        load_generator(args),
        lm,
        config,
        clean=clean,
        lm_path=model_dir,
        max_sentences=args.max_sentences,
        log=log,
        on_iteration=checkpoint,
    )
    document = spinner_document(
        result,
        {"feed": " ".join(args.feed), "model": model_dir, "seconds": round(time.perf_counter() - started, 1)},
    )
    for table in args.merge:
        document = merge_pairs(document, read_pair_counts(table))
    write_spinner(args.output, document)
    return document, result
