"""Spin profiles: the default is unchanged, every profile is deterministic, and the fixed-dictionary
profiles have the shape of a real spinner's dictionary (DESIGN §1)."""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from itertools import islice
from pathlib import Path

import pytest

from corrector.commands import spin as spin_command
from corrector.research.spinner import (
    PROFILES,
    SENSE_HEAD,
    SpinConfig,
    Spinner,
    SpinResult,
    profile_config,
    read_user_dict,
)
from corrector.text.tokens import split_sentences

TEXT = (
    "Top officials said, even though the Foreign Minister didn't agree, that 3,450 people "
    "were told. Thousands of troops met in the capital.\nThe crisis meeting said nothing new."
)

# sha256 of the spinner's output before profiles existed (commit f6c92ab), on the first four lee
# held-out articles plus TEXT; see _output_hash. "default" and "rarity" were re-recorded when no
# profile could write another fact any more (session 45: their texts had West → Southwest and
# years → months; with those synonyms gone, the weighted draws of these words' other occurrences
# fall on others too, million → cardinal → loads).
BEFORE_PROFILES = {
    "default": "fa714397905a2dc27f4328c2a0521f8f31a4e3a526f37a2a373067b021dc45d8",
    "mythes7": "57346e29896f3ca54e92f2b33e4e263a8b9c818cf77228185b8be3eba0e6b730",
    "rarity": "2fe1813ec1a58f3d5f8c5d435df2512eea3f2ec84efa2f838b141ac6d170f27c",
}
BEFORE_PROFILES_CONFIGS: dict[str, dict[str, object]] = {
    "default": {},
    "mythes7": {"sources": ("mythes",), "seed": 7},
    "rarity": {"seed": 3, "rarity": 1.0, "multiword": False, "consistency": 0.5},
}
# sha256 of `corrector spin --source mythes --seed 7` stdout before profiles existed, on TEXT as
# three JSONL records (MyThes alone loads fastest in a subprocess).
BEFORE_PROFILES_CLI = "99fd5820bc76a77ffb95d75f2a3ae1e332bf1e2cf215672474e893cc6d53d24d"

pytestmark = pytest.mark.slow  # the real thesauri: ~5 s to load, seconds per profile to spin


@pytest.fixture(scope="module", autouse=True)
def _thesauri() -> None:
    from corrector.builders.thesaurus import available_sources

    if set(available_sources()) != {"moby", "wordnet", "mythes"}:
        pytest.skip("needs the moby, wordnet and mythes thesauri")


@pytest.fixture(scope="module")
def lee() -> list[str]:
    from corrector.builders.corpus import lee_heldout

    try:
        return list(islice(lee_heldout(), 30))
    except FileNotFoundError:
        pytest.skip("gensim's lee.cor not installed")


SpinLee = Callable[[str], tuple[Spinner, list[SpinResult]]]


@pytest.fixture(scope="module")
def spin_lee(lee: list[str]) -> SpinLee:
    """(spinner, results) of a profile at seed 0 over the lee articles, computed once per profile."""
    cache: dict[str, tuple[Spinner, list[SpinResult]]] = {}

    def spun(profile: str) -> tuple[Spinner, list[SpinResult]]:
        if profile not in cache:
            spinner = Spinner(profile_config(profile))
            cache[profile] = (spinner, [spinner.spin(text, f"lee{i}") for i, text in enumerate(lee)])
        return cache[profile]

    return spun


def _output_hash(spinner: Spinner, documents: Sequence[str]) -> str:
    digest = hashlib.sha256()
    for i, text in enumerate(documents):
        result = spinner.spin(text, f"doc{i}")
        record = [result.spun, [e.to_dict() for e in result.edits]]
        digest.update(json.dumps(record, ensure_ascii=False).encode())
    return digest.hexdigest()


def _token_spans(results: Sequence[SpinResult]) -> list[tuple[str, bool]]:
    """Every token of the originals with whether an edit covers it."""
    tokens = []
    for result in results:
        spans = [(e.start, e.end) for e in result.edits]
        for sentence in split_sentences(result.original):
            for token in sentence.tokens:
                tokens.append((token.text, any(start <= token.start < end for start, end in spans)))
    return tokens


def _run_spin(args: list[str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "corrector.cli", "spin", *args], input=stdin,
                          capture_output=True, text=True, check=True)


def test_default_profile_is_the_plain_config() -> None:
    assert PROFILES["thesaurus"] == SpinConfig()
    assert profile_config("thesaurus") == SpinConfig()


