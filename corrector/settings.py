"""Every Corrector setting, declared once (sacrebleu's habit).

One :class:`Setting` per decoder, document, neural and path setting: its type, default, valid
range, help, CLI flag, signature abbreviation, whether changing it needs a reload, and its group.
Everything else is derived from :data:`SETTINGS`: :class:`~corrector.config.CorrectorConfig`'s
fields, the CLI options (:mod:`corrector.commands._options`), the Python API's validation,
``Corrector.with_settings``'s reload-free set, ``Corrector.signature_fields`` and ``docs/settings.md``.

The table's order is the signature's order; the docs group the rows.
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from corrector import defaults

Group = Literal["decoder", "lattice", "document", "neural"]
Kind = Literal["value", "path"]
GROUPS: tuple[Group, ...] = ("decoder", "lattice", "document", "neural")
GROUP_TITLES: Mapping[Group, str] = MappingProxyType(
    {
        "decoder": "the sentence decoder: the LM and the objective",
        "lattice": "the candidate lattices (signed also by the lattice oracle)",
        "document": "the document passes after a first decoding",
        "neural": "neural selection and verification (`--neural`)",
    }
)


@dataclass(frozen=True, slots=True)
class Setting:
    """One setting. ``kind`` "path" settings name files or directories and default to None."""

    name: str
    type: type
    default: Any
    help: str
    flag: str
    group: Group
    kind: Kind = "value"
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False
    signature: str | None = None  # key in evaluation signatures; None: not signed
    neural_only: bool = False  # signed only when the neural verifier is on
    signed_with: str | None = None  # signed only when this other setting is non-zero
    reload: bool = False  # only Corrector.load can change it (with_settings refuses it)
    shown_default: str | None = None  # how help and docs show a None default
    metavar: str | None = None
    directory: bool = False  # a path setting naming a directory (else a file)
    dest: str | None = None  # argparse dest, where the commands' name predates the table
    const: str | None = None  # the value of the bare flag (``--neural`` alone)

    @property
    def annotation(self) -> Any:
        return self.type | None if self.default is None else self.type

    @property
    def cli_dest(self) -> str:
        return self.dest or self.name

    @property
    def cli_metavar(self) -> str:
        if self.metavar:
            return self.metavar
        return "N" if self.type is int else "X"

    @property
    def default_text(self) -> str:
        return self.shown_default if self.shown_default is not None else _number(self.default)

    @property
    def range_text(self) -> str:
        """The valid values in words, e.g. "≥ 1", "in [0, 1]"; "" when unbounded."""
        low, high = self.minimum, self.maximum
        if low is not None and high is not None:
            left = "(" if self.exclusive_minimum else "["
            right = ")" if self.exclusive_maximum else "]"
            return f"in {left}{_number(low)}, {_number(high)}{right}"
        if low is not None:
            return f"{'>' if self.exclusive_minimum else '≥'} {_number(low)}"
        if high is not None:
            return f"{'<' if self.exclusive_maximum else '≤'} {_number(high)}"
        return ""

    def cli_help(self) -> str:
        return f"{self.help} (default: {self.default_text})"


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


_NEURAL = "with --neural: "

# Positional fields: name, type, default, help, flag, group.
SETTINGS: tuple[Setting, ...] = (
    # Not signed itself: the signature carries the loaded model's hash, order and case.
    Setting(
        "model_dir", str, None, "KenLM model directory", "--model", "decoder", kind="path",
        reload=True, directory=True, shown_default="$CORRECTOR_MODEL or models/default", metavar="DIR",
        dest="model",  # the commands read args.model
    ),
    Setting(  # signed by the loaded table's content fingerprint, not the path
        "thesaurus_dir", str, None, "reverse thesaurus directory (`corrector build-thesaurus` output)",
        "--thesaurus", "lattice", kind="path", reload=True, directory=True,
        shown_default="$CORRECTOR_THESAURUS or models/thesaurus", metavar="DIR", signature="thes",
    ),
    # Decoder objective (log10 units); tuned on dev pairs + synthetic spins (benchmarks/tune.py).
    Setting("beam", int, 8, "beam width", "--beam", "decoder", minimum=1, signature="beam"),
    Setting(
        "channel_weight", float, 2.0, "weight of the channel log-probability against the LM's",
        "--channel-weight", "decoder", minimum=0, signature="chw",
    ),
    Setting(
        "change_penalty", float, 1.25,
        "log10 cost of each edit: higher changes less (fewer broken words, fewer fixes)",
        "--change-penalty", "decoder", minimum=0, signature="pen",
    ),
    Setting(  # not signed: alternatives only, the restored text is the same
        "nbest", int, 0,
        "also output each sentence's N next-best restorations (record field `alternatives`)",
        "--nbest", "decoder", minimum=0,
    ),
    Setting(
        "max_candidates", int, 12, "candidate originals kept per span", "--max-candidates", "lattice",
        minimum=1, signature="cands", reload=True,
    ),
    Setting(  # signed by the loaded weights' fingerprint, not the path
        "channel", str, None, "channel weights (see scripts/fit_channel.py)", "--channel", "lattice",
        kind="path", signature="channel", reload=True, shown_default="the package's fitted weights",
        metavar="WEIGHTS.json",
    ),
    # Document consistency: log10 boost for first-pass rules with summed gain ≥ min gain.
    Setting(
        "consistency_boost", float, 1.0,
        "second pass: log10 boost for swaps the first pass made consistently (0 = off)",
        "--consistency-boost", "document", minimum=0, signature="boost",
    ),
    Setting(
        "consistency_min_gain", float, 1.0,
        "second pass: summed log10 gain a first-pass swap needs to be boosted",
        "--consistency-min-gain", "document", minimum=0, signature="bgain", signed_with="consistency_boost",
    ),
    # Document spin prior: extra change penalty for documents the first pass finds clean.
    Setting(
        "spin_prior_weight", float, 3.0,
        "second pass: extra change penalty × (1 − first-pass spun_score) (0 = off)",
        "--spin-prior", "document", minimum=0, signature="prior",
    ),
    Setting(
        "min_spun_score", float, 0.35,
        f"documents of {defaults.MIN_WORDS_FOR_GATE}+ words scoring below this on the first pass are "
        "left unchanged (0 = off); a feed's shorter documents are scored together",
        "--min-spun-score", "document", minimum=0, maximum=1, signature="gate",
    ),
    Setting(
        "learned", str, None, "learn-pairs table used as a strong channel source", "--learned", "lattice",
        kind="path", signature="learned", reload=True,
        shown_default="models/learned/pairs.tsv if it exists", metavar="PAIRS.tsv",
    ),
    Setting(
        "spinner", str, None, "an adapted channel from `corrector adapt`", "--spinner", "lattice",
        kind="path", signature="spinner", reload=True, shown_default="none", metavar="SPINNER.json",
    ),
    Setting(  # signed by the loaded model's fingerprint
        "neural", str, None,
        "select and verify edits with a neural LM: SmolLM2-135M (installed by `make setup`) or "
        "a llama-architecture GGUF file; better restorations, ~700x slower (benchmarks/neural.py)",
        "--neural", "neural", signature="neural", reload=True, shown_default="off", metavar="GGUF",
        const="default",
    ),
    # Neural verification: the decoder proposes at a low penalty, the neural LM keeps an edit when
    # neural gain + weight · decoder gain > threshold (log10; benchmarks/neural.py).
    Setting(
        "proposal_penalty", float, 0.25,
        _NEURAL + "the change penalty at which the decoder proposes edits for verification",
        "--proposal-penalty", "neural", minimum=0, signature="ppen", neural_only=True,
    ),
    Setting(
        "neural_decoder_weight", float, 1.0, _NEURAL + "weight of the decoder's gain in the verifier's score",
        "--neural-decoder-weight", "neural", minimum=0, signature="nw", neural_only=True,
    ),
    Setting(
        "neural_threshold", float, 3.0,
        _NEURAL + "log10 margin (neural gain + weight · decoder gain) an edit must clear",
        "--neural-threshold", "neural", signature="nthr", neural_only=True,
    ),
    # Of the candidates whose fast-match gain is above NEURAL_CANDIDATE_FLOOR.
    Setting(
        "neural_candidates", int, 6,
        _NEURAL + "best candidates per lattice arc it also scores (0: only the decoder's edits)",
        "--neural-candidates", "neural", minimum=0, signature="ncand", neural_only=True,
    ),
    Setting(
        "neural_consistency", float, 0.5,
        _NEURAL + "weight of the same substitution's mean score elsewhere in the document (0 = off)",
        "--neural-consistency", "neural", minimum=0, signature="ncons", neural_only=True,
    ),
    Setting(
        "neural_window", int, 10,
        _NEURAL + "selection scores a proposal up to this many words past it (0 = the whole sentence)",
        "--neural-window", "neural", minimum=0, signature="nwin", neural_only=True,
    ),
    # The teacher (corrector.restore.teacher): the neural LM judges the document's most promising
    # pair types in short windows; the n-gram decoder applies its decisions (benchmarks/feed.py).
    Setting(
        "neural_budget", float, 0.0,
        _NEURAL + "0: select and verify every proposal in whole sentences; N > 0: the teacher judges "
        "the N best pair types per 100 words in short windows and the n-gram decoder applies its "
        "decisions (20: ~5x faster, ERR 0.30 against 0.38 on whole articles; docs/experiments.md)",
        "--neural-budget", "neural", minimum=0, signature="nbud", neural_only=True,
    ),
    Setting(
        "neural_samples", int, 2,
        _NEURAL + "occurrences of a judged pair type the neural LM scores (the others share their mean)",
        "--neural-samples", "neural", minimum=1, signature="nsam", neural_only=True,
    ),
    Setting(
        "neural_context", int, 0,
        _NEURAL + "words before a judged span in the teacher's window (0 = from the sentence's start)",
        "--neural-context", "neural", minimum=0, signature="nctx", neural_only=True,
    ),
    # Short: the words right after a span say most of whether it fits, and each word after it is
    # scored once per candidate (docs/experiments.md, "The default path's teacher").
    Setting(
        "neural_teacher_window", int, 4,
        _NEURAL + "words after a judged span in the teacher's window (0 = to the sentence's end)",
        "--neural-teacher-window", "neural", minimum=0, signature="ntwin", neural_only=True,
    ),
    # Here, after the neural settings: a signature lists its keys in this table's order, new ones last
    # (signed with a spinner file: the teacher's decisions are what it weighs).
    Setting(
        "min_spinner_evidence", float, 4.0,
        f"with the neural teacher's decisions: a document of {defaults.MIN_WORDS_FOR_GATE}+ words whose "
        f"decided pairs score {defaults.SPINNER_EVIDENCE_ALONE:g}× this (log10 odds per 100 words, each "
        f"at most {defaults.SPINNER_EVIDENCE_CAP:g}) is restored even below min_spun_score; a single "
        "article, only from this (0 = off)",
        "--min-spinner-evidence", "document", minimum=0, signature="sev", signed_with="spinner",
    ),
    Setting(
        "pair_weight", float, 0.0,
        "second pass: weight of each proposal's pair-type log-odds (corrector.restore.pairs: the pair's "
        "evidence over the document, or the feed) added to its channel score (0 = off)",
        "--pair-weight", "document", minimum=0, signature="pairw", signed_with="pair_weight",
    ),
    Setting(
        "pair_offset", float, 0.0,
        "with --pair-weight: log-odds subtracted before weighting (negative: favour judged pairs)",
        "--pair-offset", "document", signature="pairo", signed_with="pair_weight",
    ),
    # Beside a single article's teacher decisions, the n-gram decoder's edits of forms they leave
    # open (a form the teacher turned down where it scored it, or never judged) are right on the
    # synthetic profiles about as often as they break, and wrong on real spun articles
    # (docs/experiments.md, "Doubted edits of undecided forms").
    Setting(
        "min_undecided_probability", float, 0.5,
        "with a single article's neural teacher decisions: an n-gram edit of a spun form they do "
        "not restore is made only at this pair-model probability (0 = off)",
        "--min-undecided-probability", "document", minimum=0, maximum=1, signature="undp",
        signed_with="spinner",
    ),
    # A fluent swap ("stated" for "said") reads nearly as well as its original to the neural LM;
    # what gives it away in a feed is the word counts: the original goes missing, the spun form
    # abounds (docs/experiments.md, "The feed's word counts in the teacher").
    Setting(
        "neural_frequency_weight", float, 1.0,
        _NEURAL + "weight of a pair type's displacement in the teacher's score: log10 evidence from the "
        "feed's (or document's) word counts that its original went missing into its spun form, at most "
        "2 (0 = off)",
        "--neural-frequency-weight", "neural", minimum=0, signature="nfreq", neural_only=True,
    ),
)

BY_NAME: Mapping[str, Setting] = MappingProxyType({s.name: s for s in SETTINGS})
DEFAULTS: Mapping[str, Any] = MappingProxyType({s.name: s.default for s in SETTINGS})
RELOAD_FREE: frozenset[str] = frozenset(s.name for s in SETTINGS if not s.reload)


def get(name: str) -> Setting:
    try:
        return BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown Corrector setting: {name}") from None


def validate(name: str, value: Any) -> Any:
    """``value`` as setting ``name`` holds it (ints as floats for float settings, paths as str);
    ValueError, with the message the CLI shows too, if it is not valid."""
    setting = get(name)
    if value is None and setting.default is None:
        return None
    if setting.kind == "path" or setting.type is str:
        if not isinstance(value, str | os.PathLike):
            raise ValueError(f"{name} must be a path, got {value!r}")
        return str(value)
    if isinstance(value, bool) or not isinstance(value, int | float):  # bool is an int: refuse it
        raise ValueError(f"{name} must be {_kind_words(setting)}, got {value!r}")
    if setting.type is int:
        if not isinstance(value, int):
            raise ValueError(f"{name} must be an integer, got {value!r}")
    else:
        value = float(value)
        if math.isnan(value):
            raise ValueError(f"{name} must be a number, got nan")
    low, high = setting.minimum, setting.maximum
    too_low = low is not None and (value <= low if setting.exclusive_minimum else value < low)
    too_high = high is not None and (value >= high if setting.exclusive_maximum else value > high)
    if too_low or too_high:
        raise ValueError(f"{name} must be {setting.range_text}, got {value}")
    return value


def parse(name: str, text: str) -> Any:
    """Setting ``name`` from command-line ``text``: converted to its type, then validated."""
    setting = get(name)
    if setting.kind == "path" or setting.type is str:
        return validate(name, text)
    try:
        value = setting.type(text)
    except ValueError:
        raise ValueError(f"{name} must be {_kind_words(setting)}, got {text!r}") from None
    return validate(name, value)


def argparse_type(name: str) -> Callable[[str], Any]:
    """An argparse ``type`` for setting ``name``: :func:`parse`, its message shown as is."""

    def convert(text: str) -> Any:
        try:
            return parse(name, text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    convert.__name__ = name
    return convert


def _kind_words(setting: Setting) -> str:
    return "an integer" if setting.type is int else "a number"


def signature_fields(
    config: Any, shown: Mapping[str, Any], *, neural: bool, decoding: bool = True
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The signed settings of ``config`` by abbreviation, in table order: (always signed, signed
    only with the neural verifier on). ``shown`` gives the value signed for a setting pinned by
    what it loaded (a fingerprint); other paths sign as their file name, or "no". Without
    ``decoding``, only what pins the lattices (the lattice oracle's signature)."""
    always: dict[str, Any] = {}
    with_neural: dict[str, Any] = {}
    for setting in SETTINGS:
        if setting.signature is None or (not decoding and setting.group != "lattice"):
            continue
        if setting.neural_only and not neural:
            continue
        if setting.signed_with is not None and not getattr(config, setting.signed_with):
            continue
        value = getattr(config, setting.name)
        if setting.name in shown:
            value = shown[setting.name]
        elif setting.kind == "path":
            value = Path(value).name if value else "no"
        (with_neural if setting.neural_only else always)[setting.signature] = value
    return always, with_neural


def markdown_table() -> str:
    """The settings as markdown: one table per group (``docs/settings.md``)."""
    lines: list[str] = []
    for group in GROUPS:
        lines += [f"### {group}: {GROUP_TITLES[group]}", ""]
        lines += [
            "| setting | flag | type | default | valid | signature | reload | what |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for s in (s for s in SETTINGS if s.group == group):
            kind = "path" if s.kind == "path" else s.type.__name__
            condition = " (with neural)" if s.neural_only else ""
            condition = f" (with `{s.signed_with}`)" if s.signed_with else condition
            signed = f"`{s.signature}`{condition}" if s.signature else "–"
            what = s.help.replace("|", "\\|")
            lines.append(
                f"| `{s.name}` | `{s.flag}` | {kind} | {s.default_text} | {s.range_text or 'any'} "
                f"| {signed} | {'yes' if s.reload else 'no'} | {what} |"
            )
        lines.append("")
    return "\n".join(lines)
