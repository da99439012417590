"""``corrector score``: per-sentence and corpus log10-prob, OOVs and perplexity under LMs."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

NAME = "score"
HELP = "Per-sentence and corpus log10-prob, OOV count and perplexity of texts under one or more LMs."


def add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", action="append", default=[], metavar="PATH",
                        help="model dir, KenLM binary or ARPA file (repeatable; default: models/default)")
    parser.add_argument("--lines", action="store_true", help="each line of a .txt input is a document")
    parser.add_argument("--text-field", default="text", help="field of .jsonl inputs holding the text")
    parser.add_argument("--format", choices=["table", "csv", "json"], default="table", help="output format")
    parser.add_argument("--plot", type=Path, metavar="PNG", help="draw per-sentence perplexity distributions")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="+", help=".txt, .jsonl or - (stdin)")
    add_common(parser)
    parser.add_argument("--corpus-only", action="store_true", help="only the corpus totals")


def model_specs(args: argparse.Namespace) -> list[str]:
    from corrector.defaults import default_model_dir

    return args.model or [str(default_model_dir())]


def documents(args: argparse.Namespace, inputs: list[str]) -> list[tuple[str, str]]:
    from corrector.commands.spin import read_documents

    return [(str(r["id"]), r[args.text_field]) for path in inputs
            for r in read_documents(path, args.lines, args.text_field)]


def run(args: argparse.Namespace) -> int:
    from corrector.research import scoring

    models = scoring.load_models(model_specs(args))
    rows = scoring.score_texts(models, documents(args, args.inputs))
    totals = [t.to_dict() for t in scoring.corpus_rows(models, rows)]
    signature = " ".join(m.signature() for m in models)
    if args.format == "json":
        out = {"corpus": totals, "signature": signature}
        if not args.corpus_only:
            out["sentences"] = scoring.sentence_records(models, rows)
        print(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        if not args.corpus_only:
            sys.stdout.write(scoring.render(scoring.sentence_records(models, rows), args.format))
            print()
        sys.stdout.write(scoring.render(totals, args.format))
        if args.format == "table":
            print(signature)
    if args.plot:
        series = {m.name: [r.perplexity(i) for r in rows] for i, m in enumerate(models)}
        print(f"wrote {scoring.plot_perplexities(series, args.plot)}", file=sys.stderr)
    return 0