@pytest.mark.parametrize("name", list(BEFORE_PROFILES))
def test_thesaurus_profile_spins_byte_identical_to_before(name: str, lee: list[str]) -> None:
    config = profile_config("thesaurus", **BEFORE_PROFILES_CONFIGS[name])  # type: ignore[arg-type]
    assert _output_hash(Spinner(config), [*lee[:4], TEXT]) == BEFORE_PROFILES[name]


def test_cli_thesaurus_profile_writes_the_same_bytes_as_before(tmp_path: Path) -> None:
    docs = tmp_path / "docs.jsonl"
    rows = [json.dumps({"id": f"d{i}", "text": TEXT}) + "\n" for i in range(3)]
    docs.write_text("".join(rows), encoding="utf-8")
    out = _run_spin([str(docs), "--profile", "thesaurus", "--source", "mythes", "--seed", "7"])
    assert hashlib.sha256(out.stdout.encode()).hexdigest() == BEFORE_PROFILES_CLI
    assert "spin|profile:thesaurus|" in out.stderr


@pytest.mark.parametrize("profile", list(PROFILES))
def test_each_profile_is_deterministic_per_seed(profile: str, lee: list[str]) -> None:
    documents = [*lee[:3], TEXT]

    def outputs(seed: int) -> list[tuple[str, tuple[object, ...]]]:
        spinner = Spinner(profile_config(profile, seed=seed))
        return [(r.spun, r.edits) for r in (spinner.spin(t, f"d{i}") for i, t in enumerate(documents))]

    first = outputs(1)
    assert first == outputs(1)
    assert first != outputs(2)


def test_dictionary_entries_do_not_depend_on_the_documents(lee: list[str]) -> None:
    forward, backward = Spinner(profile_config("dictionary")), Spinner(profile_config("dictionary"))
    for i, text in enumerate(lee[:8]):
        forward.spin(text, f"a{i}")
    for i, text in enumerate(reversed(lee[:8])):
        backward.spin(text, f"b{i}")
    fresh = Spinner(profile_config("dictionary"))  # has spun nothing
    entries = {**forward.dictionary(), **backward.dictionary()}
    assert len(entries) > 100
    assert all(fresh._entry(key) == entry for key, entry in entries.items())
    shared = forward.dictionary().keys() & backward.dictionary().keys()
    assert all(forward.dictionary()[k] == backward.dictionary()[k] for k in shared)


@pytest.mark.parametrize("profile", ["dictionary", "wordpress"])
def test_dictionary_maps_each_original_to_at_most_two_replacements(profile: str, spin_lee: SpinLee) -> None:
    spinner, _ = spin_lee(profile)
    entries = spinner.dictionary()
    replacements: dict[str, set[str]] = defaultdict(set)
    for original, replacement in spinner.used_pairs():
        replacements[original].add(replacement)
    assert len(replacements) > 200
    assert all(len(spuns) <= 2 for spuns in replacements.values())
    assert all(spuns <= {r.lower() for r in entries[original]} for original, spuns in replacements.items())
    sizes = [len(entry) for entry in entries.values()]
    assert statistics.median(sizes) == 1 and 1.2 <= statistics.fmean(sizes) <= 1.5


@pytest.mark.parametrize("profile", ["dictionary", "wordpress", "light"])
def test_dictionary_spins_about_85_percent_of_headword_occurrences(profile: str, spin_lee: SpinLee) -> None:
    spinner, results = spin_lee(profile)
    headwords = spinner.dictionary()
    flags = [spun for text, spun in _token_spans(results) if text.lower() in headwords]
    assert len(flags) > 200
    assert 0.80 <= sum(flags) / len(flags) <= 0.90


def test_dictionary_changes_a_real_spinners_share_of_tokens(spin_lee: SpinLee) -> None:
    flags = [spun for _, spun in _token_spans(spin_lee("dictionary")[1])]
    assert 0.17 <= sum(flags) / len(flags) <= 0.28  # DESIGN §7: 17–25% on real spun articles


def test_dictionary_is_drawn_like_a_real_spinners(spin_lee: SpinLee) -> None:
    # docs/candidates-study.md: real spinners' originals are frequent news words (72% above Zipf 5)
    # and each gets a dominant-sense synonym rarer than itself (76–85% of real swaps); the
    # earlier draw (kept by wordpress) gives 53%, 62% and 53% on these articles.
    from wordfreq import zipf_frequency

    spinner, _ = spin_lee("dictionary")
    firsts = [(key, entry[0].lower()) for key, entry in spinner.dictionary().items() if " " not in key]
    assert len(firsts) > 200
    rarer = [zipf_frequency(r, "en") < zipf_frequency(k, "en") for k, r in firsts]
    dominant = [spinner._sense_ranks(k).get(r, SENSE_HEAD) < SENSE_HEAD for k, r in firsts]
    assert statistics.fmean(rarer) >= 0.8 and statistics.fmean(dominant) >= 0.8
    used = spinner.used_pairs()
    frequent = sum(n for (original, _), n in used.items() if zipf_frequency(original, "en") >= 5)
    assert frequent / sum(used.values()) >= 0.6


