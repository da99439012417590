"""KenLM, the first :class:`~corrector.lm.base.LanguageModel` backend.

Word preparation (LM normalisation, lowercasing for uncased models) happens here, so callers
pass tokens as they appear in text.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from corrector.lm.base import SentenceScore
from corrector.text.tokens import normalize_token

MODEL_FILE = "model.bin"
MANIFEST_FILE = "manifest.json"
_NOTICE_SHOWN = False


def _fast_match(file: Path, prepare: Any) -> Any:
    """The compiled fast match (``corrector/lm/_fastmatch.pyx``, built by ``scripts/setup.sh``)
    on ``file``, or None with a one-line notice (once per process) when it is not built: the
    decoder then scores its windows in Python, with the same floats, more slowly."""
    global _NOTICE_SHOWN
    try:
        from corrector.lm._fastmatch import FastMatch
    except ImportError:
        if not _NOTICE_SHOWN:
            _NOTICE_SHOWN = True
            print(
                "corrector: compiled fast match not built (scripts/setup.sh builds it); "
                "using the pure-Python one (same output, slower)",
                file=sys.stderr,
            )
        return None
    return FastMatch(str(file), prepare)


def read_manifest(model_dir: Path) -> dict[str, Any]:
    path = Path(model_dir) / MANIFEST_FILE
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


class KenlmModel:
    """A KenLM binary or ARPA model, memory-mapped; cased or lowercased as its manifest says."""

    def __init__(self, path: str | Path, lowercase: bool | None = None, compiled: bool = True) -> None:
        """``compiled``: use the compiled fast match and states when built (False: the pure
        Python reference path, e.g. to compare the two)."""
        import kenlm  # imported here so a toy backend works without the extension

        path = Path(path)
        model_dir = path if path.is_dir() else path.parent
        file = path / MODEL_FILE if path.is_dir() else path
        if not file.exists():
            raise FileNotFoundError(f"no language model at {file}")
        self.manifest: dict[str, Any] = read_manifest(model_dir) if path.is_dir() else {}
        config = kenlm.Config()
        config.load_method = kenlm.LoadMethod.LAZY  # mmap: workers share pages, load is instant
        self._kenlm = kenlm
        self._model = kenlm.Model(str(file), config)
        self.path = file
        self.order: int = self._model.order
        self.lowercase: bool = bool(self.manifest.get("lowercase", False)) if lowercase is None else lowercase
        self._prepare = lru_cache(maxsize=200_000)(self._prepare_uncached)
        # prepared_text(words): the words in this model's form, space-joined, for score_text;
        # memoised per tuple (the decoder's fast match scores the same contexts many times).
        self.prepared_text = lru_cache(maxsize=200_000)(self._prepared_text_uncached)
        # The decoder calls these ~300 times per sentence: as KenLM's own bound method and a
        # closure over bound names, they cost no Python frame (score_text) or no attribute
        # look-ups (score_word) per call. Same calls into KenLM, so the same floats.
        self.score_text = self._model.score  # type: ignore[method-assign]
        self.score_word = _word_scorer(kenlm.State, self._model.BaseScore, self._prepare)  # type: ignore[method-assign]
        # The decoder's fast match in C++ (one left-context state for all candidates of an arc),
        # or None: see ``_fast_match``. When built, its states (same scores, compared and hashed
        # by their words as kenlm.State) serve the decoder's transitions too, a call each without
        # a Python frame; a model's states are all of one kind, so they never mix.
        self.fast_match: Any = _fast_match(file, self._prepare) if compiled else None
        if self.fast_match is not None:
            self.begin_state = self.fast_match.begin_state  # type: ignore[method-assign]
            self.null_state = self.fast_match.null_state  # type: ignore[method-assign]
            self.score_word = self.fast_match.score_word  # type: ignore[method-assign]
            self.score_end = self.fast_match.score_end  # type: ignore[method-assign]

    def _prepare_uncached(self, word: str) -> str:
        word = normalize_token(word)
        return word.lower() if self.lowercase else word

    def prepare(self, word: str) -> str:
        """The form of ``word`` this model was trained on."""
        return self._prepare(word)

    def __contains__(self, word: str) -> bool:
        return self._prepare(word) in self._model

    def begin_state(self) -> Any:
        state = self._kenlm.State()
        self._model.BeginSentenceWrite(state)
        return state

    def null_state(self) -> Any:
        state = self._kenlm.State()
        self._model.NullContextWrite(state)
        return state

    def score_word(self, state: Any, word: str) -> tuple[float, Any]:
        out = self._kenlm.State()
        return self._model.BaseScore(state, self._prepare(word), out), out

    def score_end(self, state: Any) -> float:
        out = self._kenlm.State()
        return self._model.BaseScore(state, "</s>", out)

    def logprob(self, words: Sequence[str], bos: bool = True, eos: bool = True) -> float:
        """Log10 probability of a word sequence in one call into KenLM (the fast path)."""
        if self.fast_match is not None:
            # The same BaseScore calls and float sum as KenLM's score of the joined text.
            logprob = self.fast_match.logprob(words, bos, eos)
            if logprob is not None:
                return logprob
        return self._model.score(self._prepared_text_uncached(words), bos=bos, eos=eos)

    def _prepared_text_uncached(self, words: Sequence[str]) -> str:
        return " ".join([self._prepare(w) for w in words])

    def score_text(self, text: str, bos: bool = True, eos: bool = True) -> float:
        """Log10 probability of :meth:`prepared_text` output, or of several joined by spaces
        (KenLM splits on whitespace, so an empty part costs nothing)."""
        return self._model.score(text, bos=bos, eos=eos)

    def score_sentence(self, words: Sequence[str], bos: bool = True, eos: bool = True) -> SentenceScore:
        """Whole-sentence log10 probability (one call into KenLM)."""
        prepared = [self._prepare(w) for w in words]
        logprob = self._model.score(" ".join(prepared), bos=bos, eos=eos)
        oov = sum(1 for w in prepared if w not in self._model)
        return SentenceScore(logprob, len(prepared) + (1 if eos else 0), oov)

    def word_scores(self, words: Sequence[str], bos: bool = True, eos: bool = True) -> list[float]:
        """Per-token log10 probabilities (the last is </s> when ``eos``)."""
        prepared = self._prepared_text_uncached(words)
        return [score for score, _, _ in self._model.full_scores(prepared, bos=bos, eos=eos)]


def _word_scorer(state_class: Any, base_score: Any, prepare: Any) -> Any:
    """:meth:`KenlmModel.score_word` over bound names (see ``KenlmModel.__init__``)."""

    def score_word(state: Any, word: str) -> tuple[float, Any]:
        out = state_class()
        return base_score(state, prepare(word), out), out

    return score_word


@lru_cache(maxsize=4)
def load_language_model(path: str) -> KenlmModel:
    """One model object per process and path (workers get the path, never a pickled model)."""
    return KenlmModel(path)
