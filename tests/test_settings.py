"""The settings table (corrector/settings.py) is the one declaration of every setting: each is
reachable from the CLI and the Python API, both refuse the same out-of-range values with the same
message, the signature carries it, and the config, ``with_settings`` and the docs follow it."""

from __future__ import annotations

import dataclasses
import importlib.util
import inspect
import json
import math
from pathlib import Path
from typing import Any

import pytest

from corrector import cli
from corrector.api import Corrector
from corrector.builders.model import build_model
from corrector.candidates.channel import WEIGHTS_FILE, ChannelModel
from corrector.candidates.table import ReverseTable, pack_ranks, write_table
from corrector.commands import _options as options
from corrector.config import CorrectorConfig
from corrector.lm import neural as neural_module
from corrector.settings import BY_NAME, DEFAULTS, RELOAD_FREE, SETTINGS, Setting, markdown_table, validate

PROJECT = Path(__file__).resolve().parents[1]
NEURAL_ONLY = [s for s in SETTINGS if s.neural_only]
FAKE_GGUF = "fake.gguf"  # read by FakeNeural only (not "default": that needs the installed model)
BOUNDED = [s for s in SETTINGS if s.minimum is not None or s.maximum is not None]


def ids(settings: list[Setting]) -> list[str]:
    return [s.name for s in settings]


# --- examples: a valid non-default value of every setting, and invalid ones -------------------


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory, tiny_corpus: Path) -> dict[str, Any]:
    """A valid value other than the default for every setting (real files for the paths)."""
    tmp = tmp_path_factory.mktemp("examples")
    other_model = tmp / "bigram"
    build_model(str(tiny_corpus), other_model, order=2, discount_fallback=True, memory="50M", progress=False)
    line = f"said\t{pack_ranks({'moby': (0, 3)})}\t0\t6.5"  # stated ← said, Moby's first of 3
    write_table(tmp / "thesaurus", {"stated": line}, ("moby",), None, None)
    weights = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    weights["weights"]["bias"] -= 1.0
    (tmp / "weights.json").write_text(json.dumps(weights), encoding="utf-8")
    (tmp / "pairs.tsv").write_text("stated\tsaid\t3\n", encoding="utf-8")
    pair = {"spun": "stated", "original": "said", "prob": 0.5}
    spinner = {"format": "corrector-spinner/1", "pairs": [pair]}
    (tmp / "spinner.json").write_text(json.dumps(spinner), encoding="utf-8")
    (tmp / "tiny.gguf").write_bytes(b"GGUF")  # only named: FakeNeural stands in for the model
    paths = {
        "model_dir": other_model,
        "thesaurus_dir": tmp / "thesaurus",
        "channel": tmp / "weights.json",
        "learned": tmp / "pairs.tsv",
        "spinner": tmp / "spinner.json",
        "neural": tmp / "tiny.gguf",
    }
    values: dict[str, Any] = {name: str(path) for name, path in paths.items()}
    for s in SETTINGS:
        if s.name in values:
            continue
        if s.type is int:
            values[s.name] = s.default + 1
        else:
            values[s.name] = (s.default + s.maximum) / 2 if s.maximum is not None else s.default + 0.5
    assert set(values) == set(BY_NAME)
    return values


def out_of_range(setting: Setting) -> list[Any]:
    """Values just outside the setting's range (and nan for a float)."""
    step = 1 if setting.type is int else 0.5
    values: list[Any] = []
    if setting.minimum is not None:
        values.append(setting.minimum if setting.exclusive_minimum else setting.minimum - step)
    if setting.maximum is not None:
        values.append(setting.maximum if setting.exclusive_maximum else setting.maximum + step)
    if setting.type is float:
        values.append(math.nan)
    return values


REFUSED = [
    pytest.param(s, value, id=f"{s.name}={value}")
    for s in SETTINGS
    if s.kind == "value" and s.type is not str
    for value in out_of_range(s)
]
BOUNDS = [
    pytest.param(s, bound, id=f"{s.name}={bound}")
    for s in BOUNDED
    for bound, exclusive in ((s.minimum, s.exclusive_minimum), (s.maximum, s.exclusive_maximum))
    if bound is not None and not exclusive
]


