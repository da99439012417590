"""``corrector score``: per-sentence and corpus log10-prob, OOVs and perplexity under LMs."""

from __future__ import annotations

import argparse
import json
import sys

from corrector.commands._inputs import add_scoring_arguments, input_documents

NAME = "score"
HELP = "Per-sentence and corpus log10-prob, OOV count and perplexity of texts under one or more LMs."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="+", help="inputs as `correct` reads them, or - (stdin)")
    add_scoring_arguments(parser)
    parser.add_argument("--corpus-only", action="store_true", help="only the corpus totals")


def run(args: argparse.Namespace) -> int:
    from corrector.research import scoring

    models = scoring.load_models(args.model)
    rows = scoring.score_texts(models, input_documents(args, args.inputs))
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
