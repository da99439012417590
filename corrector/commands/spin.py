"""``corrector spin``: make synthetic (spun, original) pairs with a seeded spinner.

Output is JSONL, one record per input document, in input order:
``{"id", "spun", "original", "edits": [{"start","end","original","spun","spun_start","spun_end"}]}``
plus the input record's other fields. ``start``/``end`` index ``original``;
``spun_start``/``spun_end`` index ``spun``. The spinner's signature goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

NAME = "spin"
HELP = "Spin texts with a seeded synthetic spinner; write JSONL pairs with exact edit spans."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from corrector.research.spinner import SpinConfig

    d = SpinConfig()
    parser.add_argument("inputs", nargs="+", help=".txt (one document, or --lines), .jsonl, or - (stdin)")
    parser.add_argument("-o", "--output", type=Path, help="output JSONL (default: stdout)")
    parser.add_argument("--lines", action="store_true", help="each line of a .txt input is a document")
    parser.add_argument("--text-field", default="text", help="field of .jsonl inputs holding the text")
    parser.add_argument(
        "--source", dest="sources", action="append", choices=["moby", "wordnet", "mythes", "none"],
        help=f"thesaurus to spin with (repeatable; default: {' '.join(d.sources)}; 'none' = user dicts only)",
    )
    parser.add_argument("--user-dict", action="append", default=[], type=Path,
                        help="TSV original<TAB>spun, consulted first (repeatable)")
    parser.add_argument("--rate", type=float, default=d.rate, help="chance to spin a content word")
    parser.add_argument("--function-rate", type=float, default=d.function_rate,
                        help="chance to spin a function word (in→within)")
    parser.add_argument("--consistency", type=float, default=d.consistency,
                        help="chance to use the word's fixed synonym (else another one)")
    parser.add_argument("--max-phrase", type=int, default=d.max_phrase, help="longest phrase spun as a unit")
    parser.add_argument("--no-multiword", action="store_true", help="single words only")
    parser.add_argument("--top-k", type=int, default=d.top_k, help="synonyms considered per word")
    parser.add_argument("--min-zipf", type=float, default=d.min_zipf, help="wordfreq Zipf floor for synonyms")
    parser.add_argument("--rarity", type=float, default=d.rarity, help="> 0 favours rarer synonyms")
    parser.add_argument("--digit-rate", type=float, default=d.digit_rate,
                        help="chance to spell out 3,450→three,450 and thousands→1000's")
    parser.add_argument("--contraction-rate", type=float, default=d.contraction_rate,
                        help="chance to expand didn't→did not")
    parser.add_argument("--no-case", action="store_true", help="do not carry the original's case over")
    parser.add_argument("--seed", type=int, default=d.seed, help="random seed (same seed ⇒ same bytes)")


def config_from_args(args: argparse.Namespace) -> Any:
    from corrector.research.spinner import SpinConfig

    sources = tuple(args.sources) if args.sources else SpinConfig().sources
    if "none" in sources:
        sources = ()
    return SpinConfig(
        sources=sources,
        user_dicts=tuple(str(p) for p in args.user_dict),
        rate=args.rate,
        function_rate=args.function_rate,
        consistency=args.consistency,
        multiword=not args.no_multiword,
        max_phrase=args.max_phrase,
        top_k=args.top_k,
        min_zipf=args.min_zipf,
        rarity=args.rarity,
        digit_rate=args.digit_rate,
        contraction_rate=args.contraction_rate,
        keep_case=not args.no_case,
        seed=args.seed,
    )


def read_documents(path: str, lines: bool, text_field: str) -> Iterator[dict[str, Any]]:
    """Records ``{"id", text_field: ..., other fields}`` from a .txt/.jsonl file or stdin."""
    stem = "stdin" if path == "-" else Path(path).stem
    handle = sys.stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115
    try:
        if path.endswith(".jsonl"):
            for n, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                record = json.loads(line)
                if text_field not in record:
                    raise ValueError(f"{path}:{n}: no field {text_field!r}")
                record.setdefault("id", f"{stem}-{n}")
                yield record
        elif lines:
            for n, line in enumerate(handle, 1):
                if line.strip():
                    yield {"id": f"{stem}-{n}", text_field: line.rstrip("\n")}
        else:
            yield {"id": stem, text_field: handle.read()}
    finally:
        if handle is not sys.stdin:
            handle.close()


def run(args: argparse.Namespace) -> int:
    from corrector.research.spinner import Spinner

    spinner = Spinner(config_from_args(args))
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
    count = edits = 0
    try:
        for path in args.inputs:
            for record in read_documents(path, args.lines, args.text_field):
                text = record.pop(args.text_field)
                doc_id = str(record.pop("id"))
                result = spinner.spin(text, doc_id)
                row = {"id": doc_id, "spun": result.spun, "original": result.original,
                       "edits": [e.to_dict() for e in result.edits]}
                row.update((k, v) for k, v in record.items() if k not in row)  # pass-through
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
                edits += len(result.edits)
    finally:
        if out is not sys.stdout:
            out.close()
    print(f"{spinner.config.signature()}\nspun {count} documents, {edits} edits", file=sys.stderr)
    return 0