def parse_correct(*argv: str) -> Any:
    return cli.parse_args(["correct", *argv])


def cli_overrides(args: Any) -> dict[str, Any]:
    overrides = {**options.decoder_overrides(args), **options.channel_overrides(args)}
    if args.model is not None:  # the commands pass the model directory on its own
        overrides["model_dir"] = str(Path(args.model).resolve())
    return overrides


@pytest.fixture(autouse=True)
def no_default_learned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(options, "DEFAULT_LEARNED", tmp_path / "absent.tsv")


# --- the CLI and the Python API reach every setting -------------------------------------------


@pytest.mark.parametrize("setting", SETTINGS, ids=ids(list(SETTINGS)))
def test_every_setting_is_reachable_from_the_cli(setting: Setting, examples: dict[str, Any]) -> None:
    value = examples[setting.name]
    overrides = cli_overrides(parse_correct(setting.flag, str(value)))
    assert overrides == {setting.name: validate(setting.name, value)}


@pytest.mark.parametrize("setting", SETTINGS, ids=ids(list(SETTINGS)))
def test_every_setting_is_reachable_from_the_python_api(setting: Setting, examples: dict[str, Any]) -> None:
    value = examples[setting.name]
    config = CorrectorConfig().with_overrides(**{setting.name: value})
    assert getattr(config, setting.name) == value != setting.default
    others = {s.name for s in SETTINGS} - {setting.name}
    assert all(getattr(config, name) == DEFAULTS[name] for name in others)


def test_nothing_set_overrides_nothing() -> None:
    assert cli_overrides(parse_correct()) == {}


@pytest.mark.parametrize(("setting", "value"), REFUSED)
def test_out_of_range_values_are_refused_by_both_with_one_message(
    setting: Setting, value: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ValueError) as refused:
        CorrectorConfig().with_overrides(**{setting.name: value})
    message = str(refused.value)
    assert message.startswith(f"{setting.name} must be ")
    with pytest.raises(ValueError) as loading:  # refused before any model is read
        Corrector.load(**{setting.name: value})
    assert str(loading.value) == message
    with pytest.raises(SystemExit) as exit_info:
        parse_correct(setting.flag, str(value))
    assert exit_info.value.code == 2
    assert f"argument {setting.flag}: {message}\n" in capsys.readouterr().err


@pytest.mark.parametrize(("setting", "bound"), BOUNDS)
def test_inclusive_bounds_are_accepted_by_both(setting: Setting, bound: float) -> None:
    assert cli_overrides(parse_correct(setting.flag, str(bound))) == {setting.name: bound}
    assert getattr(CorrectorConfig().with_overrides(**{setting.name: bound}), setting.name) == bound


def test_load_refuses_a_zero_beam_with_the_cli_message(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ValueError, match=r"^beam must be ≥ 1, got 0$"):
        Corrector.load(beam=0)
    with pytest.raises(SystemExit):
        parse_correct("--beam", "0")
    assert "argument --beam: beam must be ≥ 1, got 0" in capsys.readouterr().err


def test_nbest_zero_is_a_valid_flag() -> None:
    assert cli_overrides(parse_correct("--nbest", "0")) == {"nbest": 0}


@pytest.mark.parametrize(
    ("name", "value"),
    [("beam", 2.5), ("beam", True), ("channel_weight", "2"), ("learned", 3), ("beam", None)],
)
def test_the_api_refuses_values_of_the_wrong_type(name: str, value: Any) -> None:
    with pytest.raises(ValueError, match=f"^{name} must be"):
        CorrectorConfig(**{name: value})


def test_ints_become_floats_for_float_settings() -> None:
    config = CorrectorConfig().with_overrides(channel_weight=1)
    assert isinstance(config.channel_weight, float)


def test_unknown_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown Corrector settings: bean"):
        CorrectorConfig().with_overrides(bean=3)


# --- the config is the table ------------------------------------------------------------------


