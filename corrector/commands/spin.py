"""``corrector spin``: make synthetic (spun, original) pairs with a seeded spinner.

Inputs are read as ``corrector correct`` reads them, with the same ids (:mod:`corrector.batch.readers`);
a document's id seeds its spin. Output is JSONL, one record per non-empty input document, in input order:
``{"id", "spun", "original", "edits": [{"start","end","original","spun","spun_start","spun_end"}]}``
plus the input record's other fields. ``start``/``end`` index ``original``;
``spun_start``/``spun_end`` index ``spun``. The spinner's signature goes to stderr.

``--profile`` picks a preset (thesaurus, dictionary, light, wordpress; see
``corrector.research.spinner``); every other flag overrides the preset's value.
``--dictionary-out FILE`` writes the pairs the spinner used as TSV
``original<TAB>replacement<TAB>applied``: for the fixed-dictionary profiles every entry of a
headword the input contains, in entry order (applied 0 times or more); otherwise the pairs applied.
``read_user_dict`` (``--user-dict``) reads it back.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from corrector.batch.readers import read_documents
from corrector.commands._inputs import add_input_arguments

NAME = "spin"
HELP = "Spin texts with a seeded synthetic spinner; write JSONL pairs with exact edit spans."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from corrector.research.spinner import PROFILES

    # Setting flags default to None so that only the ones given override the profile.
    parser.add_argument("inputs", nargs="+", help="inputs as `correct` reads them (.txt, .jsonl, .csv, "
                        "RSS/Atom, directories, globs, - for stdin)")
    parser.add_argument("-o", "--output", type=Path, help="output JSONL (default: stdout)")
    add_input_arguments(parser)
    parser.add_argument("--profile", choices=list(PROFILES), default="thesaurus",
                        help="preset spinner (default: thesaurus); the flags below override it")
    parser.add_argument("--dictionary-out", type=Path, metavar="FILE.tsv",
                        help="write the pairs used as TSV original<TAB>replacement<TAB>applied")
    parser.add_argument(
        "--source", dest="sources", action="append", choices=["moby", "wordnet", "mythes", "none"],
        help="thesaurus to spin with (repeatable; default: moby wordnet mythes; 'none' = user dicts only)",
    )
    parser.add_argument("--user-dict", action="append", default=[], type=Path,
                        help="TSV original<TAB>spun, consulted first (repeatable)")
    parser.add_argument("--rate", type=float, help="chance to spin a content word")
    parser.add_argument("--function-rate", type=float, help="chance to spin a function word (in→within)")
    parser.add_argument("--consistency", type=float,
                        help="chance to use the word's fixed (first) replacement rather than another")
    parser.add_argument("--max-phrase", type=int, help="longest phrase spun as a unit")
    parser.add_argument("--no-multiword", action="store_true", default=None, help="single words only")
    parser.add_argument("--words-only", action="store_true", default=None,
                        help="no phrase entries (a replacement may still have several words)")
    parser.add_argument("--top-k", type=int, help="synonyms considered per word")
    parser.add_argument("--min-zipf", type=float, help="wordfreq Zipf floor for synonyms")
    parser.add_argument("--rarity", type=float, help="> 0 favours rarer synonyms, < 0 more frequent ones")
    parser.add_argument("--digit-rate", type=float,
                        help="chance to spell out 3,450→three,450 and thousands→1000's")
    parser.add_argument("--contraction-rate", type=float, help="chance to expand didn't→did not")
    parser.add_argument("--no-case", action="store_true", default=None,
                        help="do not carry the original's case over")
    parser.add_argument("--headword-zipf", type=float, help="fixed dictionary: Zipf floor for headwords")
    parser.add_argument("--coverage", type=float,
                        help="fixed dictionary: share of content words with an entry")
    parser.add_argument("--function-coverage", type=float,
                        help="fixed dictionary: share of function words with an entry")
    parser.add_argument("--second-rate", type=float,
                        help="fixed dictionary: share of entries with a second replacement")
    parser.add_argument("--intensifier-rate", type=float,
                        help="chance to insert 'actually' after has/have/had before a participle")
    parser.add_argument("--seed", type=int, help="random seed (same seed ⇒ same bytes; default 0)")


# Command-line dest → SpinConfig field, for the flags that map one to one.
_FIELDS = {
    "rate": "rate", "function_rate": "function_rate", "consistency": "consistency",
    "max_phrase": "max_phrase", "top_k": "top_k", "min_zipf": "min_zipf", "rarity": "rarity",
    "digit_rate": "digit_rate", "contraction_rate": "contraction_rate", "seed": "seed",
    "headword_zipf": "headword_zipf", "coverage": "coverage", "function_coverage": "function_coverage",
    "second_rate": "second_rate", "intensifier_rate": "intensifier_rate",
}


def config_from_args(args: argparse.Namespace) -> Any:
    """The ``--profile`` preset with every flag given on the command line applied over it."""
    from corrector.research.spinner import profile_config

    overrides: dict[str, Any] = {f: getattr(args, dest) for dest, f in _FIELDS.items()
                                 if getattr(args, dest) is not None}
    if args.sources:
        overrides["sources"] = () if "none" in args.sources else tuple(args.sources)
    if args.user_dict:
        overrides["user_dicts"] = tuple(str(p) for p in args.user_dict)
    if args.no_multiword:
        overrides["multiword"] = False
    if args.words_only:
        overrides["phrase_keys"] = False
    if args.no_case:
        overrides["keep_case"] = False
    return profile_config(args.profile, **overrides)


def write_dictionary(spinner: Any, path: Path) -> int:
    """The pairs ``spinner`` used as TSV ``original<TAB>replacement<TAB>applied``; returns the row count."""
    used = spinner.used_pairs()
    # Dictionary entries first, each in its own order (the first replacement is the usual one),
    # then pairs applied outside a fixed dictionary.
    pairs = {(original, replacement.lower()): 0 for original, replacements in spinner.dictionary().items()
             for replacement in replacements}
    pairs.update((pair, used[pair]) for pair in sorted(used))
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(f"# {spinner.config.signature()}\n# original\treplacement\tapplied\n")
        for (original, replacement), count in pairs.items():
            handle.write(f"{original}\t{replacement}\t{count}\n")
    return len(pairs)


def run(args: argparse.Namespace) -> int:
    from corrector.research.spinner import Spinner

    spinner = Spinner(config_from_args(args))
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
    count = edits = 0
    try:
        documents = read_documents(
            args.inputs, text_field=args.text_field, lines=args.lines, input_format=args.input_format
        )
        for record in documents:
            result = spinner.spin(record.text, record.id)  # type: ignore[arg-type]
            row = {"id": record.id, "spun": result.spun, "original": result.original,
                   "edits": [e.to_dict() for e in result.edits]}
            row.update((k, v) for k, v in record.fields.items() if k not in row)  # pass-through
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
            edits += len(result.edits)
    finally:
        if out is not sys.stdout:
            out.close()
    print(f"{spinner.config.signature()}\nspun {count} documents, {edits} edits", file=sys.stderr)
    if args.dictionary_out:
        rows = write_dictionary(spinner, args.dictionary_out)
        print(f"wrote {rows} pairs to {args.dictionary_out}", file=sys.stderr)
    return 0