def test_light_changes_about_8_percent_of_tokens(spin_lee: SpinLee) -> None:
    flags = [spun for _, spun in _token_spans(spin_lee("light")[1])]
    assert 0.05 <= sum(flags) / len(flags) <= 0.11


def test_wordpress_spins_words_not_phrases(spin_lee: SpinLee) -> None:
    spinner, _ = spin_lee("wordpress")
    assert spinner.used_pairs() and all(" " not in original for original, _ in spinner.used_pairs())


def test_intensifier_inserts_actually_between_a_perfect_auxiliary_and_its_participle(
    spin_lee: SpinLee,
) -> None:
    from corrector.research.spinner import INTENSIFIER, PERFECT_AUXILIARIES, apply_edits

    _, results = spin_lee("intensifier")
    inserted = [e for r in results for e in r.edits if e.spun.lower().endswith(f" {INTENSIFIER}")]
    assert len(inserted) >= 10
    assert all(e.original.lower() in PERFECT_AUXILIARIES and e.spun == f"{e.original} {INTENSIFIER}"
               for e in inserted)
    assert all(apply_edits(r.original, r.edits) == r.spun for r in results)
    text = "The minister had forgotten the letter. He has a car and they have to go."
    only = profile_config("intensifier", intensifier_rate=1.0, coverage=0.0, function_coverage=0.0)
    spun = Spinner(only).spin(text).spun
    assert spun == "The minister had actually forgotten the letter. He has a car and they have to go."


def test_dictionary_out_round_trips(tmp_path: Path, lee: list[str]) -> None:
    docs = tmp_path / "docs.jsonl"
    docs.write_text("".join(json.dumps({"id": f"d{i}", "text": t}) + "\n" for i, t in enumerate(lee[:5])),
                    encoding="utf-8")
    table = tmp_path / "dictionary.tsv"
    flags = ["--profile", "dictionary", "--source", "mythes", "--seed", "4", "--dictionary-out", str(table)]
    out = _run_spin([str(docs), *flags])

    spinner = Spinner(profile_config("dictionary", sources=("mythes",), seed=4))
    expected = [spinner.spin(t, f"d{i}") for i, t in enumerate(lee[:5])]
    records = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["spun"] for r in records] == [r.spun for r in expected]  # same bytes in another process

    read_back = read_user_dict(table)
    assert read_back == {k: [r.lower() for r in v] for k, v in spinner.dictionary().items()}
    applied = {}
    for line in table.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            original, replacement, count = line.split("\t")
            applied[original, replacement] = int(count)
    assert {pair: n for pair, n in applied.items() if n} == dict(spinner.used_pairs())


def test_flags_override_the_profile() -> None:
    parser = argparse.ArgumentParser()
    spin_command.add_arguments(parser)
    flags = ["--profile", "dictionary", "--rate", "0.5", "--words-only", "--seed", "9"]
    args = parser.parse_args(["x.txt", *flags])
    config = spin_command.config_from_args(args)
    assert config == profile_config("dictionary", rate=0.5, phrase_keys=False, seed=9)
    assert config.signature().startswith("spin|profile:dictionary|")
    assert spin_command.config_from_args(parser.parse_args(["x.txt"])) == SpinConfig()


def test_unknown_profile_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown spin profile"):
        profile_config("spintax")


FACTS = (
    "Two million people in the north and western districts waited three weeks, some for years. "
    "The summer talks on Monday in March lasted five hours, a billion dollars for the fifth month."
)


@pytest.mark.parametrize("profile", PROFILES)
def test_no_profile_states_another_fact(profile: str) -> None:
    """Real spinners keep numbers, directions, seasons, days, months and units of time (of 7,221
    tortured-phrase pairs, all but one that hold one keep it); the thesauri list their neighbours
    as synonyms (million→thousand, north→northeast, hours→minutes), which no profile may write."""
    from corrector.candidates.rules import changes_fact

    for seed in range(12):
        spinner = Spinner(profile_config(profile, seed=seed, rate=1.0, coverage=1.0))
        for edit in spinner.spin(FACTS, str(seed)).edits:
            assert not changes_fact(edit.spun.lower(), edit.original.lower()), (profile, seed, edit)