def test_the_config_has_one_field_per_setting_with_its_default() -> None:
    fields = dataclasses.fields(CorrectorConfig)
    assert [f.name for f in fields] == [s.name for s in SETTINGS]
    assert [f.default for f in fields] == [s.default for s in SETTINGS]
    assert CorrectorConfig().to_dict() == dict(DEFAULTS)


def test_the_generator_caps_candidates_at_the_settings_default() -> None:
    from corrector.candidates.generator import CandidateGenerator

    parameter = inspect.signature(CandidateGenerator).parameters["max_candidates"]
    assert parameter.default == DEFAULTS["max_candidates"]


def test_every_default_is_valid() -> None:
    for setting in SETTINGS:
        assert validate(setting.name, setting.default) == setting.default


# --- the signature ----------------------------------------------------------------------------


class FakeNeural:
    """Stands in for NeuralLM: only its fingerprint is read when signing."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fingerprint(self) -> str:
        return f"fake-{Path(self.path).name}"


class DefaultTable:
    """Stands in for the default table (models/thesaurus): only its fingerprint is read."""

    def fingerprint(self) -> str:
        return "default"


class ChannelOnly:
    """Generator stand-in with the real channel (loaded from ``weights`` as the real generator
    does) and the real table of a ``thesaurus_dir`` given."""

    def __init__(self, channel: ChannelModel, table: ReverseTable | DefaultTable) -> None:
        self.channel = channel
        self.table = table

    @classmethod
    def load(
        cls, weights: Path | None = None, thesaurus_dir: Path | None = None, **_: Any
    ) -> ChannelOnly:
        table = ReverseTable.load(thesaurus_dir) if thesaurus_dir else DefaultTable()
        return cls(ChannelModel.load(weights), table)


@pytest.fixture
def make(tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Correctors over the tiny model (signing reads the model, the channel and the neural model)."""
    # api imports the neural module when a corrector needs it: patch it there.
    monkeypatch.setattr(neural_module, "NeuralLM", FakeNeural)

    def build(**overrides: Any) -> Corrector:
        config = CorrectorConfig().with_overrides(model_dir=str(tiny_model_dir))
        return Corrector.from_config(config.with_overrides(**overrides), ChannelOnly)

    return build


# Settings that change the output but are not signed: known gaps (none today).
KNOWN_UNSIGNED: dict[str, str] = {}
# nbest adds alternatives only: the restored text, hence every metric, is the same.
NOT_OUTPUT = {"nbest"}


@pytest.mark.parametrize(
    "setting",
    [
        pytest.param(s, id=s.name, marks=[pytest.mark.xfail(strict=True, reason=KNOWN_UNSIGNED[s.name])])
        if s.name in KNOWN_UNSIGNED
        else pytest.param(s, id=s.name)
        for s in SETTINGS
        if s.name not in NOT_OUTPUT
    ],
)
def test_changing_a_setting_changes_the_signature(
    setting: Setting, make: Any, examples: dict[str, Any]
) -> None:
    # The neural settings are signed only when the neural verifier is on.
    base = {"neural": examples["neural"]} if setting.neural_only else {}
    if setting.signed_with is not None and setting.signed_with != setting.name:
        base[setting.signed_with] = examples[setting.signed_with]  # signed only with it on
    before = make(**base).signature_fields()
    after = make(**{**base, setting.name: examples[setting.name]}).signature_fields()
    assert after != before
    if setting.signature is None:
        return
    value = examples[setting.name]
    if setting.name == "neural":
        value = f"fake-{Path(value).name}"
    elif setting.name == "channel":
        value = ChannelModel.load(Path(value)).fingerprint()
    elif setting.name == "thesaurus_dir":
        value = ReverseTable.load(Path(value)).fingerprint()
    elif setting.kind == "path":
        value = Path(value).name
    assert after[setting.signature] == value


def test_only_the_known_settings_are_unsigned() -> None:
    unsigned = {s.name for s in SETTINGS if s.signature is None}
    assert unsigned == {"model_dir", *KNOWN_UNSIGNED, *NOT_OUTPUT}  # model_dir: signed as `model`


