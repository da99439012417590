"""``corrector adapt``: learn a spinner from its output: EM over the feed's lattices (``--method em``)
or one decision per pair type from the feed's pair evidence (``--method pairs``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from corrector.adapt.em import AdaptConfig
from corrector.adapt.learn import learn_decisions, learn_spinner, log_to_stderr
from corrector.commands._inputs import add_input_arguments
from corrector.commands._options import add_engine_arguments

NAME = "adapt"
HELP = "Learn a spinner from unlabelled spun text (EM, or pair decisions); write SPINNER.json."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--feed",
        required=True,
        nargs="+",
        metavar="INPUT",
        help="spun text, read as `correct` reads inputs: .jsonl(.gz), .csv, RSS/Atom, .txt, "
        "directories, globs, - for stdin",
    )
    add_input_arguments(parser)
    parser.add_argument(
        "--whole-files",
        dest="lines",
        action="store_false",
        default=False,
        help="deprecated: each .txt file is one document by default now (see --lines)",
    )
    parser.add_argument("-o", "--output", required=True, type=Path, metavar="SPINNER.json")
    parser.add_argument(
        "--method",
        choices=("em", "pairs"),
        default="em",
        help="em: P(spun | original) by EM over the feed's lattices; pairs: one original per spun "
        "form the feed's pair evidence decides (posterior, counts), applied by --spinner on top of "
        "the generic channel",
    )
    parser.add_argument(
        "--min-probability", type=float, default=0.5, help="--method pairs: posterior a pair needs"
    )
    parser.add_argument(
        "--min-occurrences", type=int, default=2, help="--method pairs: occurrences a pair needs"
    )
    parser.add_argument(
        "--neural", nargs="?", const="default", default=None, metavar="GGUF",
        help="--method pairs: the neural teacher decides the feed's most probable pair types, scoring "
        "a few occurrences of each (SmolLM2-135M by default; corrector.restore.teacher)",
    )
    parser.add_argument(
        "--group-by", default="none", metavar="site|none|FIELD",
        help="--method pairs: decide each group of records as a feed of its own (site: a record's "
        "'site' field or the host of its URL; as `correct --group-by`); default: one feed",
    )
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
    parser.add_argument(
        "--resume",
        action="store_true",
        help="--method pairs: continue an interrupted pass from OUTPUT.evidence",
    )


def run(args: argparse.Namespace) -> int:
    if args.method == "pairs":
        return _run_pairs(args)
    if args.resume:
        print("corrector adapt: --resume is for --method pairs (EM rewrites its file every iteration)",
              file=sys.stderr)
        return 2
    if args.scheduler and args.engine != "dask":
        print("corrector adapt: --scheduler needs --engine dask", file=sys.stderr)
        return 2
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
    document, result = learn_spinner(
        args.feed,
        args.output,
        config,
        text_field=args.text_field,
        lines=args.lines,
        input_format=args.input_format,
        model_dir=args.model,
        thesaurus=args.thesaurus,
        learned=args.learned,
        clean_corpus=args.clean_corpus,
        max_sentences=args.max_sentences,
        merge=args.merge,
        log=None if args.quiet else log_to_stderr,
    )
    for report in result.iterations:
        print(f"iteration {report.iteration}\tloglik {report.loglik:.1f}\tppl {report.perplexity:.2f}")
    print("top pairs:")
    for pair in document["pairs"][:20]:
        print(f"  {pair['spun']}\t←\t{pair['original']}\tP={pair['prob']:.3f}\tcount={pair['count']:.1f}")
    print(f"wrote {args.output}: {len(document['pairs'])} pairs")
    return 0


def _run_pairs(args: argparse.Namespace) -> int:
    from corrector.batch.executors import make_executor
    from corrector.batch.job import CorrectorSpec

    spec = CorrectorSpec.create(
        args.model, thesaurus_dir=args.thesaurus, learned=args.learned, neural=args.neural
    )
    document, decided = learn_decisions(
        args.feed,
        args.output,
        spec,
        make_executor(args.engine, args.workers, args.scheduler),
        resume=args.resume,
        min_probability=args.min_probability,
        min_occurrences=args.min_occurrences,
        text_field=args.text_field,
        lines=args.lines,
        input_format=args.input_format,
        group_by=args.group_by,
        log=None if args.quiet else log_to_stderr,
    )
    meta = document["meta"]
    print(f"{meta['documents']} documents, {meta['feed_words']} words, {meta['pair_types']} pair types")
    print("top pairs:")
    for d in decided[:20]:
        print(f"  {d.spun}\t←\t{d.original}\tP={d.probability:.3f}\tcount={d.occurrences}")
    groups = f" in {len(document['groups'])} groups" if "groups" in document else ""
    print(f"wrote {args.output}: {len(decided)} pairs{groups}")
    return 0
