"""``corrector compare``: corpus LM scores of several texts × several models, side by side.

``corrector compare spun.txt original.txt --model A --model B`` prints one row per input and
model. With ``--pairs FILE --fields spun original`` it scores the named fields of each pair
instead and adds how often each field beats the first one (higher log-prob, same pair).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from corrector.batch.readers import read_documents
from corrector.commands._inputs import add_scoring_arguments, input_documents

NAME = "compare"
HELP = "Compare corpus log-prob/perplexity of several texts (or pair fields) under one or more LMs."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="*", help="inputs as `correct` reads them; a row per input and model")
    add_scoring_arguments(parser)
    parser.add_argument("--pairs", type=Path, help="JSONL of pairs: compare its --fields instead")
    parser.add_argument("--fields", nargs="+", default=["spun", "original"], help="pair fields to compare")


def run(args: argparse.Namespace) -> int:
    from corrector.research import scoring

    models = scoring.load_models(args.model)
    if args.pairs:
        first, *others = args.fields
        pairs = list(read_documents([str(args.pairs)], text_field=first, keep_empty=True))
        for pair in pairs:
            if missing := [f for f in others if f not in pair.fields]:
                raise ValueError(f"{pair.id}: no field {missing[0]!r}")
        sets = {f: [(p.id, p.text if f == first else p.fields[f]) for p in pairs] for f in args.fields}
    elif args.inputs:
        sets = {Path(path).name: input_documents(args, [path]) for path in args.inputs}
    else:
        raise ValueError("give INPUT files or --pairs")
    scored = {name: scoring.score_texts(models, docs) for name, docs in sets.items()}
    records: list[dict[str, Any]] = []
    first = next(iter(scored))
    for name, rows in scored.items():
        for i, total in enumerate(scoring.corpus_rows(models, rows)):
            record: dict[str, Any] = {"text": name, **total.to_dict()}
            if args.pairs:
                record[f"beats_{first}"] = _win_rate(scored[first], rows, i)
            records.append(record)
    if args.format == "json":
        print(json.dumps({"rows": records, "signature": " ".join(m.signature() for m in models)}, indent=2))
    else:
        sys.stdout.write(scoring.render(records, args.format, float_digits=3))
        if args.format == "table":
            print(" ".join(m.signature() for m in models))
    if args.plot:
        series = {f"{name}\n{m.name}": [r.perplexity(i) for r in rows]
                  for name, rows in scored.items() for i, m in enumerate(models)}
        print(f"wrote {scoring.plot_perplexities(series, args.plot)}", file=sys.stderr)
    return 0


def _win_rate(base: list[Any], rows: list[Any], m: int) -> float:
    """Share of documents whose total log-prob under model ``m`` beats the base field's."""
    def per_doc(rs: list[Any]) -> dict[str, float]:
        out: dict[str, float] = {}
        for r in rs:
            out[r.doc] = out.get(r.doc, 0.0) + r.logprob[m]
        return out

    a, b = per_doc(base), per_doc(rows)
    common = [d for d in a if d in b]
    return sum(b[d] > a[d] for d in common) / len(common) if common else 0.0