@pytest.mark.parametrize("setting", NEURAL_ONLY, ids=ids(NEURAL_ONLY))
def test_neural_settings_are_signed_only_with_neural(setting: Setting, make: Any) -> None:
    assert setting.signature not in make().signature_fields()
    assert setting.signature in make(neural=FAKE_GGUF).signature_fields()


def test_the_signature_layout_is_unchanged(make: Any, examples: dict[str, Any]) -> None:
    """Today's key order: the table's (evaluate's signature line changes only when it does)."""
    head = [
        "model", "order", "case", "thes", "beam", "chw", "pen", "cands", "channel", "boost", "bgain",
        "prior", "gate",
    ]
    plain = [*head, "learned", "spinner", "neural", "version"]
    assert list(make().signature_fields()) == plain
    neural = make(neural=FAKE_GGUF).signature_fields()
    assert list(neural) == [
        *plain, "ppen", "nw", "nthr", "ncand", "ncons", "nwin", "nbud", "nsam", "nctx", "ntwin", "nfreq"
    ]
    assert neural["neural"] == "fake-fake.gguf"
    lattice = ["model", "order", "case", "thes", "cands", "channel", "learned", "spinner", "version"]
    assert list(make(neural=FAKE_GGUF).signature_fields(decoding=False)) == lattice
    fields = make().signature_fields()
    assert (fields["beam"], fields["chw"], fields["pen"], fields["gate"]) == (8, 2.0, 1.25, 0.35)
    # A spinner file's decisions weigh in the gate and leave the other forms to the n-gram decoder:
    # min_spinner_evidence and min_undecided_probability are signed with one.
    assert "sev" not in fields and "undp" not in fields
    adapted = make(spinner=examples["spinner"]).signature_fields()
    assert list(adapted) == [*head, "learned", "spinner", "neural", "sev", "undp", "version"]


def test_the_oracle_signs_the_lattice_settings_only(make: Any) -> None:
    fields = make(neural=FAKE_GGUF).signature_fields(decoding=False)
    signed = {s.signature for s in SETTINGS if s.signature}
    lattice = {s.signature for s in SETTINGS if s.signature and s.group == "lattice"}
    assert signed & set(fields) == lattice


# --- with_settings ----------------------------------------------------------------------------


@pytest.mark.parametrize("setting", SETTINGS, ids=ids(list(SETTINGS)))
def test_with_settings_changes_exactly_the_settings_that_need_no_reload(
    setting: Setting, make: Any, examples: dict[str, Any]
) -> None:
    corrector = make()
    value = examples[setting.name]
    if setting.reload:
        assert setting.name not in RELOAD_FREE
        with pytest.raises(ValueError, match="can change without reloading"):
            corrector.with_settings(**{setting.name: value})
    else:
        changed = corrector.with_settings(**{setting.name: value})
        assert getattr(changed.config, setting.name) == value
        assert changed.lm is corrector.lm and changed.generator is corrector.generator


@pytest.mark.parametrize(("setting", "value"), [p for p in REFUSED if p.values[0].name in RELOAD_FREE])
def test_with_settings_refuses_out_of_range_values(setting: Setting, value: Any, make: Any) -> None:
    with pytest.raises(ValueError, match=f"^{setting.name} must be "):
        make().with_settings(**{setting.name: value})


# --- the docs ---------------------------------------------------------------------------------


def test_the_committed_settings_doc_is_the_rendered_table() -> None:
    spec = importlib.util.spec_from_file_location("settings_doc", PROJECT / "scripts" / "settings_doc.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    committed = (PROJECT / "docs" / "settings.md").read_text(encoding="utf-8")
    assert committed == module.render(), "docs/settings.md is stale: run python scripts/settings_doc.py"


def test_the_doc_lists_every_setting_with_its_flag_and_default() -> None:
    table = markdown_table()
    for setting in SETTINGS:
        assert f"| `{setting.name}` | `{setting.flag}` |" in table
        assert f"| {setting.default_text} |" in table
